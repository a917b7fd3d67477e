package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"time"

	"github.com/gonghai/gonghai"
)

// listGoal is the most a pool listing through HTTP may take, as a multiple
// of the bare indexed SELECT of the same rows.
const listGoal = 2.0

// listOptions are the flags of `gonghai bench list`.
type listOptions struct {
	seedOptions
	page   int
	depth  int
	rounds int
	budget time.Duration
}

func (o *listOptions) flags(fs *flag.FlagSet) {
	o.seedOptions.flags(fs)
	fs.IntVar(&o.page, "page", 50, "rows per page (the API's default)")
	fs.IntVar(&o.depth, "depth", 10_000, "rows before the deep page")
	fs.IntVar(&o.rounds, "rounds", 50, "timed requests of each kind per case")
	fs.DurationVar(&o.budget, "budget", 10*time.Second, "stop a case's rounds after this long (5 rounds at least)")
}

// listCase is one listing: its filters, and which seeded rows they select.
type listCase struct {
	name    string
	filters int
	share   string // the share of a pool it selects, as seeded
	f       gonghai.CustomerFilter
	match   func(traits) bool
}

var listCases = []listCase{
	{"no filter", 0, "100%", gonghai.CustomerFilter{}, func(traits) bool { return true }},
	{"category=" + valueCategory, 1, "~9%", gonghai.CustomerFilter{Category: valueCategory},
		func(t traits) bool { return t.categoryA }},
	{"region=" + valueProvince + " source=" + valueWebsite, 2, "~9%", gonghai.CustomerFilter{Region: valueProvince, Source: valueWebsite},
		func(t traits) bool { return t.guangdong && t.website }},
	{"industry=" + valueAerospace, 1, "~0.3%", gonghai.CustomerFilter{Industry: valueAerospace},
		func(t traits) bool { return t.aerospace }},
	{"category=" + valueCategory + " source=" + valueFair, 2, "~0.3%", gonghai.CustomerFilter{Category: valueCategory, Source: valueFair},
		func(t traits) bool { return t.categoryA && t.fair }},
	{"product_line=" + valueCustom, 1, "<0.01%", gonghai.CustomerFilter{ProductLine: valueCustom},
		func(t traits) bool { return t.custom }},
	{"industry=" + valueAerospace + " product_line=" + valueFlagship, 2, "<0.01%",
		gonghai.CustomerFilter{Industry: valueAerospace, ProductLine: valueFlagship},
		func(t traits) bool { return t.aerospace && t.flagship }},
}

// query is f as a listing's query parameters.
func query(f gonghai.CustomerFilter, limit int, cursor string) url.Values {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	for k, v := range map[string]string{"category": f.Category, "industry": f.Industry, "region": f.Region,
		"product_line": f.ProductLine, "source": f.Source, "q": f.Q, "cursor": cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// list measures the pool listing: the first page and a page --depth rows
// deep, with no filter and with one and two filters at three
// selectivities, each through HTTP and as the bare SELECT of the same rows.
func (env Env) list(ctx context.Context, args []string) error {
	var o listOptions
	fs := flag.NewFlagSet("gonghai bench list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	o.flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench list: unexpected argument %q", fs.Arg(0))
	}
	if err := positive("list", map[string]int{"customers": o.customers, "page": o.page, "depth": o.depth, "rounds": o.rounds}); err != nil {
		return err
	}
	if o.page > gonghai.MaxPageSize {
		return fmt.Errorf("bench list: --page is at most %d", gonghai.MaxPageSize)
	}
	fmt.Fprintf(env.Stdout, "list on %d CPUs, %s/%s, %s: %d customers in 3 pools, pool %s holding a third; pages of %d, first and %d rows deep; "+
		"each case timed %d times (or for %s) through HTTP and as the bare SELECT, in turns; goal HTTP/bare ≤ %.0f×\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.customers, seedPools[0].name, o.page, o.depth,
		o.rounds, o.budget, listGoal)
	// Which seeded rows each case selects in the measured pool, counted
	// from the seed's draws.
	matches := make([]int, len(listCases))
	for i := range o.customers {
		if poolOf(i) != 0 {
			continue
		}
		t := traitsOf(i)
		for k, c := range listCases {
			if c.match(t) {
				matches[k]++
			}
		}
	}
	return env.onSeeds(ctx, o.seedOptions, func(s *seeded, srv *server) error { return env.listOn(ctx, s, srv, o, matches) })
}

// onSeeds runs a bench on the seeded organisation of every database, with
// the server under test started on it.
func (env Env) onSeeds(ctx context.Context, o seedOptions, run func(s *seeded, srv *server) error) error {
	files, err := o.files()
	if err != nil {
		return err
	}
	defer files.cleanup()
	dsns, err := o.dsns(files)
	if err != nil {
		return err
	}
	return runEach(ctx, dsns, func(dsn string) error {
		s, err := env.openSeeded(ctx, dsn, files.keyFile(dsn, o.customers), o.customers)
		if err != nil {
			return err
		}
		defer s.db.Close()
		fmt.Fprintf(env.Stdout, "%s: %s; %s\n", s.label, redact(dsn), s.durability)
		srv, err := startServer(s.db, env.Log, 1)
		if err != nil {
			return err
		}
		defer srv.close()
		return run(s, srv)
	})
}

func (env Env) listOn(ctx context.Context, s *seeded, srv *server, o listOptions, matches []int) error {
	_, token, err := s.viewer(ctx, fmt.Sprintf("bench-list-%d", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	pool := s.pools[0].ID
	path := listingPath(pool)
	fmt.Fprintf(env.Stdout, "%-8s  %s  %s  %-6s  %-11s  %-12s  %-12s  %-10s  %s\n", s.label, pad("case", 44), "filters",
		"share", "rows", "page", "HTTP median", "bare median", "HTTP/bare")
	pass, total := 0, 0
	for k, c := range listCases {
		for _, deep := range []bool{false, true} {
			at := "first"
			if deep {
				at = strconv.Itoa(o.depth) + " deep"
			}
			head := fmt.Sprintf("%-8s  %s  %-7d  %-6s  %-11d  %-12s", s.label, pad(c.name, 44), c.filters, c.share, matches[k], at)
			if deep && matches[k] <= o.depth {
				fmt.Fprintf(env.Stdout, "%s  -             -             -           (fewer than %d rows)\n", head, o.depth+1)
				continue
			}
			fmt.Fprintf(env.Stderr, "%s %s, %s page\n", s.label, c.name, at)
			cursor, after := "", ""
			if deep {
				if cursor, after, err = deepCursor(ctx, s, srv, path, token, c.f, o.depth); err != nil {
					return fmt.Errorf("%s: %w", c.name, err)
				}
			}
			var got page
			var floor []string
			httpRun := func() (err error) {
				got, err = listPage(ctx, srv.client, srv.base, path, query(c.f, o.page, cursor), token)
				return err
			}
			floorRun := func() (err error) {
				floor, err = s.db.FloorList(ctx, pool, c.f, after, o.page+1)
				return err
			}
			th, tf, err := duel(ctx, o.rounds, o.budget, httpRun, floorRun)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if !sameIDs(got, floor) {
				return fmt.Errorf("%s, %s page: the server listed %d rows, the bare SELECT read others (%d)", c.name, at, len(got.ids), len(floor))
			}
			r := float64(th.median()) / float64(tf.median())
			total++
			if r <= listGoal {
				pass++
			}
			fmt.Fprintf(env.Stdout, "%s  %-12s  %-12s  %-10s  %s\n", head, ms(th.median()), ms(tf.median()),
				fmt.Sprintf("%.2f", r), verdict(r <= listGoal))
		}
	}
	fmt.Fprintf(env.Stdout, "%-8s  goal HTTP/bare ≤ %.0f× at every selectivity: %s (%d of %d cases within)\n", s.label, listGoal,
		verdict(pass == total), pass, total)
	return nil
}

// deepCursor follows a listing's cursors, 200 rows a page, to the cursor
// after row depth, and returns it with the id of that row, which the bare
// SELECT starts after: the same place, found each way.
func deepCursor(ctx context.Context, s *seeded, srv *server, path, token string, f gonghai.CustomerFilter, depth int) (string, string, error) {
	cursor := ""
	for seen := 0; seen < depth; {
		n := min(gonghai.MaxPageSize, depth-seen)
		p, err := listPage(ctx, srv.client, srv.base, path, query(f, n, cursor), token)
		if err != nil {
			return "", "", err
		}
		if p.next == "" {
			return "", "", errors.New("the listing ended before the deep page")
		}
		seen, cursor = seen+len(p.ids), p.next
	}
	ids, err := s.db.FloorList(ctx, s.pools[0].ID, f, "", depth)
	if err != nil || len(ids) != depth {
		return "", "", fmt.Errorf("the bare SELECT found %d rows before the deep page (%v)", len(ids), err)
	}
	return cursor, ids[depth-1], nil
}
