package store

import (
	"context"
)

// mergeContacts, in a merge's transaction, gives the survivor the merged
// customer's further contacts, after its own. Their seals are bound to
// each contact's own id, so they move as they are. The two customers' own
// fields are merged field by field (Merge's choice): a value not chosen
// is dropped, as before contacts were records.
func mergeContacts(ctx context.Context, c conn, survivorID, mergedID string) error {
	var last int
	if err := c.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM contacts WHERE customer_id = ?`, survivorID).Scan(&last); err != nil {
		return err
	}
	_, err := c.exec(ctx, `UPDATE contacts SET customer_id = ?, position = position + ? WHERE customer_id = ?`, survivorID, last, mergedID)
	return err
}
