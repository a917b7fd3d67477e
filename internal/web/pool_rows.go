package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

// poolListPage is a page of a pool's listing as the API and the pool page
// both show it: each row with how it came back and whether the viewer may
// claim it, and the listing's total.
type poolListPage struct {
	Rows  []poolListRow
	Next  string // the store's key of the next page; "" on the last
	Total int
	More  bool // more than Total: counting stopped
}

// poolListRow is one customer of a pool page. Returned is nil for a customer
// that never had an owner; Refusal is nil when the viewer may claim it.
type poolListRow struct {
	gonghai.Customer
	Returned *gonghai.Return
	Refusal  error
}

// poolRows reads a page of pool poolID for viewer: the listing first (it
// counts a contact look-up), then its total, how its rows came back and
// the verdict on each, from the same store methods the claims use.
func (s *Server) poolRows(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter, pg gonghai.Page) (poolListPage, error) {
	var out poolListPage
	cs, next, err := s.store.PoolCustomers(ctx, viewer, poolID, f, pg)
	if err != nil {
		return out, err
	}
	out.Next = next
	if out.Total, out.More, err = s.store.CountPoolCustomers(ctx, viewer, poolID, f); err != nil {
		return out, err
	}
	returns, err := s.store.Returns(ctx, viewer, cs)
	if err != nil {
		return out, err
	}
	verdicts, err := s.store.ClaimVerdicts(ctx, viewer, cs)
	if err != nil {
		return out, err
	}
	out.Rows = make([]poolListRow, len(cs))
	for i, c := range cs {
		out.Rows[i] = poolListRow{Customer: c, Refusal: verdicts[i]}
		if r, ok := returns[c.ID]; ok {
			out.Rows[i].Returned = &r
		}
	}
	return out, nil
}

// countedList is a listing that says how many rows it holds in all.
type countedList[T any] struct {
	Body struct {
		Items      []T    `json:"items"`
		NextCursor string `json:"next_cursor" doc:"Pass as cursor for the next page; empty on the last page"`
		Total      int    `json:"total" doc:"How many customers the listing holds with these filters, counted up to 10,000"`
		TotalMore  bool   `json:"total_more" doc:"There may be more than total: counting stopped at 10,000, or a filter or search no index answers alone was tested on 5,000 rows"`
	}
}

// CustomerView is a customer as the API shows it. Embedded under this
// exported name, its fields are the embedding type's fields both in JSON
// and in the OpenAPI document, which skips unexported embedded types.
type CustomerView = customerJSON

// poolCustomerJSON is a customer of a pool's listing, with what its row
// says before the click.
type poolCustomerJSON struct {
	CustomerView
	Returned     *returnJSON       `json:"returned,omitempty" doc:"How it came back to the pool; absent if it never had an owner"`
	Claimable    bool              `json:"claimable" doc:"Whether the caller may claim it now; the claim decides again"`
	ClaimRefusal *claimRefusalJSON `json:"claim_refusal,omitempty" doc:"Why the caller may not claim it; absent when claimable"`
}

type returnJSON struct {
	Kind     string    `json:"kind" enum:"released,recycled,assigned,transferred,converted,merged" doc:"released by its owner, recycled by a rule, or another move that took it from them"`
	ByUserID string    `json:"by_user_id" doc:"The owner it left"`
	ByName   string    `json:"by_name"`
	Reason   string    `json:"reason" doc:"The releaser's reason, masked like the customer's history"`
	Rule     string    `json:"rule,omitempty" doc:"The rule that recycled it"`
	At       time.Time `json:"at"`
}

type claimRefusalJSON struct {
	Code    string     `json:"code" example:"daily_claim_limit_reached"`
	Message string     `json:"message"`
	Count   int        `json:"count,omitempty" doc:"Limits: how many the caller has (holds, or claimed today)"`
	Limit   int        `json:"limit,omitempty" doc:"Limits: the most allowed"`
	Until   *time.Time `json:"until,omitempty" doc:"Cooldown and release wait: claimable from then"`
}

func poolCustomerOut(r poolListRow) poolCustomerJSON {
	j := poolCustomerJSON{CustomerView: customerOut(r.Customer), Claimable: r.Refusal == nil}
	if rt := r.Returned; rt != nil {
		j.Returned = &returnJSON{Kind: string(rt.Kind), ByUserID: rt.ByUserID, ByName: rt.ByName, Reason: rt.Reason,
			Rule: string(rt.Rule), At: rt.At}
	}
	if r.Refusal != nil {
		j.ClaimRefusal = &claimRefusalJSON{Code: gonghai.ErrorCode(r.Refusal), Message: gonghai.ErrorMessage(r.Refusal)}
		if f, ok := gonghai.ClaimRefusalOf(r.Refusal); ok {
			j.ClaimRefusal.Count, j.ClaimRefusal.Limit = f.Count, f.Limit
			if !f.Until.IsZero() {
				j.ClaimRefusal.Until = &f.Until
			}
		}
	}
	return j
}
