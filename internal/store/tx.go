package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// queryer is what a transaction and a pool have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs queries written with ? placeholders on either database.
type conn struct {
	q       queryer
	dialect Dialect
	keys    Keys
	// loc is the organisation's zone, read before the transaction began;
	// nil where it was not (zone reads it from the organisation then).
	loc *time.Location
}

// zone is the organisation's time zone, as c knows it.
func (c conn) zone(ctx context.Context) (*time.Location, error) {
	if c.loc != nil {
		return c.loc, nil
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return nil, err
	}
	return s.Location(), nil
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, rebind(c.dialect, query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(ctx, rebind(c.dialect, query), args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, rebind(c.dialect, query), args...)
}

var rebound sync.Map // query → PostgreSQL form

// rebind turns ? placeholders into $1, $2 … for PostgreSQL. Queries are
// constants, so the result is cached. A ? inside a string literal is left.
func rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n, quoted := 0, false
	for i := 0; i < len(query); i++ {
		switch ch := query[i]; {
		case ch == '\'':
			quoted = !quoted
			b.WriteByte(ch)
		case ch == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	rebound.Store(query, b.String())
	return b.String()
}

// maxAttempts bounds the retries of a transaction that PostgreSQL aborted to
// break a deadlock or a serialisation conflict.
const maxAttempts = 5

// inTx runs fn in one write transaction and commits it if fn returns nil.
// fn may run again after a retryable abort, so it must not keep state
// outside the transaction between attempts.
func (db *DB) inTx(ctx context.Context, fn func(c conn) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.tryTx(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("after %d attempts: %w", maxAttempts, err)
}

func (db *DB) tryTx(ctx context.Context, fn func(c conn) error) error {
	// Answers made inside a transaction count days in the organisation's
	// zone. Read it, if it is not cached, before taking a connection:
	// inside, the read would wait for a second connection of the one
	// PostgreSQL pool while holding the first, and a busy pool has none to
	// give for up to zoneWait. SQLite reads through its own pool.
	loc := db.location()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err))
	}
	if err := fn(conn{q: tx, dialect: db.dialect, keys: db.keys, loc: loc}); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// collect runs a query and scans each row with scan: every listing reads
// its rows through here.
func collect[T any](ctx context.Context, c conn, q string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// advisoryKey turns a name into the key of a PostgreSQL advisory lock.
// Two names may share a key; then they only wait for each other needlessly.
func advisoryKey(name string) int64 {
	sum := sha256.Sum256([]byte("gonghai " + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// reader returns a conn on the read pool, for statements outside a
// transaction.
func (db *DB) reader() conn { return conn{q: db.read, dialect: db.dialect, keys: db.keys} }
