package store

// Placeholders for the assignment engine's store methods (branch assign13)
// so that the assignment pages build before it is merged. This file goes
// away with that merge.

import (
	"context"

	"github.com/gonghai/gonghai"
)

func errPending() error { return gonghai.Errorf(gonghai.EConflict, "assignment engine not merged") }

// Distribute is a placeholder.
func (db *DB) Distribute(ctx context.Context, actor gonghai.User, poolID string, customerIDs, userIDs []string) ([]gonghai.DistributeResult, error) {
	return nil, errPending()
}

// PreviewAssignment is a placeholder.
func (db *DB) PreviewAssignment(ctx context.Context, actor gonghai.User, poolID, channelID string, n int) ([]gonghai.Decision, error) {
	return nil, errPending()
}
