package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
)

// customerPageStore is what the customer page and the home page need of
// the database besides the API's methods.
type customerPageStore interface {
	// CustomerFacts returns what the root's decisions take about a
	// customer, the customer as the viewer may see it.
	CustomerFacts(ctx context.Context, viewer gonghai.User, id string) (gonghai.CustomerFacts, error)
	ClaimChecks(ctx context.Context, viewer gonghai.User, ids []string) ([]error, error)
	Home(ctx context.Context, viewer gonghai.User) (gonghai.Home, error)
}

// customerData is the customer page: the customer as the store shows it to
// the viewer, what the root's decisions allow them to do with it, and its
// history, follow-ups, opportunities and orders.
type customerData struct {
	C        gonghai.Customer
	Revealed *gonghai.Contacts // contacts in full, right after a reveal
	// People are the further contacts as the viewer may see them (contact_ui.go);
	// PeopleFull when in full.
	People     []gonghai.Contact
	PeopleFull bool
	PoolName   string
	OwnerName  string

	// What the viewer may do, as the decisions answer.
	MayWork, MayPlan, MayRelease, MayReveal, MayLock, MayClaim bool
	Hygiene                                                    customerHygiene // mark/flag invalid, or the archive's entry
	SeesContacts                                               bool
	ClaimWhy                                                   string // why the viewer may not claim it, while it is in a pool

	Events        []eventRow
	FollowUps     []followUpRow
	Opportunities []gonghai.Opportunity
	Orders        []gonghai.Order

	Lead leadData // where a lead came from, and 转为客户

	Kinds, Stages, Categories []string
	Today, LastPlanDay        string // the dates a plan may take
	PlanAt                    time.Time
	PlanDay, PlanNote         string // the plan form's values
	NowInput                  string // now, as datetime-local shows it

	// A form refused for its input is shown again with its values and
	// the fields at fault.
	Form   string
	Values url.Values
	Errors map[string]string
	Error  string
}

// eventRow is an ownership event with names for its ids, and the rule
// that recycled it (a recycled event's reason).
type eventRow struct {
	gonghai.Event
	Actor, From, To, FromPool, ToPool string
	Rule                              gonghai.RuleKind
}

// followUpRow is a follow-up with its author's name.
type followUpRow struct {
	gonghai.FollowUp
	By string
}

// Value is what the form named shows in field name: what was sent, when
// that form was refused, else def.
func (d customerData) Value(form, name, def string) string {
	if d.Form == form && d.Values != nil {
		if v, ok := d.Values[name]; ok {
			return v[0]
		}
	}
	return def
}

// FieldError is the problem with field name of the form named, if it was
// refused.
func (d customerData) FieldError(form, name string) string {
	if d.Form != form {
		return ""
	}
	return d.Errors[name]
}

// customerPage shows one customer.
func (s *Server) customerPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showCustomer(w, r, v, http.StatusOK, customerData{})
}

// showCustomer renders customer r.PathValue("id") for v with d's form
// state (a refused form, revealed contacts) at status.
func (s *Server) showCustomer(w http.ResponseWriter, r *http.Request, v *view, status int, d customerData) error {
	ctx, id := r.Context(), r.PathValue("id")
	f, err := s.store.CustomerFacts(ctx, v.User, id)
	var merged *gonghai.Error
	if errors.As(err, &merged) && merged.Code == gonghai.EMerged {
		// A merged customer's page is its survivor's.
		return s.seeOther(w, r, "/customers/"+url.PathEscape(merged.MergedInto)+"?flash=conflict.merged_here")
	}
	if err != nil {
		return err
	}
	c := f.Customer
	d.C = c
	d.MayWork = gonghai.CanWork(v.User, f) == nil
	d.MayPlan = gonghai.CanPlan(v.User, f) == nil
	d.MayRelease = gonghai.CanRelease(v.User, f) == nil
	d.SeesContacts = gonghai.SeesContacts(v.User, c)
	d.MayReveal = d.Revealed == nil && !d.SeesContacts && gonghai.CanReveal(v.User, f) == nil
	d.MayLock = c.OwnerID != "" && gonghai.CanLock(v.User, f) == nil
	if err := s.customerPeople(ctx, v, id, &d); err != nil {
		return err
	}
	if d.Hygiene, err = s.customerHygiene(ctx, v, f); err != nil {
		return err
	}
	if c.OwnerID == "" {
		checks, err := s.store.ClaimChecks(ctx, v.User, []string{id})
		if err != nil {
			return err
		}
		if d.MayClaim = checks[0] == nil; !d.MayClaim {
			d.ClaimWhy = v.ErrorText(checks[0])
		}
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	d.Stages, d.Kinds, d.Categories = settings.Stages, gonghai.FollowUpKinds, gonghai.Categories
	if d.Lead, err = s.leadFacts(ctx, v, f, settings.Stages); err != nil {
		return err
	}
	if c.Stage != "" && !slices.Contains(d.Stages, c.Stage) {
		d.Stages = append([]string{c.Stage}, d.Stages...)
	}
	d.Today = gonghai.PlanDay(v.Now, v.Zone)
	d.LastPlanDay = gonghai.PlanDay(gonghai.AddDays(v.Now, gonghai.MaxPlanDays, v.Zone), v.Zone)
	d.NowInput = v.Now.In(v.Zone).Format("2006-01-02T15:04")
	if c.Plan != nil {
		d.PlanDay, d.PlanNote = c.Plan.Day, c.Plan.Note
		d.PlanAt, _ = time.ParseInLocation(time.DateOnly, c.Plan.Day, v.Zone)
	}

	names := s.namer(ctx, v)
	d.OwnerName, d.PoolName = names.user(c.OwnerID), names.pool(c.PoolID)
	events, err := s.store.History(ctx, v.User, id)
	if err != nil {
		return err
	}
	// The histories of customers merged into this one, kept under their
	// ids, read in time with its own.
	mergedEvents, err := s.store.MergedHistory(ctx, v.User, id)
	if err != nil {
		return err
	}
	events = append(events, mergedEvents...)
	slices.SortStableFunc(events, func(a, b gonghai.Event) int { return a.At.Compare(b.At) })
	// Latest first, as a timeline reads.
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		d.Events = append(d.Events, eventRow{Event: e, Actor: names.user(e.ActorID), From: names.user(e.FromOwnerID),
			To: names.user(e.ToOwnerID), FromPool: names.pool(e.FromPoolID), ToPool: names.pool(e.ToPoolID), Rule: gonghai.RuleKind(e.Reason)})
	}
	fus, _, err := s.store.FollowUps(ctx, v.User, id, gonghai.Page{Limit: 50})
	if err != nil {
		return err
	}
	for _, fu := range fus {
		d.FollowUps = append(d.FollowUps, followUpRow{FollowUp: fu, By: names.user(fu.UserID)})
	}
	if d.Opportunities, err = s.store.Opportunities(ctx, v.User, id); err != nil {
		return err
	}
	if d.Orders, err = s.store.Orders(ctx, v.User, id); err != nil {
		return err
	}
	v.Nav = "mine"
	if c.OwnerID == "" {
		v.Nav = "pool"
	}
	return s.render(w, v, status, "customer", d)
}

// namer names users and pools for v, each read once: those v may not see
// are "someone" and "".
type namer struct {
	s     *Server
	ctx   context.Context
	v     *view
	users map[string]string
	pools map[string]string
}

func (s *Server) namer(ctx context.Context, v *view) *namer {
	n := &namer{s: s, ctx: ctx, v: v, users: map[string]string{}, pools: map[string]string{}}
	if ps, err := s.store.Pools(ctx, v.User); err == nil {
		for _, p := range ps {
			n.pools[p.ID] = p.Name
		}
	}
	return n
}

func (n *namer) user(id string) string {
	if id == "" {
		return ""
	}
	if name, ok := n.users[id]; ok {
		return name
	}
	name := n.v.T("customer.someone")
	if u, err := n.s.store.User(n.ctx, n.v.User, id); err == nil {
		name = u.Name
	}
	n.users[id] = name
	return name
}

func (n *namer) pool(id string) string {
	if name, ok := n.pools[id]; ok || id == "" {
		return name
	}
	return n.v.T("customer.other_pool")
}

// refused shows the customer page again with form's values and the error
// that refused them, when the error is about the input; any other error
// goes to the error page.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, v *view, form string, err error) error {
	var e *gonghai.Error
	if !errors.As(err, &e) || e.Code != gonghai.EInvalid {
		return err
	}
	d := customerData{Form: form, Values: r.PostForm, Errors: e.Fields, Error: v.ErrorText(err)}
	return s.showCustomer(w, r, v, http.StatusUnprocessableEntity, d)
}

// backToCustomer sends the browser to customer id's page, with a flash.
func (s *Server) backToCustomer(w http.ResponseWriter, r *http.Request, id, flash string) error {
	return s.seeOther(w, r, "/customers/"+url.PathEscape(id)+"?flash="+flash)
}
