package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestDuplicateBeside: a customer created beside the one it duplicates
// (duplicate_of set, outside the unique indexes, as an import under the
// conflict policy makes it) cannot be dismissed back into the indexes
// while it shares the phone; merged, the survivor takes the phone and the
// duplicate's blind indexes are cleared.
func TestDuplicateBeside(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "dup.db")
			if name == "postgres" {
				dsn = pgtest.NewDatabase(t)
			}
			ctx := context.Background()
			db := openMigrated(t, dsn, gonghai.NewManualClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)))
			admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "admin", Role: gonghai.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			poolName := "公海"
			p, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &poolName})
			if err != nil {
				t.Fatal(err)
			}
			create := func(company, phone string) gonghai.Customer {
				c, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{AllowSimilar: true, PoolID: p.ID,
					CustomerFields: gonghai.CustomerFields{Company: company, Phone: phone}})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			orig, dup := create("星辰科技", "13800000001"), create("星辰科技（导入）", "13900000002")
			// The import's row: the same phone as the original, beside it.
			w := conn{q: db.write, dialect: db.dialect, keys: db.keys}
			if _, err := w.exec(ctx, `UPDATE customers SET duplicate_of = ?, phone_key = (SELECT phone_key FROM customers WHERE id = ?)
				WHERE id = ?`, orig.ID, orig.ID, dup.ID); err != nil {
				t.Fatal(err)
			}
			k, err := db.SeedConflict(ctx, gonghai.Conflict{Kind: gonghai.ConflictImport, ActorID: admin.ID, Field: "phone",
				Company: dup.Company, MatchedID: orig.ID, NewID: dup.ID, ImportID: "imp-1", Row: 7})
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.ResolveConflict(ctx, admin, k.ID, gonghai.Resolution{Action: gonghai.ActionDismiss})
			if gonghai.ErrorCode(err) != gonghai.EConflict {
				t.Fatalf("dismissing a duplicate that shares the phone: %v", err)
			}
			v, err := db.ResolveConflict(ctx, admin, k.ID, gonghai.Resolution{Action: gonghai.ActionKeep})
			if err != nil || v.Status != gonghai.ConflictKept {
				t.Fatalf("keep: %+v, %v", v, err)
			}
			var keys, dupOf, merged int
			if err := db.reader().queryRow(ctx, `SELECT
				(SELECT COUNT(*) FROM customers WHERE phone_key IS NOT NULL AND id = ?),
				(SELECT COUNT(*) FROM customers WHERE duplicate_of IS NOT NULL),
				(SELECT COUNT(*) FROM customers WHERE merged_into = ?)`, dup.ID, orig.ID).Scan(&keys, &dupOf, &merged); err != nil {
				t.Fatal(err)
			}
			if keys != 0 || dupOf != 0 || merged != 1 {
				t.Errorf("after the keep: duplicate's keys %d, duplicates left %d, merged %d", keys, dupOf, merged)
			}
		})
	}
}
