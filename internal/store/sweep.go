package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
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
	q := `SELECT id, owner_id, pool_id, ` + column + `, recycle_at, COALESCE(recycle_rule, '') FROM customers WHERE ` + column + ` <= ?`
	args := []any{micros(db.now())}
	if after != nil {
		q += ` AND (` + column + `, id) > (?, ?)`
		args = append(args, micros(after.At), after.CustomerID)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY `+column+`, id LIMIT ?`, append(args, limit), func(s scanner) (gonghai.Due, error) {
		var d gonghai.Due
		var owner sql.NullString
		var at, deadline sql.NullInt64
		err := s.Scan(&d.CustomerID, &owner, &d.PoolID, &at, &deadline, &d.Rule)
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

// inBatches runs write on due in transactions of up to sweepBatch
// customers and adds up what each reports; an error says what failed. Each batch goes in id order:
// rows listed by deadline lie all over the table, and visiting them in the
// order of its key keeps a batch's page reads and writes close together.
func (db *DB) inBatches(ctx context.Context, what string, due []gonghai.Due, write func(c conn, batch []gonghai.Due) (int, error)) (int, error) {
	total := 0
	for lo := 0; lo < len(due); lo += sweepBatch {
		batch := slices.Clone(due[lo:min(lo+sweepBatch, len(due))])
		slices.SortFunc(batch, func(a, b gonghai.Due) int { return cmp.Compare(a.CustomerID, b.CustomerID) })
		n := 0
		err := db.inTx(ctx, func(c conn) error {
			var err error
			n, err = write(c, batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("%s: %w", what, err)
		}
		total += n
	}
	return total, nil
}

// holdDue returns the customers of due the batch may write, with the pool
// and rule each was listed with (read now for those listed without). On
// PostgreSQL it takes their row locks for the transaction and leaves out
// those another transaction holds: a claim, a transfer or a follow-up
// that holds a customer decides it, and several sweepers spread over the
// due rows instead of queueing on the same ones. Skipping also keeps the
// lock order safe: the batch never waits for a customer while it holds
// others, and it takes no user's row, so a hand-over (customers, then the
// receiver) cannot deadlock with it. SQLite's writer is alone, so there is
// nothing to skip, and usually nothing to read.
func holdDue(ctx context.Context, c conn, due []gonghai.Due) ([]gonghai.Due, error) {
	if c.dialect != Postgres && !slices.ContainsFunc(due, func(d gonghai.Due) bool { return d.PoolID == "" }) {
		return due, nil
	}
	args := make([]any, len(due))
	for i, d := range due {
		args[i] = d.CustomerID
	}
	q := `SELECT id, pool_id, COALESCE(recycle_rule, '') FROM customers WHERE id IN (` + placeholders(len(due)) + `)`
	if c.dialect == Postgres {
		q += ` FOR NO KEY UPDATE SKIP LOCKED`
	}
	rows, err := collect(ctx, c, q, args, func(s scanner) (gonghai.Due, error) {
		var d gonghai.Due
		return d, s.Scan(&d.CustomerID, &d.PoolID, &d.Rule)
	})
	if err != nil {
		return nil, err
	}
	held := make(map[string]gonghai.Due, len(rows))
	for _, r := range rows {
		held[r.CustomerID] = r
	}
	out := make([]gonghai.Due, 0, len(rows))
	for _, d := range due {
		if h, ok := held[d.CustomerID]; ok {
			if d.PoolID == "" {
				d.PoolID, d.Rule = h.PoolID, h.Rule
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// updateEach writes each customer of rows, in one statement, only if it
// still holds what was read of it: rows are each customer's id and then
// its values of the columns cols names ("owner_id TEXT, recycle_at
// BIGINT"). The statement is
//
//	UPDATE customers SET set WHERE id IN (…) AND (id, cols) IN (VALUES …) [AND where] RETURNING ret
//
// with setArgs and whereArgs for set's and where's placeholders. The id
// list finds the rows by key on both databases; the row values make each
// row's write conditional on its own values. (SQLite runs UPDATE … FROM
// VALUES several times slower.) The first row's casts type every row's
// values on PostgreSQL.
func updateEach[T any](ctx context.Context, c conn, set string, setArgs []any, cols string, rows [][]any,
	where string, whereArgs []any, ret string, scan func(scanner) (T, error)) ([]T, error) {
	var names, typed, plain []string
	for _, col := range strings.Split(cols, ", ") {
		name, typ, _ := strings.Cut(col, " ")
		names, typed, plain = append(names, name), append(typed, "CAST(? AS "+typ+")"), append(plain, "?")
	}
	args := append([]any{}, setArgs...)
	for _, r := range rows {
		args = append(args, r[0])
	}
	values := make([]string, len(rows))
	for i, r := range rows {
		values[i] = "(?, " + strings.Join(plain, ", ") + ")"
		args = append(args, r...)
	}
	values[0] = "(CAST(? AS TEXT), " + strings.Join(typed, ", ") + ")"
	if where != "" {
		where = " AND " + where
	}
	return collect(ctx, c, `UPDATE customers SET `+set+`
		WHERE id IN (`+placeholders(len(rows))+`) AND (id, `+strings.Join(names, ", ")+`) IN (VALUES `+strings.Join(values, ", ")+`)`+where+`
		RETURNING `+ret, append(args, whereArgs...), scan)
}

// RecycleBatch takes each customer of due back to its pool's return pool if
// it is still owned by d.OwnerID, in d.PoolID, and still due at d.At by
// d.Rule, up to sweepBatch customers per transaction. Each customer is its
// own conditional write: the UPDATE re-checks its own pool, owner and
// deadline, so a follow-up, a claim or a transfer that committed first
// wins, and that customer is skipped, not failed (invariant 5). Each
// recycled customer gets its recycled event and its previous owner a
// notification, in the same transaction; their re-claim cooldown counts
// from now. It returns how many it recycled.
func (db *DB) RecycleBatch(ctx context.Context, due []gonghai.Due) (int, error) {
	return db.inBatches(ctx, "recycle customers", due, func(c conn, batch []gonghai.Due) (int, error) {
		batch, err := holdDue(ctx, c, batch)
		if err != nil || len(batch) == 0 {
			return 0, err
		}
		now := db.now()
		// A pool's customers go to its return pool: one write per pool.
		byPool := map[string][][]any{}
		var pools []string
		for _, d := range batch {
			if byPool[d.PoolID] == nil {
				pools = append(pools, d.PoolID)
			}
			byPool[d.PoolID] = append(byPool[d.PoolID], []any{d.CustomerID, d.OwnerID, micros(d.At), string(d.Rule)})
		}
		type moved struct {
			id  string
			seq int
		}
		var events []gonghai.Event
		for _, from := range pools {
			p, err := getPoolRules(ctx, c, from)
			if err != nil {
				return 0, err
			}
			// The same write as a move's (move.apply).
			done, err := updateEach(ctx, c, `owner_id = NULL, pool_id = ?, owned_since = NULL, claimable_at = NULL, updated_at = ?,
				recycle_at = NULL, recycle_rule = NULL, warn_at = NULL, event_seq = event_seq + 1`, []any{p.ReturnPool(), micros(now)},
				"owner_id TEXT, recycle_at BIGINT, recycle_rule TEXT", byPool[from], `pool_id = ? AND recycle_at <= ?`, []any{from, micros(now)},
				`id, event_seq`, func(s scanner) (moved, error) {
					var m moved
					return m, s.Scan(&m.id, &m.seq)
				})
			if err != nil {
				return 0, err
			}
			for _, m := range done {
				events = append(events, gonghai.Event{CustomerID: m.id, Seq: m.seq, Kind: gonghai.EventRecycled,
					FromPoolID: from, ToPoolID: p.ReturnPool(), At: now})
			}
		}
		if len(events) == 0 {
			return 0, nil
		}
		listed := make(map[string]gonghai.Due, len(batch))
		for _, d := range batch {
			listed[d.CustomerID] = d
		}
		notes := make([]gonghai.Notification, len(events))
		for i := range events {
			// Its owner and rule are the ones its write was conditional on.
			d := listed[events[i].CustomerID]
			events[i].FromOwnerID, events[i].Reason = d.OwnerID, string(d.Rule)
			notes[i] = gonghai.Notification{UserID: d.OwnerID, Kind: gonghai.NotifyRecycled, CustomerID: d.CustomerID,
				Rule: d.Rule, Deadline: &d.At, Created: now}
		}
		if err := insertEvents(ctx, c, events); err != nil {
			return 0, err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return 0, err
		}
		return len(events), notify(ctx, c, s, notes...)
	})
}

// Recycle is RecycleBatch for one customer; it reports whether it
// recycled.
func (db *DB) Recycle(ctx context.Context, d gonghai.Due) (bool, error) {
	return one(ctx, d, db.RecycleBatch)
}

// one runs a batch write for customer d alone and reports whether it wrote.
func one(ctx context.Context, d gonghai.Due, batch func(context.Context, []gonghai.Due) (int, error)) (bool, error) {
	n, err := batch(ctx, []gonghai.Due{d})
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
	return db.inBatches(ctx, "remind owners", due, func(c conn, batch []gonghai.Due) (int, error) {
		if c.dialect == Postgres {
			// The pool and rule it reads are not needed: it only locks.
			var err error
			if batch, err = holdDue(ctx, c, batch); err != nil || len(batch) == 0 {
				return 0, err
			}
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return 0, err
		}
		now, loc := db.now(), s.Location()
		// Customers whose reminders move on to the same time (deadlines
		// fall at midnight, so there are few) share a write.
		byNext := map[int64][][]any{}
		var nexts []int64
		listed := make(map[string]gonghai.Due, len(batch))
		for _, d := range batch {
			listed[d.CustomerID] = d
			next := int64(-1)
			if t := gonghai.NextReminder(d.Deadline, now, loc); t != nil {
				next = micros(*t)
			}
			if byNext[next] == nil {
				nexts = append(nexts, next)
			}
			byNext[next] = append(byNext[next], []any{d.CustomerID, d.OwnerID, micros(d.At), micros(d.Deadline)})
		}
		var notes []gonghai.Notification
		for _, next := range nexts {
			var warn any
			if next >= 0 {
				warn = next
			}
			type sent struct{ id, rule string }
			done, err := updateEach(ctx, c, `warn_at = ?`, []any{warn}, "owner_id TEXT, warn_at BIGINT, recycle_at BIGINT",
				byNext[next], "", nil, `id, COALESCE(recycle_rule, '')`, func(s scanner) (sent, error) {
					var r sent
					return r, s.Scan(&r.id, &r.rule)
				})
			if err != nil {
				return 0, err
			}
			for _, r := range done {
				d := listed[r.id]
				notes = append(notes, gonghai.Notification{UserID: d.OwnerID, Kind: gonghai.NotifyRecycleWarning,
					CustomerID: d.CustomerID, Rule: gonghai.RuleKind(r.rule), Deadline: &d.Deadline,
					DaysLeft: gonghai.DaysLeft(now, d.Deadline, loc), Created: now})
			}
		}
		return len(notes), notify(ctx, c, s, notes...)
	})
}

// Remind is RemindBatch for one customer; it reports whether it sent.
func (db *DB) Remind(ctx context.Context, d gonghai.Due) (bool, error) {
	return one(ctx, d, db.RemindBatch)
}
