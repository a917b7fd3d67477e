package store

import (
	"fmt"
	"strings"

	"github.com/gonghai/gonghai"
)

// Personal fields (DESIGN.md invariant 7) are stored sealed, each bound to
// its table, column and row, with a blind index of its normal form beside
// it: name_key, phone_key, email_key, wechat_key. pii_key names the key that
// sealed the row, so a rotation finds the rows still under an older key.

// personalColumns are the sealed columns of customers, in one order.
var personalColumns = []string{"name", "phone", "email", "wechat"}

// personalOf points at c's personal fields in personalColumns' order.
func personalOf(c *gonghai.Customer) []*string {
	return []*string{&c.Name, &c.Phone, &c.Email, &c.WeChat}
}

func personalOfFields(f *gonghai.CustomerFields) []*string {
	return []*string{&f.Name, &f.Phone, &f.Email, &f.WeChat}
}

// openRow opens r's sealed personal fields in place. A row written before
// fields were sealed (no pii_key) holds them in plaintext until the store
// seals it on its next open.
func (c conn) openRow(r *customerRow) error {
	if r.opened {
		return nil
	}
	if r.piiKey != "" {
		for i, v := range personalOf(&r.Customer) {
			plain, err := c.keys.Open("customers", personalColumns[i], r.ID, *v)
			if err != nil {
				return fmt.Errorf("customer %s: %s: %w", r.ID, personalColumns[i], err)
			}
			*v = plain
		}
	}
	r.opened = true
	return nil
}

// openRows opens every row of a listing.
func (c conn) openRows(rows []customerRow) error {
	for i := range rows {
		if err := c.openRow(&rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// sealed returns the columns and values that store values (the personal
// fields in personalColumns' order) of customer id: each sealed with the
// primary key, each blind index, and pii_key.
func (c conn) sealed(id string, values []*string) ([]string, []any) {
	return c.sealedIn("customers", id, values)
}

// sealedIn is sealed for a row of table (customers or contacts: both have
// the same personal columns), each value bound to table, column and id.
func (c conn) sealedIn(table, id string, values []*string) ([]string, []any) {
	// The primary is read before sealing: should the keys take a new primary
	// meanwhile, pii_key names the older key and the next rotation re-seals
	// the row. Read after, it could name a key a value was not sealed with,
	// and the rotation would skip the row.
	primary := c.keys.Primary()
	cols := make([]string, 0, 2*len(personalColumns)+1)
	args := make([]any, 0, cap(cols))
	for i, col := range personalColumns {
		cols, args = append(cols, col), append(args, c.keys.Seal(table, col, id, *values[i]))
	}
	for i, col := range personalColumns {
		cols, args = append(cols, col+"_key"), append(args, nullString(c.keys.MatchKey(col, *values[i])))
	}
	return append(cols, "pii_key"), append(args, primary)
}

// setList turns columns into "a = ?, b = ?".
func setList(cols []string) string {
	return strings.Join(cols, " = ?, ") + " = ?"
}
