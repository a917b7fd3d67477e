package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/vault"
)

// keyFile is where the field keys are kept when GONGHAI_KEYS is not set:
// GONGHAI_KEY_FILE, or next to a SQLite database.
func (e *environment) keyFile(cfg config) string {
	if f := e.getenv("GONGHAI_KEY_FILE"); f != "" {
		return f
	}
	if path, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok {
		return path + ".keys"
	}
	return ""
}

// keys returns the field keys: GONGHAI_KEYS, else the key file, which is
// created with fresh keys when it does not exist yet.
func (e *environment) keys(cfg config) (*vault.Vault, error) {
	if list := e.getenv("GONGHAI_KEYS"); list != "" {
		return vault.New(list)
	}
	file := e.keyFile(cfg)
	if file == "" {
		return nil, errors.New("keys: set GONGHAI_KEYS or GONGHAI_KEY_FILE (see docs/security.md)")
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		list := crypt.Generate()
		if err := os.WriteFile(file, []byte(list+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("keys: %w", err)
		}
		fmt.Fprintf(e.stderr, "created field keys in %s: keep this file, without it personal fields cannot be read\n", file)
		return vault.New(list)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return vault.New(string(b))
}
