package store

import (
	"context"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// reschedule recomputes customer r's recycle deadline and next reminder
// from what it carries and its pool's rules, and writes them if they
// changed, in the caller's transaction. Every path that changes what a rule
// reads ends here (invariant 4).
func reschedule(ctx context.Context, c conn, r *customerRow, rules gonghai.RecycleRules, loc *time.Location) error {
	d, reminder, changed := gonghai.Schedule(r.Customer, rules, loc)
	if !changed {
		return nil
	}
	at, rule := deadlineArgs(d)
	_, err := c.exec(ctx, `UPDATE customers SET recycle_at = ?, recycle_rule = ?, warn_at = ? WHERE id = ?`,
		at, rule, nullTime(reminder), r.ID)
	r.Recycle, r.Reminder = d, reminder
	return err
}

func deadlineArgs(d *gonghai.Deadline) (at, rule any) {
	if d == nil {
		return nil, nil
	}
	return micros(d.At), string(d.Rule)
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// rescheduleBatch is how many customers a rule edit reads and rewrites at
// a time.
const rescheduleBatch = 2000

// rescheduleRules reschedules every customer owned from pool p after its
// recycle rules changed from old, in the caller's transaction: in batches
// read by key, each batch written back in one statement. The rule math
// stays in one place (gonghai.Schedule), and a rule edit is as consistent
// as the rest: it commits with every deadline it moved.
func rescheduleRules(ctx context.Context, c conn, p gonghai.Pool, old gonghai.RecycleRules) error {
	s, err := getSettings(ctx, c)
	if err != nil {
		return err
	}
	if !sameKinds(p.Recycle, old) {
		// What counts as a follow-up changed: recount each customer's last one.
		kinds := p.Recycle.CountingKinds
		if kinds == nil {
			kinds = gonghai.DefaultCountingKinds
		}
		last, args := `NULL`, []any{}
		if len(kinds) > 0 {
			for _, k := range kinds {
				args = append(args, k)
			}
			last = `(SELECT MAX(f.at) FROM followups f WHERE f.customer_id = customers.id AND f.kind IN (` + placeholders(len(kinds)) + `))`
		}
		_, err := c.exec(ctx, `UPDATE customers SET last_followup_at = `+last+` WHERE pool_id = ? AND owner_id IS NOT NULL`,
			append(args, p.ID)...)
		if err != nil {
			return err
		}
	}
	restart := old.WarnDays != p.Recycle.WarnDays
	return rescheduleWhere(ctx, c, p.Recycle, s.Location(), restart, "c.pool_id = ? AND c.owner_id IS NOT NULL", p.ID)
}

// rescheduleZone reschedules every owned customer, and every follow-up
// plan's reminder, after the organisation's time zone changed: days are
// counted there.
func rescheduleZone(ctx context.Context, c conn, loc *time.Location) error {
	if err := retimePlans(ctx, c, loc); err != nil {
		return err
	}
	ids, err := queryStrings(ctx, c, `SELECT id FROM pools ORDER BY id`)
	if err != nil {
		return err
	}
	for _, id := range ids {
		p, err := getPoolRules(ctx, c, id)
		if err != nil {
			return err
		}
		if err := rescheduleWhere(ctx, c, p.Recycle, loc, true, "c.pool_id = ? AND c.owner_id IS NOT NULL", id); err != nil {
			return err
		}
	}
	return nil
}

func sameKinds(a, b gonghai.RecycleRules) bool {
	for _, k := range gonghai.FollowUpKinds {
		if a.Counts(k) != b.Counts(k) {
			return false
		}
	}
	return true
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// rescheduleWhere reschedules the customers that match where, under rules.
// restart starts every reminder over, as when the pool's warning days or
// the time zone changed; otherwise a reminder restarts only with a new
// deadline.
func rescheduleWhere(ctx context.Context, c conn, rules gonghai.RecycleRules, loc *time.Location, restart bool, where string, args ...any) error {
	after := ""
	for {
		batch, err := collect(ctx, c, `SELECT `+customerColumns+customerFrom+`WHERE `+where+` AND c.id > ? ORDER BY c.id LIMIT ?`,
			append(args, after, rescheduleBatch), scanCustomer)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		after = batch[len(batch)-1].ID
		if err := writeSchedules(ctx, c, batch, rules, loc, restart); err != nil {
			return err
		}
	}
}

// writeSchedules writes the deadlines of the rows whose schedule changed
// (every row's, and its reminder from scratch, when restart), in statements
// of up to 500 rows.
func writeSchedules(ctx context.Context, c conn, rows []customerRow, rules gonghai.RecycleRules, loc *time.Location, restart bool) error {
	const per = 500
	var values []string
	var args []any
	flush := func() error {
		if len(values) == 0 {
			return nil
		}
		_, err := c.exec(ctx, `WITH v (id, recycle_at, recycle_rule, warn_at) AS (VALUES `+strings.Join(values, ", ")+`)
			UPDATE customers SET recycle_at = v.recycle_at, recycle_rule = v.recycle_rule, warn_at = v.warn_at
			FROM v WHERE customers.id = v.id`, args...)
		values, args = values[:0], args[:0]
		return err
	}
	for i := range rows {
		cust := rows[i].Customer
		if restart {
			cust.Recycle, cust.Reminder = nil, nil
		}
		d, reminder, changed := gonghai.Schedule(cust, rules, loc)
		if !changed && !restart {
			continue
		}
		at, rule := deadlineArgs(d)
		values = append(values, "(CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT))")
		args = append(args, rows[i].ID, at, rule, nullTime(reminder))
		if len(values) == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
