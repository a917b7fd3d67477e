package store

import "context"

// QueueReason returns why customer id waits in the unassigned queue, and
// whether it does: for the intake tests outside the package.
func QueueReason(db *DB, id string) (string, bool) {
	var reason string
	err := db.reader().queryRow(context.Background(), `SELECT reason FROM unassigned WHERE customer_id = ?`, id).Scan(&reason)
	return reason, err == nil
}
