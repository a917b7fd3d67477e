package store_test

import (
	"testing"

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
