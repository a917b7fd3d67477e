package store

import (
	"context"
	"database/sql"
	"errors"
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
	// The primary is read before sealing: should the keys take a new primary
	// meanwhile, pii_key names the older key and the next rotation re-seals
	// the row. Read after, it could name a key a value was not sealed with,
	// and the rotation would skip the row.
	primary := c.keys.Primary()
	cols := make([]string, 0, 2*len(personalColumns)+1)
	args := make([]any, 0, cap(cols))
	for i, col := range personalColumns {
		cols, args = append(cols, col), append(args, c.keys.Seal("customers", col, id, *values[i]))
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

// duplicateColumns are the contact fields no two customers share.
var duplicateColumns = []string{"phone", "email", "wechat"}

// duplicateOf returns EDuplicate when a customer other than exceptID has
// f's phone, email or WeChat id, naming it as viewer may know it: its
// company, and its owner only when viewer may see the customer. It returns
// nil when there is none.
func duplicateOf(ctx context.Context, c conn, viewer gonghai.User, f gonghai.CustomerFields, exceptID string) error {
	values := map[string]string{"phone": f.Phone, "email": f.Email, "wechat": f.WeChat}
	var where []string
	var args []any
	for _, col := range duplicateColumns {
		if k := c.keys.MatchKey(col, values[col]); k != "" {
			where, args = append(where, col+"_key = ?"), append(args, k)
		}
	}
	if len(where) == 0 {
		return nil
	}
	var id string
	var keys [3]sql.NullString
	err := c.queryRow(ctx, `SELECT id, phone_key, email_key, wechat_key FROM customers WHERE (`+strings.Join(where, " OR ")+
		`) AND id <> ? ORDER BY id LIMIT 1`, append(args, exceptID)...).Scan(&id, &keys[0], &keys[1], &keys[2])
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	m := &gonghai.DuplicateMatch{CustomerID: id}
	for i, col := range duplicateColumns {
		if keys[i].Valid && keys[i].String == c.keys.MatchKey(col, values[col]) {
			m.Field = col
			break
		}
	}
	r, err := getCustomer(ctx, c, id)
	if err != nil {
		return err
	}
	p, err := getPoolRules(ctx, c, r.PoolID)
	if err != nil {
		return err
	}
	m.Owned, m.Display = r.OwnerID != "", r.Company
	cf, err := facts(ctx, c, viewer, r, p)
	if err != nil {
		return err
	}
	if gonghai.SeesCustomer(viewer, cf) {
		m.Display, m.PoolID, m.OwnerID = displayName(r.Customer), r.PoolID, r.OwnerID
		if r.OwnerID != "" {
			owner, err := getUser(ctx, c, r.OwnerID)
			if err != nil {
				return err
			}
			m.OwnerName = owner.Name
		}
	} else if r.OwnerID == "" && gonghai.SeesPool(viewer, p, cf.Membership) {
		m.PoolID = r.PoolID
	}
	msg := fmt.Sprintf("this %s belongs to customer %s", m.Field, id)
	switch {
	case m.OwnerName != "":
		msg += ", owned by " + m.OwnerName
	case m.Owned:
		msg += ", owned by another rep"
	default:
		msg += ", in a pool"
	}
	return &gonghai.Error{Code: gonghai.EDuplicate, Message: msg, Fields: map[string]string{m.Field: "already on customer " + id},
		Match: m}
}

// raced turns the unique-index failure of a write that lost a race with a
// concurrent create of the same contact into the duplicate it met, read
// after the winner committed; and counts every duplicate answered as a
// look-up, which past the day's quota is refused instead.
func (db *DB) raced(ctx context.Context, err error, viewer gonghai.User, f gonghai.CustomerFields, exceptID string) error {
	if gonghai.ErrorCode(err) == gonghai.EDuplicate {
		// A duplicate tells that a contact exists: it is a look-up.
		if quota := db.lookedUp(ctx, viewer); quota != nil {
			return quota
		}
		return err
	}
	if !isUnique(err) {
		return err
	}
	if dup := duplicateOf(ctx, db.reader(), viewer, f, exceptID); dup != nil {
		return db.raced(ctx, dup, viewer, f, exceptID)
	}
	return gonghai.Errorf(gonghai.EConflict, "another customer was being saved with the same contact; try again")
}
