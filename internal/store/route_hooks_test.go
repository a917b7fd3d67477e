package store

import "context"

// Enqueue puts customers ids, each in its pool, in the unassigned queue as
// intake does for a new lead (through channel channelID, "" for none):
// for the tests of package store_test, which have no intake of their own.
func (db *DB) Enqueue(ctx context.Context, channelID string, ids ...string) error {
	return db.inTx(ctx, func(c conn) error {
		for _, id := range ids {
			r, err := getCustomer(ctx, c, id)
			if err != nil {
				return err
			}
			if err := enqueueRoute(ctx, c, id, r.PoolID, channelID, db.now()); err != nil {
				return err
			}
		}
		return nil
	})
}
