package web

import (
	"net/http"
	"net/url"

	"github.com/gonghai/gonghai"
)

// Claiming from the pool page: one row, or the rows ticked. Without a
// script a claim asks on a page of its own, naming the pool's rules, and
// posts from there; with htmx the button asks (hx-confirm) and the answer
// replaces the row. Either way the store decides, as for the API.

// claimConfirm is the page that asks before a claim.
type claimConfirm struct {
	Pool      gonghai.Pool
	Rules     []string
	Customers []gonghai.Customer
	Back      string
}

// claimOutcome is how the claim of one customer went.
type claimOutcome struct {
	ID, Company string
	OK          bool
	Text        string
}

// claimConfirmPage asks before claiming ?id= (one, or several) from pool
// ?pool=: what the buttons do without a script.
func (s *Server) claimConfirmPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "pool"
	q := r.URL.Query()
	// A row's button sends its own id as claim, beside the ids ticked.
	ids := q["claim"]
	if len(ids) == 0 {
		ids = q["id"]
	}
	if err := gonghai.CheckBatch(ids); err != nil {
		return err
	}
	p, err := s.store.Pool(r.Context(), v.User, q.Get("pool"))
	if err != nil {
		return err
	}
	c := &claimConfirm{Pool: p, Rules: v.poolRules(p), Back: backTo(q.Get("back"), p.ID)}
	for _, id := range ids {
		cust, err := s.store.Customer(r.Context(), v.User, id)
		if err != nil {
			return err
		}
		c.Customers = append(c.Customers, cust)
	}
	return s.render(w, v, http.StatusOK, "pool", poolData{Pool: p, Claim: c})
}

// poolClaimForm claims customer id from pool pool. htmx gets the row back
// saying how it went: a lost race takes the row away with 已被他人领取. A
// plain form goes back to the page with that said.
func (s *Server) poolClaimForm(w http.ResponseWriter, r *http.Request, v *view) error {
	f := r.PostForm
	// A row's button sends its id as claim, beside the ids ticked; a form
	// of one customer may send it as id.
	id, poolID := f.Get("claim"), f.Get("pool")
	if id == "" && len(f["id"]) == 1 {
		id = f.Get("id")
	}
	c, err := s.store.Claim(r.Context(), v.User, id, poolID)
	lost := gonghai.ErrorCode(err) == gonghai.EAlreadyClaimed
	if v.HX {
		row := poolRowView{poolListRow: poolListRow{Customer: gonghai.Customer{ID: id}}, Done: v.T("pool.claimed", c.Company), Won: err == nil}
		if err != nil {
			if !lost && gonghai.ErrorCode(err) == gonghai.EInternal {
				return err
			}
			row.Done = v.refusalText(err)
		}
		return s.fragment(w, v, http.StatusOK, "pool", "pool-rows", poolData{Rows: []poolRowView{row}})
	}
	back := backTo(f.Get("back"), poolID)
	switch {
	case err == nil:
		return s.seeOther(w, r, withFlash(back, "pool.flash.claimed"))
	case lost:
		return s.seeOther(w, r, withFlash(back, "pool.flash.lost"))
	}
	return err
}

// claimBatchForm claims the customers ticked, each on its own (one
// refused does not undo the others), and says how each went: htmx puts
// the list above the table and each row's outcome in its place.
func (s *Server) claimBatchForm(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "pool"
	f := r.PostForm
	ids, poolID := f["id"], f.Get("pool")
	if err := gonghai.CheckBatch(ids); err != nil {
		return err
	}
	// The names first: a customer someone else wins is theirs to see.
	names := map[string]string{}
	for _, id := range ids {
		if c, err := s.store.Customer(r.Context(), v.User, id); err == nil {
			names[id] = firstOf(c.Company, c.Name)
		}
	}
	res, err := s.store.ClaimBatch(r.Context(), v.User, poolID, ids)
	if err != nil {
		return err
	}
	d := poolData{Results: make([]claimOutcome, len(res)), Back: backTo(f.Get("back"), poolID)}
	for i, c := range res {
		o := claimOutcome{ID: c.CustomerID, Company: names[c.CustomerID], OK: c.Err == nil, Text: v.T("pool.claimed_short")}
		if c.Err != nil {
			o.Text = v.refusalText(c.Err)
		}
		d.Results[i] = o
		row := poolRowView{poolListRow: poolListRow{Customer: gonghai.Customer{ID: c.CustomerID}}, Done: o.Company + " · " + o.Text, Won: o.OK}
		d.Rows = append(d.Rows, row)
	}
	if v.HX {
		return s.fragment(w, v, http.StatusOK, "pool", "pool-results", d)
	}
	return s.render(w, v, http.StatusOK, "pool", d)
}

// backTo is the pool page a claim form came from, or pool poolID's first
// page.
func backTo(back, poolID string) string {
	if u, err := url.Parse(back); err == nil && u.Path == "/pool" && u.Host == "" && u.Scheme == "" {
		return u.RequestURI()
	}
	return "/pool?" + url.Values{"pool": {poolID}}.Encode()
}
