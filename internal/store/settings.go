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
	var limits, stages string
	err := c.queryRow(ctx, `SELECT time_zone, exclude_won_from_holding, level_holding_limits, stages, webhook_url, webhook_format,
		reveal_daily_quota FROM organisation WHERE id = 1`).
		Scan(&s.TimeZone, &s.ExcludeWonFromHolding, &limits, &stages, &s.WebhookURL, &s.WebhookFormat, &s.RevealDailyQuota)
	if err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	if err := errors.Join(json.Unmarshal([]byte(limits), &s.LevelHoldingLimits), json.Unmarshal([]byte(stages), &s.Stages)); err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// UpdateSettings changes the organisation's settings that patch sets,
// validated whole with the rest as they are; admins only. A new time zone
// moves every countdown in the same transaction.
func (db *DB) UpdateSettings(ctx context.Context, actor gonghai.User, patch gonghai.SettingsPatch) (gonghai.Settings, error) {
	var s gonghai.Settings
	if actor.Role != gonghai.RoleAdmin {
		return s, gonghai.Errorf(gonghai.EForbidden, "only an admin changes organisation settings")
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
		_, err = c.exec(ctx, `UPDATE organisation SET time_zone = ?, exclude_won_from_holding = ?, level_holding_limits = ?,
			stages = ?, webhook_url = ?, webhook_format = ?, reveal_daily_quota = ? WHERE id = 1`,
			s.TimeZone, s.ExcludeWonFromHolding, string(limits), string(stages), s.WebhookURL, s.WebhookFormat, s.RevealDailyQuota)
		if err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditSettingChange, "settings", "1", db.now())
		e.Detail = map[string]string{"time_zone": s.TimeZone, "reveal_daily_quota": fmt.Sprint(s.RevealDailyQuota),
			"webhook": fmt.Sprint(s.WebhookURL != "")}
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
