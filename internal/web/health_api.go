package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

type healthJSON struct {
	Status string `json:"status" example:"ok"`
}

func (s *Server) health(ctx context.Context, _ *struct{}) (*body[healthJSON], error) {
	if err := s.store.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "health_check_failed", "err", err.Error())
		return nil, gonghai.Errorf(gonghai.EUnavailable, "the database does not answer")
	}
	return bodyOf(healthJSON{Status: "ok"}), nil
}
