package bench

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// tinyRecycle is a recycle bench small enough for a test under the race
// detector: 40 due among 400 owned customers, then among 800, so the
// table grows between sizes. The sizes are given out of order on purpose.
var tinyRecycle = []string{"recycle", "--owned", "800,400", "--due", "40", "--reps", "4", "--floor-batch", "15"}

// TestRecycle runs the recycle bench end to end on each database: for
// both sizes, all three phases recycle every due customer, the sweep and
// the scan exactly once each with events, notifications and chains
// checked, and the ratios and the growth line are printed.
func TestRecycle(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		// --db takes either database; that --postgres adds one is
		// claim-storm's test's business, and SQLite once is enough here.
		args := append(slices.Clone(tinyRecycle), "--db", dsn)
		labels := []string{"sqlite"}
		if strings.HasPrefix(dsn, "postgres") {
			labels = []string{"postgres"}
		}
		out := run(t, args...)
		t.Log("\n" + out)
		if !strings.Contains(out, "40 due among 400, 800 owned customers") {
			t.Errorf("the header does not name the sizes in order")
		}
		for _, label := range labels {
			for _, owned := range []string{"400", "800"} {
				head := `(?m)^` + label + `\s+` + owned + ` owned  `
				for _, want := range []string{
					head + `seeded: 40 due, table grown in \S+$`,
					head + `warm-up sweep, not counted: 40 recycled in \S+ \([0-9.]+ rows/s\)$`,
					head + `sweep: 40 recycled in \S+ \([0-9.]+ rows/s\); due rows listed in \S+; ` +
						`exactly once: ok \(40 due recycled once, notified, chains intact, 0 owned rows due\)$`,
					head + `floor: 40 recycled in \S+ \([0-9.]+ rows/s\); 3 transactions; all due rows written$`,
					head + `scan:  40 recycled in \S+ \([0-9.]+ rows/s\); ` + owned + ` owned rows read and evaluated in \S+ \([0-9.]+ rows/s\); ` +
						`exactly once: ok \(40 due recycled once, notified, chains intact, 0 owned rows due\)$`,
					head + `ratio sweep/floor: [0-9.]+  scan/sweep: [0-9.]+$`,
				} {
					if !regexp.MustCompile(want).MatchString(out) {
						t.Errorf("no line matching %s", want)
					}
				}
			}
			growth := `(?m)^` + label + `\s+from 400 to 800 owned \(×2\): sweep ×[0-9.]+, floor ×[0-9.]+, scan ×[0-9.]+$`
			if !regexp.MustCompile(growth).MatchString(out) {
				t.Errorf("no line matching %s", growth)
			}
		}
	})
}

// TestRecycleCapped: a cap stops each phase early, and the report
// says so and checks only that nobody was recycled twice.
func TestRecycleCapped(t *testing.T) {
	out := run(t, "recycle", "--owned", "100", "--due", "20", "--reps", "2", "--seconds", "0.000000001", "--warm-up=false")
	t.Log("\n" + out)
	if strings.Contains(out, "warm-up") {
		t.Errorf("--warm-up=false ran a warm-up")
	}
	for _, want := range []string{
		`(?m)^sqlite\s+100 owned  sweep: \d+ recycled in \S+ \([0-9.-]+ rows/s, capped\); .*capped; at most once: ok`,
		`(?m)^sqlite\s+100 owned  floor: \d+ recycled in \S+ \([0-9.-]+ rows/s, capped\)`,
		`(?m)^sqlite\s+100 owned  scan:  \d+ recycled in \S+ \([0-9.-]+ rows/s, capped\); .*capped; at most once: ok`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no line matching %s", want)
		}
	}
}

// TestRecycleFlags: bad sizes are refused before anything runs, and
// a used database is left alone.
func TestRecycleFlags(t *testing.T) {
	used := usedDatabase(t)
	for _, args := range [][]string{
		{"recycle", "--owned", "100", "--due", "101"},
		{"recycle", "--owned", "100,x"},
		{"recycle", "--owned", "0"},
		{"recycle", "--due", "0"},
		{"recycle", "--floor-batch", "0"},
		{"recycle", "--seconds", "-1"},
		{"recycle", "--postgres", "sqlite:x.db"},
		{"recycle", "extra"},
		{"recycle", "--owned", "200", "--due", "10", "--db", used.dsn},
	} {
		if _, err := tryRun(args...); err == nil {
			t.Errorf("bench %s: no error", strings.Join(args, " "))
		}
	}
	used.check(t)
}

// TestRecycleCompany: every seeded name passes the checks a company name
// meets, at any size the bench seeds.
func TestRecycleCompany(t *testing.T) {
	for _, i := range []int{1, 999_999, 1_000_000, 9_999_999, 100_000_000} {
		if err := (gonghai.CustomerFields{Company: recycleCompany(i)}).Validate(); err != nil {
			t.Errorf("row %d: %s: %v", i, recycleCompany(i), err)
		}
	}
}
