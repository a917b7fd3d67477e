package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
)

// pageGoal is the most the pool page may take, as a multiple of the JSON
// API answering the same page in the same run: the page reads what the
// API reads and renders HTML instead of JSON.
const pageGoal = 1.5

// pageOptions are the flags of `gonghai bench page`.
type pageOptions struct {
	seedOptions
	page   int
	rounds int
	budget time.Duration
}

// pageCases are the pool pages measured: the first page, with no filter
// and with a filter.
var pageCases = []struct {
	name string
	f    gonghai.CustomerFilter
}{
	{"no filter", gonghai.CustomerFilter{}},
	{"category=" + valueCategory, gonghai.CustomerFilter{Category: valueCategory}},
	{"region=" + valueProvince + " source=" + valueWebsite, gonghai.CustomerFilter{Region: valueProvince, Source: valueWebsite}},
}

// page measures the rep's pool page (/pool, HTML, 50 rows with each row's
// claim verdict and why it came back) against the JSON API's listing of
// the same pool page, both through HTTP as a signed-in rep, in turns.
func (env Env) page(ctx context.Context, args []string) error {
	var o pageOptions
	fs := flag.NewFlagSet("gonghai bench page", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	o.seedOptions.flags(fs)
	fs.IntVar(&o.page, "page", 50, "rows per page (the pool page's)")
	fs.IntVar(&o.rounds, "rounds", 50, "timed requests of each kind per case")
	fs.DurationVar(&o.budget, "budget", 10*time.Second, "stop a case's rounds after this long (5 rounds at least)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench page: unexpected argument %q", fs.Arg(0))
	}
	if err := positive("page", map[string]int{"customers": o.customers, "page": o.page, "rounds": o.rounds}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "page on %d CPUs, %s/%s, %s: %d customers in 3 pools; the pool page (HTML) and the API's listing (JSON) "+
		"of the same %d rows, each timed %d times (or for %s) in turns, as one signed-in rep; goal page/API ≤ %.1f×\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.customers, o.page, o.rounds, o.budget, pageGoal)
	return env.onSeeds(ctx, o.seedOptions, func(s *seeded, srv *server) error { return env.pageOn(ctx, s, srv, o) })
}

func (env Env) pageOn(ctx context.Context, s *seeded, srv *server, o pageOptions) error {
	login := fmt.Sprintf("bench-page-%d", time.Now().UnixNano())
	u, _, err := s.viewer(ctx, login)
	if err != nil {
		return err
	}
	cookie, err := sessionFor(ctx, s, srv, u, login)
	if err != nil {
		return err
	}
	pool := s.pools[0].ID
	fmt.Fprintf(env.Stdout, "%-8s  %s  %-12s  %-12s  %s\n", s.label, pad("case", 36), "page median", "API median", "page/API")
	pass := 0
	for _, c := range pageCases {
		q := query(c.f, o.page, "")
		// The API's query as it is now: q then changes for the page.
		apiPath := listingPath(pool) + "?" + q.Encode()
		api := func() error {
			_, err := fetch(ctx, srv, apiPath, cookie, "application/json")
			return err
		}
		q.Set("pool", pool)
		q.Del("limit")
		var html string
		pg := func() (err error) {
			html, err = fetch(ctx, srv, "/pool?"+q.Encode(), cookie, "text/html")
			return err
		}
		tp, ta, err := duel(ctx, o.rounds, o.budget, pg, api)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if !strings.Contains(html, "<table") {
			return fmt.Errorf("%s: the pool page shows no table of customers", c.name)
		}
		r := float64(tp.median()) / float64(ta.median())
		if r <= pageGoal {
			pass++
		}
		fmt.Fprintf(env.Stdout, "%-8s  %s  %-12s  %-12s  %-8s  %s\n", s.label, pad(c.name, 36), ms(tp.median()), ms(ta.median()),
			fmt.Sprintf("%.2f", r), verdict(r <= pageGoal))
	}
	fmt.Fprintf(env.Stdout, "%-8s  goal page/API ≤ %.1f×: %s (%d of %d cases within)\n", s.label, pageGoal,
		verdict(pass == len(pageCases)), pass, len(pageCases))
	return nil
}

// sessionFor gives user u a password and signs in through the API, as a
// browser would, returning the session cookie both measured requests
// carry: the page takes no bearer token.
func sessionFor(ctx context.Context, s *seeded, srv *server, u gonghai.User, login string) (*http.Cookie, error) {
	const pw = "bench-page-password"
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	if err := s.db.SetPassword(ctx, nil, login, hash); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]string{"login": login, "password": pw})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.base+"/api/v1/auth/login", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			return c, nil
		}
	}
	return nil, fmt.Errorf("sign in as %s: %d, no session cookie", u.Login, resp.StatusCode)
}

// fetch GETs path with the session cookie and reads the whole answer,
// which must be 200 and of content type want.
func fetch(ctx context.Context, srv *server, path string, cookie *http.Cookie, want string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+path, nil)
	if err != nil {
		return "", err
	}
	req.AddCookie(cookie)
	resp, err := srv.client.Do(req)
	if err != nil {
		return "", err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), want) {
		return "", fmt.Errorf("GET %s: %d %s", strings.SplitN(path, "?", 2)[0], resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(raw), nil
}
