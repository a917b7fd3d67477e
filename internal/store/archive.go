package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// archivePoolName names the archive pool in the database; pages name it in
// the viewer's language from its archive flag.
const archivePoolName = "gonghai:archive"

// archivePool returns the archive: the hidden pool, with no members and no
// rules, where customers marked invalid wait and merged customers stay. It
// is made on first use; two first uses at once make one.
func archivePool(ctx context.Context, c conn, at time.Time) (gonghai.Pool, error) {
	now := micros(at)
	_, err := c.exec(ctx, `INSERT INTO pools (id, name, hidden, archive, contact_mask, created_at, updated_at)
		VALUES (?, ?, TRUE, TRUE, 'hidden', ?, ?) ON CONFLICT (name) DO NOTHING`, newID(), archivePoolName, now, now)
	if err != nil {
		return gonghai.Pool{}, fmt.Errorf("archive pool: %w", err)
	}
	var id string
	if err := c.queryRow(ctx, `SELECT id FROM pools WHERE name = ? AND archive`, archivePoolName).Scan(&id); err != nil {
		return gonghai.Pool{}, fmt.Errorf("archive pool: %w", err)
	}
	return getPoolRules(ctx, c, id)
}
