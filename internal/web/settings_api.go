package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

type settingsJSON struct {
	TimeZone              string         `json:"time_zone" example:"Asia/Shanghai" doc:"Rules count calendar days here"`
	LevelHoldingLimits    map[string]int `json:"level_holding_limits" doc:"Most customers a rep of each level may own overall"`
	ExcludeWonFromHolding bool           `json:"exclude_won_from_holding" doc:"Won customers do not count toward holding limits"`
	Stages                []string       `json:"stages" doc:"The sales process in order; moving later is an advance. Empty: any stage, every change an advance"`
	WebhookURL            string         `json:"webhook_url" doc:"Receives reminders and recycle notices; empty for none. Shown to admins only"`
	WebhookFormat         string         `json:"webhook_format" enum:"json,robot_text" doc:"json, or robot_text for DingTalk and WeCom group robots"`
	RevealDailyQuota      int            `json:"reveal_daily_quota" doc:"Reveals of masked contacts per user per day; 0 turns reveals off"`
	ExportDailyQuota      int            `json:"export_daily_quota" doc:"Rows each user may export to files per day; 0 turns list exports off"`
	LevelALimits          map[string]int `json:"level_a_limits" doc:"Most A-category customers a rep of each level may hold (anti cherry-picking); a level not listed has no such limit"`
}

func (s *Server) getSettings(ctx context.Context, _ *struct{}) (*body[settingsJSON], error) {
	st, err := s.store.Settings(ctx)
	return reply(s.settingsOut(ctx))(st, err)
}

// settingsOut shapes settings for the caller: a robot's URL carries its
// access token, so only admins see it.
func (s *Server) settingsOut(ctx context.Context) func(gonghai.Settings) settingsJSON {
	viewer := actor(ctx)
	return func(st gonghai.Settings) settingsJSON {
		st = st.For(viewer)
		return settingsJSON{TimeZone: st.TimeZone, LevelHoldingLimits: nonNilMap(st.LevelHoldingLimits),
			ExcludeWonFromHolding: st.ExcludeWonFromHolding, Stages: nonNil(st.Stages), WebhookURL: st.WebhookURL,
			WebhookFormat: st.WebhookFormat, RevealDailyQuota: st.RevealDailyQuota,
			ExportDailyQuota: st.ExportDailyQuota, LevelALimits: nonNilMap(st.LevelALimits)}
	}
}

func nonNilMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

// settingsPatchIn changes the settings it names; the rest stay as they
// are. The result is validated whole.
type settingsPatchIn struct {
	Body struct {
		TimeZone              *string         `json:"time_zone,omitempty" maxLength:"64" example:"Asia/Shanghai"`
		LevelHoldingLimits    *map[string]int `json:"level_holding_limits,omitempty" doc:"Replaces the whole map"`
		ExcludeWonFromHolding *bool           `json:"exclude_won_from_holding,omitempty"`
		Stages                *[]string       `json:"stages,omitempty" maxItems:"50"`
		WebhookURL            *string         `json:"webhook_url,omitempty" maxLength:"2000" doc:"Empty string: no webhook"`
		WebhookFormat         *string         `json:"webhook_format,omitempty" enum:"json,robot_text"`
		RevealDailyQuota      *int            `json:"reveal_daily_quota,omitempty" minimum:"0" maximum:"100000"`
		ExportDailyQuota      *int            `json:"export_daily_quota,omitempty" minimum:"0" maximum:"50000"`
		LevelALimits          *map[string]int `json:"level_a_limits,omitempty" doc:"Replaces the whole map"`
	}
}

func (s *Server) updateSettings(ctx context.Context, in *settingsPatchIn) (*body[settingsJSON], error) {
	b := in.Body
	return reply(s.settingsOut(ctx))(s.store.UpdateSettings(ctx, actor(ctx), gonghai.SettingsPatch{TimeZone: b.TimeZone,
		LevelHoldingLimits: b.LevelHoldingLimits, ExcludeWonFromHolding: b.ExcludeWonFromHolding, Stages: b.Stages,
		WebhookURL: b.WebhookURL, WebhookFormat: b.WebhookFormat, RevealDailyQuota: b.RevealDailyQuota,
		ExportDailyQuota: b.ExportDailyQuota, LevelALimits: b.LevelALimits}))
}
