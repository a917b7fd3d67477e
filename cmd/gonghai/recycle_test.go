package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/vault"
)

// TestRecycleCommand prepares customers that reps took long ago, then runs
// `gonghai recycle --dry-run` and `gonghai recycle` as an operator would:
// the dry run names who is due and changes nothing; the sweep takes exactly
// those back, and a second sweep finds nothing.
func TestRecycleCommand(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		// Twenty days ago a rep took five customers, under a 7-day
		// no-follow-up rule, and a sixth that was followed up yesterday.
		now := time.Now().UTC()
		clock := gonghai.NewManualClock(now.AddDate(0, 0, -20))
		// The commands below get the same keys through GONGHAI_KEYS.
		list := crypt.Generate()
		keys, err := vault.New(list)
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t, dsn, clock, keys)
		admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "boss", Name: "王总", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "li.na", Name: "李娜", Role: gonghai.RoleRep})
		if err != nil {
			t.Fatal(err)
		}
		name := "华东公海"
		pool, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &[]string{rep.ID},
			Recycle: &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 7}}}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i := range 6 {
			c, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: pool.ID, OwnerID: rep.ID,
				CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("恒信科技%d有限公司", i)}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		clock.Set(now.AddDate(0, 0, -1))
		if _, err := db.AddFollowUp(ctx, rep, ids[5], gonghai.NewFollowUp{Kind: "call", Content: "约了下周拜访"}); err != nil {
			t.Fatal(err)
		}

		env := map[string]string{"GONGHAI_DB": dsn, "GONGHAI_KEYS": list}
		dry := cli(t, env, "recycle", "--dry-run", "--days", "3")
		if !strings.Contains(dry, "华东公海") || !strings.Contains(dry, "5 customers would be recycled") ||
			!strings.Contains(dry, "李娜: 5") || !strings.Contains(dry, "超期未跟进") {
			t.Fatalf("dry run printed:\n%s", dry)
		}
		if c, err := db.Customer(ctx, admin, ids[0]); err != nil || c.OwnerID != rep.ID {
			t.Fatalf("the dry run changed customer %s: owner %q, %v", ids[0], c.OwnerID, err)
		}
		if got := cli(t, env, "recycle"); !strings.HasPrefix(got, "recycled 5, skipped 0") {
			t.Fatalf("recycle printed %q", got)
		}
		for i, id := range ids {
			c, err := db.Customer(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if kept := i == 5; (c.OwnerID == rep.ID) != kept {
				t.Errorf("customer %d: owner %q after the sweep, want kept=%v", i, c.OwnerID, kept)
			}
		}
		if got := cli(t, env, "recycle"); !strings.HasPrefix(got, "recycled 0, skipped 0") {
			t.Fatalf("a second sweep printed %q", got)
		}
	})
}
