package web

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// Every request is logged once, when it is answered: its method, its route
// (the ServeMux pattern, "POST /api/v1/customers/{id}/claim", never the
// path with its ids), status, duration, the user it acted as and an id
// that the request's other lines (an internal error) carry too. Nothing
// the caller wrote is in it: no path, query string, header or body, so
// no contact, search term or token either.

// requestLog is what the line of one request says, filled in while the
// request is served: handlers run on the goroutine that logs it after.
type requestLog struct {
	id     string
	route  string
	userID string
}

type requestLogKey struct{}

// logged returns the log record of the request of ctx, or a throwaway one
// outside a request.
func logged(ctx context.Context) *requestLog {
	if l, ok := ctx.Value(requestLogKey{}).(*requestLog); ok {
		return l
	}
	return &requestLog{}
}

// attrs are the attributes that tie another log line to its request.
func (l *requestLog) attrs() []any {
	return []any{"route", l.route, "request_id", l.id}
}

// logRequests logs each request that next serves, once, with its route
// in mux, and counts it in the server's metrics, by that route.
func (s *Server) logRequests(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Elapsed time, not the time of day: it is read from the
		// monotonic clock, not from s.clock, which tests stop.
		start := time.Now()
		_, route := mux.Handler(r)
		l := &requestLog{id: newRequestID(), route: route}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestLogKey{}, l)))
		took := time.Since(start)
		s.metrics.Request(l.route, sw.code(), took)
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", l.route),
			slog.Int("status", sw.code()), slog.Duration("duration", took), slog.String("request_id", l.id)}
		if l.userID != "" {
			attrs = append(attrs, slog.String("user_id", l.userID))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// newRequestID returns 64 random bits in hex: enough to tell requests
// apart in a day's logs; it guards nothing.
func newRequestID() string { return fmt.Sprintf("%016x", rand.Uint64()) }

// statusWriter notes the status a handler answers with. Unwrap lets
// http.ResponseController (the body deadline, huma) reach the connection.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 { // 1xx are interim answers
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status answered: 200 when the handler wrote nothing, as the
// server then sends.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
