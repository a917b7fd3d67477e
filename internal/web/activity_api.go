package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

// Follow-ups, opportunities, orders and locks: what the recycle rules read.
// Each write moves the customer's deadline in its own transaction.

type followUpJSON struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	UserID     string    `json:"user_id"`
	Kind       string    `json:"kind" enum:"call,visit,wechat,email,meeting,note"`
	Content    string    `json:"content"`
	At         time.Time `json:"at"`
	CreatedAt  time.Time `json:"created_at"`
}

func followUpOut(f gonghai.FollowUp) followUpJSON {
	return followUpJSON{ID: f.ID, CustomerID: f.CustomerID, UserID: f.UserID, Kind: f.Kind, Content: f.Content, At: f.At, CreatedAt: f.Created}
}

type followUpIn struct {
	IDPath
	Body struct {
		Kind    string     `json:"kind" enum:"call,visit,wechat,email,meeting,note" doc:"Which kinds count for recycling is the pool's setting"`
		Content string     `json:"content" minLength:"1" maxLength:"5000" example:"电话沟通，客户下月有采购计划"`
		At      *time.Time `json:"at,omitempty" doc:"When it happened; not in the future. Omitted: now"`
	}
}

func (s *Server) addFollowUp(ctx context.Context, in *followUpIn) (*body[followUpJSON], error) {
	return reply(followUpOut)(s.store.AddFollowUp(ctx, actor(ctx), in.ID, gonghai.NewFollowUp{Kind: in.Body.Kind, Content: in.Body.Content, At: in.Body.At}))
}

type pagedIDIn struct {
	IDPath
	PageParams
}

func (s *Server) listFollowUps(ctx context.Context, in *pagedIDIn) (*list[followUpJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	return replyList(followUpOut)(s.store.FollowUps(ctx, actor(ctx), in.ID, pg))
}

type opportunityJSON struct {
	ID         string     `json:"id"`
	CustomerID string     `json:"customer_id"`
	Title      string     `json:"title"`
	Amount     string     `json:"amount" example:"12800.00" doc:"Yuan, two decimals"`
	Status     string     `json:"status" enum:"open,won,lost"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ClosedAt   *time.Time `json:"closed_at"`
}

func opportunityOut(o gonghai.Opportunity) opportunityJSON {
	return opportunityJSON{ID: o.ID, CustomerID: o.CustomerID, Title: o.Title, Amount: o.Amount.String(), Status: o.Status,
		CreatedBy: o.CreatedBy, CreatedAt: o.Created, ClosedAt: o.Closed}
}

// money reads an amount field.
func money(field, v string) (gonghai.Money, error) {
	if v == "" {
		return 0, nil
	}
	m, ok := gonghai.ParseMoney(v)
	if !ok {
		return 0, gonghai.Invalid(field, "yuan, like 12800 or 12800.50")
	}
	return m, nil
}

type opportunityIn struct {
	IDPath
	Body struct {
		Title  string `json:"title" minLength:"1" maxLength:"200" example:"年度软件采购"`
		Amount string `json:"amount,omitempty" maxLength:"20" example:"12800.00" doc:"Expected amount in yuan"`
	}
}

func (s *Server) createOpportunity(ctx context.Context, in *opportunityIn) (*body[opportunityJSON], error) {
	amount, err := money("amount", in.Body.Amount)
	if err != nil {
		return nil, err
	}
	return reply(opportunityOut)(s.store.CreateOpportunity(ctx, actor(ctx), in.ID, in.Body.Title, amount))
}

func (s *Server) listOpportunities(ctx context.Context, in *IDPath) (*list[opportunityJSON], error) {
	return replyAll(opportunityOut)(s.store.Opportunities(ctx, actor(ctx), in.ID))
}

type opportunityCloseIn struct {
	IDPath
	Body struct {
		Status string `json:"status" enum:"won,lost"`
	}
}

func (s *Server) closeOpportunity(ctx context.Context, in *opportunityCloseIn) (*body[opportunityJSON], error) {
	return reply(opportunityOut)(s.store.CloseOpportunity(ctx, actor(ctx), in.ID, in.Body.Status))
}

type orderJSON struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Amount     string    `json:"amount" example:"12800.00"`
	OrderedOn  string    `json:"ordered_on" example:"2026-11-20"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

func orderOut(o gonghai.Order) orderJSON {
	return orderJSON{ID: o.ID, CustomerID: o.CustomerID, Amount: o.Amount.String(), OrderedOn: o.OrderedOn, CreatedBy: o.CreatedBy, CreatedAt: o.Created}
}

type orderIn struct {
	IDPath
	Body struct {
		Amount    string `json:"amount" minLength:"1" maxLength:"20" example:"12800.00" doc:"Yuan"`
		OrderedOn string `json:"ordered_on" example:"2026-11-20" doc:"The day of the order, in the organisation's time zone; not in the future"`
	}
}

func (s *Server) createOrder(ctx context.Context, in *orderIn) (*body[orderJSON], error) {
	amount, err := money("amount", in.Body.Amount)
	if err != nil {
		return nil, err
	}
	return reply(orderOut)(s.store.CreateOrder(ctx, actor(ctx), in.ID, amount, in.Body.OrderedOn))
}

func (s *Server) listOrders(ctx context.Context, in *IDPath) (*list[orderJSON], error) {
	return replyAll(orderOut)(s.store.Orders(ctx, actor(ctx), in.ID))
}

func (s *Server) lockCustomer(ctx context.Context, in *IDPath) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.SetLocked(ctx, actor(ctx), in.ID, true))
}

func (s *Server) unlockCustomer(ctx context.Context, in *IDPath) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.SetLocked(ctx, actor(ctx), in.ID, false))
}
