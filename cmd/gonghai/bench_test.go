package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/pgtest"
)

// tinyStorm is a claim storm small enough for a test: 2 rounds of 5
// customers that all 16 workers try, then 100 customers tried twice each.
var tinyStorm = []string{"bench", "claim-storm", "--reps", "4", "--workers", "16", "--few", "5", "--rounds", "2", "--many", "100"}

// TestBenchClaimStorm runs the bench end to end on each database: both
// scenarios, through the API and the floor, with every figure, the ratio,
// and no double owners; with sizes this small every claim and attempt is
// accounted for exactly.
func TestBenchClaimStorm(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		args := tinyStorm
		labels := []string{"sqlite"}
		if strings.HasPrefix(dsn, "postgres") {
			// --postgres runs in addition to --db, here a given SQLite path.
			args = append(args, "--db", "sqlite:"+filepath.Join(t.TempDir(), "bench.db"), "--postgres", dsn)
			labels = append(labels, "postgres")
		}
		out := cli(t, nil, args...)
		t.Log("\n" + out)
		for _, label := range labels {
			for _, sc := range []struct {
				name             string
				claims, attempts int
			}{{"few-customers", 2 * 5, 2 * 5 * 16}, {"many-customers", 100, 200}} {
				figures := regexp.MustCompile(`(?m)^` + label + `\s+` + sc.name + `\s+api: [0-9.]+ claims/s \([0-9.]+ attempts/s\)\s+` +
					`floor: [0-9.]+ claims/s \([0-9.]+ attempts/s\)\s+ratio api/floor: [0-9]+\.[0-9]{2}\s+double owners: 0\n` +
					`\s+\(api: (\d+) claims of (\d+) attempts in [^;]+; floor: (\d+) of (\d+) in [^)]+\)$`)
				m := figures.FindStringSubmatch(out)
				if m == nil {
					t.Fatalf("no %s %s lines in the output", label, sc.name)
				}
				want := []string{fmt.Sprint(sc.claims), fmt.Sprint(sc.attempts), fmt.Sprint(sc.claims), fmt.Sprint(sc.attempts)}
				if got := m[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s: claims and attempts (api, floor) = %v, want %v", label, sc.name, got, want)
				}
			}
		}
	})
}

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
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), append([]string{"gonghai"}, args...), func(string) string { return "" },
			strings.NewReader(""), &stdout, &stderr); err == nil {
			t.Errorf("gonghai %s: no error", strings.Join(args, " "))
		}
	}
}
