package store_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestReturns: a pool page says of each row who had it last and how it
// came back: released with the reason they gave (a number in it masked),
// or recycled by the rule that fired; a customer never owned has nothing
// to say; a customer claimed again says how it last came back.
func TestReturns(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rules := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 3}}}
		p := f.pool("深圳公海", gonghai.PoolInput{Recycle: &rules})
		rep := f.user("zhang", gonghai.RoleRep, "", nil)
		rival := f.user("li", gonghai.RoleRep, "", nil)
		if _, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID, rival.ID}}); err != nil {
			t.Fatal(err)
		}
		ids := f.customers(p.ID, 4)
		released, recycled, never, again := ids[0], ids[1], ids[2], ids[3]
		claim := func(u gonghai.User, id string) {
			t.Helper()
			if _, err := f.db.Claim(f.ctx, u, id, ""); err != nil {
				t.Fatal(err)
			}
		}
		claim(rep, released)
		claim(rep, again)
		releasedAt := f.clock.Now()
		if _, err := f.db.Release(f.ctx, rep, released, "客户说打 13800138000 再联系", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Release(f.ctx, rep, again, "换人跟进 13900139000", ""); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		claim(rival, recycled)
		f.clock.Advance(5 * 24 * time.Hour)
		due, err := f.db.DueRecycles(f.ctx, nil, 100)
		if err != nil || len(due) != 1 {
			t.Fatalf("due: %v, %v", due, err)
		}
		recycledAt := f.clock.Now()
		if ok, err := f.db.Recycle(f.ctx, due[0]); !ok || err != nil {
			t.Fatalf("recycle: %v, %v", ok, err)
		}
		claim(rival, again) // owned again: it last came back released by rep

		var cs []gonghai.Customer
		for _, id := range ids {
			cs = append(cs, f.customer(id))
		}
		got, err := f.db.Returns(f.ctx, rep, cs)
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := got[released]; !ok || r.Kind != gonghai.EventReleased || r.ByUserID != rep.ID || r.ByName != "zhang" ||
			r.Reason != "客户说打 138****8000 再联系" || r.Rule != "" || !r.At.Equal(releasedAt) {
			t.Errorf("released: %+v", r)
		}
		if r, ok := got[recycled]; !ok || r.Kind != gonghai.EventRecycled || r.ByUserID != rival.ID || r.ByName != "li" ||
			r.Rule != gonghai.RuleNoFollowUp || r.Reason != "" || !r.At.Equal(recycledAt) {
			t.Errorf("recycled: %+v", r)
		}
		if r, ok := got[never]; ok {
			t.Errorf("never owned, yet came back: %+v", r)
		}
		if r := got[again]; r.Kind != gonghai.EventReleased || r.ByUserID != rep.ID || r.Reason != "换人跟进 139****9000" {
			t.Errorf("claimed again: %+v", r)
		}
		// Its owner reads their own reason unmasked.
		mine, err := f.db.Returns(f.ctx, rival, []gonghai.Customer{f.customer(again)})
		if err != nil {
			t.Fatal(err)
		}
		if r := mine[again]; r.Reason != "换人跟进 13900139000" {
			t.Errorf("owner's view: %+v", r)
		}
		if got, err := f.db.Returns(f.ctx, rep, nil); err != nil || len(got) != 0 {
			t.Errorf("no rows: %v, %v", got, err)
		}
	})
}
