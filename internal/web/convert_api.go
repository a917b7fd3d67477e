package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// Converting a lead into a customer (一转三): POST /api/v1/customers/{id}/convert.

type convertIn struct {
	IDPath
	Body struct {
		Opportunity *convertOpportunityJSON `json:"opportunity,omitempty" doc:"An opportunity to open with the customer; leave out for none"`
	}
}

// convertOpportunityJSON is the opportunity a conversion opens.
type convertOpportunityJSON struct {
	Title  string `json:"title" minLength:"1" maxLength:"200" example:"年度软件采购"`
	Amount string `json:"amount,omitempty" maxLength:"20" example:"12800.00" doc:"Expected amount in yuan"`
	Stage  string `json:"stage,omitempty" maxLength:"200" example:"需求确认" doc:"The sales stage the customer is at: one of the organisation's stages"`
}

// convertJSON is what a conversion made.
type convertJSON struct {
	Customer    customerJSON     `json:"customer" doc:"The customer the lead is now: itself, or the existing customer it joined"`
	Opportunity *opportunityJSON `json:"opportunity" doc:"The opportunity opened, null for none"`
	Joined      bool             `json:"joined" doc:"The lead matched an existing customer (company or a contact) and joined it: its follow-ups, opportunities and history moved there, and its own id now answers merged"`
}

// input is the store's conversion of b.
func (b *convertOpportunityJSON) input() (gonghai.ConvertInput, error) {
	if b == nil {
		return gonghai.ConvertInput{}, nil
	}
	amount, err := money("opportunity.amount", b.Amount)
	if err != nil {
		return gonghai.ConvertInput{}, err
	}
	return gonghai.ConvertInput{Opportunity: &gonghai.ConvertOpportunity{Title: b.Title, Amount: amount, Stage: b.Stage}}, nil
}

func convertOut(r gonghai.ConvertResult) convertJSON {
	out := convertJSON{Customer: customerOut(r.Customer), Joined: r.Joined}
	if r.Opportunity != nil {
		o := opportunityOut(*r.Opportunity)
		out.Opportunity = &o
	}
	return out
}

func (s *Server) convertLead(ctx context.Context, in *convertIn) (*body[convertJSON], error) {
	ci, err := in.Body.Opportunity.input()
	if err != nil {
		return nil, err
	}
	return reply(convertOut)(s.store.Convert(ctx, actor(ctx), in.ID, ci))
}
