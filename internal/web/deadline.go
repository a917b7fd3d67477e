package web

import (
	"io"
	"net/http"
	"time"
)

// bodyDeadline keeps huma's body deadline from outliving the body. Before
// it reads the body of an operation that has one, huma sets the
// connection's read deadline (BodyReadTimeout, 5 s). Go's server lifts
// that deadline itself when the body has been read to its end: it then
// reads the connection in the background to notice a client that goes
// away. A request without a body has no end to reach: the background read
// starts before the handler, huma's deadline lands on it, and 5 s after
// the request arrived that read fails and cancels the request's context,
// so a claim (an operation with an optional body, mostly sent without
// one) still queued then failed with "context canceled". So an empty body
// lifts the deadline when it is read. A body that does not arrive in time
// still fails its read, which huma answers 408 request_timeout.
func bodyDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			r = r.WithContext(r.Context()) // a copy: the server's request stays as it was
			r.Body = emptyBody{http.NewResponseController(w)}
		}
		next.ServeHTTP(w, r)
	})
}

// emptyBody is a request body with nothing in it that lifts the
// connection's read deadline when read.
type emptyBody struct{ rc *http.ResponseController }

func (b emptyBody) Read([]byte) (int, error) {
	// An error means the connection takes no deadlines: none to lift.
	_ = b.rc.SetReadDeadline(time.Time{})
	return 0, io.EOF
}

func (emptyBody) Close() error { return nil }
