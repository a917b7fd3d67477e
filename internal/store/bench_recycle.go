package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// This file serves `gonghai bench recycle` and nothing else: a table of
// owned customers seeded in bulk, the floor the sweep is measured against,
// the full scan it is compared with, and the check run afterwards. No
// handler calls these.

// RecycleBench is the table of one recycle bench: customers of one pool,
// each owned by one of a few reps and carrying its deadline, a known set of
// them due. It grows by Grow; Reown puts the due ones back in their owners'
// hands between measured phases.
type RecycleBench struct {
	db      *DB
	poolID  string
	adminID string
	owners  []string
	rule    gonghai.RuleKind
	// due are the classes of the due customers, later those of the rest:
	// when each was gained and the deadline the pool's rules give it.
	due, later []benchClass
	// idPrefix and eventPrefix start every seeded customer's and created
	// event's id; the row number, as 12 hex digits, ends it. Ids stay in
	// the uuid shape and ordered by row.
	idPrefix, eventPrefix string
	rows                  int // rows seeded so far: 1 … rows
	nDue                  int
	dueSpan               int // the due rows are spread over rows 1 … dueSpan
	dueRows               []benchDue
}

// benchClass is when a seeded customer was gained and the deadline, in
// stored microseconds.
type benchClass struct {
	ownedSince, recycleAt int64
}

// benchDue is one due customer as seeded.
type benchDue struct {
	id, owner string
	class     benchClass
}

// benchOwnedDays are how many days before the seed the not-due customers
// were gained, and benchOverdueDays how many days past their deadline the
// due ones are: a spread, so that deadlines differ as they would.
var (
	benchOwnedDays   = []int{0, 1, 2, 3, 4, 5, 6, 7}
	benchOverdueDays = []int{1, 2, 3, 4}
)

// NewRecycleBench prepares to seed customers into pool poolID, owned in
// turn by owners, created by adminID, due customers due under the pool's
// recycle rules: gained long enough ago that they are due now, the rest so
// recently that none comes due for a day at least. The pool must have
// rules that give every such customer a deadline by one rule.
func (db *DB) NewRecycleBench(ctx context.Context, poolID, adminID string, owners []string, due int) (*RecycleBench, error) {
	if len(owners) == 0 || due < 1 {
		return nil, errors.New("recycle bench: want owners and at least one due customer")
	}
	c := db.reader()
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return nil, err
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return nil, err
	}
	loc, now := s.Location(), db.now()
	b := &RecycleBench{db: db, poolID: poolID, adminID: adminID, owners: owners, nDue: due,
		idPrefix: newID()[:24], eventPrefix: newID()[:24]}
	deadline := func(gained time.Time) (benchClass, error) {
		d := p.Recycle.Deadline(gonghai.RuleFacts{OwnedSince: gained}, loc)
		switch {
		case d == nil:
			return benchClass{}, fmt.Errorf("recycle bench: pool %s gives a customer gained %s no deadline", poolID, gained)
		case b.rule != "" && d.Rule != b.rule:
			return benchClass{}, fmt.Errorf("recycle bench: pool %s decides by two rules, %s and %s", poolID, b.rule, d.Rule)
		}
		b.rule = d.Rule
		return benchClass{micros(gained), micros(d.At)}, nil
	}
	for _, days := range benchOwnedDays {
		cl, err := deadline(now.AddDate(0, 0, -days))
		if err != nil {
			return nil, err
		}
		if !fromMicros(cl.recycleAt).After(now.Add(24 * time.Hour)) {
			return nil, fmt.Errorf("recycle bench: pool %s recycles a customer gained %d days ago within a day; give its rule more days", poolID, days)
		}
		b.later = append(b.later, cl)
	}
	// How long a customer is kept: the gap between its deadline and when it
	// was gained, for the most recent one.
	kept := fromMicros(b.later[0].recycleAt).Sub(now)
	for _, days := range benchOverdueDays {
		gained := now.Add(-kept).AddDate(0, 0, -days)
		cl, err := deadline(gained)
		if err != nil {
			return nil, err
		}
		if fromMicros(cl.recycleAt).After(now) {
			return nil, fmt.Errorf("recycle bench: a customer gained %s is not due by %s", gained, now)
		}
		b.due = append(b.due, cl)
	}
	return b, nil
}

// Owned is how many customers are seeded.
func (b *RecycleBench) Owned() int { return b.rows }

// DueIDs returns the ids of the due customers, in id order.
func (b *RecycleBench) DueIDs() []string {
	ids := make([]string, len(b.dueRows))
	for i, d := range b.dueRows {
		ids[i] = d.id
	}
	return ids
}

// benchSeedChunk is how many rows one seeding transaction writes.
const benchSeedChunk = 100_000

// Grow seeds owned customers until the table holds to of them, in bulk
// SQL, one transaction per chunk: each customer with its deadline and its
// created event, seq 1, so the chain is valid. The first call also seeds
// the due customers, spread evenly over its rows; later calls add only
// customers that are not due. progress, if not nil, hears the rows seeded
// so far after each chunk.
func (b *RecycleBench) Grow(ctx context.Context, to int, progress func(rows int)) error {
	if b.rows == 0 {
		if to < b.nDue {
			return fmt.Errorf("recycle bench: %d owned cannot hold %d due", to, b.nDue)
		}
		b.dueSpan = to
		for i := 1; i <= to; i++ {
			if isBenchDue(i, b.nDue, to) {
				b.dueRows = append(b.dueRows, benchDue{id: b.id(i), owner: b.owners[i%len(b.owners)], class: b.due[i%len(b.due)]})
			}
		}
		if len(b.dueRows) != b.nDue {
			return fmt.Errorf("recycle bench: %d rows picked as due, want %d", len(b.dueRows), b.nDue)
		}
	}
	for b.rows < to {
		lo, hi := b.rows+1, min(b.rows+benchSeedChunk, to)
		if err := b.db.inTx(ctx, func(c conn) error { return b.seed(ctx, c, lo, hi) }); err != nil {
			return fmt.Errorf("recycle bench: seed rows %d to %d: %w", lo, hi, err)
		}
		b.rows = hi
		if progress != nil {
			progress(b.rows)
		}
	}
	return b.Settle(ctx)
}

// isBenchDue reports whether row i of 1 … span is one of the due rows:
// exactly due of them, evenly spread.
func isBenchDue(i, due, span int) bool {
	return i <= span && (int64(i)*int64(due))/int64(span) != (int64(i-1)*int64(due))/int64(span)
}

// hexSQL is the dialect's expression for i as 12 hex digits.
func (b *RecycleBench) hexSQL() string {
	if b.db.dialect == Postgres {
		return `lpad(to_hex(i), 12, '0')`
	}
	return `printf('%012x', i)`
}

func (b *RecycleBench) id(i int) string { return fmt.Sprintf("%s%012x", b.idPrefix, i) }

// seed writes rows lo … hi and their created events: SQL generates the
// rows, so nothing crosses the connection but the statement.
func (b *RecycleBench) seed(ctx context.Context, c conn, lo, hi int) error {
	var args []any
	// numbers are lo … hi, each with its class: its place in b.due, or
	// len(b.due) plus its place in b.later.
	numbers := `WITH RECURSIVE g(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM g WHERE i < ?)`
	if b.db.dialect == Postgres {
		numbers = `WITH g(i) AS (SELECT generate_series(CAST(? AS BIGINT), CAST(? AS BIGINT)))`
	}
	args = append(args, lo, hi)
	numbers += `, n AS (SELECT i, CASE WHEN i <= CAST(? AS BIGINT) AND (i * CAST(? AS BIGINT)) / CAST(? AS BIGINT) <> ((i - 1) * CAST(? AS BIGINT)) / CAST(? AS BIGINT)
		THEN i % ` + fmt.Sprint(len(b.due)) + ` ELSE ` + fmt.Sprint(len(b.due)) + ` + i % ` + fmt.Sprint(len(b.later)) + ` END AS k FROM g)`
	args = append(args, b.dueSpan, b.nDue, b.dueSpan, b.nDue, b.dueSpan)
	classes := append(append([]benchClass{}, b.due...), b.later...)
	// pick is a CASE choosing the k-th of n values by expr; each value is
	// cast, as PostgreSQL cannot tell a parameter's type from a CASE.
	pick := func(expr string, n int, typ string, arg func(k int) any) string {
		var s strings.Builder
		s.WriteString("CASE " + expr)
		for k := range n {
			fmt.Fprintf(&s, " WHEN %d THEN CAST(? AS %s)", k, typ)
			args = append(args, arg(k))
		}
		s.WriteString(" END")
		return s.String()
	}
	owner := pick("i % "+fmt.Sprint(len(b.owners)), len(b.owners), "TEXT", func(k int) any { return b.owners[k] })
	since := pick("k", len(classes), "BIGINT", func(k int) any { return classes[k].ownedSince })
	at := pick("k", len(classes), "BIGINT", func(k int) any { return classes[k].recycleAt })
	numbers += `, r AS (SELECT i, ` + owner + ` AS owner_id, ` + since + ` AS owned_since, ` + at + ` AS recycle_at FROM n)`
	_, err := c.exec(ctx, numbers+`
		INSERT INTO customers (id, name, company, owner_id, pool_id, owned_since, event_seq, created_at, updated_at, recycle_at, recycle_rule)
		SELECT CAST(? AS TEXT) || `+b.hexSQL()+`, '', '压测客户' || i, owner_id, CAST(? AS TEXT), owned_since, 1, owned_since, owned_since,
			recycle_at, CAST(? AS TEXT) FROM r`,
		append(args, b.idPrefix, b.poolID, string(b.rule))...)
	if err != nil {
		return fmt.Errorf("customers: %w", err)
	}
	// The created events read the rows just written, by id range.
	_, err = c.exec(ctx, `INSERT INTO ownership_events (id, customer_id, seq, kind, to_owner_id, to_pool_id, actor_id, reason, forced, at)
		SELECT CAST(? AS TEXT) || substr(id, 25), id, 1, 'created', owner_id, pool_id, CAST(? AS TEXT), '', FALSE, created_at
		FROM customers WHERE id >= ? AND id <= ?`,
		b.eventPrefix, b.adminID, b.id(lo), b.id(hi))
	if err != nil {
		return fmt.Errorf("created events: %w", err)
	}
	return nil
}

// Settle leaves the table as a database in service would hold it before a
// phase is timed: on SQLite the write-ahead log copied back (see
// DB.Settle); on PostgreSQL dead row versions vacuumed and statistics
// current, as autovacuum would have them, so that a phase neither trips
// over the previous phase's leftovers nor is planned on an empty table's
// statistics, and then a checkpoint, so that the writing-out of a bulk
// seed (a million rows leave about a gigabyte of log) is not still going
// on while the next phase is timed. A role that may not checkpoint
// (neither superuser nor pg_checkpoint) skips that last step.
func (b *RecycleBench) Settle(ctx context.Context) error {
	if b.db.dialect != Postgres {
		return b.db.Settle(ctx)
	}
	for _, table := range []string{"customers", "ownership_events", "notifications"} {
		if _, err := b.db.write.ExecContext(ctx, `VACUUM (ANALYZE) `+table); err != nil {
			return fmt.Errorf("settle: vacuum %s: %w", table, err)
		}
	}
	if _, err := b.db.write.ExecContext(ctx, `CHECKPOINT`); err != nil && !strings.Contains(err.Error(), "42501") {
		return fmt.Errorf("settle: checkpoint: %w", err)
	}
	return nil
}

// Reown gives every due customer that is in a pool back to the owner it
// was seeded with, gained when it was, so due again: what the next phase
// starts from. Each gets an assigned event, so the chain stays valid. It
// returns how many it gave back.
func (b *RecycleBench) Reown(ctx context.Context) (int, error) {
	const per = 500
	total := 0
	for lo := 0; lo < len(b.dueRows); lo += per {
		batch := b.dueRows[lo:min(lo+per, len(b.dueRows))]
		err := b.db.inTx(ctx, func(c conn) error {
			now := micros(b.db.now())
			values := make([]string, len(batch))
			args := make([]any, 0, 4*len(batch)+1)
			owner := map[string]string{}
			for i, d := range batch {
				values[i] = "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
				args = append(args, d.id, d.owner, d.class.ownedSince, d.class.recycleAt)
				owner[d.id] = d.owner
			}
			rows, err := c.query(ctx, `WITH v (id, owner_id, owned_since, recycle_at) AS (VALUES `+strings.Join(values, ", ")+`)
				UPDATE customers SET owner_id = v.owner_id, owned_since = v.owned_since, recycle_at = v.recycle_at,
					recycle_rule = CAST(? AS TEXT), warn_at = NULL, claimable_at = NULL, updated_at = ?, event_seq = customers.event_seq + 1
				FROM v WHERE customers.id = v.id AND customers.owner_id IS NULL AND customers.pool_id = ?
				RETURNING customers.id, customers.event_seq`, append(args, string(b.rule), now, b.poolID)...)
			if err != nil {
				return err
			}
			type back struct {
				id  string
				seq int
			}
			var done []back
			for rows.Next() {
				var r back
				if err := rows.Scan(&r.id, &r.seq); err != nil {
					rows.Close()
					return err
				}
				done = append(done, r)
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			if len(done) == 0 {
				return nil
			}
			values, args = values[:0], args[:0]
			for _, r := range done {
				values = append(values, "(?, ?, ?, 'assigned', ?, ?, ?, ?, 'bench: owned again for the next phase', FALSE, ?)")
				args = append(args, newID(), r.id, r.seq, owner[r.id], b.poolID, b.poolID, b.adminID, now)
			}
			_, err = c.exec(ctx, `INSERT INTO ownership_events (id, customer_id, seq, kind, to_owner_id, from_pool_id, to_pool_id,
				actor_id, reason, forced, at) VALUES `+strings.Join(values, ", "), args...)
			if err != nil {
				return err
			}
			total += len(done)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("recycle bench: own due customers again: %w", err)
		}
	}
	return total, nil
}

// FloorRecycle exists only as the recycle benchmark's floor: the bare
// write that takes customers ids out of their owners' hands, one batched
// UPDATE in one transaction, on the same database, durability and
// transaction helper as the real path. No due check, no re-read, no event,
// no notification: comparing the sweep with this shows what those and a
// transaction per customer cost. It returns the rows it changed.
func (db *DB) FloorRecycle(ctx context.Context, ids []string) (int, error) {
	var n int64
	err := db.inTx(ctx, func(c conn) error {
		args := make([]any, 0, len(ids)+1)
		args = append(args, micros(db.now()))
		for _, id := range ids {
			args = append(args, id)
		}
		res, err := c.exec(ctx, `UPDATE customers SET owner_id = NULL, owned_since = NULL, recycle_at = NULL, recycle_rule = NULL,
			warn_at = NULL, updated_at = ? WHERE id IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("floor recycle: %w", err)
	}
	return int(n), nil
}

// FullScan is the recycle sweep as CRMs without a stored deadline run it:
// read every owned customer, every column the rules read, and work out in
// Go which are due. Its cost grows with the table; the real sweep's grows
// with the rows due. The benchmark compares the two; nothing else uses it.
type FullScan struct {
	db    *DB
	after string
	rules map[string]gonghai.RecycleRules // by pool
	loc   *time.Location
	// Read counts the owned customers read so far.
	Read int
}

// NewFullScan starts a full scan.
func (db *DB) NewFullScan() *FullScan {
	return &FullScan{db: db, rules: map[string]gonghai.RecycleRules{}}
}

// Next reads the next limit owned customers, in id order, and returns
// those due now, with the deadline the rules give them, for Recycle. more
// is false once the last page has been read.
func (s *FullScan) Next(ctx context.Context, limit int) (due []gonghai.Due, more bool, err error) {
	c := s.db.reader()
	if s.loc == nil {
		st, err := getSettings(ctx, c)
		if err != nil {
			return nil, false, err
		}
		s.loc = st.Location()
	}
	rows, err := c.query(ctx, `SELECT id, owner_id, pool_id, category, won, locked, open_opportunities, owned_since,
		last_followup_at, last_stage_at, last_order_at, last_opportunity_at
		FROM customers WHERE owner_id IS NOT NULL AND id > ? ORDER BY id LIMIT ?`, s.after, limit)
	if err != nil {
		return nil, false, fmt.Errorf("full scan: %w", err)
	}
	var page []gonghai.Customer
	for rows.Next() {
		var cu gonghai.Customer
		var owned sql.NullInt64
		var followUp, stage, order, opportunity sql.NullInt64
		if err := rows.Scan(&cu.ID, &cu.OwnerID, &cu.PoolID, &cu.Category, &cu.Won, &cu.Locked, &cu.OpenOpportunities, &owned,
			&followUp, &stage, &order, &opportunity); err != nil {
			rows.Close()
			return nil, false, err
		}
		cu.OwnedSince, cu.LastFollowUp, cu.LastStageChange = nullMicros(owned), nullMicros(followUp), nullMicros(stage)
		cu.LastOrder, cu.LastOpportunity = nullMicros(order), nullMicros(opportunity)
		page = append(page, cu)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, false, fmt.Errorf("full scan: %w", err)
	}
	now := s.db.now()
	for _, cu := range page {
		rules, ok := s.rules[cu.PoolID]
		if !ok {
			p, err := getPoolRules(ctx, c, cu.PoolID)
			if err != nil {
				return nil, false, err
			}
			rules, s.rules[cu.PoolID] = p.Recycle, p.Recycle
		}
		if d := rules.Deadline(cu.Facts(), s.loc); d != nil && !d.At.After(now) {
			due = append(due, gonghai.Due{CustomerID: cu.ID, OwnerID: cu.OwnerID, At: d.At, Deadline: d.At})
		}
	}
	s.Read += len(page)
	if len(page) > 0 {
		s.after = page[len(page)-1].ID
	}
	return due, len(page) == limit, nil
}

// RecycleCheck is what the recycle bench finds after a phase.
type RecycleCheck struct {
	Owned    int // owned customers
	OwnedDue int // owned customers whose deadline has come
	// Of the due customers: recycled exactly once since the phase began,
	// more than once, and not at all.
	Once, Twice, Missing int
	Stray                int // customers recycled since that were not due
	Notified             int // recycled notifications since
	BrokenChains         int // due customers whose events do not chain 1 … event_seq
}

// Check counts, as of now, what became of the due customers since since:
// how many were recycled once, twice or not at all (by recycled events),
// how many others were recycled, how many notifications went out, whether
// every due customer's events still chain, and how many owned customers
// are still due.
func (b *RecycleBench) Check(ctx context.Context, since time.Time) (RecycleCheck, error) {
	var ch RecycleCheck
	c := b.db.reader()
	now, from := micros(b.db.now()), micros(since)
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE owner_id IS NOT NULL`).Scan(&ch.Owned); err != nil {
		return ch, fmt.Errorf("recycle check: %w", err)
	}
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE owner_id IS NOT NULL AND recycle_at <= ?`, now).Scan(&ch.OwnedDue); err != nil {
		return ch, fmt.Errorf("recycle check: %w", err)
	}
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE kind = ? AND created_at >= ?`, gonghai.NotifyRecycled, from).
		Scan(&ch.Notified)
	if err != nil {
		return ch, fmt.Errorf("recycle check: %w", err)
	}
	rows, err := c.query(ctx, `SELECT customer_id, COUNT(*) FROM ownership_events WHERE kind = 'recycled' AND at >= ? GROUP BY customer_id`, from)
	if err != nil {
		return ch, fmt.Errorf("recycle check: %w", err)
	}
	times := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return ch, err
		}
		times[id] = n
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return ch, fmt.Errorf("recycle check: %w", err)
	}
	ids := b.DueIDs()
	for _, id := range ids {
		switch n := times[id]; {
		case n == 0:
			ch.Missing++
		case n == 1:
			ch.Once++
		default:
			ch.Twice++
		}
		delete(times, id)
	}
	ch.Stray = len(times)
	sort.Strings(ids)
	const per = 500
	for lo := 0; lo < len(ids); lo += per {
		batch := ids[lo:min(lo+per, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		var broken int
		err := c.queryRow(ctx, `SELECT COUNT(*) FROM customers c WHERE c.id IN (`+placeholders(len(batch))+`)
			AND (c.event_seq <> (SELECT MAX(e.seq) FROM ownership_events e WHERE e.customer_id = c.id)
			  OR c.event_seq <> (SELECT COUNT(*) FROM ownership_events e WHERE e.customer_id = c.id))`, args...).Scan(&broken)
		if err != nil {
			return ch, fmt.Errorf("recycle check: chains: %w", err)
		}
		ch.BrokenChains += broken
	}
	return ch, nil
}
