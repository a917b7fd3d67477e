package main

import (
	"strings"
	"testing"

	conf "github.com/gonghai/gonghai/internal/config"
	"github.com/gonghai/gonghai/internal/web"
)

// TestSessionDefaults: the web server's own session timeouts, which a
// server built without options keeps, are the configuration's defaults.
func TestSessionDefaults(t *testing.T) {
	d := conf.Default()
	if d.SessionIdle != web.DefaultIdleTimeout || d.SessionLifetime != web.DefaultLifetime {
		t.Errorf("configuration defaults %s and %s, web's %s and %s", d.SessionIdle, d.SessionLifetime,
			web.DefaultIdleTimeout, web.DefaultLifetime)
	}
}

// TestConfigCommand: gonghai config checks serve's settings and prints
// them with their sources, secrets hidden; --markdown prints the README's
// table.
func TestConfigCommand(t *testing.T) {
	env := map[string]string{"GONGHAI_DB": "postgres://gonghai:hunter2@db.internal/crm", "GONGHAI_RECYCLE_INTERVAL": "5m"}
	out, _, err := runOut(env, "config", "--addr", ":9090")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--db", "(set)", "GONGHAI_DB", ":9090", "5m", "GONGHAI_RECYCLE_INTERVAL", "12h"} {
		if !strings.Contains(out, want) {
			t.Errorf("config printed\n%s\nwant %q in it", out, want)
		}
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("config printed a secret:\n%s", out)
	}
	if out, _, err := runOut(nil, "config", "--markdown"); err != nil || out != conf.Markdown() {
		t.Errorf("config --markdown: %v\n%s", err, out)
	}
	_, _, err = runOut(map[string]string{"GONGHAI_DB": "mysql://gonghai:hunter2@db/crm"}, "config")
	if err == nil || !strings.Contains(err.Error(), "GONGHAI_DB") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("config with a bad GONGHAI_DB: %v", err)
	}
}
