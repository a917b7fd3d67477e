package bench

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestIntakeBench runs the intake bench end to end on each database, small:
// every lead taken, none joined, every one assigned once, and the floor's
// figure and the ratio printed.
func TestIntakeBench(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		args := []string{"intake", "--reps", "3", "--workers", "8", "--leads", "60"}
		labels := []string{"sqlite"}
		if strings.HasPrefix(dsn, "postgres") {
			args = append(args, "--db", "sqlite:"+filepath.Join(t.TempDir(), "bench.db"), "--postgres", dsn)
			labels = append(labels, "postgres")
		}
		out := run(t, args...)
		t.Log("\n" + out)
		for _, label := range labels {
			line := regexp.MustCompile(`(?m)^` + label + `\s+.*intake: [0-9.]+ leads/s \(60 taken, 0 joined, 60 assigned, in [^)]+\)\s+` +
				`claim floor: [0-9.]+/s \(60 in [^)]+\)\s+intake/floor: [0-9]+\.[0-9]{2}$`)
			if !line.MatchString(out) {
				t.Errorf("no %s line in the output", label)
			}
		}
	})
}
