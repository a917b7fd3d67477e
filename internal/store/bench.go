package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/jackc/pgx/v5/pgconn"
)

// This file holds what the benchmarks in internal/bench ask of the database
// besides their floors (floor.go): whether a database may be filled, how
// durable its commits are, settling it before a clock starts, and the
// checks run afterwards. They live here because they are SQL; no handler
// calls them.

// DoubleClaims counts the customers that were claimed more than once, over
// the whole database. A benchmark that never releases anything must find
// none: a second claimed event would mean two claimers both won
// (invariant 1).
func (db *DB) DoubleClaims(ctx context.Context) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM (SELECT customer_id FROM ownership_events
		WHERE kind = 'claimed' GROUP BY customer_id HAVING COUNT(*) > 1) d`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count double claims: %w", err)
	}
	return n, nil
}

// BenchEmpty reports whether a benchmark may fill this database: it has no
// tables at all, or gonghai's tables with no users and no customers. It is
// asked before migrating, so a database that holds anything else is left
// untouched.
func (db *DB) BenchEmpty(ctx context.Context) (bool, error) {
	c := conn{q: db.write, dialect: db.dialect, keys: db.keys}
	tables := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	hasUsers := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'`
	if db.dialect == Postgres {
		tables = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`
		hasUsers = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'users'`
	}
	var n, users int
	if err := c.queryRow(ctx, tables).Scan(&n); err != nil {
		return false, fmt.Errorf("bench: list tables: %w", err)
	}
	if n == 0 {
		return true, nil
	}
	if err := c.queryRow(ctx, hasUsers).Scan(&users); err != nil {
		return false, fmt.Errorf("bench: list tables: %w", err)
	}
	if users == 0 {
		return false, nil // somebody else's tables
	}
	var rows int
	// A users table without gonghai's customers table fails here, which
	// answers "not ours" too.
	err := c.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM customers)`).Scan(&rows)
	if err != nil {
		return false, nil
	}
	return rows == 0, nil
}

// Durability describes, as the database reports them, the settings that
// decide what a commit costs: a benchmark prints it beside its figures so
// that they are read with the durability they were measured at.
func (db *DB) Durability(ctx context.Context) (string, error) {
	c := conn{q: db.write, dialect: db.dialect, keys: db.keys}
	if db.dialect == Postgres {
		var parts []string
		for _, name := range []string{"server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes"} {
			var v string
			if err := c.queryRow(ctx, "SHOW "+name).Scan(&v); err != nil {
				return "", fmt.Errorf("durability: %w", err)
			}
			parts = append(parts, name+"="+v)
		}
		return "PostgreSQL " + strings.Join(parts, " "), nil
	}
	// Pragmas are per connection; the write pool's one connection is the
	// one every commit goes through.
	var version, journal string
	var sync int
	if err := c.queryRow(ctx, `SELECT sqlite_version()`).Scan(&version); err != nil {
		return "", fmt.Errorf("durability: %w", err)
	}
	if err := c.queryRow(ctx, `PRAGMA journal_mode`).Scan(&journal); err != nil {
		return "", fmt.Errorf("durability: %w", err)
	}
	if err := c.queryRow(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		return "", fmt.Errorf("durability: %w", err)
	}
	syncName := map[int]string{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[sync]
	return fmt.Sprintf("SQLite %s (modernc.org/sqlite) journal_mode=%s synchronous=%s", version, journal, syncName), nil
}

// Settle writes a bulk load through to the database file before a
// benchmark starts its clock. On SQLite a large import leaves a large
// write-ahead log, and the first commits after it would pay for copying it
// back; that cost belongs to the import, not to what is measured next.
// PostgreSQL checkpoints on its own schedule, as it would in service, so
// there is nothing to do there.
func (db *DB) Settle(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("settle: %w", err)
	}
	return nil
}

// Vacuum leaves a database as one in service would hold it after a bulk
// load, before a phase is timed: on SQLite the write-ahead log copied back
// (Settle); on PostgreSQL dead row versions vacuumed and statistics
// current, as autovacuum would have them, so that a phase neither trips
// over the previous phase's leftovers nor is planned on an empty table's
// statistics, and then a checkpoint, so that the writing-out of a bulk
// load (a million rows leave about a gigabyte of log) is not still going
// on while the next phase is timed. A role that may not checkpoint
// (neither superuser nor pg_checkpoint) skips that last step.
func (db *DB) Vacuum(ctx context.Context) error {
	if db.dialect != Postgres {
		return db.Settle(ctx)
	}
	for _, table := range []string{"customers", "ownership_events", "notifications"} {
		if _, err := db.write.ExecContext(ctx, `VACUUM (ANALYZE) `+table); err != nil {
			return fmt.Errorf("vacuum %s: %w", table, err)
		}
	}
	var pe *pgconn.PgError
	if _, err := db.write.ExecContext(ctx, `CHECKPOINT`); err != nil && !(errors.As(err, &pe) && pe.Code == "42501") {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// CustomerCount counts every customer, owned or not: a benchmark that
// keeps its seeded database between runs asks it whether the database
// holds the seed it expects.
func (db *DB) CustomerCount(ctx context.Context) (int, error) {
	var n int
	if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count customers: %w", err)
	}
	return n, nil
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

// CheckRecycled counts, as of now, what became of the customers due since
// since: how many were recycled once, twice or not at all (by recycled
// events), how many others were recycled, how many notifications went out,
// whether every due customer's events still chain, and how many owned
// customers are still due.
func (db *DB) CheckRecycled(ctx context.Context, due []string, since time.Time) (RecycleCheck, error) {
	var ch RecycleCheck
	c := db.reader()
	now, from := micros(db.now()), micros(since)
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
	ids := slices.Clone(due)
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
	slices.Sort(ids)
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
