package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gonghai/gonghai"
)

// DueRecycles lists up to limit owned customers whose deadline has come,
// in deadline order, after the one given (nil for the first page). It
// reads only due rows, through the index on the deadline.
func (db *DB) DueRecycles(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	return db.due(ctx, "recycle_at", after, limit)
}

// DueReminders lists up to limit owned customers whose owner's next
// reminder has come, like DueRecycles.
func (db *DB) DueReminders(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	return db.due(ctx, "warn_at", after, limit)
}

// due pages through the rows whose column has come, by the key (column,
// id) that the partial index on it (customers_recycle_due,
// customers_warn_due) is ordered by. The row value lets both databases
// start each page where the last one ended; spelt out as "column > ? OR
// (column = ? AND id > ?)" it made them read every remaining due row for
// each page.
func (db *DB) due(ctx context.Context, column string, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	q := `SELECT id, owner_id, ` + column + `, recycle_at FROM customers WHERE ` + column + ` <= ?`
	args := []any{micros(db.now())}
	if after != nil {
		q += ` AND (` + column + `, id) > (?, ?)`
		args = append(args, micros(after.At), after.CustomerID)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY `+column+`, id LIMIT ?`, append(args, limit), func(s scanner) (gonghai.Due, error) {
		var d gonghai.Due
		var owner sql.NullString
		var at, deadline sql.NullInt64
		err := s.Scan(&d.CustomerID, &owner, &at, &deadline)
		d.OwnerID, d.At, d.Deadline = owner.String, fromMicros(at.Int64), fromMicros(deadline.Int64)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("due customers: %w", err)
	}
	return out, nil
}

// sweepBatch is the most due customers one transaction of RecycleBatch or
// RemindBatch takes: enough that the commit's cost spreads thin, few
// enough that a batch's row locks are held only briefly.
const sweepBatch = 500

// heldRow is a due customer as the batch holds it: where it is, and the
// rule its deadline was set by.
type heldRow struct {
	poolID, rule string
}

// holdDue returns, of the customers of due whose column (recycle_at or
// warn_at) has come, those the batch may write, by id. On PostgreSQL it takes their row locks for
// the transaction and skips those another transaction holds: a claim, a
// transfer or a follow-up that holds a customer decides it, and several
// sweepers spread over the due rows instead of queueing on the same ones.
// Skipping also keeps the lock order safe: the batch never waits for a
// customer while it holds others, and it takes no user's row, so a
// hand-over (customers, then the receiver) cannot deadlock with it. SQLite's
// writer is alone, so there is nothing to skip.
func holdDue(ctx context.Context, c conn, column string, due []gonghai.Due, now int64) (map[string]heldRow, error) {
	args := make([]any, 0, len(due)+1)
	for _, d := range due {
		args = append(args, d.CustomerID)
	}
	q := `SELECT id, pool_id, COALESCE(recycle_rule, '') FROM customers WHERE id IN (` + placeholders(len(due)) + `)
		AND ` + column + ` <= ?`
	if c.dialect == Postgres {
		q += ` ORDER BY id FOR UPDATE SKIP LOCKED`
	}
	out := map[string]heldRow{}
	rows, err := c.query(ctx, q, append(args, now)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var h heldRow
		if err := rows.Scan(&id, &h.poolID, &h.rule); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

// inBatches runs write on due in transactions of up to sweepBatch
// customers and adds up what each reports.
func (db *DB) inBatches(ctx context.Context, due []gonghai.Due, write func(c conn, batch []gonghai.Due) (int, error)) (int, error) {
	total := 0
	for lo := 0; lo < len(due); lo += sweepBatch {
		batch := due[lo:min(lo+sweepBatch, len(due))]
		n := 0
		err := db.inTx(ctx, func(c conn) error {
			var err error
			n, err = write(c, batch)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// RecycleBatch takes each customer of due back to its pool's return pool if
// it is still owned by d.OwnerID and still due at d.At, up to sweepBatch
// customers per transaction. Each customer is its own conditional write:
// the UPDATE re-checks its pool, owner and deadline, so a follow-up, a
// claim or a transfer that committed first wins, and that customer is
// skipped, not failed (invariant 5). Each recycled customer gets its
// recycled event and its previous owner a notification, in the same
// transaction; their re-claim cooldown counts from now. It returns how
// many it recycled.
func (db *DB) RecycleBatch(ctx context.Context, due []gonghai.Due) (int, error) {
	n, err := db.inBatches(ctx, due, func(c conn, batch []gonghai.Due) (int, error) {
		now := db.now()
		held, err := holdDue(ctx, c, "recycle_at", batch, micros(now))
		if err != nil || len(held) == 0 {
			return 0, err
		}
		returnPool := map[string]string{}
		values := make([]string, 0, len(held))
		args := make([]any, 0, 5*len(held)+2)
		for _, d := range batch {
			h, ok := held[d.CustomerID]
			if !ok {
				continue
			}
			to, ok := returnPool[h.poolID]
			if !ok {
				p, err := getPoolRules(ctx, c, h.poolID)
				if err != nil {
					return 0, err
				}
				to = p.ReturnPool()
				returnPool[h.poolID] = to
			}
			values = append(values, "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT))")
			args = append(args, d.CustomerID, d.OwnerID, h.poolID, to, micros(d.At))
		}
		// The same write as a move's (move.apply), one row per customer of
		// the batch, each with its own condition.
		type moved struct {
			id, to string
			seq    int
		}
		done, err := collect(ctx, c, `WITH v (id, owner_id, from_pool, to_pool, due_at) AS (VALUES `+strings.Join(values, ", ")+`)
			UPDATE customers SET owner_id = NULL, pool_id = v.to_pool, owned_since = NULL, claimable_at = NULL, updated_at = ?,
				recycle_at = NULL, recycle_rule = NULL, warn_at = NULL, event_seq = customers.event_seq + 1
			FROM v
			WHERE customers.id = v.id AND customers.pool_id = v.from_pool AND customers.owner_id = v.owner_id
				AND customers.recycle_at = v.due_at AND customers.recycle_at <= ?
			RETURNING customers.id, customers.pool_id, customers.event_seq`,
			append(args, micros(now), micros(now)), func(s scanner) (moved, error) {
				var m moved
				return m, s.Scan(&m.id, &m.to, &m.seq)
			})
		if err != nil || len(done) == 0 {
			return 0, err
		}
		dueAt := make(map[string]gonghai.Due, len(batch))
		for _, d := range batch {
			dueAt[d.CustomerID] = d
		}
		events := make([]gonghai.Event, len(done))
		notes := make([]gonghai.Notification, len(done))
		for i, m := range done {
			// SQLite's RETURNING reads only the updated table: the owner and
			// the pool it left are the ones the write was conditional on.
			d, h := dueAt[m.id], held[m.id]
			rule := gonghai.RuleKind(h.rule)
			events[i] = gonghai.Event{CustomerID: m.id, Seq: m.seq, Kind: gonghai.EventRecycled, FromOwnerID: d.OwnerID,
				FromPoolID: h.poolID, ToPoolID: m.to, Reason: string(rule), At: now}
			notes[i] = gonghai.Notification{UserID: d.OwnerID, Kind: gonghai.NotifyRecycled, CustomerID: m.id, Rule: rule,
				Deadline: &d.At, Created: now}
		}
		if err := insertEvents(ctx, c, events); err != nil {
			return 0, err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return 0, err
		}
		return len(done), notify(ctx, c, s, notes...)
	})
	if err != nil {
		return n, fmt.Errorf("recycle customers: %w", err)
	}
	return n, nil
}

// Recycle is RecycleBatch for one customer; it reports whether it
// recycled.
func (db *DB) Recycle(ctx context.Context, d gonghai.Due) (bool, error) {
	n, err := db.RecycleBatch(ctx, []gonghai.Due{d})
	if err != nil {
		return false, fmt.Errorf("customer %s: %w", d.CustomerID, err)
	}
	return n == 1, nil
}

// RemindBatch sends the owner of each customer of due the reminder that is
// due, once, up to sweepBatch customers per transaction: each customer's
// write, which moves its reminder on only if it is still the one read
// (same owner, reminder and deadline), decides, so two nodes cannot both
// send it. It returns how many it sent.
func (db *DB) RemindBatch(ctx context.Context, due []gonghai.Due) (int, error) {
	n, err := db.inBatches(ctx, due, func(c conn, batch []gonghai.Due) (int, error) {
		now := db.now()
		held, err := holdDue(ctx, c, "warn_at", batch, micros(now))
		if err != nil || len(held) == 0 {
			return 0, err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return 0, err
		}
		loc := s.Location()
		values := make([]string, 0, len(held))
		args := make([]any, 0, 5*len(held))
		byID := make(map[string]gonghai.Due, len(held))
		for _, d := range batch {
			if _, ok := held[d.CustomerID]; !ok {
				continue
			}
			byID[d.CustomerID] = d
			values = append(values, "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
			args = append(args, d.CustomerID, d.OwnerID, micros(d.At), micros(d.Deadline), nullTime(gonghai.NextReminder(d.Deadline, now, loc)))
		}
		type sent struct{ id, rule string }
		done, err := collect(ctx, c, `WITH v (id, owner_id, warn_at, recycle_at, next_at) AS (VALUES `+strings.Join(values, ", ")+`)
			UPDATE customers SET warn_at = v.next_at
			FROM v
			WHERE customers.id = v.id AND customers.owner_id = v.owner_id AND customers.warn_at = v.warn_at
				AND customers.recycle_at = v.recycle_at
			RETURNING customers.id, COALESCE(customers.recycle_rule, '')`, args, func(s scanner) (sent, error) {
			var r sent
			return r, s.Scan(&r.id, &r.rule)
		})
		if err != nil {
			return 0, err
		}
		notes := make([]gonghai.Notification, len(done))
		for i, r := range done {
			d := byID[r.id]
			deadline := d.Deadline
			notes[i] = gonghai.Notification{UserID: d.OwnerID, Kind: gonghai.NotifyRecycleWarning, CustomerID: d.CustomerID,
				Rule: gonghai.RuleKind(r.rule), Deadline: &deadline, DaysLeft: gonghai.DaysLeft(now, deadline, loc), Created: now}
		}
		return len(done), notify(ctx, c, s, notes...)
	})
	if err != nil {
		return n, fmt.Errorf("remind owners: %w", err)
	}
	return n, nil
}

// Remind is RemindBatch for one customer; it reports whether it sent.
func (db *DB) Remind(ctx context.Context, d gonghai.Due) (bool, error) {
	n, err := db.RemindBatch(ctx, []gonghai.Due{d})
	if err != nil {
		return false, fmt.Errorf("customer %s: %w", d.CustomerID, err)
	}
	return n == 1, nil
}
