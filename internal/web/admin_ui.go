package web

// What the admin pages share: the users and departments their lists
// offer, and the root's and store's field problems in the viewer's
// language.

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// adminStore is what the admin pages need of the database beyond what the
// API uses.
type adminStore interface {
	FilterUsers(ctx context.Context, viewer gonghai.User, f gonghai.UserFilter, p gonghai.Page) ([]gonghai.User, string, error)
	SetPassword(ctx context.Context, actor *gonghai.User, login, hash string) error
}

// allUsers reads every user viewer may see that match f, page by page.
func (s *Server) allUsers(ctx context.Context, viewer gonghai.User, f gonghai.UserFilter) ([]gonghai.User, error) {
	var out []gonghai.User
	pg := gonghai.Page{Limit: gonghai.MaxPageSize}
	for {
		us, next, err := s.store.FilterUsers(ctx, viewer, f, pg)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
		if next == "" {
			return out, nil
		}
		pg.After = next
	}
}

// deptRow is a department in the tree, at its depth.
type deptRow struct {
	gonghai.Department
	Depth int
	// Label is the department's name indented by its depth, for a select.
	Label string
}

// departmentTree returns the departments depth first, each after its
// parent: a path holds the ids from the root down, so ordering by path
// keeps every subtree together under its root.
func (s *Server) departmentTree(ctx context.Context) ([]deptRow, error) {
	ds, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ds, func(a, b gonghai.Department) int { return strings.Compare(a.Path, b.Path) })
	out := make([]deptRow, len(ds))
	for i, d := range ds {
		depth := max(0, strings.Count(d.Path, "/")-2)
		out[i] = deptRow{Department: d, Depth: depth, Label: strings.Repeat("　", depth) + d.Name}
	}
	return out, nil
}

// problemKeys name the catalogue's words for the problems the root and the
// store give most, so a Chinese admin reads them in Chinese; any other
// problem is shown as the root words it. None holds input.
var problemKeys = []struct {
	pattern *regexp.Regexp
	key     string
}{
	{regexp.MustCompile(`^a whole number$`), "admin.problem.number"},
	{regexp.MustCompile(`^1 to 100 characters$`), "admin.problem.name"},
	{regexp.MustCompile(`^1 to \d+( days)?$`), "admin.problem.days"},
	{regexp.MustCompile(`^0 to \d+$`), "admin.problem.range"},
	{regexp.MustCompile(`^taken$`), "admin.problem.taken"},
	{regexp.MustCompile(`^no such`), "admin.problem.no_such"},
	{regexp.MustCompile(`^8 to 200 characters$`), "admin.problem.password"},
	{regexp.MustCompile(`^masked or hidden$`), "admin.problem.mask"},
	{regexp.MustCompile(`^0 \(no maximum\)`), "admin.problem.max_days"},
	{regexp.MustCompile(`^categories are`), "admin.problem.category"},
	{regexp.MustCompile(`^an IANA time zone`), "admin.problem.zone"},
	{regexp.MustCompile(`^an http or https URL`), "admin.problem.url"},
	{regexp.MustCompile(`^levels named`), "admin.problem.levels"},
	{regexp.MustCompile(`^each level named once`), "admin.problem.levels"},
	{regexp.MustCompile(`^each stage named once`), "admin.problem.stages"},
	{regexp.MustCompile(`^1 to 64 letters`), "admin.problem.login"},
	{regexp.MustCompile(`^one of admin, manager, rep`), "admin.problem.role"},
	{regexp.MustCompile(`^0 or more`), "admin.problem.range"},
}

// localise returns fields with each problem in v's language.
func localise(v *view, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for field, problem := range fields {
		out[field] = problem
		for _, p := range problemKeys {
			if p.pattern.MatchString(problem) {
				out[field] = v.T(p.key)
				break
			}
		}
	}
	return out
}

// adminTab is one section of the admin area.
type adminTab struct {
	Href, Label string
	Current     bool
}

// AdminTabs lists the admin area's sections for the tabs atop its pages,
// the one the request is in marked.
func (v *view) AdminTabs() []adminTab {
	tabs := []adminTab{{"/admin/pools", v.T("nav.admin_pools"), false}, {"/admin/users", v.T("nav.admin_users"), false},
		{"/admin/departments", v.T("nav.admin_departments"), false}, {"/admin/settings", v.T("nav.admin_settings"), false},
		{"/admin/audit", v.T("nav.admin_audit"), false}, {"/admin/archive", v.T("nav.admin_archive"), false},
		{"/admin/channels", v.T("nav.admin_channels"), false}}
	for i := range tabs {
		tabs[i].Current = v.Path == tabs[i].Href || strings.HasPrefix(v.Path, tabs[i].Href+"/") || strings.HasPrefix(v.Path, tabs[i].Href+"?")
	}
	return tabs
}
