package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// adminAndPool opens a migrated store holding an admin and one pool.
func adminAndPool(t *testing.T, dsn string) (*DB, gonghai.User, gonghai.Pool) {
	t.Helper()
	ctx := context.Background()
	db := openMigrated(t, dsn, gonghai.SystemClock{})
	admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "admin", Role: gonghai.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	name := "公海"
	p, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	return db, admin, p
}

// TestSealLegacyDuplicates: a database from before sealing may hold two
// customers with one phone. Sealing them keeps both, readable; the first
// keeps its blind index and the other goes without, so the upgrade does not
// stop at the unique index.
func TestSealLegacyDuplicates(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, admin, p := adminAndPool(t, dsn)
		// Rows as an older version wrote them: plaintext, no pii_key.
		c := conn{q: db.write, dialect: db.dialect, keys: db.keys}
		for _, id := range []string{"legacy-1", "legacy-2"} {
			if _, err := c.exec(ctx, `INSERT INTO customers (id, name, company, phone, email, pool_id, event_seq, created_at, updated_at)
				VALUES (?, '张伟', ?, '138 1234 8000', 'zw@example.cn', ?, 0, 1, 1)`, id, "公司"+id, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrating a database with duplicate contacts: %v", err)
		}
		for _, id := range []string{"legacy-1", "legacy-2"} {
			r, err := getCustomer(ctx, db.reader(), id)
			if err != nil || r.piiKey == "" || r.Phone != "138 1234 8000" || r.Name != "张伟" {
				t.Fatalf("%s after sealing: %+v (%v)", id, r.Customer, err)
			}
		}
		var keyed int
		if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE phone_key IS NOT NULL`).Scan(&keyed); err != nil || keyed != 1 {
			t.Fatalf("%d customers keep the phone's blind index (%v), want 1", keyed, err)
		}
		_, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "新", Phone: "13812348000"}})
		if gonghai.ErrorCode(err) != gonghai.EDuplicate {
			t.Fatalf("a new customer with the phone: %v, want duplicate", err)
		}
	})
}

// TestRotateAfterNormalFormChange: a row sealed before the duplicate check
// saw through a trick form ("li.si@hengxin.cn.", whose blind index then
// differed from li.si@hengxin.cn's) gets, when re-sealed, the same blind
// index as the customer it duplicates. The rotation still finishes: the
// first customer keeps the index, the other goes without, readable.
func TestRotateAfterNormalFormChange(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, admin, p := adminAndPool(t, dsn)
		var ids []string
		for i, email := range []string{"li.si@hengxin.cn", "wang@example.cn"} {
			c, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: p.ID,
				CustomerFields: gonghai.CustomerFields{Company: fmt.Sprint("公司", i), Email: email}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		// The second as an older version wrote it: the trick form, its
		// index of the older normal form, sealed under a key that is no
		// longer the primary.
		c := conn{q: db.write, dialect: db.dialect, keys: db.keys}
		if _, err := c.exec(ctx, `UPDATE customers SET email = ?, email_key = ?, pii_key = 'k0' WHERE id = ?`,
			db.keys.Seal("customers", "email", ids[1], "li.si@hengxin.cn."), db.keys.MatchKey("email", "older form"), ids[1]); err != nil {
			t.Fatal(err)
		}
		if n, err := db.RotateKeys(ctx, 10, nil); err != nil || n != 1 {
			t.Fatalf("rotation re-sealed %d rows (%v), want the older one", n, err)
		}
		r, err := getCustomer(ctx, db.reader(), ids[1])
		if err != nil || r.Email != "li.si@hengxin.cn." {
			t.Fatalf("the older row after rotation: %q (%v)", r.Email, err)
		}
		var keyed int
		if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE email_key IS NOT NULL`).Scan(&keyed); err != nil || keyed != 1 {
			t.Fatalf("%d customers keep an email index (%v), want the first alone", keyed, err)
		}
	})
}
