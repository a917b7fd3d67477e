package store

import (
	"context"

	"github.com/gonghai/gonghai"
)

// ConflictsOf returns the conflicts recorded against customer id, oldest
// first: for the tests of package store_test, before a reader of them
// exists.
func (db *DB) ConflictsOf(ctx context.Context, id string) ([]gonghai.Conflict, error) {
	return collect(ctx, db.reader(), `SELECT kind, actor_id, field, company, matched_id, COALESCE(matched_owner_id, ''),
		COALESCE(new_id, '') FROM conflicts WHERE matched_id = ? ORDER BY at, id`, []any{id}, func(s scanner) (gonghai.Conflict, error) {
		var k gonghai.Conflict
		return k, s.Scan(&k.Kind, &k.ActorID, &k.Field, &k.Company, &k.MatchedID, &k.MatchedOwnerID, &k.NewID)
	})
}

// KeyCompanies runs the company key's backfill, and ClearCompanyKeys
// undoes it, as a database from before it would be.
func (db *DB) KeyCompanies(ctx context.Context) (int, error) { return db.keyCompanies(ctx) }

func (db *DB) ClearCompanyKeys(ctx context.Context) error {
	return db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE customers SET company_key = NULL`)
		return err
	})
}

// DuplicateOf returns the customer customer id duplicates, "" for none.
func (db *DB) DuplicateOf(ctx context.Context, id string) (string, string, error) {
	var dup, key *string
	err := db.reader().queryRow(ctx, `SELECT duplicate_of, company_key FROM customers WHERE id = ?`, id).Scan(&dup, &key)
	if dup == nil {
		dup = new(string)
	}
	if key == nil {
		key = new(string)
	}
	return *dup, *key, err
}
