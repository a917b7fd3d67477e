package web

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// planJSON is a customer's next follow-up plan (下次跟进).
type planJSON struct {
	Date     string     `json:"date" format:"date" example:"2026-03-06" doc:"The day, in the organisation's time zone"`
	Note     string     `json:"note" doc:"What for; masked like follow-ups for those who do not see the contacts"`
	OwnerID  string     `json:"owner_id" doc:"Who is reminded: the customer's owner"`
	SetBy    string     `json:"set_by"`
	SetAt    time.Time  `json:"set_at"`
	RemindAt *time.Time `json:"remind_at" doc:"When the owner is reminded, through notifications and the webhook; null once sent"`
}

// planFields is planJSON without its Schema method.
type planFields planJSON

// Schema makes a customer's plan an inline object that may be null, as
// the countdown is.
func (planJSON) Schema(r huma.Registry) *huma.Schema { return nullableSchema[planFields](r) }

func planOut(p *gonghai.FollowUpPlan) *planJSON {
	if p == nil {
		return nil
	}
	return &planJSON{Date: p.Day, Note: p.Note, OwnerID: p.OwnerID, SetBy: p.SetBy, SetAt: p.Set, RemindAt: p.RemindAt}
}

type planIn struct {
	IDPath
	Body struct {
		Date string `json:"date" maxLength:"10" example:"2026-03-06" doc:"YYYY-MM-DD in the organisation's time zone: today or up to 366 days ahead"`
		Note string `json:"note,omitempty" maxLength:"2000" doc:"At most 500 characters"`
	}
}

func (s *Server) setPlan(ctx context.Context, in *planIn) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.SetPlan(ctx, actor(ctx), in.ID, gonghai.NewFollowUpPlan{Day: in.Body.Date, Note: in.Body.Note}))
}

func (s *Server) clearPlan(ctx context.Context, in *IDPath) (*struct{}, error) {
	return nil, s.store.ClearPlan(ctx, actor(ctx), in.ID)
}
