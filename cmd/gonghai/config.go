package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"

	"github.com/gonghai/gonghai"
	conf "github.com/gonghai/gonghai/internal/config"
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

// flagSet returns the flag set of command name, reporting to stderr.
func (e *environment) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("gonghai "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parse declares on fs the settings every command that opens the
// database takes, parses args and returns the configuration
// (internal/config: flags override GONGHAI_* variables).
func (e *environment) parse(fs *flag.FlagSet, args []string) (*conf.Config, error) {
	return conf.Parse(fs, args, e.getenv, conf.Every)
}

// configCommand checks the settings serve would run with, as serve
// checks them, and prints each with where it came from, secrets hidden;
// with --markdown it prints the table of every setting the README shows.
func (e *environment) configCommand(args []string) error {
	fs := e.flagSet("config")
	markdown := fs.Bool("markdown", false, "print every setting as a Markdown table, as the README lists them")
	cfg, err := conf.Parse(fs, args, e.getenv, conf.Serve)
	if *markdown {
		fmt.Fprint(e.stdout, conf.Markdown())
		return nil
	}
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	w := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	for _, s := range cfg.Settings() {
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.Option.Name(), or(s.Value, "-"), s.Source)
	}
	return w.Flush()
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
func (e *environment) open(ctx context.Context, cfg *conf.Config, migrate bool) (*store.DB, error) {
	db, _, err := e.openKeys(ctx, cfg, migrate)
	return db, err
}

// openKeys is open, returning the keys too.
func (e *environment) openKeys(ctx context.Context, cfg *conf.Config, migrate bool) (*store.DB, fieldKeys, error) {
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

func openWith(ctx context.Context, cfg *conf.Config, migrate bool, keys fieldKeys) (*store.DB, error) {
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
	cfg, err := e.parse(e.flagSet("migrate"), args)
	if err != nil {
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
