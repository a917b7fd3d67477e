package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// A customer's follow-up plan is read with it, joined on its owner and
// the seq of its latest ownership event: a plan set in an earlier tenure,
// even the same owner's, is not the customer's plan any more, and no read
// shows it (migration 00008).
const (
	planJoin    = ` LEFT JOIN follow_up_plans pl ON pl.customer_id = c.id AND pl.owner_id = c.owner_id AND pl.event_seq = c.event_seq `
	planColumns = `pl.day, pl.note, pl.owner_id, pl.set_by, pl.set_at, pl.remind_at`
	// noPlan stands for planColumns where a statement returns a customer
	// without the join.
	noPlan = `NULL, NULL, NULL, NULL, NULL, NULL`
)

// planRow is a plan as scanned, all NULL when there is none.
type planRow struct {
	day, note, owner, setBy sql.NullString
	setAt, remindAt         sql.NullInt64
}

func (p planRow) plan() *gonghai.FollowUpPlan {
	if !p.day.Valid {
		return nil
	}
	return &gonghai.FollowUpPlan{Day: p.day.String, Note: p.note.String, OwnerID: p.owner.String, SetBy: p.setBy.String,
		Set: fromMicros(p.setAt.Int64), RemindAt: nullMicros(p.remindAt)}
}

// SetPlan sets customer id's next follow-up plan, in place of any it had:
// who may work the customer may (gonghai.CanPlan), while it has an owner,
// who is the one reminded on the day. It returns the customer as actor
// sees it.
func (db *DB) SetPlan(ctx context.Context, actor gonghai.User, id string, in gonghai.NewFollowUpPlan) (gonghai.Customer, error) {
	var out gonghai.Customer
	in = in.Clean()
	err := db.inTx(ctx, func(c conn) error {
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		now := db.now()
		remind, err := in.Validate(now, s.Location())
		if err != nil {
			return err
		}
		// The customer's row lock (lockedPlan) keeps a move from passing
		// the plan by: it is set for the owner the customer has at commit.
		r, err := db.lockedPlan(ctx, c, actor, id)
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `INSERT INTO follow_up_plans (customer_id, owner_id, event_seq, day, note, set_by, set_at, remind_at)
			SELECT id, owner_id, event_seq, ?, ?, ?, ?, ? FROM customers WHERE id = ?
			ON CONFLICT (customer_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, event_seq = EXCLUDED.event_seq, day = EXCLUDED.day,
				note = EXCLUDED.note, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at, remind_at = EXCLUDED.remind_at`,
			in.Day, in.Note, actor.ID, micros(now), micros(remind), id)
		if err != nil {
			return err
		}
		r.Plan = &gonghai.FollowUpPlan{Day: in.Day, Note: in.Note, OwnerID: r.OwnerID, SetBy: actor.ID, Set: now, RemindAt: &remind}
		out = db.view(r, actor)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("plan follow-up of customer %s: %w", id, err)
	}
	return out, nil
}

// ClearPlan removes customer id's follow-up plan, as SetPlan allows. No
// plan to clear is no error: the customer is as asked.
func (db *DB) ClearPlan(ctx context.Context, actor gonghai.User, id string) error {
	err := db.inTx(ctx, func(c conn) error {
		if _, err := db.lockedPlan(ctx, c, actor, id); err != nil {
			return err
		}
		_, err := c.exec(ctx, `DELETE FROM follow_up_plans WHERE customer_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("clear follow-up plan of customer %s: %w", id, err)
	}
	return nil
}

// lockedPlan reads customer id for actor to plan, as CanPlan decides, and
// holds its row for the transaction: a write that keeps the owner it was
// read with (touch) takes the lock, so a claim, release or recycle waits.
func (db *DB) lockedPlan(ctx context.Context, c conn, actor gonghai.User, id string) (customerRow, error) {
	r, p, err := customerFor(ctx, c, actor, id, getPoolRules, gonghai.CanPlan)
	if err != nil {
		return r, err
	}
	return r, touch(ctx, c, &r, p, db.location(), db.now(), ``)
}

// donePlan removes customer r's plan when a follow-up at at fulfils it
// (gonghai.PlanDone), in the caller's transaction: logging today's call
// clears today's plan and any left from days gone by, not one ahead.
func donePlan(ctx context.Context, c conn, r *customerRow, f gonghai.FollowUp, loc *time.Location) error {
	if r.Plan == nil || !gonghai.PlanDone(r.Plan.Day, f.At, loc) {
		return nil
	}
	_, err := c.exec(ctx, `DELETE FROM follow_up_plans WHERE customer_id = ? AND owner_id = ? AND day = ?`, r.ID, r.Plan.OwnerID, r.Plan.Day)
	r.Plan = nil
	return err
}

// retimePlans moves the reminder of every plan not yet reminded to the
// start of its day in loc, the organisation's new time zone: one write
// per day that plans name.
func retimePlans(ctx context.Context, c conn, loc *time.Location) error {
	days, err := queryStrings(ctx, c, `SELECT DISTINCT day FROM follow_up_plans WHERE remind_at IS NOT NULL ORDER BY day`)
	if err != nil {
		return err
	}
	for _, day := range days {
		t, err := time.ParseInLocation(time.DateOnly, day, loc)
		if err != nil {
			return fmt.Errorf("plan day %q: %w", day, err)
		}
		if _, err := c.exec(ctx, `UPDATE follow_up_plans SET remind_at = ? WHERE day = ? AND remind_at IS NOT NULL`, micros(t.UTC()), day); err != nil {
			return err
		}
	}
	return nil
}

// DuePlans lists up to limit follow-up plans whose reminder has come, by
// (time, customer), after the one given (nil for the first page): as Due
// rows whose At is the reminder's time. It reads only due plans, from
// their index.
func (db *DB) DuePlans(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	q, args := duePlansSQL(db.now(), after, limit)
	out, err := collect(ctx, db.reader(), q, args, func(s scanner) (gonghai.Due, error) {
		var d gonghai.Due
		var at int64
		err := s.Scan(&d.CustomerID, &d.OwnerID, &at)
		d.At = fromMicros(at)
		d.Deadline = d.At
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("due follow-up plans: %w", err)
	}
	return out, nil
}

// duePlansSQL reads a page of the plans due at now, after the one given,
// from follow_up_plans_due alone.
func duePlansSQL(now time.Time, after *gonghai.Due, limit int) (string, []any) {
	q, args := `SELECT customer_id, owner_id, remind_at FROM follow_up_plans WHERE remind_at <= ?`, []any{micros(now)}
	if after != nil {
		q, args = q+` AND (remind_at, customer_id) > (?, ?)`, append(args, micros(after.At), after.CustomerID)
	}
	return q + ` ORDER BY remind_at, customer_id LIMIT ?`, append(args, limit)
}

// PlanBatch sends the owner of each plan of due its reminder, once: each
// plan's write, which clears its reminder only if it is still the one read
// (same owner and time), decides, so two sweepers cannot both send it. A
// plan whose customer has changed owner or gone back to a pool since it
// was set (its tenure, event_seq, has moved on) is cleared unsent: it is not the customer's plan any more. It
// returns how many it sent.
func (db *DB) PlanBatch(ctx context.Context, due []gonghai.Due) (int, error) {
	return db.inBatches(ctx, "remind follow-up plans", due, func(c conn, batch []gonghai.Due) (int, error) {
		now := db.now()
		// Found by key, written only if still as read: the row values.
		args := []any{micros(now)}
		for _, d := range batch {
			args = append(args, d.CustomerID)
		}
		values := make([]string, len(batch))
		for i, d := range batch {
			values[i] = "(?, ?, ?)"
			args = append(args, d.CustomerID, d.OwnerID, micros(d.At))
		}
		// The first row's casts type the rest on PostgreSQL.
		values[0] = "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT))"
		type sent struct {
			id, owner string
			owned     bool
		}
		done, err := collect(ctx, c, `UPDATE follow_up_plans SET remind_at = NULL
			WHERE remind_at <= ? AND customer_id IN (`+placeholders(len(batch))+`)
				AND (customer_id, owner_id, remind_at) IN (VALUES `+strings.Join(values, ", ")+`)
			RETURNING customer_id, owner_id, EXISTS (SELECT 1 FROM customers c
				WHERE c.id = follow_up_plans.customer_id AND c.owner_id = follow_up_plans.owner_id
					AND c.event_seq = follow_up_plans.event_seq)`, args,
			func(s scanner) (sent, error) {
				var r sent
				return r, s.Scan(&r.id, &r.owner, &r.owned)
			})
		if err != nil || len(done) == 0 {
			return 0, err
		}
		listed := make(map[string]gonghai.Due, len(batch))
		for _, d := range batch {
			listed[d.CustomerID] = d
		}
		var notes []gonghai.Notification
		for _, r := range done {
			if !r.owned {
				continue
			}
			d := listed[r.id]
			notes = append(notes, gonghai.Notification{UserID: r.owner, Kind: gonghai.NotifyFollowUpPlan, CustomerID: r.id,
				Deadline: &d.At, Created: now})
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return 0, err
		}
		return len(notes), notify(ctx, c, s, notes...)
	})
}
