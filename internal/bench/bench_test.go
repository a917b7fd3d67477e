package bench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// tryRun runs one bench as `gonghai bench` would and returns what it
// printed.
func tryRun(args ...string) (string, error) {
	var out, progress bytes.Buffer
	env := Env{Stdout: &out, Stderr: &progress, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err := env.Run(context.Background(), args[0], args[1:])
	if err != nil {
		return out.String(), err
	}
	return out.String(), nil
}

// run is tryRun for a bench that must succeed.
func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := tryRun(args...)
	if err != nil {
		t.Fatalf("bench %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// used is a database somebody uses: a bench must leave it alone.
type used struct {
	dsn  string
	keys store.Keys
}

// usedDatabase makes a SQLite database with gonghai's tables and a user.
func usedDatabase(t *testing.T) used {
	t.Helper()
	u := used{dsn: "sqlite:" + filepath.Join(t.TempDir(), "gonghai.db"), keys: vault.Ephemeral()}
	db := u.open(t)
	defer db.Close()
	if _, err := db.CreateUser(context.Background(), nil, gonghai.NewUser{Login: "boss", Name: "老板", Role: gonghai.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	return u
}

func (u used) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), u.dsn, gonghai.SystemClock{}, u.keys)
	if err == nil {
		err = db.Migrate(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// check fails t unless the database still holds its user and nothing else.
func (u used) check(t *testing.T) {
	t.Helper()
	db := u.open(t)
	defer db.Close()
	if _, err := db.UserByLogin(context.Background(), "boss"); err != nil {
		t.Fatalf("the used database lost its user: %v", err)
	}
	if n, err := db.CustomerCount(context.Background()); err != nil || n != 0 {
		t.Fatalf("the used database holds %d customers (%v), want none", n, err)
	}
}

// TestNames: every bench the command lists runs, and nothing else does.
func TestNames(t *testing.T) {
	for _, name := range Names {
		if _, err := tryRun(name, "-h"); err == nil || !strings.Contains(err.Error(), "help requested") {
			t.Errorf("bench %s -h: %v, want its flags", name, err)
		}
	}
	if _, err := tryRun("recycle-sweep"); err == nil {
		t.Errorf("bench recycle-sweep: no error")
	}
}
