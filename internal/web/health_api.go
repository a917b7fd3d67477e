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

func (s *Server) getMe(ctx context.Context, _ *struct{}) (*body[userJSON], error) {
	return bodyOf(userOut(actor(ctx))), nil
}

type settingsJSON struct {
	TimeZone              string         `json:"time_zone" example:"Asia/Shanghai" doc:"Rules count calendar days here"`
	LevelHoldingLimits    map[string]int `json:"level_holding_limits" doc:"Most customers a rep of each level may own overall"`
	ExcludeWonFromHolding bool           `json:"exclude_won_from_holding" doc:"Won customers do not count toward holding limits"`
	Stages                *[]string      `json:"stages,omitempty" maxItems:"50" doc:"The sales process in order; moving later is an advance. Omitted: unchanged"`
	WebhookURL            *string        `json:"webhook_url,omitempty" maxLength:"2000" doc:"Receives reminders and recycle notices; empty for none. Shown to admins only. Omitted: unchanged"`
	WebhookFormat         *string        `json:"webhook_format,omitempty" enum:"json,robot_text" doc:"json, or robot_text for DingTalk and WeCom group robots. Omitted: unchanged"`
	RevealDailyQuota      *int           `json:"reveal_daily_quota,omitempty" minimum:"0" maximum:"100000" doc:"Reveals of masked contacts per user per day; 0 turns reveals off. Omitted: unchanged"`
}

func (s *Server) getSettings(ctx context.Context, _ *struct{}) (*body[settingsJSON], error) {
	st, err := s.store.Settings(ctx)
	if actor(ctx).Role != gonghai.RoleAdmin {
		// A robot's URL carries its access token.
		st.WebhookURL = ""
	}
	return reply(settingsOut)(st, err)
}

func settingsOut(st gonghai.Settings) settingsJSON {
	if st.LevelHoldingLimits == nil {
		st.LevelHoldingLimits = map[string]int{}
	}
	st.Stages = nonNil(st.Stages)
	return settingsJSON{TimeZone: st.TimeZone, LevelHoldingLimits: st.LevelHoldingLimits, ExcludeWonFromHolding: st.ExcludeWonFromHolding,
		Stages: &st.Stages, WebhookURL: &st.WebhookURL, WebhookFormat: &st.WebhookFormat, RevealDailyQuota: &st.RevealDailyQuota}
}

func (s *Server) putSettings(ctx context.Context, in *body[settingsJSON]) (*body[settingsJSON], error) {
	cur, err := s.store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	next := gonghai.Settings{TimeZone: in.Body.TimeZone, LevelHoldingLimits: in.Body.LevelHoldingLimits,
		ExcludeWonFromHolding: in.Body.ExcludeWonFromHolding, Stages: cur.Stages, WebhookURL: cur.WebhookURL, WebhookFormat: cur.WebhookFormat,
		RevealDailyQuota: cur.RevealDailyQuota}
	if in.Body.RevealDailyQuota != nil {
		next.RevealDailyQuota = *in.Body.RevealDailyQuota
	}
	for _, f := range []struct{ dst, src *string }{{&next.WebhookURL, in.Body.WebhookURL}, {&next.WebhookFormat, in.Body.WebhookFormat}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.Body.Stages != nil {
		next.Stages = *in.Body.Stages
	}
	return reply(settingsOut)(s.store.UpdateSettings(ctx, actor(ctx), next))
}
