package store

import (
	"context"
	"fmt"

	"github.com/gonghai/gonghai"
)

// SeedConflict records conflict k as a create or an import that met a
// duplicate records it (insertConflict, counted for the conflict rate):
// for demo data and for tests of the arbitration, which reads and
// resolves conflicts whatever made them.
func (db *DB) SeedConflict(ctx context.Context, k gonghai.Conflict) (gonghai.Conflict, error) {
	err := db.inTx(ctx, func(c conn) error {
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		if k.At.IsZero() {
			k.At = db.now()
		}
		k, err = insertConflict(ctx, c, k, s.Location())
		return err
	})
	if err != nil {
		return k, fmt.Errorf("seed conflict: %w", err)
	}
	return k, nil
}
