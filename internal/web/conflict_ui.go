package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// The conflicts pages (撞单): the list a manager or admin arbitrates from,
// with this month's conflict rate, and one conflict with both customers
// side by side, to keep, give, merge (a side per field) or dismiss. Who
// sees and resolves what is the store's (gonghai.SeesConflict,
// CanResolve, CanMerge), as for the API.

// conflictPageSize is how many conflicts one page of the list shows.
const conflictPageSize = 50

// conflictFilter is the list's filters, as the page's URL carries them:
// dates are days in the organisation's zone, to included.
type conflictFilter struct {
	Status, Kind, Dept, From, To, After string
}

func conflictFilterOf(q url.Values) conflictFilter {
	f := conflictFilter{Status: q.Get("status"), Kind: q.Get("kind"), Dept: q.Get("dept"), From: q.Get("from"),
		To: q.Get("to"), After: q.Get("after")}
	if !q.Has("status") {
		f.Status = string(gonghai.ConflictOpen) // the work to do, first
	}
	return f
}

// store is the store's filter of f, in zone; a date that does not parse
// is refused as the field it came in.
func (f conflictFilter) store(zone *time.Location) (gonghai.ConflictFilter, error) {
	out := gonghai.ConflictFilter{Status: gonghai.ConflictStatus(f.Status), Kind: gonghai.ConflictKind(f.Kind), DepartmentID: f.Dept}
	for _, d := range []struct {
		name, v string
		to      *time.Time
		next    int
	}{{"from", f.From, &out.From, 0}, {"to", f.To, &out.To, 1}} {
		if d.v == "" {
			continue
		}
		day, err := time.ParseInLocation(time.DateOnly, d.v, zone)
		if err != nil {
			return out, gonghai.Invalid(d.name, "a date, YYYY-MM-DD")
		}
		*d.to = gonghai.AddDays(day, d.next, zone)
	}
	return out, out.Validate()
}

// url is the list with f's filters, starting after key after.
func (f conflictFilter) url(after string) string {
	q := url.Values{"status": {f.Status}}
	for k, v := range map[string]string{"kind": f.Kind, "dept": f.Dept, "from": f.From, "to": f.To, "after": after} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return "/conflicts?" + q.Encode()
}

// conflictsData is what the list shows.
type conflictsData struct {
	F        conflictFilter
	Rows     []gonghai.ConflictView
	Open     int
	Next     string
	First    string // the first page, when this is a later one
	Depts    []gonghai.Department
	Month    string
	Created  int
	Counted  int // conflicts this month
	Rate     string
	RateNone bool
	ByDept   []rateRow
	Error    string
	Statuses []gonghai.ConflictStatus
	Kinds    []gonghai.ConflictKind
}

// rateRow is one department's month in the rate table.
type rateRow struct {
	Name               string
	Created, Conflicts int
	Rate               string // "" without new customers
}

func (s *Server) conflictsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	if err := gonghai.CanArbitrate(v.User); err != nil {
		return err
	}
	v.Nav = "conflicts"
	d := conflictsData{F: conflictFilterOf(r.URL.Query()), Month: v.Now.In(v.Zone).Format("2006-01"),
		Statuses: []gonghai.ConflictStatus{gonghai.ConflictOpen, gonghai.ConflictKept, gonghai.ConflictGiven, gonghai.ConflictMerged,
			gonghai.ConflictDismissed},
		Kinds: []gonghai.ConflictKind{gonghai.ConflictRefused, gonghai.ConflictSimilar, gonghai.ConflictImport}}
	status := http.StatusOK
	f, err := d.F.store(v.Zone)
	if err == nil {
		var p gonghai.ConflictPage
		p, err = s.store.Conflicts(ctx, v.User, f, gonghai.Page{After: d.F.After, Limit: conflictPageSize})
		d.Rows, d.Open = p.Conflicts, p.Open
		if p.Next != "" {
			d.Next = d.F.url(p.Next)
		}
	}
	if gonghai.ErrorCode(err) == gonghai.EInvalid {
		d.Error, status = v.ErrorText(err), http.StatusUnprocessableEntity
		d.Open, _ = s.store.OpenConflicts(ctx, v.User)
	} else if err != nil {
		return err
	}
	if d.F.After != "" {
		d.First = d.F.url("")
	}
	ds, err := s.store.Departments(ctx)
	if err != nil {
		return err
	}
	for _, dep := range ds {
		if v.IsAdmin() || v.User.Manages(dep.Path) {
			d.Depts = append(d.Depts, dep)
		}
	}
	months, err := s.store.ConflictRates(ctx, v.User, d.Month, d.Month)
	if err != nil {
		return err
	}
	total := gonghai.DepartmentMonth{}
	for _, m := range months {
		total.Created += m.Created
		total.Conflicts += m.Conflicts
		row := rateRow{Name: m.DepartmentName, Created: m.Created, Conflicts: m.Conflicts}
		if rate, ok := m.Rate(); ok {
			row.Rate = v.T("conflict.rate.value", rate)
		}
		d.ByDept = append(d.ByDept, row)
	}
	d.Created, d.Counted = total.Created, total.Conflicts
	if rate, ok := total.Rate(); ok {
		d.Rate = v.T("conflict.rate.value", rate)
	} else {
		d.RateNone = true
	}
	return s.render(w, v, status, "conflicts", d)
}

// conflictData is what one conflict's page shows.
type conflictData struct {
	K gonghai.ConflictDetail
	// Fields are the rows of the side-by-side table, with the side a
	// merge takes by default.
	Fields   []mergeRow
	CanMerge bool // both customers are there to merge
	Open     bool
	Note     string
	Error    string
}

// mergeRow is one field of the two customers, as the viewer sees them.
type mergeRow struct {
	Name, Matched, New string
	NewWins            bool // by default: the matched customer's is empty
}

func (s *Server) conflictPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showConflict(w, r, v, http.StatusOK, conflictData{})
}

func (s *Server) showConflict(w http.ResponseWriter, r *http.Request, v *view, status int, d conflictData) error {
	k, err := s.store.Conflict(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Nav = "conflicts"
	d.K, d.Open = k, k.Status == gonghai.ConflictOpen
	d.CanMerge = k.Matched != nil && k.New != nil
	if d.CanMerge {
		names := s.namer(r.Context(), v)
		owner := func(c *gonghai.Customer) string {
			if c.OwnerID == "" {
				return v.T("conflict.in_pool", names.pool(c.PoolID))
			}
			return names.user(c.OwnerID)
		}
		mf, nf := fieldsOfCustomer(*k.Matched), fieldsOfCustomer(*k.New)
		for _, name := range gonghai.MergeFields {
			row := mergeRow{Name: name, Matched: mf[name], New: nf[name]}
			if name == "owner" {
				row.Matched, row.New = owner(k.Matched), owner(k.New)
				row.NewWins = k.Matched.OwnerID == "" && k.New.OwnerID != ""
			} else {
				row.NewWins = strings.TrimSpace(row.Matched) == "" && strings.TrimSpace(row.New) != ""
			}
			d.Fields = append(d.Fields, row)
		}
	}
	return s.render(w, v, status, "conflict", d)
}

// fieldsOfCustomer names c's merge fields as the viewer sees them.
func fieldsOfCustomer(c gonghai.Customer) map[string]string {
	return map[string]string{"company": c.Company, "name": c.Name, "phone": c.Phone, "email": c.Email, "wechat": c.WeChat,
		"category": c.Category, "industry": c.Industry, "region": c.Region, "product_line": c.ProductLine,
		"source": c.Source, "stage": c.Stage}
}

// resolveForm resolves the conflict: the form names the action, a note,
// which customer survives a merge ("matched" or "new") and, per field,
// which customer's value wins.
func (s *Server) resolveForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	res := gonghai.Resolution{Action: gonghai.ConflictAction(r.PostForm.Get("action")), Note: r.PostForm.Get("note"),
		Force: r.PostForm.Get("force") == "1"}
	k, err := s.store.Conflict(r.Context(), v.User, id)
	if err != nil {
		return err
	}
	survivor := r.PostForm.Get("survivor")
	if survivor == "new" {
		res.SurvivorID = k.NewID
	}
	res.Fields = map[string]gonghai.MergeSide{}
	for _, f := range gonghai.MergeFields {
		switch pick := r.PostForm.Get("f." + f); {
		case pick == "":
		case (pick == "new") == (survivor == "new"):
			res.Fields[f] = gonghai.SideSurvivor
		default:
			res.Fields[f] = gonghai.SideMerged
		}
	}
	if _, err := s.store.ResolveConflict(r.Context(), v.User, id, res); err != nil {
		switch gonghai.ErrorCode(err) {
		case gonghai.EInternal, gonghai.ENotFound, gonghai.EUnavailable:
			return err
		}
		// A refusal the arbiter can act on: shown on the conflict, the
		// note kept.
		status := statuses[gonghai.ErrorCode(err)]
		if status == 0 {
			status = http.StatusConflict
		}
		return s.showConflict(w, r, v, status, conflictData{Note: res.Note, Error: v.ErrorText(err)})
	}
	return s.seeOther(w, r, "/conflicts/"+url.PathEscape(id)+"?flash=conflict.flash."+string(res.Action))
}
