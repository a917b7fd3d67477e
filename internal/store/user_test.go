package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestUsers: logins are unique, roles are checked, and each viewer lists
// only the users they may see.
func TestUsers(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		_, err := f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "rep.north1", Name: "重名", Role: gonghai.RoleRep})
		wantCode(t, err, gonghai.ELoginTaken)
		_, err = f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "boss", Name: "老板", Role: "owner"})
		wantField(t, err, "role")
		_, err = f.db.CreateUser(f.ctx, &o.mgr1, gonghai.NewUser{Login: "new.rep", Name: "新人", Role: gonghai.RoleRep, DepartmentID: o.north1.ID})
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "new.rep", Name: "新人", Role: gonghai.RoleRep, DepartmentID: "no-such-dept"})
		wantField(t, err, "department_id")
		if _, err := f.db.UserByLogin(f.ctx, "new.rep"); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Fatalf("a refused user was created: %v", err)
		}
		loner := f.user("mgr.nodept", gonghai.RoleManager, "", nil)

		list := func(viewer gonghai.User, limit int) []string {
			t.Helper()
			var logins []string
			page := gonghai.Page{Limit: limit}
			for {
				us, next, err := f.db.Users(f.ctx, viewer, page)
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range us {
					logins = append(logins, u.Login)
				}
				if next == "" {
					return logins
				}
				page.After = next
			}
		}
		all := []string{"admin", "mgr.sales", "mgr.north1", "mgr.north2", "rep.north1", "rep.north1b", "rep.north2", "mgr.nodept"}
		for _, tc := range []struct {
			viewer gonghai.User
			want   []string
		}{
			{f.admin, all},
			{o.salesMgr, []string{"mgr.sales", "mgr.north1", "mgr.north2", "rep.north1", "rep.north1b", "rep.north2"}},
			{o.mgr1, []string{"mgr.north1", "rep.north1", "rep.north1b"}},
			{o.mgr2, []string{"mgr.north2", "rep.north2"}},
			{o.rep1, []string{"rep.north1"}},
			// A manager of no department manages no one.
			{loner, []string{"mgr.nodept"}},
		} {
			sameIDs(t, "users of "+tc.viewer.Login, list(tc.viewer, 0), tc.want)
			sameIDs(t, "users of "+tc.viewer.Login+" two at a time", list(tc.viewer, 2), tc.want)
		}
		if _, err := f.db.User(f.ctx, o.mgr1, o.rep2.ID); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Fatalf("manager reads a user of another team: %v", err)
		}
	})
}

// TestFilterUsers: the admin pages' user filter narrows what the viewer
// may see, never widens it; a password set through the web is an admin's.
func TestFilterUsers(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		mgr, err := f.db.CreateUser(f.ctx, nil, gonghai.NewUser{Login: "Mgr.Pct", Name: "百分_百%", Role: gonghai.RoleManager,
			DepartmentID: o.north2.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UpdateUser(f.ctx, f.admin, o.rep1b.ID, gonghai.UserPatch{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		list := func(viewer gonghai.User, uf gonghai.UserFilter) []string {
			t.Helper()
			us, _, err := f.db.FilterUsers(f.ctx, viewer, uf, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var logins []string
			for _, u := range us {
				logins = append(logins, u.Login)
			}
			return logins
		}
		for _, tc := range []struct {
			viewer gonghai.User
			filter gonghai.UserFilter
			want   []string
		}{
			{f.admin, gonghai.UserFilter{Q: "NORTH1"}, []string{"mgr.north1", "rep.north1", "rep.north1b"}},
			{f.admin, gonghai.UserFilter{Q: "north1", Role: gonghai.RoleRep, Active: "true"}, []string{"rep.north1"}},
			{f.admin, gonghai.UserFilter{Active: "false"}, []string{"rep.north1b"}},
			{f.admin, gonghai.UserFilter{DepartmentID: o.north2.ID}, []string{"mgr.north2", "rep.north2", "Mgr.Pct"}},
			// % and _ are themselves, not wildcards.
			{f.admin, gonghai.UserFilter{Q: "百%"}, []string{"Mgr.Pct"}},
			{f.admin, gonghai.UserFilter{Q: "分%"}, nil},
			{f.admin, gonghai.UserFilter{Q: "r_p"}, nil},
			{f.admin, gonghai.UserFilter{Q: "mgr.p"}, []string{"Mgr.Pct"}},
			{o.mgr1, gonghai.UserFilter{Q: "north"}, []string{"mgr.north1", "rep.north1", "rep.north1b"}},
			{o.rep1, gonghai.UserFilter{Role: gonghai.RoleRep}, []string{"rep.north1"}},
		} {
			sameIDs(t, tc.viewer.Login+" filters users", list(tc.viewer, tc.filter), tc.want)
		}
		_, _, err = f.db.FilterUsers(f.ctx, f.admin, gonghai.UserFilter{Role: "owner"}, gonghai.Page{})
		wantField(t, err, "role")

		err = f.db.SetPassword(f.ctx, &o.mgr1, mgr.Login, "$argon2id$x")
		wantCode(t, err, gonghai.EForbidden)
		if err := f.db.SetPassword(f.ctx, &f.admin, mgr.Login, "$argon2id$x"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAuditDateRange: the audit log's time bounds take From and leave To
// out, so consecutive days never list an entry twice.
func TestAuditDateRange(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		start := f.clock.Now()
		var ids []string
		for i := range 3 {
			u := f.user("dated"+string(rune('a'+i)), gonghai.RoleRep, "", nil)
			ids = append(ids, u.ID)
			f.clock.Advance(24 * time.Hour)
		}
		for _, tc := range []struct {
			from, to time.Time
			want     []string
		}{
			{start, start.Add(24 * time.Hour), ids[:1]},
			{start.Add(24 * time.Hour), time.Time{}, ids[1:]},
			{time.Time{}, start.Add(48 * time.Hour), ids[:2]},
		} {
			log, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditUserChange, From: tc.from, To: tc.to}, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range log {
				if slices.Contains(ids, e.TargetID) {
					got = append(got, e.TargetID)
				}
			}
			sameIDs(t, "audited users", got, tc.want)
		}
	})
}
