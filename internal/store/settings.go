package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// Settings returns the organisation's settings.
func (db *DB) Settings(ctx context.Context) (gonghai.Settings, error) {
	return getSettings(ctx, db.reader())
}

func getSettings(ctx context.Context, c conn) (gonghai.Settings, error) {
	var s gonghai.Settings
	var limits string
	err := c.queryRow(ctx, `SELECT time_zone, exclude_won_from_holding, level_holding_limits FROM organisation WHERE id = 1`).
		Scan(&s.TimeZone, &s.ExcludeWonFromHolding, &limits)
	if err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	if err := json.Unmarshal([]byte(limits), &s.LevelHoldingLimits); err != nil {
		return s, fmt.Errorf("settings: level limits: %w", err)
	}
	return s, nil
}

// UpdateSettings replaces the organisation's settings; admins only.
func (db *DB) UpdateSettings(ctx context.Context, actor gonghai.User, s gonghai.Settings) (gonghai.Settings, error) {
	if actor.Role != gonghai.RoleAdmin {
		return s, gonghai.Errorf(gonghai.EForbidden, "only an admin changes organisation settings")
	}
	if s.TimeZone == "" {
		s.TimeZone = gonghai.DefaultTimeZone
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return s, gonghai.Invalid("time_zone", "unknown time zone")
	}
	for level, n := range s.LevelHoldingLimits {
		if n < 0 || level == "" {
			return s, gonghai.Invalid("level_holding_limits", "levels need a name and a limit of 0 or more")
		}
	}
	if s.LevelHoldingLimits == nil {
		s.LevelHoldingLimits = map[string]int{}
	}
	limits, err := json.Marshal(s.LevelHoldingLimits)
	if err != nil {
		return s, err
	}
	err = db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE organisation SET time_zone = ?, exclude_won_from_holding = ?, level_holding_limits = ? WHERE id = 1`,
			s.TimeZone, s.ExcludeWonFromHolding, string(limits))
		return err
	})
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
