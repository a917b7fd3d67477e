package web

// Distribute (平均分配): an admin or manager ticks customers of a pool on
// the pool or team page, chooses reps here, and the store splits them
// evenly (Distribute: the same rules as one assignment, refused row by
// row). The page then shows where each customer went, or why it stayed.

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/gonghai/gonghai"
)

// distributeData is the distribute page: the chosen customers, the reps
// to choose among, and after a post what happened to each customer.
type distributeData struct {
	Pool      gonghai.Pool
	Customers []distRow
	Reps      []distRep
	Back      string
	Error     string
	Done      bool
	Given     int
	Refused   int
	Shares    []distShare // how many each rep received
}

// distRow is one chosen customer and, once distributed, its outcome.
type distRow struct {
	ID, Company string // Company "" when the viewer may not see it
	To          string // the receiver's name
	Why         string // the refusal
}

// distRep is a rep the customers may go to.
type distRep struct {
	User   gonghai.User
	On     bool
	Member bool
	Status string // away / paused
}

// distShare is one receiver's part.
type distShare struct {
	Name  string
	Count int
}

// distributePage shows the customers ticked and asks whom to split them
// among.
func (s *Server) distributePage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d, err := s.distributeData(r.Context(), v, q.Get("pool"), q["id"], q["rep"], q.Get("back"))
	if err != nil {
		return err
	}
	if len(d.Customers) == 0 {
		d.Error = v.T("distribute.none")
	}
	return s.render(w, v, http.StatusOK, "distribute", d)
}

// distributePost splits the customers among the reps chosen and shows
// each customer's outcome.
func (s *Server) distributePost(w http.ResponseWriter, r *http.Request, v *view) error {
	form := r.PostForm
	d, err := s.distributeData(r.Context(), v, form.Get("pool"), form["id"], form["rep"], form.Get("back"))
	if err != nil {
		return err
	}
	ids, reps := form["id"], form["rep"]
	switch {
	case len(ids) == 0:
		d.Error = v.T("distribute.none")
	case len(reps) == 0:
		d.Error = v.T("distribute.no_reps")
	}
	if d.Error != "" {
		return s.render(w, v, http.StatusUnprocessableEntity, "distribute", d)
	}
	results, err := s.store.Distribute(r.Context(), v.User, d.Pool.ID, ids, reps)
	if err != nil {
		if code := gonghai.ErrorCode(err); code == gonghai.EInternal || code == "" {
			return err
		}
		d.Error = refusalText(v, err)
		return s.render(w, v, http.StatusUnprocessableEntity, "distribute", d)
	}
	names := map[string]string{}
	for _, rep := range d.Reps {
		names[rep.User.ID] = rep.User.Name
	}
	at := map[string]int{}
	for i, c := range d.Customers {
		at[c.ID] = i
	}
	count := map[string]int{}
	for _, res := range results {
		i, ok := at[res.CustomerID]
		if !ok {
			continue
		}
		if res.Err != nil {
			d.Customers[i].Why = refusalText(v, res.Err)
			d.Refused++
			continue
		}
		d.Customers[i].To = nameOr(v, names, res.UserID)
		d.Given++
		count[d.Customers[i].To]++
	}
	for name, n := range count {
		d.Shares = append(d.Shares, distShare{name, n})
	}
	slices.SortFunc(d.Shares, func(a, b distShare) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name)) })
	d.Done = true
	return s.render(w, v, http.StatusOK, "distribute", d)
}

// distributeData reads the pool, the customers ids of it (at most a page)
// and the reps viewer may choose, reps marked; reps are refused.
func (s *Server) distributeData(ctx context.Context, v *view, poolID string, ids, reps []string, back string) (*distributeData, error) {
	if err := gonghai.CanLeadTeam(v.User); err != nil {
		return nil, err
	}
	p, err := s.store.Pool(ctx, v.User, poolID)
	if err != nil {
		return nil, err
	}
	if len(ids) > gonghai.MaxPageSize {
		return nil, gonghai.Errorf(gonghai.EInvalid, "at most %d customers at once", gonghai.MaxPageSize)
	}
	d := &distributeData{Pool: p, Back: distributeBack(back, p.ID)}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		row := distRow{ID: id}
		if c, err := s.store.Customer(ctx, v.User, id); err == nil {
			row.Company = c.Company
			if row.Company == "" {
				row.Company = c.Name
			}
		}
		d.Customers = append(d.Customers, row)
	}
	users, err := s.seenUsers(ctx, v.User)
	if err != nil {
		return nil, err
	}
	depts, err := s.departmentTree(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if !u.Active {
			continue
		}
		d.Reps = append(d.Reps, distRep{User: u, On: slices.Contains(reps, u.ID), Member: poolMember(p, depts, u), Status: awayText(v, u)})
	}
	// The pool's members first: they are who the pool's customers are
	// usually split among.
	slices.SortStableFunc(d.Reps, func(a, b distRep) int {
		if a.Member == b.Member {
			return 0
		}
		if a.Member {
			return -1
		}
		return 1
	})
	v.Nav = "team"
	return d, nil
}

// distributeBack is where the page returns: the pool or team list it was
// sent from (or the queue), else the pool's list; never another site.
func distributeBack(back, poolID string) string {
	u, err := url.Parse(back)
	if err == nil && u.Host == "" && u.Scheme == "" && (u.Path == "/pool" || u.Path == "/team" || u.Path == "/unassigned") {
		return localPath(u.RequestURI())
	}
	return "/pool?pool=" + url.QueryEscape(poolID)
}
