package web

// The unassigned queue (待分配): new customers automatic assignment could
// not place — nobody eligible, everyone away or at a cap — with the
// reason, since when, and how often it was tried. 重试 asks the store to
// try them all again now (the sweep does it on its own too); each row
// can also be given by hand through distribute.

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gonghai/gonghai"
)

// unassignedPageSize is how many waiting customers one page lists.
const unassignedPageSize = 50

// unassignedData is the queue page.
type unassignedData struct {
	Rows    []unassignedRow
	Next    string
	First   bool   // the first page
	Retried string // the outcome of a retry, worded
	Still   bool   // the retry placed none
}

// unassignedRow is one waiting customer as the page shows it.
type unassignedRow struct {
	ID, Company, PoolID, PoolName string
	Reason                        string
	Since                         time.Time
	Tries                         int
}

// unassignedPage lists the queue the viewer may see; the store refuses
// reps who administer no pool.
func (s *Server) unassignedPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx, q := r.Context(), r.URL.Query()
	rows, next, err := s.store.Unassigned(ctx, v.User, gonghai.Page{After: q.Get("after"), Limit: unassignedPageSize})
	if err != nil {
		return err
	}
	pools, err := s.store.Pools(ctx, v.User)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range pools {
		names[p.ID] = p.Name
	}
	d := unassignedData{First: q.Get("after") == ""}
	if next != "" {
		d.Next = "/unassigned?after=" + next
	}
	switch n, err := strconv.Atoi(q.Get("retried")); {
	case err != nil || n < 0:
	case n == 0:
		d.Retried, d.Still = v.T("unassigned.retried_none"), true
	default:
		d.Retried = v.T("unassigned.retried", n)
	}
	for _, row := range rows {
		c := row.Customer
		company := c.Company
		if company == "" {
			company = c.Name
		}
		d.Rows = append(d.Rows, unassignedRow{ID: c.ID, Company: company, PoolID: c.PoolID, PoolName: names[c.PoolID],
			Reason: assignReason(v, row.Reason), Since: row.Since, Tries: row.Tries})
	}
	v.Nav = "unassigned"
	return s.render(w, v, http.StatusOK, "unassigned", d)
}

// retryUnassignedForm tries every waiting customer the viewer may see
// again now and comes back saying how many were placed.
func (s *Server) retryUnassignedForm(w http.ResponseWriter, r *http.Request, v *view) error {
	n, err := s.store.RetryUnassigned(r.Context(), v.User)
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "/unassigned?retried="+strconv.Itoa(n))
}
