package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// customersIn is a page of the customers a user may list.
type customersIn struct {
	PageParams
	ScopeParams
}

// ScopeParams narrow the customers a user may list: the filters of a
// pool's listing, and whose, which pool's and how soon due. The listing
// and its export read them alike.
type ScopeParams struct {
	CustomerFilterParams
	Sort    string `query:"sort" enum:"created,recycle_at" default:"created" doc:"created: newest first; recycle_at: the nearest recycle deadline first, customers no rule takes back last"`
	OwnerID string `query:"owner_id" maxLength:"64" doc:"Only this user's customers: a user you see (else invalid, as an unknown id)"`
	PoolID  string `query:"pool_id" maxLength:"64" doc:"Only this pool's customers"`
	Unowned bool   `query:"unowned" doc:"Only the customers nobody owns, of pool_id (admins: of every pool when pool_id is empty); newest first"`
	DueDays int    `query:"due_days" minimum:"0" maximum:"90" doc:"Only those whose countdown shows this many days or fewer (1: their last day; the overdue too); 0 = all"`
}

// customerPageJSON is a page of a listing with the listing's total.
type customerPageJSON struct {
	Body struct {
		Items      []customerJSON `json:"items"`
		NextCursor string         `json:"next_cursor" doc:"Pass as cursor for the next page; empty on the last page"`
		Total      int            `json:"total" doc:"How many customers the whole listing holds, counted up to 10000"`
		TotalMore  bool           `json:"total_more" doc:"The listing holds more than total: the count stopped"`
	}
}

// listCustomers lists the customers the caller may list: admins every
// customer, managers those owned in their department subtree, reps their
// own (gonghai.ListsEveryCustomer, SeesUser).
func (s *Server) listCustomers(ctx context.Context, in *customersIn) (*customerPageJSON, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	page, err := s.store.Customers(ctx, actor(ctx), in.scope(), pg)
	if err != nil {
		return nil, err
	}
	out := &customerPageJSON{}
	out.Body.Items = each(page.Customers, customerOut)
	out.Body.NextCursor = encodeCursor(page.Next)
	out.Body.Total, out.Body.TotalMore = page.Total, page.More
	return out, nil
}

// scope is the store's filter of p.
func (p ScopeParams) scope() gonghai.ScopeFilter {
	f := gonghai.ScopeFilter{CustomerFilter: p.filter(), OwnerID: p.OwnerID, PoolID: p.PoolID, Unowned: p.Unowned, DueDays: p.DueDays}
	f.Sort = p.Sort
	return f
}
