package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
)

// sealBatch is how many customers one re-sealing transaction takes.
const sealBatch = 500

// RotateKeys seals again, with the primary key, the personal fields of
// every customer and contact still sealed with another key (or not at all), batch rows
// per transaction, calling progress with the running count after each. A
// run that is killed leaves every row either as it was or re-sealed, so
// running it again finishes the work. A run that re-sealed anything writes
// a key_rotation audit entry. It returns how many rows it re-sealed.
func (db *DB) RotateKeys(ctx context.Context, batch int, progress func(done int)) (int, error) {
	if batch <= 0 {
		batch = sealBatch
	}
	primary := db.keys.Primary()
	n, err := db.reseal(ctx, `(pii_key IS NULL OR pii_key <> ?)`, []any{primary}, batch, progress)
	if err != nil {
		return n, err
	}
	m, err := db.resealContacts(ctx, primary, batch, func(done int) {
		if progress != nil {
			progress(n + done)
		}
	})
	if n += m; err != nil || n == 0 {
		return n, err
	}
	err = db.inTx(ctx, func(c conn) error {
		e := auditBy(nil, gonghai.AuditKeyRotation, "keys", primary, db.now())
		e.Detail = map[string]string{"primary": primary, "rows": strconv.Itoa(n)}
		return audit(ctx, c, e)
	})
	return n, err
}

// reseal re-seals the customers matching where, a batch per transaction,
// until none is left. On PostgreSQL each batch locks its rows, so an edit
// running beside it is neither lost nor overwritten.
func (db *DB) reseal(ctx context.Context, where string, args []any, batch int, progress func(int)) (int, error) {
	total := 0
	for {
		n := 0
		err := db.inTx(ctx, func(c conn) error {
			lock := ""
			if c.dialect == Postgres {
				lock = ` FOR UPDATE`
			}
			rows, err := collect(ctx, c, `SELECT `+personalSelect+`, COALESCE(pii_key, '') FROM customers WHERE `+where+
				` ORDER BY id LIMIT ?`+lock, append(append([]any{}, args...), batch), func(s scanner) (customerRow, error) {
				var r customerRow
				return r, s.Scan(append(personalDest(&r), &r.piiKey)...)
			})
			if err != nil {
				return err
			}
			for i := range rows {
				r := &rows[i]
				if err := c.openRow(r); err != nil {
					return err
				}
				cols, vals := c.sealed(r.ID, personalOf(&r.Customer))
				// Rows from before the duplicate check, or from before its
				// normal form saw through a trick form, may share a contact:
				// the first keeps its blind index, the others go without.
				if err := dropTakenKeys(ctx, c, r.ID, cols, vals); err != nil {
					return err
				}
				if _, err := c.exec(ctx, `UPDATE customers SET `+setList(cols)+` WHERE id = ?`, append(vals, r.ID)...); err != nil {
					return mapErr(err)
				}
			}
			n = len(rows)
			return nil
		})
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		total += n
		if progress != nil {
			progress(total)
		}
	}
}

// personalSelect reads a customer's id and sealed fields, into
// personalDest.
var personalSelect = "id, " + strings.Join(personalColumns, ", ")

func personalDest(r *customerRow) []any {
	dest := []any{&r.ID}
	for _, v := range personalOf(&r.Customer) {
		dest = append(dest, v)
	}
	return dest
}

// dropTakenKeys sets to NULL, in vals, the unique blind indexes among cols
// that a customer other than id already has.
func dropTakenKeys(ctx context.Context, c conn, id string, cols []string, vals []any) error {
	for i, col := range cols {
		base, isKey := strings.CutSuffix(col, "_key")
		key, set := vals[i].(string)
		if !isKey || !set || !slices.Contains(duplicateColumns, base) {
			continue
		}
		var one int
		err := c.queryRow(ctx, `SELECT 1 FROM customers WHERE `+col+` = ? AND id <> ? LIMIT 1`, key, id).Scan(&one)
		switch {
		case err == nil:
			vals[i] = nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	return nil
}

// KeyUse counts the customers and contacts whose personal fields each key
// sealed; "" counts those not sealed yet.
func (db *DB) KeyUse(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	rows, err := collect(ctx, db.reader(), `SELECT COALESCE(pii_key, ''), COUNT(*) FROM customers GROUP BY COALESCE(pii_key, '')`, nil,
		func(s scanner) (struct {
			key string
			n   int
		}, error) {
			var v struct {
				key string
				n   int
			}
			return v, s.Scan(&v.key, &v.n)
		})
	for _, r := range rows {
		out[r.key] = r.n
	}
	if err == nil {
		err = contactKeyUse(ctx, db.reader(), out)
	}
	return out, err
}

// CheckKeys fails when the keys cannot open what the database holds: for
// each key that sealed any row, one sealed value must open. It catches a
// lost or wrong key file before anything is written with it. Every start
// runs it, so it reads a few index entries per key, not the customers.
func (db *DB) CheckKeys(ctx context.Context) error {
	c := db.reader()
	keys, err := sealingKeys(ctx, c)
	if err != nil {
		return fmt.Errorf("check keys: %w", err)
	}
	for _, key := range keys {
		var r customerRow
		err := c.queryRow(ctx, `SELECT `+personalSelect+` FROM customers
			WHERE pii_key = ? AND (name <> '' OR phone <> '' OR email <> '' OR wechat <> '') LIMIT 1`, key).
			Scan(personalDest(&r)...)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check keys: %w", err)
		}
		r.piiKey = key
		if err := c.openRow(&r); err != nil {
			return fmt.Errorf("the keys do not open the personal fields sealed with key %q (a wrong or lost key file?): %w", key, err)
		}
	}
	return nil
}

// sealingKeys lists the keys that sealed any customer's fields, in order.
// Each step asks the index on pii_key for the first key after the last one
// found, so the list costs one index probe per key however many customers
// each sealed; counting them (KeyUse) reads every row.
func sealingKeys(ctx context.Context, c conn) ([]string, error) {
	var keys []string
	last := ""
	for {
		var key string
		err := c.queryRow(ctx, `SELECT pii_key FROM customers WHERE pii_key > ? ORDER BY pii_key LIMIT 1`, last).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			return keys, nil
		}
		if err != nil {
			return nil, err
		}
		keys, last = append(keys, key), key
	}
}
