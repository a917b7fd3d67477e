package web

// The audit log page: sensitive actions, newest first, filtered by action,
// user and a range of days in the organisation's zone.

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// auditPageSize is how many entries one page of the log shows.
const auditPageSize = 50

// auditActions are the actions the filter offers, in the order the root
// lists them.
var auditActions = []string{gonghai.AuditLogin, gonghai.AuditLoginFailed, gonghai.AuditLogout, gonghai.AuditPasswordSet,
	gonghai.AuditReveal, gonghai.AuditExport, gonghai.AuditErase, gonghai.AuditPoolChange, gonghai.AuditUserChange,
	gonghai.AuditSettingChange, gonghai.AuditKeyRotation, gonghai.AuditTokenCreated, gonghai.AuditTokenRevoked,
	gonghai.AuditContactChange, gonghai.AuditListExport}

// auditPage is the log's data.
type auditPage struct {
	Entries         []auditRow
	Action, ActorID string
	From, To        string // days as typed, YYYY-MM-DD
	Next            string
	Actions         []string
	Users           []gonghai.User
	Problem         string // a date that is not one: the filter ignores it
	FirstPage       bool
}

// auditRow is one entry with its actor's login, and its detail in key
// order.
type auditRow struct {
	Entry  gonghai.AuditEntry
	Actor  string // login; "" for the command line
	Detail []string
}

// adminAuditPage lists the audit log: admins only, as the store decides.
func (s *Server) adminAuditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "reads the audit log"); err != nil {
		return err
	}
	q := r.URL.Query()
	page := auditPage{Action: q.Get("action"), ActorID: q.Get("actor"), From: q.Get("from"), To: q.Get("to"),
		Actions: auditActions, FirstPage: q.Get("after") == ""}
	f := gonghai.AuditFilter{ActorID: page.ActorID}
	if slices.Contains(auditActions, page.Action) {
		f.Action = page.Action
	}
	// The range takes its last day whole: it ends at the next day's start.
	from, badFrom := dayStart(page.From, v.Zone, 0)
	to, badTo := dayStart(page.To, v.Zone, 1)
	if badFrom || badTo {
		page.Problem = v.T("admin.audit.bad_date")
	}
	f.From, f.To = from, to
	ctx := r.Context()
	entries, next, err := s.store.Audit(ctx, v.User, f, gonghai.Page{After: q.Get("after"), Limit: auditPageSize})
	if err != nil {
		return err
	}
	if page.Users, err = s.allUsers(ctx, v.User, gonghai.UserFilter{}); err != nil {
		return err
	}
	logins := map[string]string{}
	for _, u := range page.Users {
		logins[u.ID] = u.Login
	}
	page.Next = next
	for _, e := range entries {
		row := auditRow{Entry: e, Actor: logins[e.ActorID]}
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			row.Detail = append(row.Detail, k+"="+e.Detail[k])
		}
		page.Entries = append(page.Entries, row)
	}
	v.Nav = "admin"
	return s.render(w, v, http.StatusOK, "admin_audit", page)
}

// dayStart returns the start, in loc, of the day typed (YYYY-MM-DD)
// plus after days, zero for a blank; bad reports a day that is not one,
// which the filter leaves open.
func dayStart(day string, loc *time.Location, after int) (time.Time, bool) {
	day = strings.TrimSpace(day)
	if day == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return time.Time{}, true
	}
	return gonghai.AddDays(t, after, loc), false
}
