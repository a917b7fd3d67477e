package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	conf "github.com/gonghai/gonghai/internal/config"
)

// runOut runs one command and returns what it printed on each stream and
// how it ended.
func runOut(env map[string]string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"gonghai"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestSubcommandHelp: every command with verbs answers --help with its
// usage, on standard output, and succeeds; an unknown verb fails and says
// which verbs there are.
func TestSubcommandHelp(t *testing.T) {
	for _, cmd := range []string{"user", "token", "keys", "bench"} {
		for _, help := range []string{"--help", "-h", "help"} {
			out, _, err := runOut(nil, cmd, help)
			if err != nil || !strings.HasPrefix(out, "Usage:") || !strings.Contains(out, "gonghai "+cmd+" ") || strings.Contains(out, "unknown") {
				t.Errorf("gonghai %s %s: %v\n%s", cmd, help, err, out)
			}
		}
		_, errOut, err := runOut(nil, cmd, "nonsense")
		if err == nil || !strings.Contains(err.Error(), "unknown subcommand") || !strings.Contains(errOut, "Usage:") {
			t.Errorf("gonghai %s nonsense: %v\n%s", cmd, err, errOut)
		}
	}
}

// TestDatabaseFilesPrivate: the SQLite database and its WAL and shared
// memory files are created readable by their owner only, like the key
// file, in a folder only the owner may enter.
func TestDatabaseFilesPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"GONGHAI_DB": "sqlite:" + filepath.Join(dir, "gonghai.db")}
	cli(t, env, "migrate")
	db, err := openWith(context.Background(), envConfig(t, env), false, mustKeys(t, env))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A write while open keeps the WAL and shared memory files there.
	if _, err := db.CreateUser(context.Background(), nil, gonghai.NewUser{Login: "li.na", Name: "李娜", Role: gonghai.RoleRep}); err != nil {
		t.Fatal(err)
	}
	seen := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = fs.ModeDir | 0o700
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, info.Mode(), want)
		}
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gonghai.db", "gonghai.db-wal", "gonghai.db-shm", "gonghai.db.keys"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// envConfig is the configuration a command reads from env.
func envConfig(t *testing.T, env map[string]string) *conf.Config {
	t.Helper()
	e := &environment{getenv: func(k string) string { return env[k] }, stderr: io.Discard}
	cfg, err := e.parse(e.flagSet("test"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func mustKeys(t *testing.T, env map[string]string) fieldKeys {
	t.Helper()
	keys, err := (&environment{}).keys(envConfig(t, env))
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestTokenCommands: token create takes a name and an expiry and prints
// the bare token; token list shows ids, never secrets; token revoke ends
// one token, or all of a user's.
func TestTokenCommands(t *testing.T) {
	env := map[string]string{"GONGHAI_DB": "sqlite:" + filepath.Join(t.TempDir(), "gonghai.db")}
	cli(t, env, "migrate")
	cli(t, env, "user", "create", "--login", "li.na", "--name", "李娜", "--role", "rep")
	first := cli(t, env, "token", "create", "--login", "li.na", "--name", "报表", "--expires-in-days", "30")
	second := cli(t, env, "token", "create", "--login", "li.na")
	third := cli(t, env, "token", "create", "--login", "li.na")
	list := cli(t, env, "token", "list", "--login", "li.na")
	lines := strings.Split(list, "\n")
	if len(lines) != 3 || strings.Contains(list, first) || !strings.Contains(list, "报表") || !strings.Contains(lines[0], "never") {
		t.Fatalf("token list:\n%s", list)
	}
	id := strings.Fields(lines[0])[0] // the newest: third
	if got := cli(t, env, "token", "revoke", "--id", id); got != "revoked 1 token" {
		t.Fatalf("revoke one: %q", got)
	}
	if _, _, err := runOut(env, "token", "revoke", "--id", id); err == nil {
		t.Fatal("revoking a revoked token succeeded")
	}
	if _, _, err := runOut(env, "token", "revoke", "--login", "li.na"); err == nil {
		t.Fatal("revoke --login without --all succeeded")
	}
	if got := cli(t, env, "token", "revoke", "--login", "li.na", "--all"); got != "revoked 2 tokens" {
		t.Fatalf("revoke all: %q", got)
	}
	db, err := openWith(context.Background(), envConfig(t, env), false, mustKeys(t, env))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tok := range []string{first, second, third} {
		if _, err := db.Authenticate(context.Background(), tok); gonghai.ErrorCode(err) != gonghai.EUnauthenticated {
			t.Errorf("a revoked token authenticates: %v", err)
		}
	}
}
