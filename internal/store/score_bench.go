package store

import (
	"context"
	"fmt"
)

// ScoreBenchHistory makes the seeded customers of a bench a history to
// learn from: every one aged past the settling days, and a deterministic
// share of them won, more often for category A and for the source 展会,
// so that the model has something true to find. Only `gonghai bench
// score` calls it, on its own database.
func (db *DB) ScoreBenchHistory(ctx context.Context) error {
	old := micros(db.now().AddDate(0, 0, -2*scoreSettleDays))
	// The id's last hex digit is random (UUIDv7): a share by its value.
	err := db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE customers SET created_at = ? WHERE created_at > ?`, old, old)
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `UPDATE customers SET won = TRUE, won_at = created_at WHERE NOT won AND (
			(category = 'A' AND substr(id, 36, 1) IN ('0', '1', '2', '3', '4', '5')) OR
			(source = '展会' AND substr(id, 36, 1) IN ('6', '7', '8')) OR
			substr(id, 35, 2) IN ('00', '11', '22'))`)
		return err
	})
	if err != nil {
		return fmt.Errorf("score bench history: %w", err)
	}
	return nil
}
