package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gonghai/gonghai/internal/dedup"
)

// keyBatch is how many customers one transaction of the company key's
// backfill writes.
const keyBatch = 1000

// keyCompanies writes company_key for the customers written before it
// existed (migration 00009), a batch to a transaction, in id order. Two
// such customers of one company were created before the check: the
// first keeps the key's unique place, and each later one is marked a
// duplicate of it (duplicate_of): outside the unique indexes, and shown
// with the conflicts until someone resolves it (keeps, gives or merges).
// Nothing is refused or lost. It returns how many customers it keyed.
func (db *DB) keyCompanies(ctx context.Context) (int, error) {
	total, after := 0, ""
	for {
		n, last := 0, ""
		err := db.inTx(ctx, func(c conn) error {
			type row struct{ id, company string }
			rows, err := collect(ctx, c, `SELECT id, company FROM customers WHERE company_key IS NULL AND company <> '' AND id > ?
				ORDER BY id LIMIT ?`, []any{after, keyBatch}, func(s scanner) (row, error) {
				var r row
				return r, s.Scan(&r.id, &r.company)
			})
			if err != nil {
				return err
			}
			for _, r := range rows {
				key := dedup.Company(r.company)
				if key == "" {
					continue
				}
				var first string
				err := c.queryRow(ctx, `SELECT id FROM customers WHERE company_key = ? AND duplicate_of IS NULL AND id <> ?`, key, r.id).Scan(&first)
				switch {
				case errors.Is(err, sql.ErrNoRows):
					_, err = c.exec(ctx, `UPDATE customers SET company_key = ? WHERE id = ?`, key, r.id)
				case err == nil:
					_, err = c.exec(ctx, `UPDATE customers SET company_key = ?, duplicate_of = ? WHERE id = ?`, key, first, r.id)
				}
				if err != nil {
					return mapErr(err)
				}
			}
			if n = len(rows); n > 0 {
				last = rows[n-1].id
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("key companies: %w", err)
		}
		if total, after = total+n, last; n < keyBatch {
			return total, nil
		}
	}
}
