package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// claimNext claims for the caller the next customer of a pool in its
// claim order (anti cherry-picking): what a member of an ordered pool
// claims instead of picking one.
func (s *Server) claimNext(ctx context.Context, in *IDPath) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.ClaimNext(ctx, actor(ctx), in.ID))
}

// claimOrderOut is a pool's claim order as the API says it: "" is any.
func claimOrderOut(o string) string {
	if o == "" {
		return gonghai.ClaimAny
	}
	return o
}
