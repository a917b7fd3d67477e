package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// CustomerFields are the fields a user may set. Owner, pool, won and the
// times are absent on purpose: a body that carries them is refused whole.
type CustomerFields struct {
	Name        *string `json:"name,omitempty" maxLength:"200" example:"张伟"`
	Company     *string `json:"company,omitempty" maxLength:"200" example:"上海恒信科技有限公司"`
	Category    *string `json:"category,omitempty" enum:"A,B,C,"`
	Industry    *string `json:"industry,omitempty" maxLength:"200"`
	Region      *string `json:"region,omitempty" maxLength:"200" example:"上海市/上海市/浦东新区"`
	ProductLine *string `json:"product_line,omitempty" maxLength:"200"`
	Source      *string `json:"source,omitempty" maxLength:"200"`
	Stage       *string `json:"stage,omitempty" maxLength:"200"`
	Phone       *string `json:"phone,omitempty" maxLength:"200" example:"13812348000"`
	Email       *string `json:"email,omitempty" maxLength:"200"`
	WeChat      *string `json:"wechat,omitempty" maxLength:"200" example:"wxid_zhangwei"`
	Size        *string `json:"size,omitempty" enum:"small,medium,large,key," doc:"Customer size; empty for unknown"`
}

func (f CustomerFields) patch() gonghai.CustomerPatch {
	return gonghai.CustomerPatch{Name: f.Name, Company: f.Company, Category: f.Category, Industry: f.Industry, Region: f.Region,
		ProductLine: f.ProductLine, Source: f.Source, Stage: f.Stage, Phone: f.Phone, Email: f.Email, WeChat: f.WeChat, Size: f.Size}
}

type customerCreateIn struct {
	Body struct {
		CustomerFields
		PoolID       string `json:"pool_id" doc:"The pool it belongs to"`
		OwnerID      string `json:"owner_id,omitempty" doc:"Create straight into this user's private pool"`
		AllowSimilar bool   `json:"allow_similar,omitempty" doc:"Create it although its company is like existing customers' (answered 409 similar without it); each like one is recorded as a conflict"`
		Lifecycle    string `json:"lifecycle,omitempty" enum:"lead,customer" doc:"lead: a lead (线索), converted later by convert-lead; customer (the default)"`
	}
}

func (s *Server) createCustomer(ctx context.Context, in *customerCreateIn) (*body[customerJSON], error) {
	var f gonghai.CustomerFields
	in.Body.patch().Apply(&f)
	return reply(customerOut)(s.store.CreateCustomer(ctx, actor(ctx), gonghai.NewCustomer{CustomerFields: f, PoolID: in.Body.PoolID,
		OwnerID: in.Body.OwnerID, AllowSimilar: in.Body.AllowSimilar, Lifecycle: gonghai.Lifecycle(in.Body.Lifecycle)}))
}

type matchesIn struct {
	Company string `query:"company" maxLength:"200" doc:"The company being typed"`
	Phone   string `query:"phone" maxLength:"200"`
	Email   string `query:"email" maxLength:"200"`
	WeChat  string `query:"wechat" maxLength:"200"`
}

// matchesJSON is what a new customer's fields meet.
type matchesJSON struct {
	Duplicates []duplicateJSON `json:"duplicates" doc:"Customers holding the company, phone, email or WeChat id: a create would be refused (duplicate)"`
	Similar    []duplicateJSON `json:"similar" doc:"Customers whose company is like it: a create needs allow_similar"`
}

func (s *Server) customerMatches(ctx context.Context, in *matchesIn) (*body[matchesJSON], error) {
	m, err := s.store.Matches(ctx, actor(ctx), gonghai.CustomerFields{Company: in.Company, Phone: in.Phone, Email: in.Email, WeChat: in.WeChat})
	if err != nil {
		return nil, err
	}
	out := matchesJSON{Duplicates: []duplicateJSON{}, Similar: []duplicateJSON{}}
	for _, d := range m.Duplicates {
		out.Duplicates = append(out.Duplicates, matchJSON(d))
	}
	for _, d := range m.Similar {
		out.Similar = append(out.Similar, matchJSON(d))
	}
	return bodyOf(out), nil
}

func (s *Server) getCustomer(ctx context.Context, in *IDPath) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.Customer(ctx, actor(ctx), in.ID))
}

type customerPatchIn struct {
	IDPath
	Body CustomerFields
}

func (s *Server) updateCustomer(ctx context.Context, in *customerPatchIn) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.UpdateCustomer(ctx, actor(ctx), in.ID, in.Body.patch()))
}

type myCustomersIn struct {
	PageParams
	MyFilterParams
}

// MyFilterParams narrow one's private pool: the filters of a pool's
// listing, in an order. The listing and its export read them alike.
type MyFilterParams struct {
	CustomerFilterParams
	Sort string `query:"sort" enum:"created,recycle_at" default:"created" doc:"created: newest first; recycle_at: the nearest recycle deadline first, customers no rule takes back last"`
}

func (s *Server) listMyCustomers(ctx context.Context, in *myCustomersIn) (*countedList[customerJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	f := in.mine()
	cs, next, err := s.store.MyCustomers(ctx, actor(ctx), f, pg)
	if err != nil {
		return nil, err
	}
	out := &countedList[customerJSON]{}
	out.Body.Items, out.Body.NextCursor = each(cs, customerOut), encodeCursor(next)
	if out.Body.Total, out.Body.TotalMore, err = s.store.CountMyCustomers(ctx, actor(ctx), f); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) customerHistory(ctx context.Context, in *IDPath) (*list[eventJSON], error) {
	return replyAll(eventOut)(s.store.History(ctx, actor(ctx), in.ID))
}

// mine is the store's filter of p.
func (p MyFilterParams) mine() gonghai.CustomerFilter {
	f := p.filter()
	f.Sort = p.Sort
	return f
}
