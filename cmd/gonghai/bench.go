package main

import (
	"context"
	"log/slog"

	"github.com/gonghai/gonghai/internal/bench"
)

// bench runs `gonghai bench <name>`: the benchmarks themselves live in
// internal/bench, which measures each scenario against its floor.
func (e *environment) bench(ctx context.Context, args []string) error {
	// The servers under measure log what goes wrong, not a line per
	// request: thousands a second would measure the terminal.
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	env := bench.Env{Stdout: e.stdout, Stderr: e.stderr, Log: log}
	verbs := make([]subcommand, len(bench.Names))
	for i, name := range bench.Names {
		verbs[i] = subcommand{name, func(ctx context.Context, args []string) error { return env.Run(ctx, name, args) }}
	}
	return e.dispatch(ctx, "bench", args, verbs...)
}
