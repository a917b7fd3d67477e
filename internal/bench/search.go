package bench

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// Goals of a search: a median answer within searchGoal, and within
// searchRatio times the bare indexed look-up.
const (
	searchGoal  = 5 * time.Millisecond
	searchRatio = 3.0
)

// searchOptions are the flags of `gonghai bench search`.
type searchOptions struct {
	seedOptions
	rounds int
	budget time.Duration
}

// searchCase is one kind of search: what is typed, taken from a seeded
// customer, and the field the bare look-up reads.
type searchCase struct {
	name  string
	field string
	typed func(gonghai.CustomerFields) string
}

// company is a seeded company name without its city, row tag and legal
// form: 北京汇峰文化传播·2bx有限公司 gives 汇峰文化传播.
func company(f gonghai.CustomerFields) []rune {
	name, _, _ := strings.Cut(f.Company, "·")
	name = strings.TrimSuffix(strings.TrimSuffix(name, "有限公司"), "股份")
	return []rune(name)[2:]
}

var searchCases = []searchCase{
	{"phone, whole", "phone", func(f gonghai.CustomerFields) string { return f.Phone }},
	{"email, whole", "email", func(f gonghai.CustomerFields) string { return f.Email }},
	{"company, trade name and business", "company", func(f gonghai.CustomerFields) string { return string(company(f)) }},
	{"company, two characters", "company", func(f gonghai.CustomerFields) string { return string(company(f)[:2]) }},
}

// searchTargets is how many seeded customers of the measured pool are
// searched for, taken from the oldest, a middle and the newest chunk: a
// listing reads newest first, so where a customer sits matters to a scan.
const searchTargets = 12

// searchedFor returns the fields of searchTargets customers of the
// measured pool, regenerated from the seed.
func searchedFor(n int) []gonghai.CustomerFields {
	per := searchTargets / 3
	last := (n - 1) / seedChunk * seedChunk
	var out []gonghai.CustomerFields
	for _, lo := range []int{0, last / seedChunk / 2 * seedChunk, last} {
		rows := chunk(lo, min(lo+seedChunk, n))
		for k, taken := 0, 0; k < len(rows) && taken < per; k += max(1, len(rows)/per) {
			for k < len(rows) && poolOf(lo+k) != 0 {
				k++
			}
			if k < len(rows) {
				out, taken = append(out, fields(lo+k, rows[k])), taken+1
			}
		}
	}
	return out
}

// search measures searches of the pool listing (its q parameter) by phone,
// email and company substring, through HTTP and as the bare look-up.
func (env Env) search(ctx context.Context, args []string) error {
	var o searchOptions
	fs := flag.NewFlagSet("gonghai bench search", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	o.seedOptions.flags(fs)
	fs.IntVar(&o.rounds, "rounds", 100, "timed searches of each kind per case, at most 190: a look-up quota counts phones and emails")
	fs.DurationVar(&o.budget, "budget", 10*time.Second, "stop a case's rounds after this long (5 rounds at least)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench search: unexpected argument %q", fs.Arg(0))
	}
	if err := positive("search", map[string]int{"customers": o.customers, "rounds": o.rounds}); err != nil {
		return err
	}
	if o.rounds > 190 {
		return fmt.Errorf("bench search: --rounds is at most 190, under the daily look-up quota of %d", gonghai.ContactLookupDailyQuota)
	}
	fmt.Fprintf(env.Stdout, "search on %d CPUs, %s/%s, %s: %d customers in 3 pools, searching pool %s (a third); "+
		"%d customers searched for, each case timed %d times (or for %s) through HTTP and as the bare look-up, in turns; "+
		"goal median ≤ %s and ≤ %.0f× the bare look-up\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.customers, seedPools[0].name, searchTargets,
		o.rounds, o.budget, ms(searchGoal), searchRatio)
	targets := searchedFor(o.customers)
	return env.onSeeds(ctx, o.seedOptions, func(s *seeded, srv *server) error { return env.searchOn(ctx, s, srv, o, targets) })
}

func (env Env) searchOn(ctx context.Context, s *seeded, srv *server, o searchOptions, targets []gonghai.CustomerFields) error {
	pool := s.pools[0].ID
	path := listingPath(pool)
	fmt.Fprintf(env.Stdout, "%-8s  %s  %-12s  %-12s  %-10s  %s\n", s.label, pad("search", 34), "HTTP median", "bare median", "HTTP/bare", "goal")
	pass, total := 0, 0
	for _, c := range searchCases {
		var typed []string
		for _, t := range targets {
			if v := c.typed(t); v != "" {
				typed = append(typed, v)
			}
		}
		if len(typed) == 0 {
			fmt.Fprintf(env.Stdout, "%-8s  %s  (none of the customers searched for has one)\n", s.label, pad(c.name, 34))
			continue
		}
		// Every phone or email searched counts against the searcher's daily
		// quota: each case searches as a rep of its own.
		_, token, err := s.viewer(ctx, fmt.Sprintf("bench-search-%d", time.Now().UnixNano()))
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "%s search %s\n", s.label, c.name)
		var got page
		var floor []string
		nh, nf := 0, 0
		httpRun := func() (err error) {
			got, err = listPage(ctx, srv.client, srv.base, path, query(gonghai.CustomerFilter{Q: typed[nh%len(typed)]}, 50, ""), token)
			nh++
			return err
		}
		floorRun := func() (err error) {
			floor, err = s.db.FloorLookup(ctx, pool, c.field, typed[nf%len(typed)], 51)
			nf++
			if err == nil && nf == nh && !sameIDs(got, floor) {
				err = fmt.Errorf("the server found %d customers, the bare look-up others (%d)", len(got.ids), len(floor))
			}
			if err == nil && len(floor) == 0 {
				err = fmt.Errorf("the bare look-up found none of %q", typed[(nf-1)%len(typed)])
			}
			return err
		}
		th, tf, err := duel(ctx, o.rounds, o.budget, httpRun, floorRun)
		if err != nil {
			return fmt.Errorf("search %s: %w", c.name, err)
		}
		r := float64(th.median()) / float64(tf.median())
		ok := th.median() <= searchGoal && r <= searchRatio
		total++
		if ok {
			pass++
		}
		fmt.Fprintf(env.Stdout, "%-8s  %s  %-12s  %-12s  %-10s  %s\n", s.label, pad(c.name, 34), ms(th.median()), ms(tf.median()),
			fmt.Sprintf("%.2f", r), verdict(ok))
	}
	fmt.Fprintf(env.Stdout, "%-8s  goal median ≤ %s and ≤ %.0f× the bare look-up: %s (%d of %d searches within)\n", s.label,
		ms(searchGoal), searchRatio, verdict(pass == total), pass, total)
	return nil
}
