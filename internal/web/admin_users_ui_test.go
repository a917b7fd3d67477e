package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

func TestAdminUsers(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		admin := a.signedIn(t, "boss", "admin-pw")

		newUser := url.Values{"login": {"han.mei"}, "name": {"韩梅梅"}, "role": {"rep"}, "department_id": {a.dept.ID},
			"level": {"junior"}, "holding_limit": {""}, "password": {"han-mei-pw"}}
		r := admin.post("/admin/users", newUser)
		if r.Status != http.StatusSeeOther || r.Location() != "/admin/users?flash=admin.flash.user_created" {
			t.Fatalf("create user: %d to %q\n%.800s", r.Status, r.Location(), r.Body)
		}
		u, err := o.db.UserByLogin(o.ctx, "han.mei")
		if err != nil || u.DepartmentID != a.dept.ID || u.Level != "junior" || u.HoldingLimit != nil || !u.Active {
			t.Fatalf("the user created: %+v, %v", u, err)
		}
		newPage(t, o.srv.URL).signIn("han.mei", "han-mei-pw")

		// The list filters by text, role, department and state.
		r = admin.get("/admin/users?q=HAN&role=rep")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `data-login="han.mei"`) || strings.Contains(r.Body, `data-login="rep.li"`) {
			t.Fatalf("filtered list: %d\n%.1200s", r.Status, r.Body)
		}
		if r := admin.get("/admin/users?department=" + a.dept.ID); !strings.Contains(r.Body, `data-login="rep.li"`) ||
			strings.Contains(r.Body, `data-login="boss"`) {
			t.Fatalf("a department's users:\n%.1200s", r.Body)
		}

		// A refused form comes back with the field's problem and what was
		// typed, the password left out; nobody is created.
		taken := url.Values{"login": {"han.mei"}, "name": {"另一个"}, "role": {"rep"}, "password": {"short"}}
		r = admin.post("/admin/users", taken)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "8 到 200 个字符") ||
			!strings.Contains(r.Body, `value="另一个"`) || strings.Contains(r.Body, "short") {
			t.Fatalf("a refused new user: %d\n%.1200s", r.Status, r.Body)
		}
		taken.Set("password", "long-enough")
		if r := admin.post("/admin/users", taken); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "已被占用") {
			t.Fatalf("a taken login: %d\n%.1200s", r.Status, r.Body)
		}
		if us, _, _ := o.db.FilterUsers(o.ctx, o.admin, gonghai.UserFilter{Q: "han"}, gonghai.Page{}); len(us) != 1 {
			t.Fatalf("%d users named han after refusals, want 1", len(us))
		}

		// Level, limit and department change; a limit in words is refused.
		r = admin.post("/admin/users/"+u.ID, url.Values{"role": {"rep"}, "department_id": {""}, "level": {"senior"}, "holding_limit": {"多"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "请填写整数") {
			t.Fatalf("a limit in words: %d\n%.800s", r.Status, r.Body)
		}
		r = admin.post("/admin/users/"+u.ID, url.Values{"role": {"manager"}, "department_id": {""}, "level": {"senior"}, "holding_limit": {"80"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("edit user: %d\n%.800s", r.Status, r.Body)
		}
		if u, _ = o.db.User(o.ctx, o.admin, u.ID); u.Role != gonghai.RoleManager || u.Level != "senior" || u.DepartmentID != "" ||
			u.HoldingLimit == nil || *u.HoldingLimit != 80 {
			t.Fatalf("after the edit: %+v", u)
		}

		// A new password ends the old one; deactivating ends the user's
		// sessions and shows them so.
		han := newPage(t, o.srv.URL)
		han.signIn("han.mei", "han-mei-pw")
		if r := admin.post("/admin/users/"+u.ID+"/password", url.Values{"password": {"new-han-pw"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reset password: %d\n%.800s", r.Status, r.Body)
		}
		if r := han.get("/notifications"); r.Status != http.StatusSeeOther {
			t.Fatalf("after a new password the old session answers %d, want 303 to sign in", r.Status)
		}
		han.signIn("han.mei", "new-han-pw")
		if r := admin.post("/admin/users/"+u.ID+"/active", url.Values{"active": {"false"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d\n%.800s", r.Status, r.Body)
		}
		if u, _ = o.db.User(o.ctx, o.admin, u.ID); u.Active {
			t.Fatal("the user is still active")
		}
		if r := han.get("/notifications"); r.Status != http.StatusSeeOther {
			t.Fatalf("a deactivated user's session answers %d", r.Status)
		}
		if r := admin.get("/admin/users/" + u.ID); r.Status != http.StatusOK || !strings.Contains(r.Body, `data-test="inactive"`) ||
			!strings.Contains(r.Body, `data-test="activate"`) {
			t.Fatalf("a deactivated user's page: %d\n%.800s", r.Status, r.Body)
		}
		if r := admin.get("/admin/users?active=false"); !strings.Contains(r.Body, `data-login="han.mei"`) {
			t.Fatalf("deactivated users:\n%.800s", r.Body)
		}

		// An admin cannot deactivate themselves: no button, and the form is refused.
		if r := admin.get("/admin/users/" + o.admin.ID); strings.Contains(r.Body, `data-test="deactivate"`) {
			t.Error("an admin's own page offers to deactivate them")
		}
		if r := admin.post("/admin/users/"+o.admin.ID+"/active", url.Values{"active": {"false"}}); r.Status != http.StatusForbidden {
			t.Fatalf("self-deactivation: %d, want 403", r.Status)
		}
	})
}

func TestAdminDepartments(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		admin := a.signedIn(t, "boss", "admin-pw")
		if r := admin.post("/admin/departments", url.Values{"name": {"上海一组"}, "parent_id": {a.dept.ID}}); r.Status != http.StatusSeeOther {
			t.Fatalf("create department: %d\n%.800s", r.Status, r.Body)
		}
		r := admin.get("/admin/departments")
		i, j := strings.Index(r.Body, `data-depth="0">`+"\n      <span>华东组"), strings.Index(r.Body, `data-depth="1">`+"\n      <span>上海一组")
		if r.Status != http.StatusOK || i < 0 || j < i {
			t.Fatalf("the tree does not show 上海一组 under 华东组: %d\n%.1500s", r.Status, r.Body)
		}
		if r := admin.post("/admin/departments", url.Values{"name": {"  "}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "1 到 100 个字符") {
			t.Fatalf("a department without a name: %d\n%.800s", r.Status, r.Body)
		}
		if ds, _ := o.db.Departments(o.ctx); len(ds) != 2 {
			t.Fatalf("%d departments, want 2", len(ds))
		}
	})
}
