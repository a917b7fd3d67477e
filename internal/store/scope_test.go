package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// team is a sales tree with customers: a pool of 销售部 whose rule takes a
// customer back 5 days without a follow-up, customers owned across both
// teams, gained on different days, and two in the pool.
type team struct {
	salesTree
	pool, other         gonghai.Pool
	byOwner             map[string][]string // owner id → customer ids
	unowned             []string
	all                 []string
	rep1A, rep1B, rep2A string
}

func newTeam(f *fixture) *team {
	f.t.Helper()
	tm := &team{salesTree: newSalesTree(f), byOwner: map[string][]string{}}
	tm.pool = f.pool("销售公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{tm.sales.ID},
		Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5})})
	tm.other = f.pool("华北二组公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{tm.north2.ID}})
	own := func(u gonghai.User, p gonghai.Pool, cat, company string) string {
		f.t.Helper()
		c, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: u.ID,
			CustomerFields: gonghai.CustomerFields{Company: company, Category: cat, Phone: phoneOf(f)}})
		if err != nil {
			f.t.Fatalf("create %s for %s: %v", company, u.Login, err)
		}
		tm.byOwner[u.ID] = append(tm.byOwner[u.ID], c.ID)
		tm.all = append(tm.all, c.ID)
		return c.ID
	}
	tm.rep1A = own(tm.rep1, tm.pool, "A", "北京恒信科技")
	f.clock.Advance(24 * time.Hour)
	tm.rep1B = own(tm.rep1, tm.pool, "B", "北京长城贸易")
	own(tm.rep1b, tm.pool, "A", "天津海河物流")
	tm.rep2A = own(tm.rep2, tm.pool, "A", "石家庄恒信机械")
	f.clock.Advance(24 * time.Hour)
	own(tm.rep1b, tm.pool, "C", "天津滨海化工")
	own(tm.rep2, tm.other, "B", "保定长城汽配")
	own(tm.mgr1, tm.pool, "B", "北京经理自留")
	for i := range 2 {
		c := f.newCustomer(f.admin, tm.pool.ID, gonghai.CustomerFields{Company: fmt.Sprintf("公海里的恒信%d", i+1), Phone: phoneOf(f)})
		tm.unowned, tm.all = append(tm.unowned, c.ID), append(tm.all, c.ID)
	}
	return tm
}

// phoneOf is a fresh mobile number.
func phoneOf(f *fixture) string { return fmt.Sprintf("139%08d", f.n.Add(1)) }

// scoped lists every page of viewer's customers that fl keeps, size rows a
// page, and checks that every page tells the same total.
func (f *fixture) scoped(viewer gonghai.User, fl gonghai.ScopeFilter, size int) ([]gonghai.Customer, int) {
	f.t.Helper()
	var out []gonghai.Customer
	pg, total := gonghai.Page{Limit: size}, -1
	for range 1000 {
		page, err := f.db.Customers(f.ctx, viewer, fl, pg)
		if err != nil {
			f.t.Fatalf("%s lists customers %+v: %v", viewer.Login, fl, err)
		}
		if total >= 0 && page.Total != total {
			f.t.Fatalf("%s: total %d on a later page, %d on the first", viewer.Login, page.Total, total)
		}
		total = page.Total
		out = append(out, page.Customers...)
		if pg.After = page.Next; page.Next == "" {
			return out, total
		}
	}
	f.t.Fatalf("%s: the listing does not end", viewer.Login)
	return nil, 0
}

func idsOf(cs []gonghai.Customer) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// TestCustomersScope: admins list every customer, a manager those owned in
// their department subtree and never another's, a rep their own; an owner
// outside the scope is no user.
func TestCustomersScope(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		tm := newTeam(f)
		of := func(us ...gonghai.User) []string {
			var ids []string
			for _, u := range us {
				ids = append(ids, tm.byOwner[u.ID]...)
			}
			return ids
		}
		for _, sc := range []struct {
			viewer gonghai.User
			want   []string
		}{
			{f.admin, tm.all},
			{tm.salesMgr, of(tm.rep1, tm.rep1b, tm.rep2, tm.mgr1)},
			{tm.mgr1, of(tm.rep1, tm.rep1b, tm.mgr1)},
			{tm.mgr2, of(tm.rep2)},
			{tm.rep1, of(tm.rep1)},
			{tm.rep2, of(tm.rep2)},
		} {
			for _, sort := range []string{gonghai.SortNewest, gonghai.SortUrgent} {
				fl := gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Sort: sort}}
				cs, total := f.scoped(sc.viewer, fl, 2)
				sameIDs(t, sc.viewer.Login+" "+sort, idsOf(cs), sc.want)
				if total != len(sc.want) {
					t.Errorf("%s %s: total %d, want %d", sc.viewer.Login, sort, total, len(sc.want))
				}
				for _, c := range cs {
					if c.OwnerID != sc.viewer.ID && c.Phone != "" && c.Phone != gonghai.MaskPhone(c.Phone) {
						t.Errorf("%s sees %s's phone in full", sc.viewer.Login, c.OwnerID)
					}
				}
			}
		}
		// One owner: within the scope, theirs alone; outside it, no user.
		cs, _ := f.scoped(tm.mgr1, gonghai.ScopeFilter{OwnerID: tm.rep1.ID}, 0)
		sameIDs(t, "mgr1's rep1", idsOf(cs), of(tm.rep1))
		for _, sc := range []struct{ viewer, owner gonghai.User }{{tm.mgr1, tm.rep2}, {tm.rep1, tm.rep1b}, {tm.mgr2, tm.mgr1}} {
			_, err := f.db.Customers(f.ctx, sc.viewer, gonghai.ScopeFilter{OwnerID: sc.owner.ID}, gonghai.Page{})
			wantField(t, err, "owner_id")
		}
		_, err := f.db.Customers(f.ctx, f.admin, gonghai.ScopeFilter{OwnerID: "nobody"}, gonghai.Page{})
		wantField(t, err, "owner_id")
	})
}

// TestCustomersFilters: the filters of a pool listing, and pool, deadline
// and unowned, page by page, with their totals; the urgent order puts the
// nearest deadline first.
func TestCustomersFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		tm := newTeam(f)
		mgr := tm.salesMgr
		check := func(what string, viewer gonghai.User, fl gonghai.ScopeFilter, want []string) []gonghai.Customer {
			t.Helper()
			cs, total := f.scoped(viewer, fl, 1)
			sameIDs(t, what, idsOf(cs), want)
			if total != len(want) {
				t.Errorf("%s: total %d, want %d", what, total, len(want))
			}
			return cs
		}
		check("category A", mgr, gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Category: "A"}},
			[]string{tm.rep1A, tm.byOwner[tm.rep1b.ID][0], tm.rep2A})
		check("company", mgr, gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Q: "恒信"}}, []string{tm.rep1A, tm.rep2A})
		check("company, urgent", tm.mgr1, gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Q: "恒信", Sort: gonghai.SortUrgent}},
			[]string{tm.rep1A})
		check("company and category", mgr, gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Q: "长城", Category: "B"}},
			[]string{tm.rep1B, tm.byOwner[tm.rep2.ID][1]})
		check("other pool", mgr, gonghai.ScopeFilter{PoolID: tm.other.ID}, []string{tm.byOwner[tm.rep2.ID][1]})
		check("owner and pool", mgr, gonghai.ScopeFilter{OwnerID: tm.rep2.ID, PoolID: tm.pool.ID}, []string{tm.rep2A})

		// Day 5, 09:00: rep1's first customer, gained on day 0, falls due
		// at the end of today; those gained on day 1 at the end of
		// tomorrow.
		f.clock.Set(dayAt(5, 9))
		urgent := gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Sort: gonghai.SortUrgent}, DueDays: 1}
		check("due today", mgr, urgent, []string{tm.rep1A})
		urgent.DueDays = 2
		cs := check("due within 2 days, urgent", mgr, urgent,
			[]string{tm.rep1A, tm.rep1B, tm.byOwner[tm.rep1b.ID][0], tm.rep2A})
		if cs[0].ID != tm.rep1A || cs[0].DaysLeft != 1 {
			t.Errorf("most urgent first: %s with %d days left, want %s with 1", cs[0].ID, cs[0].DaysLeft, tm.rep1A)
		}
		for i := 1; i < len(cs); i++ {
			if cs[i].Recycle.At.Before(cs[i-1].Recycle.At) {
				t.Errorf("urgent order: %s due %s after %s due %s", cs[i].ID, cs[i].Recycle.At, cs[i-1].ID, cs[i-1].Recycle.At)
			}
		}
		urgent.DueDays = 0
		all, _ := f.scoped(mgr, urgent, 3)
		if last := all[len(all)-1]; last.Recycle != nil {
			t.Errorf("urgent order: %s has a deadline but comes last", last.ID)
		}
		check("due within 2 days, rep1's", tm.mgr1, gonghai.ScopeFilter{DueDays: 2, OwnerID: tm.rep1.ID},
			[]string{tm.rep1A, tm.rep1B})

		// Unowned: a pool the viewer sees; an admin's of every pool.
		unowned := gonghai.ScopeFilter{Unowned: true, PoolID: tm.pool.ID, CustomerFilter: gonghai.CustomerFilter{Sort: gonghai.SortUrgent}}
		check("unowned of the pool", tm.mgr1, unowned, tm.unowned)
		check("unowned, any pool", f.admin, gonghai.ScopeFilter{Unowned: true}, tm.unowned)
		check("unowned of another pool", f.admin, gonghai.ScopeFilter{Unowned: true, PoolID: tm.other.ID}, nil)
		_, err := f.db.Customers(f.ctx, tm.rep1, gonghai.ScopeFilter{Unowned: true, PoolID: tm.other.ID}, gonghai.Page{})
		wantCode(t, err, gonghai.ENotFound)
		_, err = f.db.Customers(f.ctx, tm.mgr1, gonghai.ScopeFilter{Unowned: true}, gonghai.Page{})
		wantField(t, err, "pool_id")
		_, err = f.db.Customers(f.ctx, tm.mgr1, gonghai.ScopeFilter{DueDays: 91}, gonghai.Page{})
		wantField(t, err, "due_days")
	})
}

// TestTeamDay: who drops in the coming days and who followed up whom
// today, each within the viewer's scope.
func TestTeamDay(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		tm := newTeam(f)
		f.clock.Set(dayAt(5, 9))
		owners := func(viewer gonghai.User) map[string][]string {
			t.Helper()
			days, err := f.db.TeamDrops(f.ctx, viewer, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != 7 || days[0].Date != dateOf(5) {
				t.Fatalf("%s: %d days from %v, want 7 from %s", viewer.Login, len(days), days, dateOf(5))
			}
			out := map[string][]string{}
			for _, d := range days {
				for _, o := range d.Owners {
					for _, c := range o.Customers {
						out[o.OwnerName] = append(out[o.OwnerName], d.Date+" "+c.Company)
					}
				}
			}
			return out
		}
		want := map[string][]string{
			"rep.north1":  {dateOf(6) + " 北京恒信科技", dateOf(7) + " 北京长城贸易"},
			"rep.north1b": {dateOf(7) + " 天津海河物流", dateOf(8) + " 天津滨海化工"},
			"mgr.north1":  {dateOf(8) + " 北京经理自留"},
		}
		if got := owners(tm.mgr1); !equalLists(got, want) {
			t.Errorf("mgr1's drops: %v, want %v", got, want)
		}
		want["rep.north2"] = []string{dateOf(7) + " 石家庄恒信机械"} // the other pool has no rules
		if got := owners(f.admin); !equalLists(got, want) {
			t.Errorf("admin's drops: %v, want %v", got, want)
		}
		if got := owners(tm.rep2); !equalLists(got, map[string][]string{"rep.north2": want["rep.north2"]}) {
			t.Errorf("rep2's drops: %v", got)
		}

		f.logFollowUpAt(tm.rep1, tm.rep1A, "call", dayAt(4, 15)) // yesterday
		f.logFollowUp(tm.rep1, tm.rep1A, "call")
		f.clock.Advance(time.Minute)
		if _, err := f.db.AddFollowUp(f.ctx, tm.rep1, tm.rep1B, gonghai.NewFollowUp{Kind: "wechat", Content: "客户手机 13912345678 已加微信"}); err != nil {
			t.Fatal(err)
		}
		f.logFollowUp(tm.rep2, tm.rep2A, "visit")
		day, err := f.db.FollowUpsToday(f.ctx, tm.mgr1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(day) != 1 || day[0].UserID != tm.rep1.ID || day[0].Count != 2 || len(day[0].Latest) != 2 {
			t.Fatalf("mgr1's day: %+v, want rep1 with 2", day)
		}
		if got := day[0].Latest[0]; got.CustomerID != tm.rep1B || got.Company != "北京长城贸易" || got.Content == "" ||
			got.Content == "客户手机 13912345678 已加微信" {
			t.Errorf("latest first, masked for the manager: %+v", got)
		}
		mine, err := f.db.FollowUpsToday(f.ctx, tm.rep1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].Count != 2 || len(mine[0].Latest) != 1 || mine[0].Latest[0].Content != "客户手机 13912345678 已加微信" {
			t.Errorf("rep1's own day: %+v", mine)
		}
		all, err := f.db.FollowUpsToday(f.ctx, tm.salesMgr, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].UserID != tm.rep1.ID || all[1].UserID != tm.rep2.ID || all[1].Count != 1 {
			t.Errorf("the sales manager's day, busiest first: %+v", all)
		}
	})
}

func equalLists(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
