package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/store"
)

// environment is what a command may touch: no globals, so tests run many
// commands side by side.
type environment struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// config is what the commands share; flags override GONGHAI_* variables.
type config struct {
	DB   string
	Addr string
}

func (e *environment) flags(name string, cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet("gonghai "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg.DB = or(e.getenv("GONGHAI_DB"), "sqlite:gonghai.db")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite:PATH or postgres://… (env GONGHAI_DB)")
	return fs
}

// Validate refuses a configuration the server cannot run with.
func (c config) Validate() error {
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("--db %q: want sqlite:PATH or postgres://…", c.DB)
	}
	return nil
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

func (e *environment) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// open connects to the configured database. Commands other than migrate
// and serve refuse a schema older than this binary. Every command refuses
// keys that do not open the personal fields the database holds.
func (e *environment) open(ctx context.Context, cfg config, migrate bool) (*store.DB, error) {
	db, _, err := e.openKeys(ctx, cfg, migrate)
	return db, err
}

// openKeys is open, returning the keys too.
func (e *environment) openKeys(ctx context.Context, cfg config, migrate bool) (*store.DB, fieldKeys, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fieldKeys{}, err
	}
	keys, err := e.keys(cfg)
	if err != nil {
		return nil, keys, err
	}
	db, err := openWith(ctx, cfg, migrate, keys)
	if err != nil {
		// A key file made for a database whose data it cannot open goes
		// again, so that nobody takes it for the lost one. Any other
		// failure keeps it: another gonghai may have started with it.
		if keys.created && errors.Is(err, crypt.ErrOpen) {
			os.Remove(keys.file)
		}
		return nil, keys, err
	}
	if keys.created {
		fmt.Fprintf(e.stderr, "created field keys in %s: back this file up; without it personal fields cannot be read (docs/security.md)\n", keys.file)
	}
	return db, keys, nil
}

func openWith(ctx context.Context, cfg config, migrate bool, keys fieldKeys) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, gonghai.SystemClock{}, keys)
	if err != nil {
		return nil, err
	}
	// Migrate seals rows written before fields were sealed: check the keys
	// before it does, or it would seal them with the wrong ones. On a
	// database older than the sealed fields the check fails for want of
	// columns, and there is nothing to open yet: migrate, then check.
	if migrate {
		if err = checkKeys(ctx, db, keys); errors.Is(err, crypt.ErrOpen) {
			db.Close()
			return nil, err
		}
		err = db.Migrate(ctx)
	} else {
		err = db.CheckSchema(ctx)
	}
	if err == nil {
		err = checkKeys(ctx, db, keys)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (e *environment) migrate(ctx context.Context, args []string) error {
	var cfg config
	if err := e.flags("migrate", &cfg).Parse(args); err != nil {
		return err
	}
	db, err := e.open(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(e.stdout, "schema up to date")
	return nil
}
