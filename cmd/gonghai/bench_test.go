package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/bench"
)

// tinyStorm is a claim storm small enough for a test: 2 rounds of 5
// customers that all 16 workers try, then 100 customers tried twice each.
// The benches themselves are tested in internal/bench; here, that the
// command hands them their arguments and environment.
var tinyStorm = []string{"bench", "claim-storm", "--reps", "4", "--workers", "16", "--few", "5", "--rounds", "2", "--many", "100"}

// TestBenchRefusesUsedDatabase: the bench fills its database with
// throwaway users and customers, so it refuses one that holds anything,
// and it never picks up GONGHAI_DB on its own.
func TestBenchRefusesUsedDatabase(t *testing.T) {
	used := "sqlite:" + filepath.Join(t.TempDir(), "gonghai.db")
	env := map[string]string{"GONGHAI_DB": used}
	cli(t, env, "migrate")
	cli(t, env, "user", "create", "--login", "boss", "--name", "老板", "--role", "admin")

	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"gonghai"}, append(tinyStorm, "--db", used)...),
		func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("bench on a used database: err = %v, want a refusal", err)
	}
	if got := cli(t, env, "token", "create", "--login", "boss"); !strings.HasPrefix(got, "ghk_") {
		t.Fatalf("the used database no longer works: token create printed %q", got)
	}

	// Without --db the bench makes its own database, whatever GONGHAI_DB says.
	err = run(context.Background(), append([]string{"gonghai"}, append(tinyStorm, "--rounds", "1", "--many", "10")...),
		func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench with GONGHAI_DB set: %v\n%s", err, stderr.String())
	}
	if out := stdout.String(); strings.Contains(out, used) || !strings.Contains(out, "gonghai-bench-") {
		t.Fatalf("bench ran on GONGHAI_DB instead of a fresh database:\n%s", out)
	}
}

// TestBenchFlags: sizes below 1 and unknown scenarios are refused before
// anything runs.
func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench"},
		{"bench", "recycle-sweep"},
		{"bench", "claim-storm", "--workers", "0"},
		{"bench", "claim-storm", "--seconds", "-1"},
		{"bench", "claim-storm", "--postgres", "sqlite:x.db"},
		{"bench", "claim-storm", "extra"},
		{"bench", "list", "--customers", "0"},
		{"bench", "search", "--rounds", "191"},
		{"bench", "memory", "--postgres", "postgres://localhost/x"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), append([]string{"gonghai"}, args...), func(string) string { return "" },
			strings.NewReader(""), &stdout, &stderr); err == nil {
			t.Errorf("gonghai %s: no error", strings.Join(args, " "))
		}
	}
}

// TestBenchHelp: `gonghai bench help` names every bench, with its flags.
func TestBenchHelp(t *testing.T) {
	out := cli(t, nil, "bench", "help")
	for _, name := range bench.Names {
		if !strings.Contains(out, "gonghai bench "+name+" [") {
			t.Errorf("bench help does not show %s:\n%s", name, out)
		}
	}
}
