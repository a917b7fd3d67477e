package pgtest_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gonghai/gonghai/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(tb testing.TB, dsn string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("connect %s: %v", dsn, err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestNewDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsnA, dsnB := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	// TestExternalURL looks for the server's address in this line.
	t.Logf("databases: %s %s", dsnA, dsnB)
	if dsnA == dsnB {
		t.Fatalf("two calls returned the same DSN %s", dsnA)
	}

	a, b := connect(t, dsnA), connect(t, dsnB)
	var nameA, nameB string
	for _, c := range []struct {
		conn *pgx.Conn
		name *string
	}{{a, &nameA}, {b, &nameB}} {
		var one int
		if err := c.conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("SELECT 1 = %d, %v", one, err)
		}
		if err := c.conn.QueryRow(ctx, "SELECT current_database()").Scan(c.name); err != nil {
			t.Fatal(err)
		}
	}
	if nameA == nameB {
		t.Fatalf("both DSNs connect to database %s", nameA)
	}

	if _, err := a.Exec(ctx, "CREATE TABLE contact (id bigint PRIMARY KEY, name text NOT NULL)"); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := a.Exec(ctx, "INSERT INTO contact VALUES (1, 'Ada')"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	// The same table name in the other database must not collide: that is
	// the isolation tests rely on.
	if _, err := b.Exec(ctx, "CREATE TABLE contact (id bigint PRIMARY KEY)"); err != nil {
		t.Fatalf("create table in second database: %v", err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM contact").Scan(&n); err != nil || n != 0 {
		t.Fatalf("second database sees %d rows of the first (err %v)", n, err)
	}
}

func TestDatabaseDroppedOnCleanup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var name string
	t.Run("user", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t)
		// Left open on purpose: the drop must not wait for it.
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})

	other := connect(t, pgtest.NewDatabase(t))
	var exists bool
	err := other.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test finished", name)
	}
}

// TestExternalURL runs TestNewDatabase again in a child test binary that is
// pointed at this binary's server through GONGHAI_TEST_POSTGRES_URL, and
// checks that the child used that server rather than starting its own.
func TestExternalURL(t *testing.T) {
	if os.Getenv("GONGHAI_TEST_POSTGRES_URL") != "" {
		t.Skip("already running against an external server")
	}
	dsn, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	base := *dsn
	base.Path = "/postgres"

	cmd := exec.Command(os.Args[0], "-test.run=^TestNewDatabase$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(),
		"GONGHAI_TEST_POSTGRES_URL="+base.String(),
		"GONGHAI_REQUIRE_POSTGRES=1",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child test binary: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "@"+dsn.Host+"/") {
		t.Fatalf("child did not use %s:\n%s", base.Redacted(), out)
	}
}
