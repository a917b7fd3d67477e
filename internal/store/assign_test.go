package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// salesTree is a small organisation: 销售部 with two teams under it, a
// manager for each of the three departments and reps in the teams.
type salesTree struct {
	sales, north1, north2 gonghai.Department
	salesMgr, mgr1, mgr2  gonghai.User
	rep1, rep1b, rep2     gonghai.User
}

func newSalesTree(f *fixture) salesTree {
	f.t.Helper()
	var o salesTree
	o.sales = f.dept("销售部", "")
	o.north1 = f.dept("华北一组", o.sales.ID)
	o.north2 = f.dept("华北二组", o.sales.ID)
	o.salesMgr = f.user("mgr.sales", gonghai.RoleManager, o.sales.ID, nil)
	o.mgr1 = f.user("mgr.north1", gonghai.RoleManager, o.north1.ID, nil)
	o.mgr2 = f.user("mgr.north2", gonghai.RoleManager, o.north2.ID, nil)
	o.rep1 = f.user("rep.north1", gonghai.RoleRep, o.north1.ID, nil)
	o.rep1b = f.user("rep.north1b", gonghai.RoleRep, o.north1.ID, nil)
	o.rep2 = f.user("rep.north2", gonghai.RoleRep, o.north2.ID, nil)
	return o
}

// snapshot is a customer and its history as an admin sees them.
type snapshot struct {
	Customer gonghai.Customer
	History  []gonghai.Event
}

func (f *fixture) snap(id string) snapshot {
	f.t.Helper()
	return snapshot{f.customer(id), f.history(id)}
}

// unchanged fails unless customer id and its history are still as in s:
// a refused request changes nothing (invariant 8).
func (f *fixture) unchanged(id string, s snapshot) {
	f.t.Helper()
	if diff := cmp.Diff(s, f.snap(id)); diff != "" {
		f.t.Fatalf("customer %s changed after a refused request (-before +after):\n%s", id, diff)
	}
}

// wantRefused fails unless err carries one of codes.
func wantRefused(t testing.TB, err error, codes ...string) {
	t.Helper()
	if got := gonghai.ErrorCode(err); !slices.Contains(codes, got) {
		t.Fatalf("error code = %q (%v), want one of %q", got, err, codes)
	}
}

// wantField fails unless err is an invalid error naming field.
func wantField(t testing.TB, err error, field string) {
	t.Helper()
	wantCode(t, err, gonghai.EInvalid)
	var e *gonghai.Error
	if !errors.As(err, &e) || e.Fields[field] == "" {
		t.Fatalf("invalid error %v does not name field %q", err, field)
	}
}

// wantLastEvent fails unless the latest event of customer id is want,
// written now by the injected clock, numbered after the ones before it.
func (f *fixture) wantLastEvent(id string, want gonghai.Event) {
	f.t.Helper()
	h := f.history(id)
	if len(h) == 0 {
		f.t.Fatalf("customer %s has no events", id)
	}
	got := h[len(h)-1]
	if got.ID == "" {
		f.t.Fatalf("customer %s: event without an id: %+v", id, got)
	}
	want.ID, want.CustomerID, want.Seq, want.At = got.ID, id, len(h), f.clock.Now()
	if diff := cmp.Diff(want, got); diff != "" {
		f.t.Fatalf("customer %s: last event (-want +got):\n%s", id, diff)
	}
}

// give assigns (kind assigned) or transfers customer id to user to and
// checks the result, the stored customer, the chain and the event.
func (f *fixture) give(kind gonghai.EventKind, actor, to gonghai.User, id, reason string, force bool) gonghai.Customer {
	f.t.Helper()
	before := f.customer(id)
	var c gonghai.Customer
	var err error
	if kind == gonghai.EventAssigned {
		c, err = f.db.Assign(f.ctx, actor, id, to.ID, reason, force)
	} else {
		c, err = f.db.Transfer(f.ctx, actor, id, to.ID, reason, force)
	}
	if err != nil {
		f.t.Fatalf("%s: %s gives %s to %s (force %v): %v", kind, actor.Login, id, to.Login, force, err)
	}
	if c.ID != id || c.OwnerID != to.ID || c.PoolID != before.PoolID || c.OwnedSince == nil || !c.OwnedSince.Equal(f.clock.Now()) {
		f.t.Fatalf("%s returned %+v, want owner %s in pool %s since now", kind, c, to.ID, before.PoolID)
	}
	if after := f.customer(id); after.OwnerID != to.ID || after.PoolID != before.PoolID {
		f.t.Fatalf("after %s customer is at owner %q pool %q, want %q %q", kind, after.OwnerID, after.PoolID, to.ID, before.PoolID)
	}
	f.checkChain(id)
	f.wantLastEvent(id, gonghai.Event{Kind: kind, FromOwnerID: before.OwnerID, ToOwnerID: to.ID,
		FromPoolID: before.PoolID, ToPoolID: before.PoolID, ActorID: actor.ID, Reason: reason, Forced: force})
	return c
}

func (f *fixture) assign(actor, to gonghai.User, id, reason string) gonghai.Customer {
	f.t.Helper()
	return f.give(gonghai.EventAssigned, actor, to, id, reason, false)
}

func (f *fixture) transfer(actor, to gonghai.User, id, reason string) gonghai.Customer {
	f.t.Helper()
	return f.give(gonghai.EventTransferred, actor, to, id, reason, false)
}

// refuseGive fails unless the assign or transfer is refused with one of
// codes and leaves the customer and its history as they were.
func (f *fixture) refuseGive(kind gonghai.EventKind, actor, to gonghai.User, id string, force bool, codes ...string) {
	f.t.Helper()
	before := f.snap(id)
	var err error
	if kind == gonghai.EventAssigned {
		_, err = f.db.Assign(f.ctx, actor, id, to.ID, "测试", force)
	} else {
		_, err = f.db.Transfer(f.ctx, actor, id, to.ID, "测试", force)
	}
	wantRefused(f.t, err, codes...)
	f.unchanged(id, before)
}

// release releases customer id and checks that it went to pool wantPool
// with a released event.
func (f *fixture) release(actor gonghai.User, id, reason, toPoolID, wantPool string) {
	f.t.Helper()
	before := f.customer(id)
	c, err := f.db.Release(f.ctx, actor, id, reason, toPoolID)
	if err != nil {
		f.t.Fatalf("%s releases %s: %v", actor.Login, id, err)
	}
	if c.OwnerID != "" || c.PoolID != wantPool || c.OwnedSince != nil {
		f.t.Fatalf("release returned %+v, want unowned in pool %s", c, wantPool)
	}
	if after := f.customer(id); after.OwnerID != "" || after.PoolID != wantPool {
		f.t.Fatalf("after release customer is at owner %q pool %q, want unowned in %s", after.OwnerID, after.PoolID, wantPool)
	}
	f.checkChain(id)
	f.wantLastEvent(id, gonghai.Event{Kind: gonghai.EventReleased, FromOwnerID: before.OwnerID, FromPoolID: before.PoolID,
		ToPoolID: wantPool, ActorID: actor.ID, Reason: reason})
	if !slices.Contains(f.poolIDs(f.admin, wantPool, gonghai.CustomerFilter{}), id) {
		f.t.Fatalf("released customer %s is not listed in pool %s", id, wantPool)
	}
}

func (f *fixture) refuseRelease(actor gonghai.User, id, reason, toPoolID string, codes ...string) {
	f.t.Helper()
	before := f.snap(id)
	_, err := f.db.Release(f.ctx, actor, id, reason, toPoolID)
	wantRefused(f.t, err, codes...)
	f.unchanged(id, before)
}

// TestAssignPermissions: admins, pool admins (whatever their role) and
// managers for their own subtree assign; reps neither assign nor transfer.
func TestAssignPermissions(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		paRep := f.user("pool.admin.rep", gonghai.RoleRep, "", nil)
		paMgr := f.user("pool.admin.mgr", gonghai.RoleManager, o.north2.ID, nil)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID},
			AdminUserIDs: &[]string{paRep.ID, paMgr.ID}})
		ids := f.customers(p.ID, 10)

		f.assign(f.admin, o.rep1, ids[0], "分配给华北一组")
		f.clock.Advance(time.Minute)
		f.assign(paRep, o.rep2, ids[1], "")
		// A manager who administers the pool may assign outside their subtree.
		f.assign(paMgr, o.rep1, ids[2], "池管理员分配")

		// The manager of 华北一组 assigns to their team only.
		f.refuseGive(gonghai.EventAssigned, o.mgr1, o.rep2, ids[3], false, gonghai.EForbidden)
		f.refuseGive(gonghai.EventAssigned, o.mgr2, o.rep1, ids[3], false, gonghai.EForbidden)
		f.assign(o.mgr1, o.rep1b, ids[3], "组内分配")
		// The manager of 销售部 manages both teams.
		f.assign(o.salesMgr, o.rep1, ids[4], "")
		f.assign(o.salesMgr, o.rep2, ids[5], "")

		// A rep does not assign, even within their own team.
		f.refuseGive(gonghai.EventAssigned, o.rep1, o.rep1b, ids[6], false, gonghai.EForbidden)
		f.refuseGive(gonghai.EventAssigned, o.rep1, o.rep2, ids[6], false, gonghai.EForbidden)
		// Nor transfers: not their own customer away, nor someone else's to them.
		f.refuseGive(gonghai.EventTransferred, o.rep1, o.rep1b, ids[0], false, gonghai.EForbidden)
		f.refuseGive(gonghai.EventTransferred, o.rep2, o.rep1b, ids[1], false, gonghai.EForbidden)
		// Someone else's customer they do not even see.
		f.refuseGive(gonghai.EventTransferred, o.rep1, o.rep1, ids[1], false, gonghai.ENotFound)
	})
}

// TestAssignToSelf: Assign is for admins, pool admins and managers. A rep
// who "assigns" a pool customer to themselves is claiming it without the
// pool's rules: membership, hidden pools, daily limits, cooldowns, waits.
func TestAssignToSelf(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		open := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}, DailyClaimLimit: ptr(1)})
		notMine := f.pool("华南公海", gonghai.PoolInput{MemberUserIDs: &[]string{o.rep2.ID}})
		hidden := f.pool("重点客户池", gonghai.PoolInput{Hidden: ptr(true), MemberDepartmentIDs: &[]string{o.sales.ID}})
		for _, tc := range []struct {
			name   string
			actor  gonghai.User
			poolID string
			codes  []string
		}{
			{"rep, open pool they belong to", o.rep1, open.ID, []string{gonghai.EForbidden}},
			{"rep, pool they do not belong to", o.rep1, notMine.ID, []string{gonghai.EForbidden, gonghai.ENotFound}},
			{"rep, hidden pool", o.rep1, hidden.ID, []string{gonghai.EForbidden, gonghai.ENotFound}},
			{"manager, hidden pool they do not administer", o.mgr1, hidden.ID, []string{gonghai.EForbidden, gonghai.ENotFound}},
		} {
			id := f.customers(tc.poolID, 1)[0]
			before := f.snap(id)
			_, err := f.db.Assign(f.ctx, tc.actor, id, tc.actor.ID, "自己分给自己", false)
			if got := gonghai.ErrorCode(err); !slices.Contains(tc.codes, got) {
				t.Errorf("%s: %s assigns to themselves: code %q (%v), want one of %q", tc.name, tc.actor.Login, got, err, tc.codes)
			}
			if diff := cmp.Diff(before, f.snap(id)); diff != "" {
				t.Errorf("%s: customer changed (-before +after):\n%s", tc.name, diff)
			}
		}
	})
}

// TestAssignHiddenPool: a hidden pool is assign-only, and only for those who
// may see it: its pool admins and admins, not any manager.
func TestAssignHiddenPool(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		hiddenAdmin := f.user("hidden.admin", gonghai.RoleRep, o.north1.ID, nil)
		h := f.pool("重点客户池", gonghai.PoolInput{Hidden: ptr(true), MemberDepartmentIDs: &[]string{o.sales.ID},
			AdminUserIDs: &[]string{hiddenAdmin.ID, o.mgr2.ID}})
		ids := f.customers(h.ID, 4)

		// Members may not claim from it, nor learn that its customers exist.
		before := f.snap(ids[0])
		_, err := f.db.Claim(f.ctx, o.rep1, ids[0], h.ID)
		wantCode(t, err, gonghai.ENotFound)
		f.unchanged(ids[0], before)

		f.refuseGive(gonghai.EventAssigned, o.salesMgr, o.rep1, ids[0], false, gonghai.EForbidden, gonghai.ENotFound)
		f.refuseGive(gonghai.EventAssigned, o.mgr1, o.rep1, ids[0], false, gonghai.EForbidden, gonghai.ENotFound)
		f.assign(hiddenAdmin, o.rep1, ids[0], "重点客户分配")
		f.assign(o.mgr2, o.rep2, ids[1], "")
		f.assign(f.admin, o.rep1b, ids[2], "")
	})
}

// TestAssignHoldingLimits: assign and transfer respect holding limits; only
// an admin may force past them, and the event says so.
func TestAssignHoldingLimits(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		limited := f.user("rep.limited", gonghai.RoleRep, o.north1.ID, ptr(2))
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		ids := f.customers(p.ID, 8)

		f.assign(f.admin, limited, ids[0], "")
		f.assign(o.mgr1, limited, ids[1], "")
		f.refuseGive(gonghai.EventAssigned, f.admin, limited, ids[2], false, gonghai.EHoldingLimit)
		f.refuseGive(gonghai.EventAssigned, o.mgr1, limited, ids[2], false, gonghai.EHoldingLimit)
		f.assign(f.admin, o.rep1b, ids[3], "")
		f.refuseGive(gonghai.EventTransferred, f.admin, limited, ids[3], false, gonghai.EHoldingLimit)
		f.refuseGive(gonghai.EventTransferred, o.mgr1, limited, ids[3], false, gonghai.EHoldingLimit)

		// A manager may not force, whether or not the limit is reached.
		f.refuseGive(gonghai.EventAssigned, o.mgr1, limited, ids[2], true, gonghai.EForbidden)
		f.refuseGive(gonghai.EventAssigned, o.mgr1, o.rep1b, ids[4], true, gonghai.EForbidden)
		f.refuseGive(gonghai.EventTransferred, o.mgr1, limited, ids[3], true, gonghai.EForbidden)
		if c := f.customer(ids[2]); c.OwnerID != "" {
			t.Fatalf("customer %s owned by %s after a refused forced assign", ids[2], c.OwnerID)
		}

		// An admin may, and the events record it.
		f.clock.Advance(time.Hour)
		f.give(gonghai.EventAssigned, f.admin, limited, ids[2], "重点客户，特批", true)
		f.give(gonghai.EventTransferred, f.admin, limited, ids[3], "交接", true)
		mine, _, err := f.db.MyCustomers(f.ctx, limited, gonghai.CustomerFilter{}, gonghai.Page{})
		if err != nil || len(mine) != 4 {
			t.Fatalf("limited rep owns %d customers (%v), want 4", len(mine), err)
		}
		// Still at the limit without force.
		f.refuseGive(gonghai.EventAssigned, f.admin, limited, ids[5], false, gonghai.EHoldingLimit)

		// A pool's own holding limit.
		q := f.pool("限量公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}, HoldingLimit: ptr(1)})
		qids := f.customers(q.ID, 3)
		f.assign(f.admin, o.rep2, qids[0], "")
		f.refuseGive(gonghai.EventAssigned, f.admin, o.rep2, qids[1], false, gonghai.EHoldingLimit)
		f.refuseGive(gonghai.EventAssigned, o.mgr2, o.rep2, qids[1], false, gonghai.EHoldingLimit)
		f.assign(f.admin, o.rep1b, qids[1], "")
		f.refuseGive(gonghai.EventTransferred, f.admin, o.rep2, qids[1], false, gonghai.EHoldingLimit)
		// Customers of other pools do not count against this pool's limit.
		f.assign(f.admin, o.rep2, ids[6], "")
		f.assign(f.admin, o.rep1, qids[2], "")
	})
}

// TestAssignTransferStates: assign takes pool customers, transfer owned
// ones; a manager transfers only between users they manage.
func TestAssignTransferStates(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		ids := f.customers(p.ID, 4)
		nobody := gonghai.User{ID: "no-such-user", Login: "nobody"}

		f.assign(f.admin, o.rep1, ids[0], "")
		f.refuseGive(gonghai.EventAssigned, f.admin, o.rep2, ids[0], false, gonghai.EAlreadyClaimed)
		f.refuseGive(gonghai.EventAssigned, f.admin, o.rep1, ids[0], false, gonghai.EAlreadyClaimed)
		f.refuseGive(gonghai.EventAssigned, o.salesMgr, o.rep2, ids[0], false, gonghai.EAlreadyClaimed)
		f.refuseGive(gonghai.EventTransferred, f.admin, o.rep2, ids[1], false, gonghai.ENotOwner)
		f.refuseGive(gonghai.EventTransferred, f.admin, o.rep1, ids[0], false, gonghai.EInvalid)
		f.refuseGive(gonghai.EventAssigned, f.admin, nobody, ids[1], false, gonghai.EInvalid)
		f.refuseGive(gonghai.EventTransferred, f.admin, nobody, ids[0], false, gonghai.EInvalid)
		_, err := f.db.Assign(f.ctx, f.admin, "no-such-customer", o.rep1.ID, "", false)
		wantCode(t, err, gonghai.ENotFound)

		// Transfers by managers: they must manage the current owner and the new one.
		f.assign(f.admin, o.rep2, ids[1], "")
		f.refuseGive(gonghai.EventTransferred, o.mgr1, o.rep1, ids[1], false, gonghai.ENotFound) // not their team's: unseen
		f.refuseGive(gonghai.EventTransferred, o.mgr2, o.rep1, ids[1], false, gonghai.EForbidden)
		f.clock.Advance(24 * time.Hour)
		f.transfer(o.salesMgr, o.rep1, ids[1], "调岗交接")
		f.transfer(o.mgr1, o.rep1b, ids[1], "组内调整")
		f.transfer(f.admin, o.rep2, ids[1], "")
		h := f.history(ids[1])
		var kinds []gonghai.EventKind
		for _, e := range h {
			kinds = append(kinds, e.Kind)
		}
		want := []gonghai.EventKind{gonghai.EventCreated, gonghai.EventAssigned, gonghai.EventTransferred,
			gonghai.EventTransferred, gonghai.EventTransferred}
		if diff := cmp.Diff(want, kinds); diff != "" {
			t.Fatalf("event kinds (-want +got):\n%s", diff)
		}
	})
}

// TestAssignRace: twenty assigns of one pool customer to twenty reps at
// once: exactly one wins, every other hears already_claimed, and one
// assigned event is written.
func TestAssignRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		const n = 20
		team := f.dept("华东销售部", "")
		p := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		reps := make([]gonghai.User, n)
		for i := range reps {
			reps[i] = f.user(fmtLogin("rep", i), gonghai.RoleRep, team.ID, nil)
		}
		rounds := 5
		if testing.Short() {
			rounds = 2
		}
		for round := 0; round < rounds; round++ {
			id := f.customers(p.ID, 1)[0]
			var mu sync.Mutex
			var wg sync.WaitGroup
			counts := map[string]int{}
			winner := ""
			gate := make(chan struct{})
			for _, rep := range reps {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					c, err := f.db.Assign(f.ctx, f.admin, id, rep.ID, "抢单测试", false)
					mu.Lock()
					defer mu.Unlock()
					code := gonghai.ErrorCode(err)
					counts[code]++
					if code == "" {
						winner = rep.ID
						if c.OwnerID != rep.ID {
							counts[fmt.Sprintf("returned owner %s for %s", c.OwnerID, rep.ID)]++
						}
					} else if code != gonghai.EAlreadyClaimed {
						counts[err.Error()]++
					}
				}()
			}
			close(gate)
			wg.Wait()
			if counts[""] != 1 || counts[gonghai.EAlreadyClaimed] != n-1 || len(counts) != 2 {
				t.Fatalf("round %d: outcomes %v, want 1 success and %d %s", round, counts, n-1, gonghai.EAlreadyClaimed)
			}
			c, h := f.customer(id), f.history(id)
			if c.OwnerID != winner {
				t.Fatalf("round %d: customer owned by %q, winner was %q", round, c.OwnerID, winner)
			}
			if len(h) != 2 || h[1].Kind != gonghai.EventAssigned || h[1].ToOwnerID != winner || h[1].ActorID != f.admin.ID {
				t.Fatalf("round %d: events %+v, want created then one assignment to %s", round, h, winner)
			}
			f.checkChain(id)
		}
	})
}

// TestRelease: the owner, an admin or the owner's manager gives a customer
// back with a reason, to the pool's return pool or to another pool the
// owner belongs to.
func TestRelease(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		recycle := f.pool("回收池", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		routed := f.pool("展会线索", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}, ReturnPoolID: &recycle.ID})
		second := f.pool("二号公海", gonghai.PoolInput{MemberUserIDs: &[]string{o.rep1.ID}})
		foreign := f.pool("华南公海", gonghai.PoolInput{MemberUserIDs: &[]string{o.rep2.ID}})
		ids := f.customers(p.ID, 6)

		mustClaim(f, o.rep1, ids[0])
		f.refuseRelease(o.rep1, ids[0], "", "", gonghai.EInvalid)
		f.refuseRelease(o.rep1, ids[0], "  \t ", "", gonghai.EInvalid)
		// Others' customers are unseen.
		f.refuseRelease(o.rep1b, ids[0], "不要了", "", gonghai.ENotFound)
		f.refuseRelease(o.rep2, ids[0], "不要了", "", gonghai.ENotFound)
		f.refuseRelease(o.mgr2, ids[0], "不要了", "", gonghai.ENotFound)
		f.refuseRelease(o.rep1, ids[0], "换个池子", foreign.ID, gonghai.EInvalid)
		f.refuseRelease(o.rep1, ids[0], "换个池子", "no-such-pool", gonghai.EInvalid)
		f.clock.Advance(time.Hour)
		f.release(o.rep1, ids[0], "客户暂无需求", "", p.ID)
		f.refuseRelease(o.rep1, ids[0], "再放一次", "", gonghai.ENotOwner)

		mustClaim(f, o.rep1, ids[1])
		f.release(o.rep1, ids[1], "转到二号公海", second.ID, second.ID)

		mustClaim(f, o.rep1, ids[2])
		f.release(f.admin, ids[2], "离职交接", "", p.ID)
		mustClaim(f, o.rep1, ids[3])
		f.release(o.mgr1, ids[3], "长期未跟进", "", p.ID)
		mustClaim(f, o.rep1, ids[4])
		f.release(o.salesMgr, ids[4], "长期未跟进", "", p.ID)

		// A pool with a return pool sends released customers there.
		rid := f.customers(routed.ID, 1)[0]
		mustClaim(f, o.rep2, rid)
		f.release(o.rep2, rid, "展会结束", "", recycle.ID)
		if slices.Contains(f.poolIDs(f.admin, routed.ID, gonghai.CustomerFilter{}), rid) {
			t.Fatalf("customer %s released to the return pool is still listed in %s", rid, routed.Name)
		}
	})
}

// poolIDs lists every customer id of a pool listing as viewer sees it.
func (f *fixture) poolIDs(viewer gonghai.User, poolID string, filter gonghai.CustomerFilter) []string {
	f.t.Helper()
	var ids []string
	for _, c := range f.poolList(viewer, poolID, filter) {
		ids = append(ids, c.ID)
	}
	return ids
}

// poolList reads every page of a pool listing.
func (f *fixture) poolList(viewer gonghai.User, poolID string, filter gonghai.CustomerFilter) []gonghai.Customer {
	f.t.Helper()
	var out []gonghai.Customer
	page := gonghai.Page{}
	for i := 0; ; i++ {
		cs, next, err := f.db.PoolCustomers(f.ctx, viewer, poolID, filter, page)
		if err != nil {
			f.t.Fatalf("%s lists pool %s: %v", viewer.Login, poolID, err)
		}
		out = append(out, cs...)
		if next == "" {
			return out
		}
		if i > 1000 {
			f.t.Fatalf("pool %s listing does not end", poolID)
		}
		page.After = next
	}
}
