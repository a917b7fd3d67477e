package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
)

// TestCheckKeysEveryKey: with customers sealed under two keys, as a
// stopped rotation leaves them, the start-up check passes with both keys
// and fails with either one missing, naming the key it cannot do without.
// A database of customers with no personal field passes with any keys.
func TestCheckKeysEveryKey(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		open := func(list string) *store.DB { return openWithKeys(t, dsn, list) }
		list := crypt.Generate()
		first := open(list)
		admin, err := first.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "admin", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		p, err := first.CreatePool(ctx, admin, gonghai.PoolInput{Name: ptr("公海")})
		if err != nil {
			t.Fatal(err)
		}
		// A company alone seals nothing: no key is needed to open it.
		if _, err := first.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: p.ID,
			CustomerFields: gonghai.CustomerFields{Company: "只有公司名"}}); err != nil {
			t.Fatal(err)
		}
		if err := open(crypt.Generate()).CheckKeys(ctx); err != nil {
			t.Fatalf("customers without personal fields fail the check with other keys: %v", err)
		}
		for i := range 8 {
			_, err := first.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: p.ID,
				CustomerFields: gonghai.CustomerFields{Name: fmt.Sprintf("客户%d", i), Phone: fmt.Sprintf("1390000%04d", i)}})
			if err != nil {
				t.Fatal(err)
			}
		}
		next, id, err := crypt.WithNewPrimary(list)
		if err != nil {
			t.Fatal(err)
		}
		both := open(next)
		stop, cancel := context.WithCancel(ctx)
		if _, err := both.RotateKeys(stop, 2, func(done int) {
			if done >= 4 {
				cancel()
			}
		}); !errors.Is(err, context.Canceled) {
			t.Fatalf("the stopped rotation ended with %v", err)
		}
		if use, err := both.KeyUse(ctx); err != nil || use["k1"] == 0 || use[id] == 0 {
			t.Fatalf("key use %v (%v), want rows under k1 and %s", use, err, id)
		}
		if err := both.CheckKeys(ctx); err != nil {
			t.Fatalf("both keys: %v", err)
		}
		var onlyNew []string
		for _, e := range strings.Split(next, ",") {
			if !strings.HasPrefix(e, "k1:") {
				onlyNew = append(onlyNew, e)
			}
		}
		for _, c := range []struct {
			name, list, missing string
		}{
			{"without k1", strings.Join(onlyNew, ","), "k1"},
			{"without " + id, list, id},
		} {
			err := open(c.list).CheckKeys(ctx)
			if !errors.Is(err, crypt.ErrOpen) || !strings.Contains(err.Error(), `key "`+c.missing+`"`) {
				t.Errorf("%s: the check says %v, want it cannot open what %s sealed", c.name, err, c.missing)
			}
		}
	})
}
