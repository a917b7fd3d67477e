package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/web"
)

// server is the server under test, started in process as `gonghai serve`
// starts it (web.NewServer behind an http.Server, on 127.0.0.1, port 0),
// and a client holding one kept-alive connection per worker.
type server struct {
	base   string
	client *http.Client
	srv    *http.Server
}

func startServer(db *store.DB, log *slog.Logger, workers int) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: web.NewServer(db, log), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	go srv.Serve(ln)
	return &server{base: "http://" + ln.Addr().String(), client: newClient(workers), srv: srv}, nil
}

// newClient keeps one connection per worker, as a fleet of browsers or app
// clients would; without it most requests would pay for a dial.
func newClient(workers int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers,
		IdleConnTimeout: 2 * time.Minute, DisableCompression: true}, Timeout: 5 * time.Minute}
}

func (s *server) close() {
	s.client.CloseIdleConnections()
	s.srv.Close()
}

// listingPath is the API path of pool id's listing, which the list,
// search and memory benches ask.
func listingPath(poolID string) string { return "/api/v1/pools/" + poolID + "/customers" }

// page is what a listing answered: the ids of its customers, in order, and
// the cursor of the next page.
type page struct {
	ids  []string
	next string
}

// listPage GETs a listing with token and reads it whole, as a client
// would, decoding the JSON.
func listPage(ctx context.Context, client *http.Client, base, path string, q url.Values, token string) (page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+q.Encode(), nil)
	if err != nil {
		return page{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return page{}, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return page{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return page{}, fmt.Errorf("GET %s: status %d: %.300s", path, resp.StatusCode, raw)
	}
	var out struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return page{}, fmt.Errorf("GET %s: %w", path, err)
	}
	p := page{next: out.NextCursor}
	for _, it := range out.Items {
		p.ids = append(p.ids, it.ID)
	}
	return p, nil
}

// timing is what repeated runs of one request took.
type timing []time.Duration

func (t timing) median() time.Duration {
	s := slices.Clone(t)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// duel times a and b in turns, the one first and then the other, rounds
// times after warm untimed runs of each, or fewer rounds (never under
// minRounds) once budget is spent: the two meet the same machine, caches
// and background work, which is what makes their ratio worth reading.
func duel(ctx context.Context, rounds int, budget time.Duration, a, b func() error) (ta, tb timing, err error) {
	const warm, minRounds = 2, 5
	for range warm {
		if err := a(); err != nil {
			return nil, nil, err
		}
		if err := b(); err != nil {
			return nil, nil, err
		}
	}
	began := time.Now()
	for r := range rounds {
		if r >= minRounds && time.Since(began) > budget {
			break
		}
		if err := ctx.Err(); err != nil {
			return ta, tb, err
		}
		first, second, t1, t2 := a, b, &ta, &tb
		if r%2 == 1 {
			first, second, t1, t2 = b, a, &tb, &ta
		}
		for _, run := range []struct {
			f func() error
			t *timing
		}{{first, t1}, {second, t2}} {
			start := time.Now()
			if err := run.f(); err != nil {
				return ta, tb, err
			}
			*run.t = append(*run.t, time.Since(start))
		}
	}
	return ta, tb, nil
}

// verdict is PASS or FAIL.
func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// sameIDs reports whether the server's page holds the floor's rows, in
// order: the floor reads one more row than a page shows.
func sameIDs(p page, floor []string) bool {
	return len(p.ids) <= len(floor) && slices.Equal(p.ids, floor[:len(p.ids)]) && (len(floor) > len(p.ids)) == (p.next != "")
}

// pad fits s into width columns of a table, counting a Chinese character
// as two.
func pad(s string, width int) string {
	w := 0
	for _, r := range s {
		if r >= 0x2e80 {
			w += 2
		} else {
			w++
		}
	}
	return s + strings.Repeat(" ", max(width-w, 1))
}
