package store

import (
	"context"
	"fmt"
)

// CountOwnedIn counts the customers of pool poolID that have an owner and
// exactly one assigned event: the intake bench's check that every lead it
// posted was handed out, once.
func (db *DB) CountOwnedIn(ctx context.Context, poolID string) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM customers c WHERE c.pool_id = ? AND c.owner_id IS NOT NULL
		AND (SELECT COUNT(*) FROM ownership_events e WHERE e.customer_id = c.id AND e.kind = 'assigned') = 1`, poolID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count owned: %w", err)
	}
	return n, nil
}
