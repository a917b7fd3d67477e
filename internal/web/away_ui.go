package web

// The away switch (我的状态): a rep says they are on leave until a day
// (休假至…) or pauses new assignments (暂停接单), and automatic assignment
// skips them — their turn is kept. An admin sets the same, and the daily
// cap, on the user's editor. The store's SetAway decides who may change
// what (a rep their own leave and pause, not their cap).

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// awayData is the 我的状态 page.
type awayData struct {
	User    gonghai.User
	Away    bool   // away now
	Day     string // the last day away, YYYY-MM-DD, for the date box
	Until   string // the last day away, as the page words it
	Today   string // YYYY-MM-DD: the earliest day the box takes
	Errors  map[string]string
	Problem string
}

// awayPage shows the signed-in user's status and the switch.
func (s *Server) awayPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showAway(w, v, http.StatusOK, v.User, nil, "")
}

func (s *Server) showAway(w http.ResponseWriter, v *view, status int, u gonghai.User, errs map[string]string, problem string) error {
	d := awayData{User: u, Away: awayNow(v.Now, u), Today: gonghai.PlanDay(v.Now, v.Zone), Errors: errs, Problem: problem}
	if d.Away {
		d.Day, d.Until = awayInput(v, u), awayDay(v, u)
	}
	v.Nav = "home"
	return s.render(w, v, status, "away", d)
}

// awayPost saves the signed-in user's switch: "back" clears both the
// leave and the pause (我回来了).
func (s *Server) awayPost(w http.ResponseWriter, r *http.Request, v *view) error {
	away, errs := parseAway(v, r.PostForm, false)
	if errs == nil {
		_, err := s.store.SetAway(r.Context(), v.User, v.User.ID, away)
		if err == nil {
			return s.seeOther(w, r, "/me/status?flash=away.flash.saved")
		}
		if gonghai.ErrorCode(err) != gonghai.EInvalid {
			return err
		}
		return s.showAway(w, v, http.StatusUnprocessableEntity, v.User, awayFieldErrors(v, err), v.ErrorText(err))
	}
	return s.showAway(w, v, http.StatusUnprocessableEntity, v.User, errs, "")
}

// userAwayPost is the admin's counterpart on the user's editor: leave,
// pause and the daily cap of automatic assignments.
func (s *Server) userAwayPost(w http.ResponseWriter, r *http.Request, v *view) error {
	u, err := s.editableUser(r, v)
	if err != nil {
		return err
	}
	away, errs := parseAway(v, r.PostForm, true)
	if errs == nil {
		if _, err = s.store.SetAway(r.Context(), v.User, u.ID, away); err == nil {
			return s.seeOther(w, r, "/admin/users/"+u.ID+"?flash=away.flash.saved_user")
		}
		if errs = awayFieldErrors(v, err); errs == nil {
			return err
		}
	}
	return s.showUser(w, r, v, http.StatusUnprocessableEntity, u, errs)
}

// awayFieldErrors words the store's field problems of a refused switch,
// or nil when err is not about fields.
func awayFieldErrors(v *view, err error) map[string]string {
	fields := formFields(err, nil)
	if fields == nil {
		return nil
	}
	return localise(v, fields)
}

// parseAway reads the switch's form: away_until a day (the rep is away
// through its end, in the organisation's zone; empty: not away), paused,
// and for an admin daily_assign_cap. op "back" clears leave and pause.
func parseAway(v *view, form url.Values, withCap bool) (gonghai.Away, map[string]string) {
	var away gonghai.Away
	paused := form.Get("paused") != ""
	if form.Get("op") == "back" {
		paused = false
		away.ClearUntil, away.Paused = true, &paused
		return away, nil
	}
	away.Paused = &paused
	errs := map[string]string{}
	switch day := strings.TrimSpace(form.Get("away_until")); {
	case day == "":
		away.ClearUntil = true
	default:
		at, err := time.ParseInLocation(time.DateOnly, day, v.Zone)
		if err != nil {
			errs["away_until"] = v.T("away.error.day")
			break
		}
		if day < gonghai.PlanDay(v.Now, v.Zone) {
			errs["away_until"] = v.T("away.error.past")
			break
		}
		until := at.AddDate(0, 0, 1)
		away.Until = &until
	}
	if withCap {
		typed := strings.TrimSpace(form.Get("daily_assign_cap"))
		n, err := strconv.Atoi(typed)
		switch {
		case typed == "":
			n = 0
		case err != nil || n < 0:
			errs["daily_assign_cap"] = v.T("away.error.cap")
		}
		away.DailyCap = &n
	}
	if len(errs) > 0 {
		return away, errs
	}
	return away, nil
}

// awayLast is the last moment u is away: a leave ends at the start of the
// day after its last day.
func awayLast(v *view, u gonghai.User) time.Time {
	return u.AwayUntil.In(v.Zone).Add(-time.Second)
}

// awayDay words the last day u is away.
func awayDay(v *view, u gonghai.User) string { return v.format(awayLast(v, u), "fmt.date") }

// awayInput is the last day u is away for a date box.
func awayInput(v *view, u gonghai.User) string { return awayLast(v, u).Format(time.DateOnly) }

// AwayStatus words what keeps u out of automatic assignment now, for the
// desk and the users' pages: "" when nothing does.
func (v *view) AwayStatus(u gonghai.User) string { return awayText(v, u) }

// AwayInput is u's last day away for a date box, "" when not away.
func (v *view) AwayInput(u gonghai.User) string {
	if !awayNow(v.Now, u) {
		return ""
	}
	return awayInput(v, u)
}
