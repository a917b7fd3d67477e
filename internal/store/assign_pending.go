package store

// Placeholders for the assignment engine's store methods (branch assign13)
// so that the assignment pages build before it is merged. This file goes
// away with that merge.

import (
	"context"

	"github.com/gonghai/gonghai"
)

func errPending() error { return gonghai.Errorf(gonghai.EInternal, "assignment engine not merged") }

// SetAssignment is a placeholder.
func (db *DB) SetAssignment(ctx context.Context, actor gonghai.User, poolID string, a gonghai.Assignment) (gonghai.Pool, error) {
	return gonghai.Pool{}, errPending()
}

// SetAway is a placeholder.
func (db *DB) SetAway(ctx context.Context, actor gonghai.User, userID string, away gonghai.Away) (gonghai.User, error) {
	return gonghai.User{}, errPending()
}

// Distribute is a placeholder.
func (db *DB) Distribute(ctx context.Context, actor gonghai.User, poolID string, customerIDs, userIDs []string) ([]gonghai.DistributeResult, error) {
	return nil, errPending()
}

// PreviewAssignment is a placeholder.
func (db *DB) PreviewAssignment(ctx context.Context, actor gonghai.User, poolID, channelID string, n int) ([]gonghai.Decision, error) {
	return nil, errPending()
}

// Unassigned is a placeholder.
func (db *DB) Unassigned(ctx context.Context, actor gonghai.User, p gonghai.Page) ([]UnassignedRow, string, error) {
	return nil, "", errPending()
}

// RetryUnassigned is a placeholder.
func (db *DB) RetryUnassigned(ctx context.Context, actor gonghai.User) (int, error) {
	return 0, errPending()
}
