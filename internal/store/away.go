package store

import (
	"context"
	"fmt"

	"github.com/gonghai/gonghai"
)

// SetAway changes when user userID is away, whether their automatic
// assignment is paused and their daily cap (gonghai.CanSetAway says who
// may). A rep who comes back keeps their turn: the sweep retries the
// queue, and the rotation gives them the next customer.
func (db *DB) SetAway(ctx context.Context, actor gonghai.User, userID string, away gonghai.Away) (gonghai.User, error) {
	var u gonghai.User
	err := db.inTx(ctx, func(c conn) error {
		var err error
		if u, err = getUser(ctx, c, userID); err != nil {
			return err
		}
		if err := gonghai.CanSetAway(actor, u, away); err != nil {
			return err
		}
		if err := away.Validate(); err != nil {
			return err
		}
		away.Apply(&u)
		_, err = c.exec(ctx, `UPDATE users SET away_until = ?, assign_paused = ?, daily_assign_cap = ? WHERE id = ?`,
			nullTime(u.AwayUntil), u.AssignPaused, u.DailyAssignCap, userID)
		if err != nil {
			return err
		}
		u, err = getUser(ctx, c, userID)
		return err
	})
	if err != nil {
		return u, fmt.Errorf("set the availability of user %s: %w", userID, err)
	}
	return u, nil
}
