package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/vault"
	"github.com/google/go-cmp/cmp"
)

// TestOwnershipEventsAppendOnly: the database itself refuses to change or
// delete an ownership event, whatever code runs against it; appending still
// works. (TestMain, in main_test.go, is package store_test's; it runs this
// test too, so pgtest.Main stops the shared server.)
func TestOwnershipEventsAppendOnly(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "events.db")
			if name == "postgres" {
				dsn = pgtest.NewDatabase(t)
			}
			ctx := context.Background()
			clock := gonghai.NewManualClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
			db := openMigrated(t, dsn, clock)
			admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "admin", Role: gonghai.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			poolName := "公海"
			p, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &poolName})
			if err != nil {
				t.Fatal(err)
			}
			c, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "示例公司"}})
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Hour)
			if _, err := db.Claim(ctx, admin, c.ID, p.ID); err != nil {
				t.Fatal(err)
			}
			before, err := events(ctx, db.reader(), c.ID)
			if err != nil || len(before) != 2 {
				t.Fatalf("events before: %+v, %v", before, err)
			}

			w := conn{q: db.write, dialect: db.dialect}
			for _, stmt := range []struct {
				query string
				args  []any
			}{
				{`UPDATE ownership_events SET reason = ? WHERE customer_id = ?`, []any{"篡改", c.ID}},
				{`UPDATE ownership_events SET to_owner_id = NULL WHERE id = ?`, []any{before[1].ID}},
				{`UPDATE ownership_events SET seq = seq + 10 WHERE customer_id = ?`, []any{c.ID}},
				{`DELETE FROM ownership_events WHERE id = ?`, []any{before[1].ID}},
				{`DELETE FROM ownership_events WHERE customer_id = ?`, []any{c.ID}},
				{`DELETE FROM ownership_events`, nil},
			} {
				_, err := w.exec(ctx, stmt.query, stmt.args...)
				if err == nil || !strings.Contains(err.Error(), "ownership events are never changed") {
					t.Errorf("%s: err = %v, want the append-only trigger's refusal", stmt.query, err)
				}
				// The same inside a transaction, as store code would run it.
				err = db.inTx(ctx, func(c conn) error {
					_, err := c.exec(ctx, stmt.query, stmt.args...)
					return err
				})
				if err == nil || !strings.Contains(err.Error(), "ownership events are never changed") {
					t.Errorf("%s in a transaction: err = %v, want the append-only trigger's refusal", stmt.query, err)
				}
			}
			after, err := events(ctx, db.reader(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Fatalf("events changed (-before +after):\n%s", diff)
			}

			// Appending is still allowed.
			if _, err := db.Release(ctx, admin, c.ID, "测试追加", ""); err != nil {
				t.Fatal(err)
			}
			after, err = events(ctx, db.reader(), c.ID)
			if err != nil || len(after) != 3 || after[2].Kind != gonghai.EventReleased {
				t.Fatalf("events after a release: %+v, %v", after, err)
			}
			if diff := cmp.Diff(before, after[:2]); diff != "" {
				t.Fatalf("earlier events changed by an append (-before +after):\n%s", diff)
			}
		})
	}
}

// openMigrated is storetest.Open for the store's own tests, which that
// package cannot serve: it imports this one.
func openMigrated(t testing.TB, dsn string, clock gonghai.Clock) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn, clock, vault.Ephemeral())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
