package store_test

import (
	"errors"
	"testing"

	"github.com/gonghai/gonghai"
)

// conflictWorld is an organisation with two teams under one root: a
// manager over everything, one manager per team and one rep in each team;
// a pool every rep is a member of, with a no-follow-up rule.
type conflictWorld struct {
	*fixture
	boss, mgrA, mgrB, repA, repB gonghai.User
	pool                         gonghai.Pool
}

func newConflictWorld(f *fixture) *conflictWorld {
	f.t.Helper()
	root := f.dept("销售部", "")
	a, b := f.dept("华东", root.ID), f.dept("华南", root.ID)
	w := &conflictWorld{fixture: f,
		boss: f.user("boss", gonghai.RoleManager, root.ID, nil),
		mgrA: f.user("mgra", gonghai.RoleManager, a.ID, nil), mgrB: f.user("mgrb", gonghai.RoleManager, b.ID, nil),
		repA: f.user("repa", gonghai.RoleRep, a.ID, nil), repB: f.user("repb", gonghai.RoleRep, b.ID, nil)}
	w.pool = f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{w.repA.ID, w.repB.ID}, Recycle: &gonghai.RecycleRules{
		Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10}}}})
	return w
}

// owned creates a customer with company and phone owned by u.
func (w *conflictWorld) owned(u gonghai.User, company, phone string) gonghai.Customer {
	w.t.Helper()
	c, err := w.db.CreateCustomer(w.ctx, w.admin, gonghai.NewCustomer{AllowSimilar: true, PoolID: w.pool.ID, OwnerID: u.ID,
		CustomerFields: gonghai.CustomerFields{Company: company, Phone: phone}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// conflict records that actor tried company, matching customer matched
// (and created newID anyway, when set).
func (w *conflictWorld) conflict(actor gonghai.User, matched gonghai.Customer, newID string) gonghai.Conflict {
	w.t.Helper()
	kind := gonghai.ConflictRefused
	if newID != "" {
		kind = gonghai.ConflictSimilar
	}
	k, err := w.db.SeedConflict(w.ctx, gonghai.Conflict{Kind: kind, At: w.clock.Now(), ActorID: actor.ID, Field: "company",
		Company: matched.Company, MatchedID: matched.ID, MatchedOwnerID: matched.OwnerID, NewID: newID})
	if err != nil {
		w.t.Fatal(err)
	}
	return k
}

// TestConflictScope: admins see every conflict, managers those whose actor
// or matched owner is in their subtree, reps none; a manager cannot read
// or resolve one outside it, and the open count follows the scope.
func TestConflictScope(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		other := f.dept("华北", "")
		mgrC := f.user("mgrc", gonghai.RoleManager, other.ID, nil)
		repC := f.user("repc", gonghai.RoleRep, other.ID, nil)
		matched := w.owned(w.repB, "北京星辰科技有限公司", "13800000001")
		k := w.conflict(w.repA, matched, "")
		inC := w.conflict(repC, w.owned(repC, "上海月光有限公司", "13800000002"), "")
		for _, c := range []struct {
			who  gonghai.User
			want []string
		}{{w.admin, []string{inC.ID, k.ID}}, {w.boss, []string{k.ID}}, {w.mgrA, []string{k.ID}}, {w.mgrB, []string{k.ID}},
			{mgrC, []string{inC.ID}}} {
			pg, err := f.db.Conflicts(f.ctx, c.who, gonghai.ConflictFilter{}, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range pg.Conflicts {
				got = append(got, v.ID)
			}
			if len(got) != len(c.want) || pg.Open != len(c.want) {
				t.Errorf("%s lists %v (open %d), want %v", c.who.Login, got, pg.Open, c.want)
			}
			if n, _ := f.db.OpenConflicts(f.ctx, c.who); n != len(c.want) {
				t.Errorf("%s's badge counts %d, want %d", c.who.Login, n, len(c.want))
			}
		}
		_, err := f.db.Conflicts(f.ctx, w.repA, gonghai.ConflictFilter{}, gonghai.Page{})
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.Conflict(f.ctx, mgrC, k.ID)
		wantCode(t, err, gonghai.ENotFound)
		_, err = f.db.ResolveConflict(f.ctx, mgrC, k.ID, gonghai.Resolution{Action: gonghai.ActionDismiss})
		wantCode(t, err, gonghai.ENotFound)
		d, err := f.db.Conflict(f.ctx, w.mgrA, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The actor's manager sees the conflict but not the other team's customer.
		if d.Matched != nil || d.MatchedCompany != matched.Company || d.ActorName != "repa" || d.MatchedOwnerName != "repb" {
			t.Errorf("manager A's view: %+v", d)
		}
		if d, err = f.db.Conflict(f.ctx, w.mgrB, k.ID); err != nil || d.Matched == nil || d.Matched.Phone == "13800000001" {
			t.Errorf("the owner's manager sees the customer masked: %+v, %v", d.Matched, err)
		}
		// Filters: by department (the actor's), status, kind.
		pg, err := f.db.Conflicts(f.ctx, w.admin, gonghai.ConflictFilter{DepartmentID: other.ID}, gonghai.Page{})
		if err != nil || len(pg.Conflicts) != 1 || pg.Conflicts[0].ID != inC.ID {
			t.Errorf("by department: %+v, %v", pg.Conflicts, err)
		}
		if _, err := f.db.ResolveConflict(f.ctx, w.mgrB, k.ID, gonghai.Resolution{Action: gonghai.ActionKeep, Note: "先到先得"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.ResolveConflict(f.ctx, w.mgrA, k.ID, gonghai.Resolution{Action: gonghai.ActionGive})
		wantCode(t, err, gonghai.EConflict)
		pg, err = f.db.Conflicts(f.ctx, w.admin, gonghai.ConflictFilter{Status: gonghai.ConflictKept}, gonghai.Page{Limit: 1})
		if err != nil || len(pg.Conflicts) != 1 || pg.Conflicts[0].ResolvedByName != "mgrb" || pg.Open != 1 || pg.Next != "" {
			t.Errorf("kept: %+v, %v", pg, err)
		}
		if es := f.auditOf(gonghai.AuditConflict); len(es) != 1 || es[0].TargetID != k.ID || es[0].Detail["action"] != "keep" {
			t.Errorf("audit: %+v", es)
		}
	})
}

// TestConflictGive: giving the matched customer to the claimant is a
// transfer under the claimant's holding limit: refused past it (the
// conflict stays open), then one event and a deadline under the new owner.
func TestConflictGive(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		one := 1
		if _, err := f.db.UpdateUser(f.ctx, f.admin, w.repA.ID, gonghai.UserPatch{HoldingLimit: &one}); err != nil {
			t.Fatal(err)
		}
		w.owned(w.repA, "已有客户有限公司", "13800000009")
		matched := w.owned(w.repB, "北京星辰科技有限公司", "13800000001")
		k := w.conflict(w.repA, matched, "")
		_, err := f.db.ResolveConflict(f.ctx, w.boss, k.ID, gonghai.Resolution{Action: gonghai.ActionGive})
		wantCode(t, err, gonghai.EHoldingLimit)
		if d, _ := f.db.Conflict(f.ctx, w.boss, k.ID); d.Status != gonghai.ConflictOpen {
			t.Errorf("a refused give left the conflict %s", d.Status)
		}
		two := 2
		if _, err := f.db.UpdateUser(f.ctx, f.admin, w.repA.ID, gonghai.UserPatch{HoldingLimit: &two}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(24 * 3600e9)
		v, err := f.db.ResolveConflict(f.ctx, w.boss, k.ID, gonghai.Resolution{Action: gonghai.ActionGive, Note: "客户先找的A"})
		if err != nil || v.Status != gonghai.ConflictGiven {
			t.Fatalf("give: %+v, %v", v, err)
		}
		c := f.customer(matched.ID)
		h := f.history(matched.ID)
		if c.OwnerID != w.repA.ID || len(h) != 2 || h[1].Kind != gonghai.EventTransferred || h[1].ToOwnerID != w.repA.ID {
			t.Errorf("given: owner %s, history %+v", c.OwnerID, h)
		}
		f.wantDeadline(matched.ID, dayStart(12), gonghai.RuleNoFollowUp)
		f.checkChain(matched.ID)
	})
}

// TestConflictRates: new customers and conflicts per department and month.
func TestConflictRates(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		matched := w.owned(w.repB, "北京星辰科技有限公司", "13800000001")
		for range 2 {
			w.conflict(w.repA, matched, "")
		}
		for _, company := range []string{"东方红机械有限公司", "西湖茶业有限公司", "南山电子有限公司", "北岭矿业有限公司"} {
			if _, err := f.db.CreateCustomer(f.ctx, w.repA, gonghai.NewCustomer{PoolID: w.pool.ID, OwnerID: w.repA.ID,
				CustomerFields: gonghai.CustomerFields{Company: company}}); err != nil {
				t.Fatal(err)
			}
		}
		month := start.In(rulesLoc).Format("2006-01")
		rs, err := f.db.ConflictRates(f.ctx, w.mgrA, month, month)
		if err != nil || len(rs) != 1 || rs[0].DepartmentID != w.repA.DepartmentID || rs[0].Created != 4 || rs[0].Conflicts != 2 {
			t.Fatalf("manager A's rates: %+v, %v", rs, err)
		}
		if r, ok := rs[0].Rate(); !ok || r != 50 {
			t.Errorf("rate %v %v, want 50", r, ok)
		}
		if rs, err := f.db.ConflictRates(f.ctx, w.mgrB, month, month); err != nil || len(rs) != 0 {
			t.Errorf("manager B reads no month of A's (the admin created B's customer): %+v, %v", rs, err)
		}
		_, err = f.db.ConflictRates(f.ctx, w.repA, month, month)
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.ConflictRates(f.ctx, w.admin, "2026-13", month)
		wantCode(t, err, gonghai.EInvalid)
	})
}

// mergedTo fails unless customer id answers EMerged naming survivor.
func (f *fixture) mergedTo(viewer gonghai.User, id, survivor string) {
	f.t.Helper()
	_, err := f.db.Customer(f.ctx, viewer, id)
	var e *gonghai.Error
	if !errors.As(err, &e) || e.Code != gonghai.EMerged || e.MergedInto != survivor {
		f.t.Errorf("customer %s answers %v, want merged into %s", id, err, survivor)
	}
}
