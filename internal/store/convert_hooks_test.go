package store

import "context"

// MakeDuplicateOf makes customer id a knowing duplicate of customer of,
// as an import under the conflict policy writes one: beside it, outside
// the unique indexes, with its company key and phone.
func (db *DB) MakeDuplicateOf(ctx context.Context, id, of string) error {
	return db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE customers SET duplicate_of = ?,
			company_key = (SELECT company_key FROM customers WHERE id = ?),
			phone_key = (SELECT phone_key FROM customers WHERE id = ?) WHERE id = ?`, of, of, of, id)
		return err
	})
}
