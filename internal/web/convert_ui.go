package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gonghai/gonghai"
)

// The lead parts of the customer page: where the lead came from, and
// 转为客户 (一转三), in a dialog over the page and, without a script, on
// its own page (/customers/{id}/convert), both posting the same form.

// leadStore is what the lead parts need of the database besides the API's
// methods.
type leadStore interface {
	ChannelName(ctx context.Context, id string) (string, error)
}

// leadData is what the customer page shows of a lead: its channel's name,
// whether the viewer may convert it, and the conversion form's state: the
// values sent and the fields at fault, when it was refused.
type leadData struct {
	Channel, LatestChannel string
	MayConvert             bool
	Stages, Sizes          []string
	Values                 url.Values
	Errors                 map[string]string
	Error                  string
}

// Value is what field name of the conversion form shows: what was sent,
// when it was refused, else "".
func (d leadData) Value(name string) string { return d.Values.Get(name) }

// FieldError is the problem with the form's field name (an API field,
// opportunity.title), if it was refused.
func (d leadData) FieldError(name string) string { return d.Errors[name] }

// convertData is the conversion page without a script: the customer, and
// the lead's facts and form.
type convertData struct {
	C    gonghai.Customer
	Lead leadData
}

// leadFacts reads what the page shows of lead or converted customer c for
// v, with facts f.
func (s *Server) leadFacts(ctx context.Context, v *view, f gonghai.CustomerFacts, stages []string) (leadData, error) {
	c := f.Customer
	d := leadData{MayConvert: gonghai.CanConvert(v.User, f) == nil, Stages: stages, Sizes: gonghai.Sizes}
	var err error
	if c.FirstTouch != nil {
		if d.Channel, err = s.store.ChannelName(ctx, c.FirstTouch.ChannelID); err != nil {
			return d, err
		}
	}
	if c.LatestTouch != nil {
		d.LatestChannel, err = s.store.ChannelName(ctx, c.LatestTouch.ChannelID)
	}
	return d, err
}

// convertPage is the conversion form on its own page, for a browser
// without scripts (the customer page opens it in a dialog).
func (s *Server) convertPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showConvert(w, r, v, http.StatusOK, convertData{})
}

func (s *Server) showConvert(w http.ResponseWriter, r *http.Request, v *view, status int, d convertData) error {
	ctx, id := r.Context(), r.PathValue("id")
	f, err := s.store.CustomerFacts(ctx, v.User, id)
	if err != nil {
		return err
	}
	if err := gonghai.CanConvert(v.User, f); err != nil {
		return err
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	d.C = f.Customer
	form := d.Lead
	if d.Lead, err = s.leadFacts(ctx, v, f, settings.Stages); err != nil {
		return err
	}
	d.Lead.Values, d.Lead.Errors, d.Lead.Error = form.Values, form.Errors, form.Error
	v.Nav = "mine"
	return s.render(w, v, status, "convert", d)
}

// convertForm converts the lead, then shows the customer it became, or the
// existing customer it joined, with what was done.
func (s *Server) convertForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	in, err := convertFormInput(r.PostForm)
	if err == nil {
		var res gonghai.ConvertResult
		res, err = s.store.Convert(r.Context(), v.User, id, in)
		if err == nil {
			flash := "lead.converted"
			if res.Joined {
				flash = "lead.joined"
			}
			return s.backToCustomer(w, r, res.Customer.ID, flash)
		}
	}
	var e *gonghai.Error
	switch {
	case errors.As(err, &e) && e.Code == gonghai.EAlreadyConverted:
		// Two clicks, or two people: the first one converted it.
		target := id
		if e.MergedInto != "" {
			target = e.MergedInto
		}
		return s.backToCustomer(w, r, target, "lead.already_converted")
	case errors.As(err, &e) && e.Code == gonghai.EInvalid:
		return s.showConvert(w, r, v, http.StatusUnprocessableEntity, convertData{Lead: leadData{Values: r.PostForm, Errors: e.Fields,
			Error: v.ErrorText(err)}})
	}
	return err
}

// convertFormInput reads the conversion form: an opportunity when a title
// is given.
func convertFormInput(form url.Values) (gonghai.ConvertInput, error) {
	title := strings.TrimSpace(form.Get("title"))
	amount, stage := strings.TrimSpace(form.Get("amount")), form.Get("stage")
	if title == "" && amount == "" && stage == "" {
		return gonghai.ConvertInput{}, nil
	}
	m, err := money("opportunity.amount", amount)
	if err != nil {
		return gonghai.ConvertInput{}, err
	}
	return gonghai.ConvertInput{Opportunity: &gonghai.ConvertOpportunity{Title: title, Amount: m, Stage: stage}}, nil
}

// lifecycleOf reads a list page's lifecycle filter from q: lead, customer,
// or "" (both) for anything else.
func lifecycleOf(q url.Values) gonghai.Lifecycle {
	switch l := gonghai.Lifecycle(q.Get("lifecycle")); l {
	case gonghai.LifecycleLead, gonghai.LifecycleCustomer:
		return l
	}
	return ""
}
