package web

// The pool's 分配策略 page (/admin/pools/{id}/assignment): how new
// customers of the pool are handed out — the strategy, who takes part and
// their weights, the performance window, the ordered routing rules — and
// beside it "接下来 10 条给谁", the store's preview under the saved
// settings. The store decides what is valid (SetAssignment) and who gets
// what (PreviewAssignment), as for the API.

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// assignPreviewSize is how many coming customers the preview places.
const assignPreviewSize = 10

// assignPageStore is what the assignment pages need of the database
// beyond the assignment API's assignStore: the settings alone, as the
// page saves them.
type assignPageStore interface {
	SetAssignment(ctx context.Context, actor gonghai.User, poolID string, a gonghai.Assignment) (gonghai.Pool, error)
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
	Problems   []string // the store's problems no field of the page shows
	RuleErrs   map[int]string
	MembersErr string
	Unsaved    bool // the form differs from what is saved: the preview is of the saved settings
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
	Err        string // what the store found wrong with it
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
	Claim    bool     // no rule took it: it stays in the pool to be claimed
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
	f.Errors = map[string]string{}
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
		if code := gonghai.ErrorCode(err); code != gonghai.EInvalid && code != gonghai.EConflict {
			return err
		}
		page.Problem = v.T("assign.problem.intro")
		if !placeProblems(v, err, &page) {
			page.Problem = v.ErrorText(err)
		}
	}
	for field, key := range errs {
		page.Form.Errors[field] = v.T(key)
	}
	page.Unsaved = true
	return s.showAssignment(w, r, v, http.StatusUnprocessableEntity, page)
}

// assignProblemKeys word the store's problems with an assignment (root
// Assignment.Validate) in the viewer's language, by how they start.
var assignProblemKeys = []struct{ prefix, key string }{
	{"exactly one target", "assign.problem.target"},
	{"department_id:", "assign.problem.department"},
	{"strategy:", "assign.problem.pick"},
	{"user_ids:", "assign.problem.users"},
	{"channels:", "assign.problem.channels"},
	{"sizes:", "assign.problem.sizes"},
	{"match values", "assign.problem.values"},
	{"a name of", "assign.problem.name"},
	{"only members", "assign.problem.members"},
	{"1 to 100", "assign.problem.weight"},
	{"0 to 3650", "assign.problem.window"},
	{"at most", "assign.problem.rules"},
	{"one of", "assign.problem.strategy"},
	{"a strategy other than rules", "assign.problem.fallback"},
}

// assignProblem words one problem of the store's.
func assignProblem(v *view, problem string) string {
	for _, p := range assignProblemKeys {
		if strings.HasPrefix(problem, p.prefix) {
			return v.T(p.key)
		}
	}
	return problem
}

// placeProblems puts the store's problems of a refused assignment where
// the page shows them: a rule's on the rule, the members' (weights, who
// takes part) above the members, the window under its box, the rest
// above the form. It reports whether err carried any.
func placeProblems(v *view, err error, page *assignPage) bool {
	var e *gonghai.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return false
	}
	page.RuleErrs = map[int]string{}
	for _, field := range slices.Sorted(maps.Keys(e.Fields)) {
		text := assignProblem(v, e.Fields[field])
		name := strings.TrimPrefix(field, "assignment.")
		if rest, ok := strings.CutPrefix(name, "rules["); ok {
			if i, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil {
				page.RuleErrs[i] = text
				continue
			}
		}
		switch name {
		case "weights", "user_ids":
			page.MembersErr = text
		case "window_days":
			page.Form.Errors["window_days"] = text
		default:
			label := name
			if key := "assign.field." + name; ui.catalogue.keys[key] {
				label = v.T(key)
			}
			page.Problems = append(page.Problems, label+": "+text)
		}
	}
	return true
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
		rv := ruleView{routeRuleForm: rf, I: i, N: len(page.Form.Rules), Strategies: append([]gonghai.Strategy{gonghai.StrategyClaim}, page.Picks...),
			Err: page.RuleErrs[i]}
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
		p := previewPick{N: i + 1, Strategy: d.Strategy, Rule: d.Rule, Reason: assignReason(v, d.Reason),
			Claim: d.UserID == "" && d.Reason == string(gonghai.StrategyClaim)}
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
