package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A sweep's report lands in the recycle, reminder and webhook counters; a
// claim's error in its code (an unknown error is internal); a nil
// *Metrics counts nothing and does not panic.
func TestCounts(t *testing.T) {
	m := New(nil)
	m.Sweep(3, 2, 1, 4, 5)
	m.Sweep(1, 0, 0, 0, 1)
	m.Claim(nil)
	m.Claim(gonghai.Errorf(gonghai.EReclaimCooldown, "wait"))
	m.Claim(errors.New("disk on fire"))
	m.Request("", 404, time.Millisecond)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"recycles", testutil.ToFloat64(m.recycles), 4},
		{"deadline reminders", testutil.ToFloat64(m.reminders.WithLabelValues("deadline")), 2},
		{"plan reminders", testutil.ToFloat64(m.reminders.WithLabelValues("plan")), 1},
		{"webhooks ok", testutil.ToFloat64(m.webhooks.WithLabelValues("ok")), 4},
		{"webhooks failed", testutil.ToFloat64(m.webhooks.WithLabelValues("failed")), 6},
		{"claims won", testutil.ToFloat64(m.claims.WithLabelValues("won")), 1},
		{"claims in cooldown", testutil.ToFloat64(m.claims.WithLabelValues("reclaim_cooldown")), 1},
		{"claims failed inside", testutil.ToFloat64(m.claims.WithLabelValues("internal")), 1},
		{"unmatched requests", testutil.ToFloat64(m.requests.WithLabelValues("unmatched", "404")), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	var none *Metrics
	none.Sweep(1, 1, 1, 1, 1)
	none.Claim(nil)
	none.Request("GET /healthz", 200, time.Second)
	none.ImportRows(gonghai.ImportCounts{Created: 1})
}
