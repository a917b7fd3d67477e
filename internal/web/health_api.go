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
		return nil, &Problem{Title: "Service Unavailable", Status: 503, Code: "unavailable", Detail: "the database does not answer"}
	}
	return bodyOf(healthJSON{Status: "ok"}), nil
}

func (s *Server) getMe(ctx context.Context, _ *struct{}) (*body[userJSON], error) {
	return bodyOf(userOut(actor(ctx))), nil
}

type settingsJSON struct {
	TimeZone              string         `json:"time_zone" example:"Asia/Shanghai" doc:"Rules count calendar days here"`
	LevelHoldingLimits    map[string]int `json:"level_holding_limits" doc:"Most customers a rep of each level may own overall"`
	ExcludeWonFromHolding bool           `json:"exclude_won_from_holding" doc:"Won customers do not count toward holding limits"`
}

func (s *Server) getSettings(ctx context.Context, _ *struct{}) (*body[settingsJSON], error) {
	return reply(settingsOut)(s.store.Settings(ctx))
}

func settingsOut(st gonghai.Settings) settingsJSON {
	if st.LevelHoldingLimits == nil {
		st.LevelHoldingLimits = map[string]int{}
	}
	return settingsJSON{TimeZone: st.TimeZone, LevelHoldingLimits: st.LevelHoldingLimits, ExcludeWonFromHolding: st.ExcludeWonFromHolding}
}

func (s *Server) putSettings(ctx context.Context, in *body[settingsJSON]) (*body[settingsJSON], error) {
	return reply(settingsOut)(s.store.UpdateSettings(ctx, actor(ctx), gonghai.Settings{TimeZone: in.Body.TimeZone,
		LevelHoldingLimits: in.Body.LevelHoldingLimits, ExcludeWonFromHolding: in.Body.ExcludeWonFromHolding}))
}
