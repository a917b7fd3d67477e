package web

// The user and department pages of the admin area: list and filter users,
// create one, change their department, level and limit, deactivate them
// or give them a new password; the department tree and new departments.

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
)

// usersPageSize is how many users one page of the list shows.
const usersPageSize = 50

// usersPage is the user list's data.
type usersPage struct {
	Users       []userRow
	Filter      gonghai.UserFilter
	Next        string // the next page's key, "" on the last
	Departments []deptRow
	Roles       []gonghai.Role
	Form        userForm // the create form, as typed when refused
	Open        bool     // the create form is open: it was refused
}

// userRow is a user of the list with their department's name and the
// holding limit that applies to them.
type userRow struct {
	User       gonghai.User
	Department string
	Limit      int
	Limited    bool
}

var roles = []gonghai.Role{gonghai.RoleRep, gonghai.RoleManager, gonghai.RoleAdmin}

// adminUsersPage lists the users that match the filter: admins only.
func (s *Server) adminUsersPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "manages users"); err != nil {
		return err
	}
	return s.showUsers(w, r, v, http.StatusOK, userForm{}, false)
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, v *view, status int, form userForm, open bool) error {
	q := r.URL.Query()
	f := gonghai.UserFilter{Q: strings.TrimSpace(q.Get("q")), Role: gonghai.Role(q.Get("role")),
		DepartmentID: q.Get("department"), Active: q.Get("active")}
	if err := f.Validate(); err != nil {
		f = gonghai.UserFilter{} // a filter no user matches is shown as none
	}
	ctx := r.Context()
	us, next, err := s.store.FilterUsers(ctx, v.User, f, gonghai.Page{After: q.Get("after"), Limit: usersPageSize})
	if err != nil {
		return err
	}
	page := usersPage{Filter: f, Next: next, Roles: roles, Form: form, Open: open}
	if page.Departments, err = s.departmentTree(ctx); err != nil {
		return err
	}
	if page.Users, err = s.userRows(ctx, us); err != nil {
		return err
	}
	v.Nav = "admin"
	return s.render(w, v, status, "admin_users", page)
}

// userRows adds to each user their department's name and the holding
// limit the settings give them (gonghai.Settings.OverallLimit).
func (s *Server) userRows(ctx context.Context, us []gonghai.User) ([]userRow, error) {
	st, err := s.store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, d := range ds {
		names[d.ID] = d.Name
	}
	out := make([]userRow, len(us))
	for i, u := range us {
		limit, ok := st.OverallLimit(u)
		out[i] = userRow{User: u, Department: names[u.DepartmentID], Limit: limit, Limited: ok}
	}
	return out, nil
}

// createUserPost creates the user the form describes, with the password
// typed, or shows the list again with the form and what is wrong.
func (s *Server) createUserPost(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "creates users"); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gonghai.Invalid("form", "unreadable form")
	}
	f, in, pw, err := parseUserForm(r.PostForm)
	if err == nil {
		if in.PasswordHash, err = password.Hash(r.Context(), pw); err != nil {
			return err
		}
		if _, err = s.store.CreateUser(r.Context(), &v.User, in); err == nil {
			return s.seeOther(w, r, "/admin/users?"+url.Values{"flash": {"admin.flash.user_created"}}.Encode())
		}
	}
	fields := formFields(err, nil)
	if gonghai.ErrorCode(err) == gonghai.ELoginTaken {
		fields = map[string]string{"login": "taken"}
	}
	if fields == nil {
		return err
	}
	f.Errors = localise(v, fields)
	return s.showUsers(w, r, v, http.StatusUnprocessableEntity, f, true)
}

// userPage is the editor of one user.
type userPage struct {
	User        gonghai.User
	Departments []deptRow
	Roles       []gonghai.Role
	Errors      map[string]string
	Self        bool // the viewer: who cannot demote or deactivate themselves
}

// userEditPage shows one user's editor.
func (s *Server) userEditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	u, err := s.editableUser(r, v)
	if err != nil {
		return err
	}
	return s.showUser(w, r, v, http.StatusOK, u, nil)
}

// editableUser reads the user of the path, refusing all but admins first
// so that nobody else learns who exists.
func (s *Server) editableUser(r *http.Request, v *view) (gonghai.User, error) {
	if err := gonghai.AdminOnly(v.User, "manages users"); err != nil {
		return gonghai.User{}, err
	}
	return s.store.User(r.Context(), v.User, r.PathValue("id"))
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request, v *view, status int, u gonghai.User, errs map[string]string) error {
	ds, err := s.departmentTree(r.Context())
	if err != nil {
		return err
	}
	v.Nav = "admin"
	return s.render(w, v, status, "admin_user", userPage{User: u, Departments: ds, Roles: roles, Errors: errs, Self: u.ID == v.User.ID})
}

// updateUserPost saves the editor: role, department, level and limit.
func (s *Server) updateUserPost(w http.ResponseWriter, r *http.Request, v *view) error {
	u, err := s.editableUser(r, v)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gonghai.Invalid("form", "unreadable form")
	}
	p, err := parseUserPatch(r.PostForm)
	if err == nil {
		if _, err = s.store.UpdateUser(r.Context(), v.User, u.ID, p); err == nil {
			return s.seeOther(w, r, "/admin/users/"+u.ID+"?flash=admin.flash.user_saved")
		}
	}
	return s.refusedUser(w, r, v, u, err)
}

// refusedUser shows the editor again with what is wrong; a refusal no
// field carries (demoting oneself) goes to the error page.
func (s *Server) refusedUser(w http.ResponseWriter, r *http.Request, v *view, u gonghai.User, err error) error {
	fields := formFields(err, nil)
	if fields == nil {
		return err
	}
	return s.showUser(w, r, v, http.StatusUnprocessableEntity, u, localise(v, fields))
}

// userActivePost deactivates a user (their sessions and tokens end) or
// lets them in again.
func (s *Server) userActivePost(w http.ResponseWriter, r *http.Request, v *view) error {
	u, err := s.editableUser(r, v)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "true"
	if _, err := s.store.UpdateUser(r.Context(), v.User, u.ID, gonghai.UserPatch{Active: &active}); err != nil {
		return err
	}
	flash := "admin.flash.user_deactivated"
	if active {
		flash = "admin.flash.user_activated"
	}
	return s.seeOther(w, r, "/admin/users/"+u.ID+"?flash="+flash)
}

// userPasswordPost gives a user a new password: their sessions and tokens
// end, as when the command line sets one.
func (s *Server) userPasswordPost(w http.ResponseWriter, r *http.Request, v *view) error {
	u, err := s.editableUser(r, v)
	if err != nil {
		return err
	}
	pw := r.PostFormValue("password")
	if err := checkPassword("password", pw); err != nil {
		return s.refusedUser(w, r, v, u, err)
	}
	hash, err := password.Hash(r.Context(), pw)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), &v.User, u.Login, hash); err != nil {
		return s.refusedUser(w, r, v, u, err)
	}
	return s.seeOther(w, r, "/admin/users/"+u.ID+"?flash=admin.flash.password_set")
}

// departmentsPage is the department tree's data.
type departmentsPage struct {
	Departments []deptRow
	Name        string
	ParentID    string
	Errors      map[string]string
}

// adminDepartmentsPage shows the department tree and the form of a new
// department: admins only.
func (s *Server) adminDepartmentsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "manages departments"); err != nil {
		return err
	}
	return s.showDepartments(w, r, v, http.StatusOK, departmentsPage{ParentID: r.URL.Query().Get("parent")})
}

func (s *Server) showDepartments(w http.ResponseWriter, r *http.Request, v *view, status int, page departmentsPage) error {
	var err error
	if page.Departments, err = s.departmentTree(r.Context()); err != nil {
		return err
	}
	v.Nav = "admin"
	return s.render(w, v, status, "admin_departments", page)
}

// createDepartmentPost adds a department under the parent chosen.
func (s *Server) createDepartmentPost(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "creates departments"); err != nil {
		return err
	}
	page := departmentsPage{Name: r.PostFormValue("name"), ParentID: r.PostFormValue("parent_id")}
	_, err := s.store.CreateDepartment(r.Context(), v.User, page.Name, page.ParentID)
	if err == nil {
		return s.seeOther(w, r, "/admin/departments?flash=admin.flash.department_created")
	}
	fields := formFields(err, nil)
	if fields == nil {
		return err
	}
	page.Errors = localise(v, fields)
	return s.showDepartments(w, r, v, http.StatusUnprocessableEntity, page)
}
