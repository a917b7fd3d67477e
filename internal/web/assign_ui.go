package web

// The pool's 分配策略 page (/admin/pools/{id}/assignment): how new
// customers of the pool are handed out — the strategy, who takes part and
// their weights, the performance window, the ordered routing rules — and
// beside it "接下来 10 条给谁", the store's preview under the saved
// settings. The store decides what is valid (SetAssignment) and who gets
// what (PreviewAssignment), as for the API.

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// assignPreviewSize is how many coming customers the preview places.
const assignPreviewSize = 10

// assignPageStore is what the assignment pages need of the database: the
// assignment engine's methods (store route*.go, distribute.go).
type assignPageStore interface {
	SetAssignment(ctx context.Context, actor gonghai.User, poolID string, a gonghai.Assignment) (gonghai.Pool, error)
	SetAway(ctx context.Context, actor gonghai.User, userID string, away gonghai.Away) (gonghai.User, error)
	Distribute(ctx context.Context, actor gonghai.User, poolID string, customerIDs, userIDs []string) ([]gonghai.DistributeResult, error)
	PreviewAssignment(ctx context.Context, actor gonghai.User, poolID, channelID string, n int) ([]gonghai.Decision, error)
	Unassigned(ctx context.Context, actor gonghai.User, p gonghai.Page) ([]store.UnassignedRow, string, error)
	RetryUnassigned(ctx context.Context, actor gonghai.User) (int, error)
}

// assignPage is what the 分配策略 page shows.
type assignPage struct {
	Pool       gonghai.Pool
	Form       assignForm
	Members    []memberPick
	Rules      []ruleView
	Strategies []gonghai.Strategy // the pool's choices
	Picks      []gonghai.Strategy // how a rule picks among its reps
	Depts      []deptRow
	Problem    string   // a refusal no field carries
	Problems   []string // the store's field problems, worded
	Unsaved    bool     // the form differs from what is saved: the preview is of the saved settings
	Preview    []previewPick
	PreviewErr string
}

// memberPick is one member of the pool in the editor: whether they take
// part, their weight, and what keeps them out of assignment now.
type memberPick struct {
	User   gonghai.User
	On     bool
	Weight string
	Err    string
	Status string // away / paused text, "" when available
}

// ruleView is one routing rule in the editor, with its choices marked.
type ruleView struct {
	routeRuleForm
	I, N       int // its place and the number of rules
	Cats       []choice
	SizeOpts   []choice
	UserOpts   []choice
	DeptOpts   []choice
	Strategies []gonghai.Strategy
}

// choice is one option of a list, marked when chosen.
type choice struct {
	Value, Label string
	On           bool
}

// previewPick is one place of the preview: who the next customer goes to
// and who was passed over, and why.
type previewPick struct {
	N        int
	Name     string // "" when nobody is eligible
	Strategy gonghai.Strategy
	Rule     string
	Reason   string
	Skipped  []string // "张三（休假）"
}

// assignmentPage shows a pool's assignment settings and the preview.
func (s *Server) assignmentPage(w http.ResponseWriter, r *http.Request, v *view) error {
	p, _, err := s.editablePool(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.showAssignment(w, r, v, http.StatusOK, assignPage{Pool: p, Form: assignFormOf(p.Assignment)})
}

// assignmentPost saves the settings, or, for one of the rules' buttons
// (add, remove, move), shows the form again changed and unsaved.
func (s *Server) assignmentPost(w http.ResponseWriter, r *http.Request, v *view) error {
	p, _, err := s.editablePool(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := parseAssignForm(r.PostForm)
	page := assignPage{Pool: p, Form: f}
	if op := r.PostForm.Get("op"); op != "" && op != "save" {
		f.edit(op)
		page.Form, page.Unsaved = f, true
		return s.showAssignment(w, r, v, http.StatusOK, page)
	}
	a, errs := f.assignment()
	if errs == nil {
		if _, err = s.store.SetAssignment(r.Context(), v.User, p.ID, a); err == nil {
			return s.seeOther(w, r, "/admin/pools/"+p.ID+"/assignment?flash=assign.flash.saved")
		}
		if gonghai.ErrorCode(err) != gonghai.EInvalid && gonghai.ErrorCode(err) != gonghai.EConflict {
			return err
		}
		page.Problem = v.ErrorText(err)
		page.Problems = fieldProblems(v, err)
	}
	page.Form.Errors = map[string]string{}
	for field, key := range errs {
		page.Form.Errors[field] = v.T(key)
	}
	page.Unsaved = true
	return s.showAssignment(w, r, v, http.StatusUnprocessableEntity, page)
}

// fieldProblems words the store's field problems of err, one line each,
// in a stable order.
func fieldProblems(v *view, err error) []string {
	fields := formFields(err, nil)
	var out []string
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		out = append(out, assignFieldLabel(v, field)+": "+fields[field])
	}
	return out
}

// assignFieldLabel names a field of the store's Assignment for the page:
// "rules.2.department_id" is 规则 3 · 部门.
func assignFieldLabel(v *view, field string) string {
	field = strings.TrimPrefix(field, "assignment.")
	parts := strings.FieldsFunc(field, func(r rune) bool { return r == '.' || r == '[' || r == ']' })
	if len(parts) >= 2 && parts[0] == "rules" {
		label := v.T("assign.rule.n", parts[1])
		if len(parts) > 2 {
			label += " · " + v.T("assign.field."+parts[2])
		}
		return label
	}
	if len(parts) > 0 && ui.catalogue.keys["assign.field."+parts[0]] {
		return v.T("assign.field." + parts[0])
	}
	return field
}

// showAssignment renders the page: the form's choices and the preview.
func (s *Server) showAssignment(w http.ResponseWriter, r *http.Request, v *view, status int, page assignPage) error {
	ctx := r.Context()
	users, err := s.seenUsers(ctx, v.User)
	if err != nil {
		return err
	}
	if page.Depts, err = s.departmentTree(ctx); err != nil {
		return err
	}
	page.Strategies = gonghai.Strategies
	page.Picks = []gonghai.Strategy{gonghai.StrategyRoundRobin, gonghai.StrategyWeighted, gonghai.StrategyLoadBalance, gonghai.StrategyPerformance}
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = u.Name
		if !u.Active || !poolMember(page.Pool, page.Depts, u) {
			continue
		}
		m := memberPick{User: u, On: slices.Contains(page.Form.Only, u.ID), Weight: page.Form.Weights[u.ID],
			Err: page.Form.Errors["weight."+u.ID], Status: awayText(v, u)}
		page.Members = append(page.Members, m)
	}
	for i, rf := range page.Form.Rules {
		rv := ruleView{routeRuleForm: rf, I: i, N: len(page.Form.Rules), Strategies: page.Picks}
		for _, c := range gonghai.Categories {
			rv.Cats = append(rv.Cats, choice{c, v.T("category." + c), slices.Contains(rf.Categories, c)})
		}
		for _, sz := range gonghai.Sizes {
			rv.SizeOpts = append(rv.SizeOpts, choice{sz, v.T("assign.size." + sz), slices.Contains(rf.Sizes, sz)})
		}
		for _, u := range users {
			if u.Active || slices.Contains(rf.UserIDs, u.ID) {
				rv.UserOpts = append(rv.UserOpts, choice{u.ID, u.Name, slices.Contains(rf.UserIDs, u.ID)})
			}
		}
		for _, d := range page.Depts {
			rv.DeptOpts = append(rv.DeptOpts, choice{d.ID, d.Label, d.ID == rf.DepartmentID})
		}
		page.Rules = append(page.Rules, rv)
	}
	decisions, err := s.store.PreviewAssignment(ctx, v.User, page.Pool.ID, "", assignPreviewSize)
	if err != nil {
		if code := gonghai.ErrorCode(err); code == gonghai.EInternal || code == "" {
			return err
		}
		page.PreviewErr = v.ErrorText(err)
	}
	page.Preview = previewPicks(v, decisions, names)
	v.Nav = "admin"
	return s.render(w, v, status, "assignment", page)
}

// previewPicks words the preview's decisions with the reps' names.
func previewPicks(v *view, ds []gonghai.Decision, names map[string]string) []previewPick {
	out := make([]previewPick, 0, len(ds))
	for i, d := range ds {
		p := previewPick{N: i + 1, Strategy: d.Strategy, Rule: d.Rule, Reason: assignReason(v, d.Reason)}
		if d.UserID != "" {
			p.Name = nameOr(v, names, d.UserID)
		}
		for _, id := range slices.Sorted(maps.Keys(d.Skipped)) {
			p.Skipped = append(p.Skipped, v.T("assign.skipped_one", nameOr(v, names, id), assignReason(v, d.Skipped[id])))
		}
		out = append(out, p)
	}
	return out
}

// nameOr is the name of user id, or a placeholder when the viewer does
// not see them.
func nameOr(v *view, names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return v.T("assign.someone")
}

// assignReason words a skip or queue reason: the catalogue's text for the
// known codes, else the store's own words.
func assignReason(v *view, reason string) string {
	if reason == "" {
		return ""
	}
	if key := "assign.reason." + reason; ui.catalogue.keys[key] {
		return v.T(key)
	}
	return reason
}

// poolMember reports whether u is a member of pool p, by name or by a
// member department at or above theirs.
func poolMember(p gonghai.Pool, depts []deptRow, u gonghai.User) bool {
	if slices.Contains(p.MemberUserIDs, u.ID) {
		return true
	}
	var own *gonghai.Department
	for i := range depts {
		if depts[i].ID == u.DepartmentID {
			own = &depts[i].Department
		}
	}
	if own == nil {
		return false
	}
	for _, d := range depts {
		if slices.Contains(p.MemberDepartmentIDs, d.ID) && d.Contains(*own) {
			return true
		}
	}
	return false
}

// awayText says what keeps u out of automatic assignment now: away until
// a day, or paused; "" when nothing does.
func awayText(v *view, u gonghai.User) string {
	switch {
	case awayNow(v.Now, u):
		return v.T("away.status.away", awayDay(v, u))
	case u.AssignPaused:
		return v.T("away.status.paused")
	}
	return ""
}

// awayNow reports whether u is away at now.
func awayNow(now time.Time, u gonghai.User) bool {
	return u.AwayUntil != nil && u.AwayUntil.After(now)
}
