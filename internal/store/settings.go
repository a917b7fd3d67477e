package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gonghai/gonghai"
)

// Settings returns the organisation's settings.
func (db *DB) Settings(ctx context.Context) (gonghai.Settings, error) {
	return getSettings(ctx, db.reader())
}

func getSettings(ctx context.Context, c conn) (gonghai.Settings, error) {
	var s gonghai.Settings
	var row settingsScan
	err := c.queryRow(ctx, `SELECT `+settingsColumns+` FROM organisation WHERE id = 1`).Scan(row.dest(&s)...)
	if err == nil {
		err = row.finish(&s)
	}
	if err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// settingsColumns are the organisation's columns that settingsScan reads.
const settingsColumns = `time_zone, exclude_won_from_holding, level_holding_limits, stages, webhook_url, webhook_format,
	reveal_daily_quota, export_daily_quota, level_a_limits`

// settingsScan reads settingsColumns into settings: dest gives the scan
// destinations, finish decodes what is stored as JSON.
type settingsScan struct{ limits, stages, aLimits string }

func (r *settingsScan) dest(s *gonghai.Settings) []any {
	return []any{&s.TimeZone, &s.ExcludeWonFromHolding, &r.limits, &r.stages, &s.WebhookURL, &s.WebhookFormat, &s.RevealDailyQuota, &s.ExportDailyQuota, &r.aLimits}
}

func (r *settingsScan) finish(s *gonghai.Settings) error {
	return errors.Join(json.Unmarshal([]byte(r.limits), &s.LevelHoldingLimits), json.Unmarshal([]byte(r.stages), &s.Stages),
		json.Unmarshal([]byte(r.aLimits), &s.LevelALimits))
}

// UpdateSettings changes the organisation's settings that patch sets,
// validated whole with the rest as they are; admins only. A new time zone
// moves every countdown in the same transaction.
func (db *DB) UpdateSettings(ctx context.Context, actor gonghai.User, patch gonghai.SettingsPatch) (gonghai.Settings, error) {
	var s gonghai.Settings
	if err := gonghai.AdminOnly(actor, "changes organisation settings"); err != nil {
		return s, err
	}
	err := db.inTx(ctx, func(c conn) error {
		if err := lockRules(ctx, c, ""); err != nil {
			return err
		}
		old, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		s = patch.Apply(old)
		if s.LevelHoldingLimits == nil {
			s.LevelHoldingLimits = map[string]int{}
		}
		if s.Stages == nil {
			s.Stages = []string{}
		}
		if s.LevelALimits == nil {
			s.LevelALimits = map[string]int{}
		}
		if err := s.Validate(); err != nil {
			return err
		}
		limits, err := json.Marshal(s.LevelHoldingLimits)
		if err != nil {
			return err
		}
		stages, err := json.Marshal(s.Stages)
		if err != nil {
			return err
		}
		aLimits, err := json.Marshal(s.LevelALimits)
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `UPDATE organisation SET time_zone = ?, exclude_won_from_holding = ?, level_holding_limits = ?,
			stages = ?, webhook_url = ?, webhook_format = ?, reveal_daily_quota = ?,
			export_daily_quota = ?, level_a_limits = ? WHERE id = 1`,
			s.TimeZone, s.ExcludeWonFromHolding, string(limits), string(stages), s.WebhookURL, s.WebhookFormat, s.RevealDailyQuota,
			s.ExportDailyQuota, string(aLimits))
		if err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditSettingChange, "settings", "1", db.now())
		e.Detail = map[string]string{"time_zone": s.TimeZone, "reveal_daily_quota": fmt.Sprint(s.RevealDailyQuota),
			"export_daily_quota": fmt.Sprint(s.ExportDailyQuota),
			"webhook":            fmt.Sprint(s.WebhookURL != "")}
		if err := audit(ctx, c, e); err != nil || old.Location().String() == s.Location().String() {
			return err
		}
		// Rules count calendar days in the organisation's zone.
		return rescheduleZone(ctx, c, s.Location())
	})
	db.forgetZone()
	if err != nil {
		return s, fmt.Errorf("update settings: %w", err)
	}
	return s, nil
}

// MarkDemoSeeded records that demo data was loaded, and reports false when
// it already had been, so that the demo seeds once however often it starts.
func (db *DB) MarkDemoSeeded(ctx context.Context) (bool, error) {
	var first bool
	err := db.inTx(ctx, func(c conn) error {
		res, err := c.exec(ctx, `UPDATE organisation SET demo_seeded_at = ? WHERE id = 1 AND demo_seeded_at IS NULL`, micros(db.now()))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		return err
	})
	return first, err
}
