package store_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestFloorClaim: the benchmark's floor must itself be a correct claim, or
// the ratio compares against nothing: one winner among concurrent
// claimers, a claimed event chained after the created one, nothing for a
// loser or for the wrong pool. DoubleClaims must see a customer claimed
// twice, which here takes a release in between.
func TestFloorClaim(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("压测销售部", "")
		p := f.pool("压测公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		other := f.pool("别的公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		a := f.user("rep-a", gonghai.RoleRep, team.ID, nil)
		b := f.user("rep-b", gonghai.RoleRep, team.ID, nil)
		ids := f.customers(p.ID, 2)

		if won, err := f.db.FloorClaim(f.ctx, ids[0], other.ID, a.ID); err != nil || won {
			t.Fatalf("floor claim from the wrong pool = %v, %v; want a loss", won, err)
		}
		if won, err := f.db.FloorClaim(f.ctx, ids[0], p.ID, a.ID); err != nil || !won {
			t.Fatalf("first floor claim = %v, %v; want a win", won, err)
		}
		if won, err := f.db.FloorClaim(f.ctx, ids[0], p.ID, b.ID); err != nil || won {
			t.Fatalf("second floor claim = %v, %v; want a loss", won, err)
		}
		if c := f.customer(ids[0]); c.OwnerID != a.ID || c.OwnedSince == nil {
			t.Fatalf("customer owned by %q since %v, want %s", c.OwnerID, c.OwnedSince, a.ID)
		}
		f.checkChain(ids[0])
		if h := f.history(ids[0]); len(h) != 2 || h[1].Kind != gonghai.EventClaimed || h[1].ActorID != a.ID {
			t.Fatalf("history %+v, want created then claimed by %s", h, a.ID)
		}

		var wins atomic.Int32
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				rep := []gonghai.User{a, b}[g%2]
				won, err := f.db.FloorClaim(f.ctx, ids[1], p.ID, rep.ID)
				if err != nil {
					t.Error(err)
				}
				if won {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d concurrent floor claims won, want 1", wins.Load())
		}
		f.checkChain(ids[1])

		if n, err := f.db.DoubleClaims(f.ctx); err != nil || n != 0 {
			t.Fatalf("DoubleClaims = %d, %v; want 0", n, err)
		}
		if _, err := f.db.Release(f.ctx, f.admin, ids[0], "压测", ""); err != nil {
			t.Fatal(err)
		}
		if won, err := f.db.FloorClaim(f.ctx, ids[0], p.ID, b.ID); err != nil || !won {
			t.Fatalf("floor claim after release = %v, %v; want a win", won, err)
		}
		f.checkChain(ids[0])
		if n, err := f.db.DoubleClaims(f.ctx); err != nil || n != 1 {
			t.Fatalf("DoubleClaims = %d, %v; want 1", n, err)
		}
	})
}

// TestBenchEmpty: a benchmark may fill a database with no tables, or a
// migrated one nobody uses yet, and nothing else.
func TestBenchEmpty(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		// The fixture has migrated and made an admin.
		if empty, err := f.db.BenchEmpty(f.ctx); err != nil || empty {
			t.Fatalf("BenchEmpty with a user = %v, %v; want false", empty, err)
		}
		d, err := f.db.Durability(f.ctx)
		if err != nil || d == "" {
			t.Fatalf("Durability = %q, %v", d, err)
		}
		if err := f.db.Settle(f.ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFloorListAndLookup: the listing floors read the rows the listing
// shows, in its order, one more than a page, and the look-ups find a
// customer by a whole contact or a part of its company.
func TestFloorListAndLookup(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("华南公海", gonghai.PoolInput{})
		other := f.pool("别的公海", gonghai.PoolInput{})
		for i := range 30 {
			category := []string{"A", "B", "C"}[i%3]
			for _, pool := range []string{p.ID, other.ID} {
				if _, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: pool, CustomerFields: gonghai.CustomerFields{
					Company: fmt.Sprintf("深圳恒泰%02d科技有限公司", f.n.Add(1)), Category: category, Region: "广东省/深圳市",
					Phone: fmt.Sprintf("137%08d", f.n.Load()), Email: fmt.Sprintf("c%d@example.com", f.n.Load())}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, filter := range []gonghai.CustomerFilter{{}, {Category: "B"}, {Category: "A", Region: "广东省"}} {
			var after string
			for range 3 {
				page, next, err := f.db.PoolCustomers(f.ctx, f.admin, p.ID, filter, gonghai.Page{After: after, Limit: 4})
				if err != nil {
					t.Fatal(err)
				}
				floor, err := f.db.FloorList(f.ctx, p.ID, filter, after, 5)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, c := range page {
					want = append(want, c.ID)
				}
				if !slices.Equal(floor[:len(want)], want) || (len(floor) > len(want)) != (next != "") {
					t.Fatalf("filter %+v after %q: floor read %v, the listing showed %v (next %q)", filter, after, floor, want, next)
				}
				after = next
			}
		}
		page, _, err := f.db.PoolCustomers(f.ctx, f.admin, p.ID, gonghai.CustomerFilter{}, gonghai.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		x, err := f.db.ExportCustomer(f.ctx, f.admin, page[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		c := x.Customer
		for _, look := range []struct{ field, value string }{{"phone", c.Phone}, {"email", c.Email}, {"company", c.Company[6:20]}} {
			ids, err := f.db.FloorLookup(f.ctx, p.ID, look.field, look.value, 51)
			if err != nil || len(ids) != 1 || ids[0] != c.ID {
				t.Errorf("floor look-up by %s %q: %v, %v; want %s", look.field, look.value, ids, err, c.ID)
			}
		}
		if ids, err := f.db.FloorLookup(f.ctx, p.ID, "company", "恒泰", 51); err != nil || len(ids) != 30 {
			t.Errorf("floor look-up by a common part: %d found (%v), want the pool's 30", len(ids), err)
		}
		if _, err := f.db.FloorLookup(f.ctx, p.ID, "region", "广东省", 51); err == nil {
			t.Errorf("floor look-up by region: no error")
		}
	})
}
