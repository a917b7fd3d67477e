package config

import (
	"flag"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// parse runs Parse with env and args, as a command of scope would.
func parse(env map[string]string, scope Scope, args ...string) (*Config, error) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Parse(fs, args, func(k string) string { return env[k] }, scope)
}

var ignoreSettings = cmpopts.IgnoreUnexported(Config{})

// TestDefaults: the defaults pass their own checks, and are what a run
// without variables or flags gets.
func TestDefaults(t *testing.T) {
	d := Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("the defaults are refused: %v", err)
	}
	want := &Config{DB: "sqlite:gonghai.db", Addr: "127.0.0.1:8080", RecycleInterval: time.Minute,
		SessionIdle: 30 * time.Minute, SessionLifetime: 12 * time.Hour, ImportInterval: 5 * time.Second, ImportMaxRows: 100_000, ImportMaxMB: 50}
	if diff := cmp.Diff(want, d, ignoreSettings, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	got, err := parse(nil, Serve)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, got, ignoreSettings, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Parse without variables or flags (-default +got):\n%s", diff)
	}
	if d.KeyFilePath() != "gonghai.db.keys" {
		t.Errorf("key file %q, want gonghai.db.keys beside the database", d.KeyFilePath())
	}
}

// TestPrecedence: a variable overrides the default, a flag the variable;
// a command reads only the options it takes.
func TestPrecedence(t *testing.T) {
	env := map[string]string{"GONGHAI_DB": "sqlite:/srv/env.db", "GONGHAI_ADDR": ":9000", "GONGHAI_SESSION_IDLE": "10m",
		"GONGHAI_SECURE_COOKIES": "true", "GONGHAI_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7", "GONGHAI_KEYS": "index:x,k1:y",
		"GONGHAI_KEY_FILE": "/srv/keys"}
	c, err := parse(env, Serve, "--addr", "127.0.0.1:0", "--session-idle", "5m", "--demo", "--secure-cookies=false")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{DB: "sqlite:/srv/env.db", Addr: "127.0.0.1:0", Demo: true, RecycleInterval: time.Minute,
		SessionIdle: 5 * time.Minute, SessionLifetime: 12 * time.Hour, SecureCookies: false,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")},
		Keys:           "index:x,k1:y", KeyFile: "/srv/keys", ImportInterval: 5 * time.Second, ImportMaxRows: 100_000, ImportMaxMB: 50}
	if diff := cmp.Diff(want, c, ignoreSettings, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("serve's configuration (-want +got):\n%s", diff)
	}
	sources := map[string]string{}
	for _, s := range c.Settings() {
		sources[s.Option.Name()] = s.Source + "=" + s.Value
	}
	for name, want := range map[string]string{"--db": "GONGHAI_DB=(set)", "--addr": "--addr=127.0.0.1:0",
		"--session-lifetime": "default=12h", "GONGHAI_KEYS": "GONGHAI_KEYS=(set)", "--secure-cookies": "--secure-cookies=false"} {
		if sources[name] != want {
			t.Errorf("setting %s: %s, want %s", name, sources[name], want)
		}
	}
	// migrate takes neither serve's flags nor its variables.
	c, err = parse(map[string]string{"GONGHAI_ADDR": ":9000", "GONGHAI_SESSION_IDLE": "soon"}, Every, "--db", "postgres://h/db")
	if err != nil {
		t.Fatalf("a variable of serve's stopped another command: %v", err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != "postgres://h/db" || c.KeyFilePath() != "" {
		t.Errorf("migrate's configuration %+v", c)
	}
	if _, err := parse(nil, Every, "--addr", ":9000"); err == nil {
		t.Error("migrate took --addr")
	}
}

// TestBadValues: a bad value stops the run with an error naming the flag
// or variable it came from, and the value unless it is secret.
func TestBadValues(t *testing.T) {
	for _, c := range []struct {
		env        map[string]string
		args       []string
		name, echo string
	}{
		{map[string]string{"GONGHAI_DB": "mysql://root:hunter2@db/crm"}, nil, "GONGHAI_DB", ""},
		{nil, []string{"--db", "postgres:/root:hunter2@db"}, "--db", ""},
		{nil, []string{"--db", "sqlite:"}, "--db", ""},
		{map[string]string{"GONGHAI_ADDR": "localhost"}, nil, "GONGHAI_ADDR", "localhost"},
		{map[string]string{"GONGHAI_RECYCLE_INTERVAL": "hourly"}, nil, "GONGHAI_RECYCLE_INTERVAL", "hourly"},
		{nil, []string{"--recycle-interval", "-1m"}, "--recycle-interval", "-1m"},
		{map[string]string{"GONGHAI_SESSION_IDLE": "soon"}, nil, "GONGHAI_SESSION_IDLE", "soon"},
		{nil, []string{"--session-idle", "0s"}, "--session-idle", "0s"},
		{map[string]string{"GONGHAI_SESSION_LIFETIME": "-1h"}, nil, "GONGHAI_SESSION_LIFETIME", "-1h"},
		{map[string]string{"GONGHAI_SECURE_COOKIES": "maybe"}, nil, "GONGHAI_SECURE_COOKIES", "maybe"},
		{nil, []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, "--trusted-proxies", "proxy.local"},
	} {
		_, err := parse(c.env, Serve, c.args...)
		if err == nil {
			t.Errorf("%v %v: no error", c.env, c.args)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, c.name) || c.echo != "" && !strings.Contains(msg, c.echo) {
			t.Errorf("%v %v: %q, want an error naming %s and %q", c.env, c.args, msg, c.name, c.echo)
		}
		if strings.Contains(msg, "hunter2") || strings.Contains(msg, "root") {
			t.Errorf("%v %v: %q echoes a secret", c.env, c.args, msg)
		}
	}
	bad := Default()
	bad.DB = "mysql://root:hunter2@db/crm"
	if err := bad.Validate(); err == nil || !strings.HasPrefix(err.Error(), "--db") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Validate of a bad database: %v", err)
	}
}

// TestHelpHidesSecrets: help shows a secret's documented default, never
// the value the environment holds.
func TestHelpHidesSecrets(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var help strings.Builder
	fs.SetOutput(&help)
	_, err := Parse(fs, []string{"-h"}, func(k string) string {
		return map[string]string{"GONGHAI_DB": "postgres://root:hunter2@db/crm", "GONGHAI_ADDR": ":9000"}[k]
	}, Serve)
	if err != flag.ErrHelp {
		t.Fatalf("-h: %v", err)
	}
	if strings.Contains(help.String(), "hunter2") || !strings.Contains(help.String(), "sqlite:gonghai.db") {
		t.Errorf("help:\n%s\nwant the documented default of --db, not the variable's", help.String())
	}
}

// TestOptionsTable: every option has a name, help and a parser; no flag
// or variable is declared twice.
func TestOptionsTable(t *testing.T) {
	var names []string
	for _, o := range Options() {
		if o.Flag == "" && o.Env == "" || o.Help == "" || o.parse == nil {
			t.Errorf("option %+v: want a flag or a variable, help and a parser", o)
		}
		if o.Env != "" && !strings.HasPrefix(o.Env, "GONGHAI_") {
			t.Errorf("variable %s: want the GONGHAI_ prefix", o.Env)
		}
		for _, n := range []string{o.Flag, o.Env} {
			if n != "" && slices.Contains(names, n) {
				t.Errorf("%s declared twice", n)
			}
			names = append(names, n)
		}
	}
}
