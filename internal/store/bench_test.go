package store_test

import (
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
