package store

import (
	"context"
	"fmt"
)

// resealContacts re-seals, with the primary key, the contacts sealed with
// another, a batch per transaction, as reseal does customers: a rotation
// covers every sealed personal field, and an old key may go once KeyUse
// counts no contact under it either. Their blind indexes do not change.
func (db *DB) resealContacts(ctx context.Context, primary string, batch int, progress func(int)) (int, error) {
	total := 0
	for {
		n := 0
		err := db.inTx(ctx, func(c conn) error {
			lock := ""
			if c.dialect == Postgres {
				lock = ` FOR UPDATE` // an edit beside it is neither lost nor overwritten
			}
			rows, err := collect(ctx, c, `SELECT `+contactColumns+` FROM contacts WHERE pii_key IS NULL OR pii_key <> ?
				ORDER BY id LIMIT ?`+lock, []any{primary, batch}, scanContact)
			if err != nil {
				return err
			}
			for i := range rows {
				k := &rows[i]
				if err := c.openContact(k); err != nil {
					return err
				}
				cols, vals := c.sealedIn("contacts", k.ID, personalOfContact(&k.Contact))
				if _, err := c.exec(ctx, `UPDATE contacts SET `+setList(cols)+` WHERE id = ?`, append(vals, k.ID)...); err != nil {
					return mapErr(err)
				}
			}
			n = len(rows)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("re-seal contacts: %w", err)
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

// contactKeyUse adds to use the contacts whose personal fields each key
// sealed.
func contactKeyUse(ctx context.Context, c conn, use map[string]int) error {
	rows, err := c.query(ctx, `SELECT COALESCE(pii_key, ''), COUNT(*) FROM contacts GROUP BY COALESCE(pii_key, '')`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return err
		}
		use[key] += n
	}
	return rows.Err()
}
