package store

import (
	"context"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestHomePlans: each list of a home page, and the sweep's list of due
// plans, reads through the index made for it, and no table whole.
func TestHomePlans(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		w := newPlanWorld(t, dsn)
		ctx := context.Background()
		numbers := `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 6000)`
		if w.db.dialect == Postgres {
			numbers = `WITH g(i) AS (SELECT generate_series(1, 6000))`
		}
		// Plans and events for a third of the seed, of every day.
		c := conn{q: w.db.write, dialect: w.db.dialect, keys: w.db.keys}
		if _, err := c.exec(ctx, numbers+`
			INSERT INTO follow_up_plans (customer_id, owner_id, event_seq, day, note, set_by, set_at, remind_at)
			SELECT 'seed-' || (100000 + i), ?, 0, '2026-03-' || (10 + i % 20), '', ?, i, CASE WHEN i % 2 = 0 THEN i END
			FROM g WHERE i % 3 = 0`, w.rep.ID, w.rep.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.exec(ctx, numbers+`
			INSERT INTO ownership_events (id, customer_id, seq, kind, to_owner_id, actor_id, at)
			SELECT 'ev-' || i, 'seed-' || (100000 + i), 1, CASE WHEN i % 2 = 0 THEN 'assigned' ELSE 'claimed' END, ?, ?, i
			FROM g WHERE i % 3 = 0`, w.rep.ID, w.admin.ID); err != nil {
			t.Fatal(err)
		}
		if w.db.dialect == Postgres {
			if _, err := w.db.write.ExecContext(ctx, `ANALYZE`); err != nil {
				t.Fatal(err)
			}
		}
		q, args := plannedSQL(w.rep.ID, "2026-03-15", 21)
		w.explain(t, q, args).wants(t, "planned", "follow_up_plans_owner_day")
		q, args = receivedSQL(w.rep.ID, time.UnixMicro(3000), 21)
		w.explain(t, q, args).wants(t, "received", "events_received")
		q, args = duePlansSQL(time.UnixMicro(3000), &gonghai.Due{CustomerID: "seed-100010", At: time.UnixMicro(10)}, 500)
		w.explain(t, q, args).wants(t, "due plans", "follow_up_plans_due")

		l := w.db.droppingListing(w.rep.ID, time.UnixMicro(3000))
		q, args = l.pageSQL(l.table, 21)
		w.explain(t, q, args).wants(t, "dropping", "customers_owner_due")
	})
}
