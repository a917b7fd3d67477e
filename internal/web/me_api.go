package web

import "context"

// getMe answers who the caller is.
func (s *Server) getMe(ctx context.Context, _ *struct{}) (*body[userJSON], error) {
	return bodyOf(userOut(actor(ctx))), nil
}
