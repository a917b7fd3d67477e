package web

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/gonghai/gonghai"
)

// The team page's forms: assign or transfer customers to a rep, one or a
// batch; hand over a leaver's customers. The store decides each move as
// it does for the API (Assign, Transfer: CanGive, CanOwn, holding limits;
// HandOver: CanHandOver); the page reports what moved and, row by row,
// what did not and why.

// giveOutcome is what one assign or transfer form did.
type giveOutcome struct {
	Moved   int
	Refused []refusedRow
	Error   string // the form was refused whole
}

// refusedRow is a customer a form left where it was, and why.
type refusedRow struct {
	ID, Company string // Company "" when the viewer may not see it
	Why         string
}

// handOverOutcome is what a hand-over did.
type handOverOutcome struct {
	Moved int
	Left  []refusedRow
	Error string
}

// teamGiveForm assigns the chosen customers of the pool, and transfers the
// chosen owned ones, to one user: the one row whose button was pressed
// ("one"), or every ticked row ("id"). All moved: back to the list with
// a flash. Some refused: the page again, with each refused row and why.
func (s *Server) teamGiveForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.CanLeadTeam(v.User); err != nil {
		return err
	}
	ctx, form := r.Context(), r.PostForm
	ids := form["id"]
	if one := form.Get("one"); one != "" {
		ids = []string{one}
	}
	tf := teamForm{To: form.Get("to"), Reason: form.Get("reason"), Force: form.Get("force") != ""}
	out := &giveOutcome{}
	switch {
	case len(ids) == 0:
		out.Error = v.T("team.give.none")
	case len(ids) > gonghai.MaxPageSize:
		out.Error = v.T("team.give.too_many", gonghai.MaxPageSize)
	case tf.To == "":
		out.Error = v.T("team.give.no_receiver")
	default:
		for _, id := range ids {
			company, err := s.give(ctx, v.User, id, tf)
			if err == nil {
				out.Moved++
				continue
			}
			if gonghai.ErrorCode(err) == gonghai.EInternal || gonghai.ErrorCode(err) == "" {
				return err
			}
			out.Refused = append(out.Refused, refusedRow{ID: id, Company: company, Why: refusalText(v, err)})
		}
	}
	back := backOf(form.Get("back"))
	if out.Error == "" && len(out.Refused) == 0 {
		return s.seeOther(w, r, withFlash(back, "team.give.done"))
	}
	return s.teamAgain(w, r, v, back, tf, func(d *teamData) { d.Given = out })
}

// give assigns customer id, when nobody owns it, or else transfers it, to
// tf.To, and returns its company when viewer may see it. The store reads
// it again and decides: a customer claimed meanwhile is refused, not
// transferred.
func (s *Server) give(ctx context.Context, viewer gonghai.User, id string, tf teamForm) (string, error) {
	c, err := s.store.Customer(ctx, viewer, id)
	if err != nil {
		return "", err
	}
	if c.OwnerID == "" {
		_, err = s.store.Assign(ctx, viewer, id, tf.To, tf.Reason, tf.Force)
	} else {
		_, err = s.store.Transfer(ctx, viewer, id, tf.To, tf.Reason, tf.Force)
	}
	return c.Company, err
}

// teamHandOverForm hands every customer of one user to another: what
// moved, and the customers left with the leaver and why, on the page.
func (s *Server) teamHandOverForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.CanLeadTeam(v.User); err != nil {
		return err
	}
	ctx, form := r.Context(), r.PostForm
	tf := teamForm{From: form.Get("from"), HandTo: form.Get("to"), Reason: form.Get("reason"), Force: form.Get("force") != ""}
	out := &handOverOutcome{}
	switch {
	case tf.From == "" || tf.HandTo == "":
		out.Error = v.T("team.handover.pick")
	default:
		res, err := s.store.HandOver(ctx, v.User, tf.From, tf.HandTo, tf.Reason, tf.Force)
		if code := gonghai.ErrorCode(err); err != nil && (code == gonghai.EInternal || code == "") {
			return err
		} else if err != nil {
			out.Error = refusalText(v, err)
		}
		out.Moved = res.Moved
		for _, l := range res.Left {
			row := refusedRow{ID: l.CustomerID, Why: refusalText(v, l.Err)}
			if c, err := s.store.Customer(ctx, v.User, l.CustomerID); err == nil {
				row.Company = c.Company
			}
			out.Left = append(out.Left, row)
		}
	}
	if out.Error == "" {
		tf = teamForm{} // done: the form starts afresh
	}
	return s.teamAgain(w, r, v, backOf(form.Get("back")), tf, func(d *teamData) { d.Handed = out })
}

// teamAgain shows the team page at back after a form, with what the form
// held and did.
func (s *Server) teamAgain(w http.ResponseWriter, r *http.Request, v *view, back string, tf teamForm, did func(*teamData)) error {
	u, _ := url.Parse(back)
	v.Path = back
	d, err := s.teamData(r.Context(), v, teamFilterOf(u.Query()))
	if err != nil {
		return err
	}
	d.Form = tf
	did(d)
	return s.render(w, v, http.StatusOK, "team", d)
}

// backOf is where a team form returns: the list it was sent from, or the
// team page; never another site or page.
func backOf(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Path != "/team" || u.Host != "" || u.Scheme != "" {
		return "/team"
	}
	return localPath(u.RequestURI())
}

// withFlash is page p with flash key shown once.
func withFlash(p, key string) string {
	u, _ := url.Parse(p)
	q := u.Query()
	q.Set("flash", key)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// refusalText says why a move was refused, as the team page words it (the
// receiver's limits, not the viewer's), else as every page does.
func refusalText(v *view, err error) string {
	var e *gonghai.Error
	if errors.As(err, &e) {
		for _, field := range slices.Sorted(maps.Keys(e.Fields)) {
			if key := "team.refused.invalid." + field; ui.catalogue.keys[key] {
				return v.T(key)
			}
		}
	}
	if key := "team.refused." + gonghai.ErrorCode(err); ui.catalogue.keys[key] {
		return v.T(key)
	}
	return v.ErrorText(err)
}
