// Package store keeps gonghai's data in SQLite or PostgreSQL. It is the only
// package that speaks SQL; both databases share one code path, written in
// the portable subset (placeholders rebound, RETURNING, ON CONFLICT).
//
// The store stores; it does not decide. Each method reads the facts a
// decision of package gonghai takes (access.go), asks it, and makes the
// conditional write, in one transaction. One file per family of tables:
// claim.go, release.go, assign.go and move.go change owners; customer.go
// and listing.go hold customers; pool.go, user.go, department.go,
// settings.go, session.go and token.go the organisation; activity.go the
// follow-ups, opportunities and orders; recycle.go the deadlines, the
// sweep and notifications; privacy.go, personal.go and keys.go the
// personal data; audit.go the audit log.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the database behind a DB.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a gonghai database. Writes go through one pool and reads through
// another: on SQLite the write pool holds a single connection, so writers
// queue in Go instead of failing with "database is locked".
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	pgpool  *pgxpool.Pool
	clock   gonghai.Clock
	keys    Keys
	zone    zoneCache
	// claimLoss caches, per claimer and pool, how a lost claim is answered.
	claimLoss sync.Map
	// group lets concurrent claims share a commit, on SQLite (group.go).
	group *committer
}

// Keys seal personal fields (DESIGN.md invariant 7) and compute the blind
// indexes that find equal values; internal/vault provides them.
type Keys interface {
	// Primary names the key that seals new values.
	Primary() string
	// Seal encrypts plaintext for table.column of row rowID as "<key id>$…";
	// "" stays "".
	Seal(table, column, rowID, plaintext string) string
	// Open reverses Seal for the same table, column and row.
	Open(table, column, rowID, sealed string) (string, error)
	// MatchKey returns the blind index of value's normal form for column
	// ("phone", "email", "wechat", "name"), "" when it has none.
	MatchKey(column, value string) string
}

// zoneCache keeps the organisation's time zone for counting days left in
// answers, so that a page of customers does not read the settings per row.
// It is read again after zoneTTL (another node may have changed it) and at
// once after this node changes the settings.
type zoneCache struct {
	mu         sync.Mutex
	loc        *time.Location
	read       time.Time // wall time: this is a cache, not the domain's clock
	refreshing bool
}

const zoneTTL = 30 * time.Second

// location returns the organisation's time zone. It is called inside
// transactions, which on PostgreSQL hold a connection of the one pool: it
// must never wait for another connection while one is cached. So a stale
// zone is refreshed in the background while the cached one serves, and
// only the first read waits, for at most zoneWait, falling back to the
// default zone.
func (db *DB) location() *time.Location {
	db.zone.mu.Lock()
	loc := db.zone.loc
	if loc != nil && time.Since(db.zone.read) > zoneTTL && !db.zone.refreshing {
		db.zone.refreshing = true
		go db.readZone()
	}
	db.zone.mu.Unlock()
	if loc != nil {
		return loc
	}
	return db.readZone()
}

const zoneWait = 2 * time.Second

func (db *DB) readZone() *time.Location {
	ctx, cancel := context.WithTimeout(context.Background(), zoneWait)
	defer cancel()
	s, err := getSettings(ctx, db.reader())
	db.zone.mu.Lock()
	defer db.zone.mu.Unlock()
	db.zone.refreshing = false
	switch {
	case err == nil:
		db.zone.loc, db.zone.read = s.Location(), time.Now()
	case db.zone.loc == nil:
		return s.Location() // the default zone, until the database answers
	}
	return db.zone.loc
}

func (db *DB) forgetZone() {
	db.zone.mu.Lock()
	db.zone.loc = nil
	db.zone.mu.Unlock()
}

// Open connects to dsn: "sqlite:PATH" or "postgres://…", sealing personal
// fields with keys. It does not migrate; call Migrate, or CheckSchema to
// refuse a stale database.
func Open(ctx context.Context, dsn string, clock gonghai.Clock, keys Keys) (*DB, error) {
	var db *DB
	var err error
	switch {
	case keys == nil:
		return nil, errors.New("open: no field keys")
	case strings.HasPrefix(dsn, "sqlite:"):
		db, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"), clock)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err = openPostgres(ctx, dsn, clock)
	default:
		return nil, gonghai.Errorf(gonghai.EInvalid, "database %q: want sqlite:PATH or postgres://…", dsn)
	}
	if err != nil {
		return nil, err
	}
	db.keys = keys
	return db, nil
}

// sqlitePragmas are set on every connection. synchronous(FULL) makes a
// committed claim survive power loss; immediate transactions take the write
// lock at BEGIN, so a transaction that reads then writes never fails late.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"

func openSQLite(path string, clock gonghai.Clock) (*DB, error) {
	if path == "" {
		return nil, gonghai.Errorf(gonghai.EInvalid, "sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	// The database holds sealed personal data and password hashes: only
	// its owner reads it, like the key file. SQLite gives its -wal and
	// -shm files the database file's mode, so creating it 0600 here, before
	// SQLite would create it under the umask, covers all three.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	db := &DB{dialect: SQLite, write: w, read: r, clock: clock}
	// The first connection creates the file and switches it to WAL; do it
	// on the writer before readers open the file read-only.
	if err := w.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.startCommitter()
	return db, nil
}

func openPostgres(ctx context.Context, dsn string, clock gonghai.Clock) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, gonghai.Errorf(gonghai.EInvalid, "postgres dsn: %v", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &DB{dialect: Postgres, write: db, read: db, pgpool: pool, clock: clock}, nil
}

// Close releases the connections.
func (db *DB) Close() error {
	db.stopCommitter()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if db.pgpool != nil {
		db.pgpool.Close()
	}
	return err
}

// Dialect returns which database db is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// now is the store's one reading of the clock; SQL never calls now().
func (db *DB) now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

// newID returns a time-ordered id, so that ordering by id is ordering by
// creation and keyset pages stay stable.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// micros converts an instant to the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored instant back.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// nullMicros converts a nullable stored instant.
func nullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// nullString stores "" as NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Clocked returns db reading the time from clock instead: the same pools
// and keys, no claim grouping. `serve --demo` writes its history of past
// weeks through it, as it would have happened.
func (db *DB) Clocked(clock gonghai.Clock) *DB {
	return &DB{dialect: db.dialect, write: db.write, read: db.read, pgpool: db.pgpool, clock: clock, keys: db.keys}
}
