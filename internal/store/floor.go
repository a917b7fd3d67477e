package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// This file holds the floors of the benchmarks in internal/bench: for each
// scenario, the bare SQL it cannot do without, on the same database,
// durability and transaction helper as the real path, so that a benchmark
// can print the real path's figure beside the floor's and their ratio
// (DESIGN.md, "Performance — how it is measured"). They live here because
// they are SQL; nothing but the benchmarks calls them.

// FloorClaim exists only as the claim benchmark's floor: the SQL that no
// claim can do without, on the same database, durability and transaction
// helper as the real path. One transaction: the conditional UPDATE whose
// affected row decides the winner, and, for the winner, its ownership
// event. No membership, holding-limit or claim-rule checks, no losers'
// pre-read, no customer read back: comparing the real claim with this shows
// what those cost. It reports whether userID won the customer.
func (db *DB) FloorClaim(ctx context.Context, customerID, poolID, userID string) (bool, error) {
	var won bool
	err := db.inTx(ctx, func(c conn) error {
		// inTx may run this again after a retryable abort.
		won = false
		now := db.now()
		var seq int
		err := c.queryRow(ctx, `UPDATE customers SET owner_id = ?, owned_since = ?, updated_at = ?, event_seq = event_seq + 1
			WHERE id = ? AND owner_id IS NULL AND pool_id = ? RETURNING event_seq`,
			userID, micros(now), micros(now), customerID, poolID).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // someone else has it: a loss, not an error
		}
		if err != nil {
			return err
		}
		won = true
		return insertEvent(ctx, c, gonghai.Event{CustomerID: customerID, Seq: seq, Kind: gonghai.EventClaimed,
			FromPoolID: poolID, ToOwnerID: userID, ToPoolID: poolID, ActorID: userID, At: now})
	})
	if err != nil {
		return false, fmt.Errorf("floor claim %s: %w", customerID, err)
	}
	return won, nil
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

// FloorList exists only as the pool-listing benchmark's floor: the bare
// SELECT of the page a pool listing reads. The same rows (pool poolID's
// unowned customers matching f, after the key after, newest first), through
// the index the listing chooses for them (on SQLite, with two filters, it
// counts each filter's rows in its index first, as the listing does), the
// same columns and the same LIMIT; none of the joins to the owner and the
// pool, no opening of sealed fields, no masking, no JSON. It returns the
// ids read, in order.
func (db *DB) FloorList(ctx context.Context, poolID string, f gonghai.CustomerFilter, after string, limit int) ([]string, error) {
	l := db.poolListing(poolID)
	if err := l.apply(ctx, db.reader(), f, gonghai.PageKey{After: after != "", ID: after}); err != nil {
		return nil, fmt.Errorf("floor list: %w", err)
	}
	return db.floorSelect(ctx, l.table, l.where, l.args, limit)
}

// FloorLookup exists only as the search benchmark's floor: the bare indexed
// look-up of pool poolID's unowned customers by one field, the same columns
// and LIMIT as a listing. A phone, email, WeChat id or name matches whole,
// through its blind index; a company matches in part, as the listing's
// search matches it. It returns the ids read, in order.
func (db *DB) FloorLookup(ctx context.Context, poolID, field, value string, limit int) ([]string, error) {
	where, args := []string{"c.pool_id = ?", "c.owner_id IS NULL"}, []any{poolID}
	switch field {
	case "phone", "email", "wechat", "name":
		where, args = append(where, "c."+field+"_key = ?"), append(args, db.keys.MatchKey(field, value))
	case "company":
		// The candidates from the index of company names, then the
		// exact test.
		s := db.searchFor(value)
		where = append([]string{"c.id = m.id", `c.company LIKE ? ESCAPE '\'`}, where...)
		args = append(append(slices.Clone(s.nameArgs), "%"+escapeLike(value)+"%"), args...)
		return db.floorSelect(ctx, `(`+s.byCompany+`) m CROSS JOIN customers c`, where, args, limit)
	default:
		return nil, fmt.Errorf("floor lookup: no field %q", field)
	}
	return db.floorSelect(ctx, "customers c", where, args, limit)
}

// floorSelect reads every customer column of the rows that match where,
// newest first, as they are stored.
func (db *DB) floorSelect(ctx context.Context, from string, where []string, args []any, limit int) ([]string, error) {
	rows, err := db.reader().query(ctx, `SELECT `+prefixed("c.", customerFields)+` FROM `+from+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY c.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("floor select: %w", err)
	}
	defer rows.Close()
	cols := make([]sql.RawBytes, len(strings.Split(customerFields, ",")))
	dest := make([]any, len(cols))
	for i := range cols {
		dest[i] = &cols[i]
	}
	ids := []string{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("floor select: %w", err)
		}
		ids = append(ids, string(cols[0]))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("floor select: %w", err)
	}
	return ids, nil
}

// FloorInsert exists only as the import benchmark's floor: the bare write
// of rows of customers (company, name, phone, email) into pool poolID,
// bulkRows to an INSERT, batch rows to a transaction, on the same
// database, durability and transaction helper as an import. No sealing,
// no blind index, no duplicate look-up, no event, no deadline, no job:
// comparing an import with this shows what those cost.
func (db *DB) FloorInsert(ctx context.Context, poolID string, rows [][4]string) error {
	const width = 8
	now := micros(db.now())
	for lo := 0; lo < len(rows); lo += bulkRows {
		batch := rows[lo:min(lo+bulkRows, len(rows))]
		args := make([]any, 0, width*len(batch))
		for _, r := range batch {
			args = append(args, newID(), r[0], r[1], r[2], r[3], poolID, now, now)
		}
		err := db.inTx(ctx, func(c conn) error {
			_, err := c.exec(ctx, `INSERT INTO customers (id, company, name, phone, email, pool_id, created_at, updated_at) VALUES `+
				valuesList(len(batch), width), args...)
			return err
		})
		if err != nil {
			return fmt.Errorf("floor insert: %w", err)
		}
	}
	return nil
}
