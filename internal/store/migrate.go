package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/gonghai/gonghai"
	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

func (db *DB) migrator() (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	dir, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db.write, dir, goose.WithDisableGlobalRegistry(true))
}

// Migrate brings the schema up to date.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// Rows written before personal fields were sealed are sealed now.
	if _, err := db.reseal(ctx, `pii_key IS NULL`, nil, sealBatch, nil); err != nil {
		return fmt.Errorf("migrate: seal personal fields: %w", err)
	}
	// And rows from before company names were keyed are keyed now.
	if _, err := db.keyCompanies(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// And the reports' tables hold the events from before them.
	if err := db.buildReports(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// CheckSchema refuses a database whose schema is behind this binary's, so a
// node never runs against tables it does not understand.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if pending {
		return gonghai.Errorf(gonghai.EInvalid, "the database schema is out of date: run gonghai migrate")
	}
	return nil
}
