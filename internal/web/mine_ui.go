package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/gonghai/gonghai"
)

// The private pool page (私海): the rep's own customers, searched and
// filtered, the most urgent first by default, each with the rule that
// will take it back and when; and the small form that releases one.

// mineData is the private pool page.
type mineData struct {
	Filter listFilter
	// FilterFields are the filters' fields, the pool page's.
	FilterFields template.HTML
	Sort         string // gonghai.SortUrgent or gonghai.SortNewest
	Rows         []mineRow
	Pager        listPager
	// Release, when set, makes the page the release form instead.
	Release *releaseData
}

// mineRow is one of the rep's customers with its countdown.
type mineRow struct {
	gonghai.Customer
	Title string
	// Rule and Due say which rule takes it back and when; Rule is ""
	// when none applies. Soon marks three days or fewer.
	Rule string
	Due  time.Time
	Soon bool
}

// minePage lists the signed-in user's customers.
func (s *Server) minePage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "mine"
	q := r.URL.Query()
	d := mineData{Filter: filterOf(q), Sort: gonghai.SortUrgent}
	if q.Get("sort") == gonghai.SortNewest {
		d.Sort = gonghai.SortNewest
	}
	t, pg, err := trailOf(q)
	if err != nil {
		return err
	}
	if d.FilterFields, err = filterFields(v, d.Filter, "mine.f.q_hint"); err != nil {
		return err
	}
	f := d.Filter.CustomerFilter
	f.Sort = d.Sort
	ctx := r.Context()
	cs, next, err := s.store.MyCustomers(ctx, v.User, f, pg)
	if err != nil {
		return err
	}
	d.Pager = listPager{No: t.No()}
	if d.Pager.Total, d.Pager.More, err = s.store.CountMyCustomers(ctx, v.User, f); err != nil {
		return err
	}
	links := d.Filter.values()
	if d.Sort != gonghai.SortUrgent {
		links.Set("sort", d.Sort)
	}
	d.Pager.Prev, d.Pager.Next = t.links("/mine", links, next)
	d.Rows = make([]mineRow, len(cs))
	for i, c := range cs {
		d.Rows[i] = mineRow{Customer: c, Title: firstOf(c.Company, c.Name)}
		if c.Recycle != nil {
			d.Rows[i].Rule, d.Rows[i].Due, d.Rows[i].Soon = v.RuleName(c.Recycle.Rule), c.Recycle.At, c.DaysLeft <= 3
		}
	}
	return s.render(w, v, http.StatusOK, "mine", d)
}

// releaseData is the release form: the customer, the pools it may go
// to, and what was wrong with the form when it comes back.
type releaseData struct {
	Customer gonghai.Customer
	Title    string
	Default  string // the name of the pool it goes back to by default
	Pools    []gonghai.Pool
	Pool     string // the pool chosen, "" for the default
	Reason   string
	Errors   map[string]string
	Error    string
}

// releasePage shows the release form for customer ?id=.
func (s *Server) releasePage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "mine"
	d, err := s.releaseData(r.Context(), v, r.URL.Query().Get("id"))
	if err != nil {
		return err
	}
	return s.render(w, v, http.StatusOK, "mine", mineData{Release: d})
}

// mineReleaseForm releases customer id to the pool chosen with the reason
// given, and goes back to the list saying so. A form the store refuses
// (no reason, a pool the owner may not use) comes back with its errors,
// and nothing changed.
func (s *Server) mineReleaseForm(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "mine"
	f := r.PostForm
	id := f.Get("id")
	_, err := s.store.Release(r.Context(), v.User, id, f.Get("reason"), f.Get("pool"))
	if err == nil {
		return s.seeOther(w, r, "/mine?flash=mine.flash.released")
	}
	var e *gonghai.Error
	if !errors.As(err, &e) || e.Code != gonghai.EInvalid {
		return err
	}
	d, derr := s.releaseData(r.Context(), v, id)
	if derr != nil {
		return derr
	}
	d.Pool, d.Reason, d.Error = f.Get("pool"), f.Get("reason"), v.ErrorText(err)
	d.Errors = map[string]string{}
	for field := range e.Fields {
		d.Errors[field] = v.T("mine.release.invalid." + releaseField(field))
	}
	return s.render(w, v, http.StatusUnprocessableEntity, "mine", mineData{Release: d})
}

// releaseField names the form's field an API field error is about.
func releaseField(field string) string {
	if field == "pool_id" {
		return "pool"
	}
	return "reason"
}

// releaseData reads the release form of customer id. Only its owner (and
// an admin) gets one: gonghai.CanRelease asked without the owner's
// department, which this page, a list of one's own customers, does not
// read. The store decides again, on all the facts, when the form posts.
func (s *Server) releaseData(ctx context.Context, v *view, id string) (*releaseData, error) {
	c, err := s.store.Customer(ctx, v.User, id)
	if err != nil {
		return nil, err
	}
	if err := gonghai.CanRelease(v.User, gonghai.CustomerFacts{Customer: c}); err != nil {
		return nil, err
	}
	pools, err := s.store.Pools(ctx, v.User)
	if err != nil {
		return nil, err
	}
	d := &releaseData{Customer: c, Title: firstOf(c.Company, c.Name)}
	ret := c.PoolID
	for _, p := range pools {
		if p.ID == c.PoolID {
			ret = p.ReturnPool()
		}
	}
	for _, p := range pools {
		if p.ID == ret {
			d.Default = p.Name
		} else {
			d.Pools = append(d.Pools, p)
		}
	}
	return d, nil
}
