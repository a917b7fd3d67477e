package store

import "database/sql"

// PoolStats returns database/sql's statistics of the database pools for
// /metrics, by name: "read" and "write" on SQLite, whose writer is a pool
// of one connection beside the readers; "read_write" on PostgreSQL,
// where one pool serves both.
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.read == db.write {
		return map[string]sql.DBStats{"read_write": db.write.Stats()}
	}
	return map[string]sql.DBStats{"read": db.read.Stats(), "write": db.write.Stats()}
}
