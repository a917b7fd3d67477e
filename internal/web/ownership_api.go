package web

import (
	"context"
)

type claimIn struct {
	IDPath
	Body *struct {
		PoolID string `json:"pool_id,omitempty" doc:"The pool you saw the customer in; the claim fails if it moved"`
	}
}

func (s *Server) claimCustomer(ctx context.Context, in *claimIn) (*body[customerJSON], error) {
	pool := ""
	if in.Body != nil {
		pool = in.Body.PoolID
	}
	return reply(customerOut)(s.store.Claim(ctx, actor(ctx), in.ID, pool))
}

type releaseIn struct {
	IDPath
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500" example:"客户暂无采购计划"`
		PoolID string `json:"pool_id,omitempty" doc:"Another pool the owner may use; default: the pool's return pool"`
	}
}

func (s *Server) releaseCustomer(ctx context.Context, in *releaseIn) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.Release(ctx, actor(ctx), in.ID, in.Body.Reason, in.Body.PoolID))
}

type giveIn struct {
	IDPath
	Body struct {
		UserID string `json:"user_id" doc:"The new owner"`
		Reason string `json:"reason,omitempty" maxLength:"500"`
		Force  bool   `json:"force,omitempty" doc:"Admins only: pass holding limits; the event records it"`
	}
}

func (s *Server) assignCustomer(ctx context.Context, in *giveIn) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.Assign(ctx, actor(ctx), in.ID, in.Body.UserID, in.Body.Reason, in.Body.Force))
}

func (s *Server) transferCustomer(ctx context.Context, in *giveIn) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.Transfer(ctx, actor(ctx), in.ID, in.Body.UserID, in.Body.Reason, in.Body.Force))
}
