package gonghai

import (
	"net/url"
	"time"
	"unicode/utf8"
)

// DefaultRevealDailyQuota is a new organisation's reveals per user per day.
const DefaultRevealDailyQuota = 20

// DefaultExportDailyQuota is a new organisation's exported rows per user
// per day.
const DefaultExportDailyQuota = 2000

// MaxExportDailyQuota bounds the export quota: an export is read whole
// before its file is written, so that it is refused or counted first.
const MaxExportDailyQuota = 50_000

// SettingsPatch changes the organisation settings that are set and leaves
// the rest as they are, so that a client that knows only some settings
// never resets the others.
type SettingsPatch struct {
	TimeZone              *string
	LevelHoldingLimits    *map[string]int // replaces the whole map
	LevelALimits          *map[string]int // replaces the whole map
	ExcludeWonFromHolding *bool
	Stages                *[]string
	WebhookURL            *string
	WebhookFormat         *string
	RevealDailyQuota      *int
	ExportDailyQuota      *int
}

// Apply returns s with the patch's fields set.
func (p SettingsPatch) Apply(s Settings) Settings {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.TimeZone, p.TimeZone)
	set(&s.WebhookURL, p.WebhookURL)
	set(&s.WebhookFormat, p.WebhookFormat)
	if p.LevelHoldingLimits != nil {
		s.LevelHoldingLimits = *p.LevelHoldingLimits
	}
	if p.LevelALimits != nil {
		s.LevelALimits = *p.LevelALimits
	}
	if p.ExcludeWonFromHolding != nil {
		s.ExcludeWonFromHolding = *p.ExcludeWonFromHolding
	}
	if p.Stages != nil {
		s.Stages = *p.Stages
	}
	if p.RevealDailyQuota != nil {
		s.RevealDailyQuota = *p.RevealDailyQuota
	}
	if p.ExportDailyQuota != nil {
		s.ExportDailyQuota = *p.ExportDailyQuota
	}
	return s
}

// Validate checks settings whole and returns EInvalid naming every field
// at fault.
func (s Settings) Validate() error {
	bad := map[string]string{}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		bad["time_zone"] = "an IANA time zone, e.g. Asia/Shanghai"
	}
	for field, limits := range map[string]map[string]int{"level_holding_limits": s.LevelHoldingLimits, "level_a_limits": s.LevelALimits} {
		for level, n := range limits {
			if n < 0 || level == "" || utf8.RuneCountInString(level) > 32 {
				bad[field] = "levels named in 1 to 32 characters, each with a limit of 0 or more"
			} else if p := TextProblem(level, false); p != "" {
				bad[field] = p
			}
		}
	}
	seen := map[string]bool{}
	for _, st := range s.Stages {
		if st == "" || utf8.RuneCountInString(st) > 50 || seen[st] {
			bad["stages"] = "each stage named once, in 1 to 50 characters"
		} else if p := TextProblem(st, false); p != "" {
			bad["stages"] = p
		}
		seen[st] = true
	}
	if len(s.Stages) > 50 {
		bad["stages"] = "at most 50 stages"
	}
	if s.WebhookFormat != WebhookJSON && s.WebhookFormat != WebhookRobotText {
		bad["webhook_format"] = "json or robot_text"
	}
	if s.RevealDailyQuota < 0 || s.RevealDailyQuota > 100_000 {
		bad["reveal_daily_quota"] = "0 to 100000"
	}
	if s.ExportDailyQuota < 0 || s.ExportDailyQuota > MaxExportDailyQuota {
		bad["export_daily_quota"] = "0 to 50000"
	}
	if u, err := url.Parse(s.WebhookURL); s.WebhookURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		bad["webhook_url"] = "an http or https URL, or empty for none"
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid settings", Fields: bad}
	}
	return nil
}

// For returns s as viewer may see it: a webhook's URL carries its access
// token (a robot's does), so only admins see it.
func (s Settings) For(viewer User) Settings {
	if viewer.Role != RoleAdmin {
		s.WebhookURL = ""
	}
	return s
}
