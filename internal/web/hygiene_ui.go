package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gonghai/gonghai"
)

// Pool hygiene's pages (定期清理公海): the form that marks a pool customer
// invalid (pool admins) or flags it (everyone who sees it), the archive
// with its restores, and each pool's hygiene rules. Who may do what is
// the root's decisions (CanMarkInvalid, CanFlag, CanRestore,
// CanEditHygiene); the store decides again.

// invalidData is the mark/flag form of one customer.
type invalidData struct {
	C       gonghai.Customer
	Title   string
	Back    string
	MayMark bool // the form marks; else it flags
	Flagged bool // the viewer flagged it already
	Flags   []flagRow
	Reasons []gonghai.InvalidReason
	Reason  string
	Note    string
	Error   string
	Fields  map[string]string
}

// flagRow is a flag with its author's name.
type flagRow struct {
	gonghai.Flag
	By string
}

// invalidPage shows the form that marks customer id invalid or flags it.
func (s *Server) invalidPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showInvalid(w, r, v, http.StatusOK, invalidData{Back: r.URL.Query().Get("back")})
}

func (s *Server) showInvalid(w http.ResponseWriter, r *http.Request, v *view, status int, d invalidData) error {
	ctx, id := r.Context(), r.PathValue("id")
	f, err := s.store.CustomerFacts(ctx, v.User, id)
	if err != nil {
		return err
	}
	d.C, d.Title, d.Reasons = f.Customer, firstOf(f.Customer.Company, f.Customer.Name), gonghai.InvalidReasons
	d.Back = hygieneBack(d.Back, id, f.Customer.PoolID)
	v.Nav = "pool"
	if d.MayMark = gonghai.CanMarkInvalid(v.User, f) == nil; d.MayMark {
		flags, err := s.store.Flags(ctx, v.User, id)
		if err != nil {
			return err
		}
		names := s.namer(ctx, v)
		for _, fl := range flags {
			d.Flags = append(d.Flags, flagRow{Flag: fl, By: names.user(fl.UserID)})
		}
		return s.render(w, v, status, "hygiene_mark", d)
	}
	if err := gonghai.CanFlag(v.User, f); err != nil {
		return err
	}
	st, err := s.store.FlagStates(ctx, v.User, f.Pool, []gonghai.Customer{f.Customer})
	if err != nil {
		return err
	}
	d.Flagged = st[id].Mine
	return s.render(w, v, status, "hygiene_mark", d)
}

// hygieneBack is where a mark or flag form goes back to: the customer's
// page or the pool page it came from, else the customer's pool.
func hygieneBack(back, id, poolID string) string {
	if back == "/customers/"+url.PathEscape(id) {
		return back
	}
	return backTo(back, poolID)
}

// markForm reads a mark or flag form.
func markForm(r *http.Request) (gonghai.InvalidMark, invalidData, error) {
	if err := r.ParseForm(); err != nil {
		return gonghai.InvalidMark{}, invalidData{}, err
	}
	f := r.PostForm
	m := gonghai.InvalidMark{Reason: gonghai.InvalidReason(f.Get("reason")), Note: strings.TrimSpace(f.Get("note"))}
	return m, invalidData{Back: f.Get("back"), Reason: f.Get("reason"), Note: m.Note}, nil
}

// markInvalidForm marks customer id invalid and goes back to its pool:
// it has left it.
func (s *Server) markInvalidForm(w http.ResponseWriter, r *http.Request, v *view) error {
	m, d, err := markForm(r)
	if err != nil {
		return err
	}
	a, err := s.store.MarkInvalid(r.Context(), v.User, r.PathValue("id"), m)
	if err != nil {
		return s.refusedMark(w, r, v, d, err)
	}
	return s.seeOther(w, r, withFlash(backTo(d.Back, a.FromPoolID), "hygiene.flash.marked"))
}

// flagInvalidForm flags customer id invalid and goes back.
func (s *Server) flagInvalidForm(w http.ResponseWriter, r *http.Request, v *view) error {
	m, d, err := markForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.store.FlagInvalid(r.Context(), v.User, id, m); err != nil {
		if gonghai.ErrorCode(err) == gonghai.EAlreadyFlagged {
			return s.seeOther(w, r, withFlash(localPath(d.Back), "hygiene.flash.already"))
		}
		return s.refusedMark(w, r, v, d, err)
	}
	return s.seeOther(w, r, withFlash(localPath(d.Back), "hygiene.flash.flagged"))
}

// refusedMark shows the form again with what was wrong with the input;
// any other refusal goes to the error page.
func (s *Server) refusedMark(w http.ResponseWriter, r *http.Request, v *view, d invalidData, err error) error {
	var e *gonghai.Error
	if !errors.As(err, &e) || e.Code != gonghai.EInvalid {
		return err
	}
	d.Error, d.Fields = v.ErrorText(err), e.Fields
	return s.showInvalid(w, r, v, http.StatusUnprocessableEntity, d)
}

// customerHygiene is what the customer page shows of hygiene: the mark
// or flag action, or, for an archived customer, why and until when.
type customerHygiene struct {
	MayMark, MayFlag bool
	Archived         *gonghai.Archived
	DaysLeft         int
}

// customerHygiene reads the customer page's hygiene part for f.
func (s *Server) customerHygiene(ctx context.Context, v *view, f gonghai.CustomerFacts) (customerHygiene, error) {
	h := customerHygiene{MayMark: gonghai.CanMarkInvalid(v.User, f) == nil, MayFlag: gonghai.CanFlag(v.User, f) == nil}
	if !f.Pool.Archive {
		return h, nil
	}
	a, err := s.store.Archived(ctx, v.User, f.Customer.ID)
	if gonghai.ErrorCode(err) == gonghai.ENotFound {
		return h, nil // purged, or merged: nothing to restore
	}
	if err != nil {
		return h, err
	}
	h.Archived, h.DaysLeft = &a, gonghai.DaysLeft(v.Now, a.PurgeAt, v.Zone)
	return h, nil
}

// flagRows fills in, on rows of pool p, what the pool page shows of
// hygiene: whether the viewer marks (else flags) and their flag state,
// with flag counts for those who mark.
func (s *Server) flagRows(ctx context.Context, v *view, p gonghai.Pool, rows []poolRowView) error {
	cs := make([]gonghai.Customer, len(rows))
	for i, r := range rows {
		cs[i] = r.Customer
	}
	flags, err := s.store.FlagStates(ctx, v.User, p, cs)
	for i := range rows {
		rows[i].MayMark, rows[i].Flag = gonghai.MayMarkInvalid(v.User, p), flags[rows[i].ID]
	}
	return err
}

// archiveRow is one archived customer as the archive page shows it.
type archiveRow struct {
	gonghai.Archived
	Title, Pool, By string
	DaysLeft        int
}

// archiveData is the archive page.
type archiveData struct {
	Rows      []archiveRow
	Next      string
	FirstPage bool
	Days      int
	IsAdmin   bool
}

// archivePage lists the customers waiting in the archive, to admins and
// pool admins (the store decides which), with restore.
func (s *Server) archivePage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	v.Nav = "admin"
	after := r.URL.Query().Get("after")
	rows, next, err := s.store.Archive(ctx, v.User, gonghai.Page{After: after, Limit: 50})
	if err != nil {
		return err
	}
	d := archiveData{Next: next, FirstPage: after == "", IsAdmin: v.User.Role == gonghai.RoleAdmin}
	if d.Days, err = s.store.ArchiveDays(ctx); err != nil {
		return err
	}
	names := s.namer(ctx, v)
	for _, a := range rows {
		row := archiveRow{Archived: a, Title: firstOf(a.Customer.Company, a.Customer.Name), Pool: names.pool(a.FromPoolID),
			By: v.T("hygiene.by_rule"), DaysLeft: gonghai.DaysLeft(v.Now, a.PurgeAt, v.Zone)}
		if a.ActorID != "" {
			row.By = names.user(a.ActorID)
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(w, v, http.StatusOK, "hygiene_archive", d)
}

// restoreForm takes an archived customer back to its pool.
func (s *Server) restoreForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := s.store.Restore(r.Context(), v.User, r.PathValue("id")); err != nil {
		return err
	}
	return s.seeOther(w, r, "/admin/archive?flash=hygiene.flash.restored")
}

// rulesRow is one pool's hygiene rules on the rules page, with a preview
// when one was asked for.
type rulesRow struct {
	Pool    gonghai.Pool
	Rules   gonghai.HygieneRules
	Preview *gonghai.HygieneCount
	Error   string
	Fields  map[string]string
}

// rulesData is the hygiene rules page.
type rulesData struct {
	Rows    []rulesRow
	Days    int
	IsAdmin bool
	Error   string
}

// hygieneRulesPage shows the hygiene rules of the pools the viewer may
// edit them of, and, to admins, the archive's wait.
func (s *Server) hygieneRulesPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showRules(w, r, v, http.StatusOK, nil, "")
}

// showRules renders the rules page; edited, when set, replaces its pool's
// row (values sent, preview or error); daysError says what was wrong
// with an archive wait sent.
func (s *Server) showRules(w http.ResponseWriter, r *http.Request, v *view, status int, edited *rulesRow, daysError string) error {
	ctx := r.Context()
	v.Nav = "admin"
	pools, err := s.store.Pools(ctx, v.User)
	if err != nil {
		return err
	}
	d := rulesData{IsAdmin: v.User.Role == gonghai.RoleAdmin, Error: daysError}
	if d.Days, err = s.store.ArchiveDays(ctx); err != nil {
		return err
	}
	for _, p := range pools {
		if gonghai.CanEditHygiene(v.User, p) != nil {
			continue
		}
		if edited != nil && edited.Pool.ID == p.ID {
			edited.Pool = p
			d.Rows = append(d.Rows, *edited)
			continue
		}
		h, err := s.store.PoolHygiene(ctx, v.User, p.ID)
		if err != nil {
			return err
		}
		d.Rows = append(d.Rows, rulesRow{Pool: p, Rules: h})
	}
	if len(d.Rows) == 0 && !d.IsAdmin {
		return gonghai.Errorf(gonghai.EForbidden, "an admin or a pool's admin sets hygiene rules")
	}
	return s.render(w, v, status, "hygiene_rules", d)
}

// hygieneRulesForm previews (action=preview) or saves pool id's rules.
func (s *Server) hygieneRulesForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f, bad := r.PostForm, fieldErrors{}
	row := rulesRow{Pool: gonghai.Pool{ID: r.PathValue("id")}}
	row.Rules = gonghai.HygieneRules{PoolID: row.Pool.ID, UnclaimedDays: bad.number("unclaimed_days", f.Get("unclaimed_days"), 0),
		FlaggedBy: bad.number("flagged_by", f.Get("flagged_by"), 0)}
	err := bad.err("invalid hygiene rules")
	switch {
	case err != nil:
	case f.Get("action") == "preview":
		var n gonghai.HygieneCount
		if n, err = s.store.HygienePreview(r.Context(), v.User, row.Rules); err == nil {
			row.Preview = &n
			return s.showRules(w, r, v, http.StatusOK, &row, "")
		}
	default:
		if _, err = s.store.SetPoolHygiene(r.Context(), v.User, row.Rules); err == nil {
			return s.seeOther(w, r, "/admin/hygiene?flash=hygiene.flash.saved")
		}
	}
	var e *gonghai.Error
	if !errors.As(err, &e) || e.Code != gonghai.EInvalid {
		return err
	}
	row.Error, row.Fields = v.ErrorText(err), e.Fields
	return s.showRules(w, r, v, http.StatusUnprocessableEntity, &row, "")
}

// archiveDaysForm changes how long invalid customers wait (admins).
func (s *Server) archiveDaysForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	bad := fieldErrors{}
	days := bad.number("archive_days", r.PostForm.Get("archive_days"), 0)
	err := bad.err("invalid archive days")
	if err == nil {
		err = s.store.SetArchiveDays(r.Context(), v.User, days)
	}
	switch {
	case err == nil:
		return s.seeOther(w, r, "/admin/hygiene?flash=hygiene.flash.saved")
	case gonghai.ErrorCode(err) == gonghai.EInvalid:
		return s.showRules(w, r, v, http.StatusUnprocessableEntity, nil, v.T("hygiene.rules.days_range"))
	}
	return err
}
