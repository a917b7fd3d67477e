package bench

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/pgtest"
)

// tinyStorm is a claim storm small enough for a test: 2 rounds of 5
// customers that all 16 workers try, then 100 customers tried twice each.
var tinyStorm = []string{"claim-storm", "--reps", "4", "--workers", "16", "--few", "5", "--rounds", "2", "--many", "100"}

// TestClaimStorm runs the bench end to end on each database: both
// scenarios, through the API and the floor, with every figure, the ratio,
// and no double owners; with sizes this small every claim and attempt is
// accounted for exactly.
func TestClaimStorm(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		args := slices.Clone(tinyStorm)
		labels := []string{"sqlite"}
		if strings.HasPrefix(dsn, "postgres") {
			// --postgres runs in addition to --db, here a given SQLite path.
			args = append(args, "--db", "sqlite:"+filepath.Join(t.TempDir(), "bench.db"), "--postgres", dsn)
			labels = append(labels, "postgres")
		}
		out := run(t, args...)
		t.Log("\n" + out)
		for _, label := range labels {
			for _, sc := range []struct {
				name             string
				claims, attempts int
			}{{"few-customers", 2 * 5, 2 * 5 * 16}, {"many-customers", 100, 200}} {
				figures := regexp.MustCompile(`(?m)^` + label + `\s+` + sc.name + `\s+api: [0-9.]+ claims/s \([0-9.]+ attempts/s\)\s+` +
					`floor: [0-9.]+ claims/s \([0-9.]+ attempts/s\)\s+ratio api/floor: [0-9]+\.[0-9]{2}\s+double owners: 0\n` +
					`\s+\(api: (\d+) claims of (\d+) attempts in [^;]+; floor: (\d+) of (\d+) in [^)]+\)$`)
				m := figures.FindStringSubmatch(out)
				if m == nil {
					t.Fatalf("no %s %s lines in the output", label, sc.name)
				}
				want := []string{fmt.Sprint(sc.claims), fmt.Sprint(sc.attempts), fmt.Sprint(sc.claims), fmt.Sprint(sc.attempts)}
				if got := m[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s: claims and attempts (api, floor) = %v, want %v", label, sc.name, got, want)
				}
			}
		}
	})
}
