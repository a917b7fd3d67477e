package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestRuleEditOffWithWarnChange: switching every rule off in the same edit
// that changes the warning days clears every deadline and reminder, and
// the sweep takes nobody.
func TestRuleEditOffWithWarnChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		on := gonghai.RecycleRules{WarnDays: 3, Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5}}}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: &on})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.wantDeadline(id, dayStart(6), gonghai.RuleNoFollowUp)
		off := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Days: 5}}}
		f.setRules(p, &off)
		f.wantNoDeadline(id)
		if c := f.customer(id); c.Reminder != nil {
			t.Fatalf("reminder %s left after every rule was switched off", c.Reminder)
		}
		f.clock.Set(dayStart(7))
		if n := sweep(f); n != 0 {
			t.Fatalf("every rule is off, yet the sweep recycled %d", n)
		}
	})
}

// TestRuleEditRacesClaims: reps claim while an admin switches the pool's
// rule on and off; once the last edit switched it off, no owned customer
// may keep a deadline computed under the rule (invariant 4 under
// concurrency, where PostgreSQL's writers overlap).
func TestRuleEditRacesClaims(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		const reps, per = 6, 25
		var members []string
		users := make([]gonghai.User, reps)
		for i := range users {
			users[i] = f.user(fmt.Sprintf("rep%d", i), gonghai.RoleRep, "", nil)
			members = append(members, users[i].ID)
		}
		on := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5}}}
		off := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Days: 5}}}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &members, Recycle: &on})
		ids := make([]string, 0, reps*per)
		for range reps * per {
			ids = append(ids, f.ruleCustomer(p.ID, ""))
		}
		var wg sync.WaitGroup
		errs := make(chan error, reps*per)
		for i, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, id := range ids[i*per : (i+1)*per] {
					if _, err := f.db.Claim(f.ctx, u, id, ""); err != nil {
						errs <- err
					}
				}
			}()
		}
		for range 10 {
			for _, rs := range []*gonghai.RecycleRules{&on, &off} {
				if _, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{Recycle: rs}); err != nil {
					t.Fatal(err)
				}
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("claim: %v", err)
		}
		for _, id := range ids {
			if c := f.customer(id); c.OwnerID == "" || c.Recycle != nil || c.Reminder != nil {
				t.Fatalf("customer %s: owner %q, deadline %s after the rule was switched off", id, c.OwnerID, fmtDeadline(c.Recycle))
			}
		}
	})
}

// TestPoolAdminDoesNotWorkOthersCustomers: a pool admin sees the pool's
// owned customers but may not log follow-ups, orders or opportunities on
// another rep's customer, which would move or lift its deadline.
func TestPoolAdminDoesNotWorkOthersCustomers(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep.a", gonghai.RoleRep, "", nil)
		padmin := f.user("rep.x", gonghai.RoleRep, "", nil)
		on := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5}}}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, AdminUserIDs: &[]string{padmin.ID}, Recycle: &on})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.clock.Set(dayAt(4, 10))
		_, err := f.db.AddFollowUp(f.ctx, padmin, id, gonghai.NewFollowUp{Kind: "call", Content: "电话"})
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.CreateOrder(f.ctx, padmin, id, 100, dateOf(4))
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.CreateOpportunity(f.ctx, padmin, id, "年度采购", 1)
		wantCode(t, err, gonghai.EForbidden)
		f.wantDeadline(id, dayStart(6), gonghai.RuleNoFollowUp)
		if c := f.customer(id); c.Won || c.OpenOpportunities != 0 || c.LastFollowUp != nil {
			t.Fatalf("refused work changed the customer: %+v", c)
		}
	})
}

// TestNoteOnRecycledCustomer: a follow-up of a kind that does not count is
// still refused once the customer has gone back to the pool, so nothing is
// logged on a customer its former owner no longer has.
func TestNoteOnRecycledCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		on := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5}}}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: &on})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.clock.Set(dayAt(6, 1))
		if n := sweep(f); n != 1 {
			t.Fatalf("sweep recycled %d, want 1", n)
		}
		_, err := f.db.AddFollowUp(f.ctx, rep, id, gonghai.NewFollowUp{Kind: "note", Content: "备注"})
		wantCode(t, err, gonghai.EForbidden)
		list, _, err := f.db.FollowUps(f.ctx, f.admin, id, gonghai.Page{})
		if err != nil || len(list) != 0 {
			t.Fatalf("follow-ups after the refused note: %d, %v", len(list), err)
		}
	})
}
