package web

// The pool pages of the admin area: the list, the editor, and the dry-run
// preview beside it that shows who would drop on which day under the rules
// as they stand in the form, before anything is saved.

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// previewDayChoices are the spans the preview offers; the first is the
// default.
var previewDayChoices = []int{14, 7, 30}

// poolRights is what the viewer may change of a pool, as
// gonghai.CanChangePool decides it. Membership does not change the answer
// for the admins and pool admins who reach the editor; anyone else is
// refused as the pool's API refuses them.
type poolRights struct {
	All   bool // every field: an admin
	Rules bool // claim and recycle rules: an admin or the pool's admin
}

func rightsOn(viewer gonghai.User, p gonghai.Pool) (poolRights, error) {
	rules := gonghai.PoolInput{Recycle: &p.Recycle}
	if err := gonghai.CanChangePool(viewer, p, gonghai.Membership{}, rules); err != nil {
		return poolRights{}, err
	}
	all := gonghai.CanChangePool(viewer, p, gonghai.Membership{}, gonghai.PoolInput{Name: &p.Name}) == nil
	return poolRights{All: all, Rules: true}, nil
}

// poolRow is one pool of the list.
type poolRow struct {
	Pool   gonghai.Pool
	Rules  []gonghai.RuleKind // the rules that are on
	Rights poolRights
}

// adminPoolsPage lists the pools the viewer may change: every pool for an
// admin, their own for a pool admin. Anyone else is refused.
func (s *Server) adminPoolsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	pools, err := s.store.Pools(r.Context(), v.User)
	if err != nil {
		return err
	}
	var rows []poolRow
	for _, p := range pools {
		rights, err := rightsOn(v.User, p)
		if err != nil {
			continue
		}
		row := poolRow{Pool: p, Rights: rights}
		for _, rule := range p.Recycle.Rules {
			if rule.Enabled {
				row.Rules = append(row.Rules, rule.Kind)
			}
		}
		rows = append(rows, row)
	}
	isAdmin := gonghai.AdminOnly(v.User, "manages pools") == nil
	if len(rows) == 0 && !isAdmin {
		return gonghai.AdminOnly(v.User, "manages pools")
	}
	v.Nav = "admin"
	return s.render(w, v, http.StatusOK, "admin_pools", map[string]any{"Pools": rows, "CanCreate": isAdmin})
}

// poolPage is the editor's data.
type poolPage struct {
	Pool    gonghai.Pool // zero for a new pool
	New     bool
	Form    poolForm
	Rights  poolRights
	Choices poolChoices
	Problem string // a refusal no field carries
	Preview *previewPanel
	Days    int
	// What the form's lists show, each with whether it is chosen.
	Users       []userPick
	Departments []deptPick
	Kinds       []kindPick
	ClaimFields []claimField
}

// ClaimOrders are the claim orders the editor offers.
func (poolPage) ClaimOrders() []string { return gonghai.ClaimOrders }

// userPick is a user the editor offers as member and as admin.
type userPick struct {
	User          gonghai.User
	Member, Admin bool
}

// deptPick is a department the editor offers as member.
type deptPick struct {
	deptRow
	On bool
}

// kindPick is a follow-up kind that may count for recycling.
type kindPick struct {
	Kind string
	On   bool
}

// claimField is one of the claim rules' number fields.
type claimField struct{ Name, Value, Err string }

// poolChoices are what the editor's lists offer.
type poolChoices struct {
	Users       []gonghai.User
	Departments []deptRow
	Pools       []gonghai.Pool // return pools: the others
	Kinds       []string       // follow-up kinds
	Categories  []string
	DayChoices  []int
}

// choices reads what the editor offers. A pool admin changes rules only,
// so only an admin's editor lists users and departments.
func (s *Server) choices(ctx context.Context, v *view, self string, all bool) (poolChoices, error) {
	c := poolChoices{Kinds: gonghai.FollowUpKinds, Categories: gonghai.Categories, DayChoices: previewDayChoices}
	if !all {
		return c, nil
	}
	var err error
	if c.Users, err = s.allUsers(ctx, v.User, gonghai.UserFilter{}); err != nil {
		return c, err
	}
	if c.Departments, err = s.departmentTree(ctx); err != nil {
		return c, err
	}
	pools, err := s.store.Pools(ctx, v.User)
	for _, p := range pools {
		if p.ID != self {
			c.Pools = append(c.Pools, p)
		}
	}
	return c, err
}

// newPoolPage shows the editor of a new pool: admins only.
func (s *Server) newPoolPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "creates pools"); err != nil {
		return err
	}
	return s.showPool(w, r, v, http.StatusOK, poolPage{New: true, Form: newPoolForm(), Rights: poolRights{All: true, Rules: true}})
}

// createPoolPost creates the pool the form describes, or shows the form
// again with what is wrong.
func (s *Server) createPoolPost(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "creates pools"); err != nil {
		return err
	}
	f := parsePoolForm(r.PostForm)
	page := poolPage{New: true, Form: f, Rights: poolRights{All: true, Rules: true}}
	in, kinds, err := f.input(true)
	if err == nil {
		var p gonghai.Pool
		if p, err = s.store.CreatePool(r.Context(), v.User, in); err == nil {
			return s.seeOther(w, r, "/admin/pools/"+p.ID+"?flash=admin.flash.pool_saved")
		}
	}
	return s.refusedPool(w, r, v, page, err, kinds)
}

// poolEditPage shows a pool's editor with the preview under its rules.
func (s *Server) poolEditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	p, rights, err := s.editablePool(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	page := poolPage{Pool: p, Form: poolFormOf(p), Rights: rights, Days: previewDayChoices[0]}
	if page.Preview, err = s.previewPanel(r.Context(), v, p.ID, nil, page.Days); err != nil {
		return err
	}
	return s.showPool(w, r, v, http.StatusOK, page)
}

// editablePool reads pool id and what the viewer may change of it; a
// viewer who may change nothing is refused.
func (s *Server) editablePool(ctx context.Context, v *view, id string) (gonghai.Pool, poolRights, error) {
	p, err := s.store.Pool(ctx, v.User, id)
	if err != nil {
		return p, poolRights{}, err
	}
	rights, err := rightsOn(v.User, p)
	return p, rights, err
}

// updatePoolPost saves the editor: the whole pool for an admin, the rules
// for a pool admin.
func (s *Server) updatePoolPost(w http.ResponseWriter, r *http.Request, v *view) error {
	p, rights, err := s.editablePool(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := parsePoolForm(r.PostForm)
	page := poolPage{Pool: p, Form: f, Rights: rights}
	in, kinds, err := f.input(rights.All)
	if err == nil {
		if _, err = s.store.UpdatePool(r.Context(), v.User, p.ID, in); err == nil {
			return s.seeOther(w, r, "/admin/pools/"+p.ID+"?flash=admin.flash.pool_saved")
		}
	}
	return s.refusedPool(w, r, v, page, err, kinds)
}

// refusedPool shows the editor again after a refused save: with the
// problems by their fields, or, for a refusal no field carries, its
// message above the form. Errors of authority go to the error page.
func (s *Server) refusedPool(w http.ResponseWriter, r *http.Request, v *view, page poolPage, err error, kinds []gonghai.RuleKind) error {
	fields := formFields(err, kinds)
	switch code := gonghai.ErrorCode(err); {
	case fields != nil:
	case code == gonghai.EInvalid || code == gonghai.EConflict:
		page.Problem = v.ErrorText(err)
	default:
		return err
	}
	page.Form = page.Form.withErrors(localise(v, fields))
	if !page.New {
		page.Days = previewDays(r)
		if page.Preview, err = s.previewPanel(r.Context(), v, page.Pool.ID, nil, page.Days); err != nil {
			return err
		}
	}
	return s.showPool(w, r, v, http.StatusUnprocessableEntity, page)
}

func (s *Server) showPool(w http.ResponseWriter, r *http.Request, v *view, status int, page poolPage) error {
	var err error
	if page.Choices, err = s.choices(r.Context(), v, page.Pool.ID, page.Rights.All); err != nil {
		return err
	}
	if page.Days == 0 {
		page.Days = previewDayChoices[0]
	}
	f := page.Form
	if !page.Rights.All {
		// A pool admin's form does not send what they may not change:
		// it shows what is saved.
		f.Name, f.Hidden, f.ContactMask = page.Pool.Name, page.Pool.Hidden, page.Pool.ContactMask
		page.Form = f
	}
	for _, u := range page.Choices.Users {
		pick := userPick{User: u, Member: slices.Contains(f.MemberUserIDs, u.ID), Admin: slices.Contains(f.AdminUserIDs, u.ID)}
		// A deactivated user is offered only while they are chosen, so
		// that saving keeps what it does not show.
		if u.Active || pick.Member || pick.Admin {
			page.Users = append(page.Users, pick)
		}
	}
	for _, d := range page.Choices.Departments {
		page.Departments = append(page.Departments, deptPick{deptRow: d, On: slices.Contains(f.MemberDepartmentIDs, d.ID)})
	}
	for _, k := range page.Choices.Kinds {
		page.Kinds = append(page.Kinds, kindPick{Kind: k, On: slices.Contains(f.CountingKinds, k)})
	}
	for _, c := range []claimField{{"daily_claim_limit", f.DailyClaimLimit, ""}, {"holding_limit", f.HoldingLimit, ""},
		{"reclaim_cooldown_days", f.ReclaimCooldownDays, ""}, {"release_wait_hours", f.ReleaseWaitHours, ""}} {
		c.Err = f.Errors[c.Name]
		page.ClaimFields = append(page.ClaimFields, c)
	}
	v.Nav = "admin"
	return s.render(w, v, status, "admin_pool", page)
}

// previewDays reads the preview's span from the form, keeping to the
// choices offered.
func previewDays(r *http.Request) int {
	n, _ := strconv.Atoi(r.FormValue("preview_days"))
	for _, c := range previewDayChoices {
		if n == c {
			return n
		}
	}
	return previewDayChoices[0]
}

// previewPanel is the preview beside the editor: day by day, who would
// lose which customers under the rules proposed, beside the count under
// the rules saved.
type previewPanel struct {
	Days     []previewDayRow
	Total    int
	Current  int // the total under the saved rules
	Proposed bool
	Problems []string // what is wrong with the proposed rules: nothing to show
}

// problemList words the rules' problems for the preview, which stands
// apart from the fields while the admin types: each names its rule and
// field.
func problemList(v *view, fields map[string]string) []string {
	var out []string
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		label := field
		if rest, ok := strings.CutPrefix(field, "rule."); ok {
			kind, suffix, _ := strings.Cut(rest, ".")
			if strings.HasPrefix(suffix, "days.") {
				suffix = "category_days"
			}
			label = v.RuleName(gonghai.RuleKind(kind)) + " · " + v.T("admin.field."+suffix)
		} else {
			label = v.T("admin.field." + field)
		}
		out = append(out, label+": "+fields[field])
	}
	return out
}

// previewDayRow is one day of the preview.
type previewDayRow struct {
	Date    time.Time
	Day     gonghai.PreviewDay
	Current int
}

// previewPanel asks the store for the preview under proposed rules (nil:
// the saved ones) and, for proposed rules, under the saved ones too, so
// the panel shows what the change moves.
func (s *Server) previewPanel(ctx context.Context, v *view, poolID string, proposed *gonghai.RecycleRules, days int) (*previewPanel, error) {
	current, err := s.store.RecyclePreview(ctx, v.User, poolID, nil, days)
	if err != nil {
		return nil, err
	}
	out := &previewPanel{Proposed: proposed != nil}
	shown := current
	if proposed != nil {
		if shown, err = s.store.RecyclePreview(ctx, v.User, poolID, proposed, days); err != nil {
			return nil, err
		}
	}
	for i, d := range shown {
		date, _ := time.ParseInLocation(time.DateOnly, d.Date, v.Zone)
		row := previewDayRow{Date: date, Day: d}
		if i < len(current) {
			row.Current = current[i].Total
			out.Current += current[i].Total
		}
		out.Total += d.Total
		out.Days = append(out.Days, row)
	}
	return out, nil
}

// poolPreviewPost answers the editor's values with the preview under the
// rules they hold: with htmx the panel alone, as the admin types; without
// it the whole editor, the form as sent. Nothing is saved.
func (s *Server) poolPreviewPost(w http.ResponseWriter, r *http.Request, v *view) error {
	p, rights, err := s.editablePool(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := parsePoolForm(r.PostForm)
	page := poolPage{Pool: p, Form: f, Rights: rights, Days: previewDays(r)}
	rules, kinds, err := f.recycle()
	if err == nil {
		page.Preview, err = s.previewPanel(r.Context(), v, p.ID, &rules, page.Days)
	}
	if fields := formFields(err, kinds); fields != nil {
		fields = localise(v, fields)
		page.Preview = &previewPanel{Proposed: true, Problems: problemList(v, fields)}
		page.Form = f.withErrors(fields)
	} else if err != nil {
		return err
	}
	if v.HX {
		return s.fragment(w, v, http.StatusOK, "admin_pool", "admin-pool-preview", page)
	}
	return s.showPool(w, r, v, http.StatusOK, page)
}
