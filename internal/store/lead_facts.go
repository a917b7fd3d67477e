package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ChannelName returns the name of channel id, for a lead's page: "" for a
// channel since deleted, or none. A channel's name is no secret to who
// may see the lead that came through it.
func (db *DB) ChannelName(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	var name string
	err := db.reader().queryRow(ctx, `SELECT name FROM channels WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("channel name: %w", err)
	}
	return name, nil
}
