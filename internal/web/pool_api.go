package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// PoolFields are the settable fields of a pool; on PATCH, omitted fields
// stay as they are.
type PoolFields struct {
	Name                *string           `json:"name,omitempty" minLength:"1" maxLength:"100" example:"华东公海"`
	Hidden              *bool             `json:"hidden,omitempty"`
	MemberUserIDs       *[]string         `json:"member_user_ids,omitempty"`
	MemberDepartmentIDs *[]string         `json:"member_department_ids,omitempty"`
	AdminUserIDs        *[]string         `json:"admin_user_ids,omitempty"`
	DailyClaimLimit     *int              `json:"daily_claim_limit,omitempty" minimum:"0"`
	ReclaimCooldownDays *int              `json:"reclaim_cooldown_days,omitempty" minimum:"0"`
	ReleaseWaitHours    *int              `json:"release_wait_hours,omitempty" minimum:"0"`
	HoldingLimit        *int              `json:"holding_limit,omitempty" minimum:"0"`
	ReturnPoolID        *string           `json:"return_pool_id,omitempty"`
	Recycle             *RecycleRulesJSON `json:"recycle,omitempty" doc:"Replaces the recycle rules whole; owned customers are rescheduled at once"`
	ContactMask         *string           `json:"contact_mask,omitempty" enum:"masked,hidden" doc:"What non-owners see of contact fields (admin)"`
	ClaimOrder          *string           `json:"claim_order,omitempty" enum:"any,score,age" doc:"any: members claim any customer; score / age: only the next one, best-scored or longest in the pool (POST /api/v1/pools/{id}/claim-next)"`
}

func (f PoolFields) input() gonghai.PoolInput {
	var recycle *gonghai.RecycleRules
	if f.Recycle != nil {
		rs := f.Recycle.rules()
		recycle = &rs
	}
	return gonghai.PoolInput{Name: f.Name, Hidden: f.Hidden, MemberUserIDs: f.MemberUserIDs, MemberDepartmentIDs: f.MemberDepartmentIDs,
		AdminUserIDs: f.AdminUserIDs, DailyClaimLimit: f.DailyClaimLimit, ReclaimCooldownDays: f.ReclaimCooldownDays,
		ReleaseWaitHours: f.ReleaseWaitHours, HoldingLimit: f.HoldingLimit, ReturnPoolID: f.ReturnPoolID, Recycle: recycle, ContactMask: f.ContactMask,
		ClaimOrder: f.ClaimOrder}
}

func (s *Server) createPool(ctx context.Context, in *body[PoolFields]) (*body[poolJSON], error) {
	if in.Body.Name == nil {
		return nil, gonghai.Invalid("name", "required")
	}
	return reply(poolOut)(s.store.CreatePool(ctx, actor(ctx), in.Body.input()))
}

func (s *Server) listPools(ctx context.Context, _ *struct{}) (*list[poolJSON], error) {
	return replyAll(poolOut)(s.store.Pools(ctx, actor(ctx)))
}

func (s *Server) getPool(ctx context.Context, in *IDPath) (*body[poolJSON], error) {
	return reply(poolOut)(s.store.Pool(ctx, actor(ctx), in.ID))
}

type poolPatchIn struct {
	IDPath
	Body struct {
		PoolFields
		Assignment *AssignmentJSON `json:"assignment,omitempty" doc:"How the pool hands out new customers (admins, pool admins); validated against its members"`
	}
}

func (s *Server) updatePool(ctx context.Context, in *poolPatchIn) (*body[poolJSON], error) {
	var a *gonghai.Assignment
	if in.Body.Assignment != nil {
		v := in.Body.Assignment.assignment()
		a = &v
	}
	return reply(poolOut)(s.store.UpdatePoolAssignment(ctx, actor(ctx), in.ID, in.Body.input(), a))
}

// CustomerFilterParams narrow a listing of customers: a pool's, or one's
// own private pool.
type CustomerFilterParams struct {
	Q           string `query:"q" maxLength:"100" doc:"Part of the company; or a whole name, phone, email or WeChat id (a look-up, counted daily)"`
	Category    string `query:"category" enum:"A,B,C"`
	Industry    string `query:"industry" maxLength:"100"`
	Region      string `query:"region" maxLength:"200" doc:"A region path or its start: 广东省 matches 广东省/深圳市/南山区"`
	ProductLine string `query:"product_line" maxLength:"100"`
	Source      string `query:"source" maxLength:"100"`
	Lifecycle   string `query:"lifecycle" enum:"lead,customer" doc:"Only leads (线索) or only customers; both when left out"`
	Size        string `query:"size" enum:"small,medium,large,key" doc:"Only customers of this size"`
}

func (p CustomerFilterParams) filter() gonghai.CustomerFilter {
	return gonghai.CustomerFilter{Q: p.Q, Category: p.Category, Industry: p.Industry, Region: p.Region,
		ProductLine: p.ProductLine, Source: p.Source, Lifecycle: gonghai.Lifecycle(p.Lifecycle), Size: p.Size}
}

type poolCustomersIn struct {
	IDPath
	PageParams
	CustomerFilterParams
	Sort string `query:"sort" enum:"created,score" default:"created" doc:"created: newest first; score: the best-scored first, unscored last"`
}

func (s *Server) listPoolCustomers(ctx context.Context, in *poolCustomersIn) (*countedList[poolCustomerJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	f := in.filter()
	f.Sort = in.Sort
	page, err := s.poolRows(ctx, actor(ctx), in.ID, f, pg)
	if err != nil {
		return nil, err
	}
	out := &countedList[poolCustomerJSON]{}
	out.Body.Items = make([]poolCustomerJSON, len(page.Rows))
	for i, r := range page.Rows {
		out.Body.Items[i] = poolCustomerOut(r)
	}
	out.Body.NextCursor, out.Body.Total, out.Body.TotalMore = encodeCursor(page.Next), page.Total, page.More
	return out, nil
}

type claimBatchIn struct {
	IDPath
	Body struct {
		CustomerIDs []string `json:"customer_ids" minItems:"1" maxItems:"50" uniqueItems:"true"`
	}
}

type claimResultJSON struct {
	CustomerID string        `json:"customer_id"`
	OK         bool          `json:"ok"`
	Code       string        `json:"code,omitempty" doc:"Why this one was refused"`
	Detail     string        `json:"detail,omitempty"`
	Customer   *customerJSON `json:"customer,omitempty"`
}

type claimBatchOut struct {
	Body struct {
		Claimed int               `json:"claimed"`
		Results []claimResultJSON `json:"results"`
	}
}

func (s *Server) claimBatch(ctx context.Context, in *claimBatchIn) (*claimBatchOut, error) {
	res, err := s.store.ClaimBatch(ctx, actor(ctx), in.ID, in.Body.CustomerIDs)
	if err != nil {
		return nil, err
	}
	out := &claimBatchOut{}
	out.Body.Results = make([]claimResultJSON, len(res))
	for i, r := range res {
		j := claimResultJSON{CustomerID: r.CustomerID, OK: r.Err == nil}
		if r.Err != nil {
			p := s.problem(ctx, r.Err)
			j.Code, j.Detail = p.Code, p.Detail
		} else {
			c := customerOut(*r.Customer)
			j.Customer = &c
			out.Body.Claimed++
		}
		out.Body.Results[i] = j
	}
	return out, nil
}
