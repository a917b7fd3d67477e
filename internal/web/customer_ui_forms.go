package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// The customer page's forms. Each asks the store, which decides again
// whatever the page showed; each answers with a 303 back to the page and a
// flash, or the page again with the fields at fault.

// customerEditForm changes the customer's fields. Only fields the form
// sent are changed: a viewer who does not see the contacts is not shown
// them, and sends none.
func (s *Server) customerEditForm(w http.ResponseWriter, r *http.Request, v *view) error {
	var p gonghai.CustomerPatch
	for name, field := range map[string]**string{"name": &p.Name, "company": &p.Company, "category": &p.Category,
		"industry": &p.Industry, "region": &p.Region, "product_line": &p.ProductLine, "source": &p.Source, "stage": &p.Stage,
		"phone": &p.Phone, "email": &p.Email, "wechat": &p.WeChat, "size": &p.Size} {
		if vs, ok := r.PostForm[name]; ok {
			*field = &vs[0]
		}
	}
	id := r.PathValue("id")
	if _, err := s.store.UpdateCustomer(r.Context(), v.User, id, p); err != nil {
		return s.refused(w, r, v, "edit", err)
	}
	return s.backToCustomer(w, r, id, "customer.saved")
}

// followUpForm logs a follow-up: its kind, content and when it happened
// (datetime-local in the organisation's zone; empty is now).
func (s *Server) followUpForm(w http.ResponseWriter, r *http.Request, v *view) error {
	in := gonghai.NewFollowUp{Kind: r.PostForm.Get("kind"), Content: r.PostForm.Get("content")}
	if at := strings.TrimSpace(r.PostForm.Get("at")); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, v.Zone)
		if err != nil {
			return s.refused(w, r, v, "followup", gonghai.Invalid("at", "a date and time"))
		}
		in.At = &t
	}
	id := r.PathValue("id")
	if _, err := s.store.AddFollowUp(r.Context(), v.User, id, in); err != nil {
		return s.refused(w, r, v, "followup", err)
	}
	return s.backToCustomer(w, r, id, "customer.followed_up")
}

// planForm sets the next follow-up plan.
func (s *Server) planForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	in := gonghai.NewFollowUpPlan{Day: r.PostForm.Get("date"), Note: r.PostForm.Get("note")}
	if _, err := s.store.SetPlan(r.Context(), v.User, id, in); err != nil {
		return s.refused(w, r, v, "plan", err)
	}
	return s.backToCustomer(w, r, id, "customer.planned")
}

// planClearForm clears the plan.
func (s *Server) planClearForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	if err := s.store.ClearPlan(r.Context(), v.User, id); err != nil {
		return err
	}
	return s.backToCustomer(w, r, id, "customer.plan_cleared")
}

// opportunityForm opens an opportunity.
func (s *Server) opportunityForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	var amount gonghai.Money
	if a := strings.TrimSpace(r.PostForm.Get("amount")); a != "" {
		m, ok := gonghai.ParseMoney(a)
		if !ok {
			return s.refused(w, r, v, "opportunity", gonghai.Invalid("amount", "an amount in yuan, like 12800.50"))
		}
		amount = m
	}
	if _, err := s.store.CreateOpportunity(r.Context(), v.User, id, r.PostForm.Get("title"), amount); err != nil {
		return s.refused(w, r, v, "opportunity", err)
	}
	return s.backToCustomer(w, r, id, "customer.opportunity_opened")
}

// opportunityCloseForm marks an opportunity of the customer won or lost.
func (s *Server) opportunityCloseForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	o, err := s.store.CloseOpportunity(r.Context(), v.User, r.PathValue("opp"), r.PostForm.Get("status"))
	if err != nil {
		return err
	}
	if o.CustomerID != id {
		return gonghai.Errorf(gonghai.ENotFound, "no such opportunity")
	}
	return s.backToCustomer(w, r, id, "customer.opportunity_closed")
}

// orderForm records an order.
func (s *Server) orderForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	amount, ok := gonghai.ParseMoney(strings.TrimSpace(r.PostForm.Get("amount")))
	if !ok {
		return s.refused(w, r, v, "order", gonghai.Invalid("amount", "an amount in yuan, like 12800.50"))
	}
	if _, err := s.store.CreateOrder(r.Context(), v.User, id, amount, r.PostForm.Get("ordered_on")); err != nil {
		return s.refused(w, r, v, "order", err)
	}
	return s.backToCustomer(w, r, id, "customer.ordered")
}

// lockForm locks the customer against recycling, or unlocks it.
func (s *Server) lockForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, lock := r.PathValue("id"), r.PostForm.Get("locked") == "true"
	if _, err := s.store.SetLocked(r.Context(), v.User, id, lock); err != nil {
		return err
	}
	flash := "customer.unlocked"
	if lock {
		flash = "customer.locked"
	}
	return s.backToCustomer(w, r, id, flash)
}

// claimForm claims the customer from its pool.
func (s *Server) claimForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	if _, err := s.store.Claim(r.Context(), v.User, id, ""); err != nil {
		return err
	}
	return s.backToCustomer(w, r, id, "customer.claimed")
}

// releaseForm gives the customer back to its pool, with the reason
// required; the releaser may no longer see it, so the private pool is
// where they land.
func (s *Server) releaseForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("id")
	if _, err := s.store.Release(r.Context(), v.User, id, r.PostForm.Get("reason"), ""); err != nil {
		return s.refused(w, r, v, "release", err)
	}
	return s.seeOther(w, r, "/mine?flash=customer.released")
}

// revealForm shows the customer's contacts in full, once: counted and
// logged by the store as the API's reveal is.
func (s *Server) revealForm(w http.ResponseWriter, r *http.Request, v *view) error {
	contacts, err := s.store.Reveal(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.showCustomer(w, r, v, http.StatusOK, customerData{Revealed: &contacts})
}
