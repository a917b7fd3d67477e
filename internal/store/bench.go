package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gonghai/gonghai"
)

// This file serves `gonghai bench` and nothing else: the floor a benchmark
// measures the product against, and the checks it runs afterwards. No
// handler calls these.

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
