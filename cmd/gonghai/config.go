package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gonghai/gonghai"
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
// and serve refuse a schema older than this binary.
func (e *environment) open(ctx context.Context, cfg config, migrate bool) (*store.DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	keys, err := e.keys(cfg)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DB, gonghai.SystemClock{}, keys)
	if err != nil {
		return nil, err
	}
	if migrate {
		err = db.Migrate(ctx)
	} else {
		err = db.CheckSchema(ctx)
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
