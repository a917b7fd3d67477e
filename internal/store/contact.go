package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// A customer's own name, phone, email and WeChat id are its primary
// contact; the contacts table holds the further people at it. Their
// personal fields are sealed and blind-indexed like a customer's (bound to
// table contacts, the column and the contact's id), masked as the
// customer's are, and in the same duplicate check: no phone, email or
// WeChat id is on two people, whichever table each is in.

// contactColumns are a contact's columns in the order scanContact reads.
const contactColumns = `id, customer_id, name, title, phone, email, wechat, COALESCE(pii_key, ''), created_at, updated_at`

// contactRow is a contact as stored: sealed until openContact.
type contactRow struct {
	gonghai.Contact
	piiKey string
}

// personalOfContact points at k's personal fields in personalColumns' order.
func personalOfContact(k *gonghai.Contact) []*string {
	return []*string{&k.Name, &k.Phone, &k.Email, &k.WeChat}
}

func scanContact(s scanner) (contactRow, error) {
	var r contactRow
	var created, updated int64
	err := s.Scan(&r.ID, &r.CustomerID, &r.Name, &r.Title, &r.Phone, &r.Email, &r.WeChat, &r.piiKey, &created, &updated)
	r.Created, r.Updated = fromMicros(created), fromMicros(updated)
	return r, err
}

// openContact opens r's sealed personal fields in place.
func (c conn) openContact(r *contactRow) error {
	if r.piiKey == "" {
		return nil
	}
	for i, v := range personalOfContact(&r.Contact) {
		plain, err := c.keys.Open("contacts", personalColumns[i], r.ID, *v)
		if err != nil {
			return fmt.Errorf("contact %s: %s: %w", r.ID, personalColumns[i], err)
		}
		*v = plain
	}
	r.piiKey = ""
	return nil
}

// customerContacts reads customer id's further contacts, opened, in the
// order they were added.
func customerContacts(ctx context.Context, c conn, id string) ([]gonghai.Contact, error) {
	rows, err := collect(ctx, c, `SELECT `+contactColumns+` FROM contacts WHERE customer_id = ? ORDER BY position, id`, []any{id}, scanContact)
	if err != nil {
		return nil, fmt.Errorf("contacts of customer %s: %w", id, err)
	}
	out := make([]gonghai.Contact, len(rows))
	for i := range rows {
		if err := c.openContact(&rows[i]); err != nil {
			return nil, err
		}
		out[i] = rows[i].Contact
	}
	return out, nil
}

// contactFields are k's contacts as the duplicate check reads a customer's.
func contactFields(k gonghai.Contact) gonghai.CustomerFields {
	return gonghai.CustomerFields{Phone: k.Phone, Email: k.Email, WeChat: k.WeChat}
}

// manyContactKeys is how many contact keys one transaction locks one by
// one; a write of more (an import's batch, a bulk load) takes the lock of
// all contacts instead, so it never fills PostgreSQL's lock table.
const manyContactKeys = 64

// allContacts names the lock every writer of a contact key takes, shared
// by one who locks the keys one by one and exclusive by one who writes many.
var allContacts = advisoryKey("contacts")

// lockContactKeys serialises, on PostgreSQL, the writers of the blind keys
// keys across customers and contacts until the transaction ends: a unique
// index covers one table, and a customer's create and a contact's add of
// one phone at once would each miss the other's. Keys are locked in one
// order everywhere, so two writers never wait for each other in a circle.
// SQLite has one writer at a time already; a conn outside a transaction
// writes nothing.
func lockContactKeys(ctx context.Context, c conn, keys ...string) error {
	if _, inTx := c.q.(*sql.Tx); c.dialect != Postgres || !inTx {
		return nil
	}
	var locks []any
	for _, k := range keys {
		if k != "" {
			locks = append(locks, advisoryKey("contact "+k))
		}
	}
	if len(locks) == 0 {
		return nil
	}
	slices.SortFunc(locks, func(a, b any) int { return cmpInt64(a.(int64), b.(int64)) })
	locks = slices.Compact(locks)
	q := `SELECT pg_advisory_xact_lock_shared(?)` + strings.Repeat(`, pg_advisory_xact_lock(?)`, len(locks))
	args := append([]any{allContacts}, locks...)
	if len(locks) > manyContactKeys {
		q, args = `SELECT pg_advisory_xact_lock(?)`, []any{allContacts}
	}
	if _, err := c.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("contact lock: %w", err)
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Contacts lists customer id's contacts as viewer may see them: its
// primary contact (the customer's own fields, with the customer's id)
// first, then the others in the order they were added, each masked as
// the customer's own fields are.
func (db *DB) Contacts(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Contact, error) {
	c := db.reader()
	r, _, err := visibleCustomer(ctx, c, viewer, id, getPoolRules)
	if err != nil {
		return nil, err
	}
	others, err := customerContacts(ctx, c, r.ID)
	if err != nil {
		return nil, err
	}
	out := []gonghai.Contact{gonghai.PrimaryContact(db.view(r, viewer))}
	for _, k := range others {
		out = append(out, gonghai.ContactFor(k, r.Customer, viewer, r.mask))
	}
	return out, nil
}

// AddContact adds person f to customer customerID. Who may edit the
// customer may (gonghai.CanWork). Its phone, email and WeChat id must be no
// other person's, a customer's own or a contact's. It returns the contact
// as actor may see it.
func (db *DB) AddContact(ctx context.Context, actor gonghai.User, customerID string, f gonghai.Contact) (gonghai.Contact, error) {
	var out gonghai.Contact
	f = f.Cleaned()
	if err := f.Validate(); err != nil {
		return out, err
	}
	err := db.inTx(ctx, func(c conn) error {
		r, _, err := forWork(ctx, c, actor, customerID)
		if err != nil {
			return err
		}
		k, err := addContact(ctx, c, actor, r.ID, f, db.now())
		out = gonghai.ContactFor(k, r.Customer, actor, r.mask)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("add contact to customer %s: %w", customerID, db.raced(ctx, err, actor, contactFields(f), "", nil))
	}
	return out, nil
}

// addContact writes contact f (cleaned and valid) of customer id in the
// caller's transaction, after the duplicate check, within MaxContacts.
func addContact(ctx context.Context, c conn, actor gonghai.User, id string, f gonghai.Contact, now time.Time) (gonghai.Contact, error) {
	if c.dialect == Postgres {
		// Two adds at once count the contacts one after the other.
		if _, err := c.exec(ctx, `SELECT id FROM customers WHERE id = ? FOR UPDATE`, id); err != nil {
			return f, err
		}
	}
	var n, last int
	if err := c.queryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM contacts WHERE customer_id = ?`, id).Scan(&n, &last); err != nil {
		return f, err
	}
	if n >= gonghai.MaxContacts {
		return f, gonghai.Invalid("contacts", fmt.Sprintf("a customer has at most %d contacts besides its own", gonghai.MaxContacts))
	}
	if err := duplicateOf(ctx, c, actor, contactFields(f), ""); err != nil {
		return f, err
	}
	return insertContact(ctx, c, id, f, last+1, now)
}

// insertContact writes contact f of customer id at position, sealed.
func insertContact(ctx context.Context, c conn, id string, f gonghai.Contact, position int, now time.Time) (gonghai.Contact, error) {
	k := f
	k.ID, k.CustomerID, k.Primary, k.Created, k.Updated = newID(), id, false, now, now
	cols, args := c.sealedIn("contacts", k.ID, personalOfContact(&k))
	cols = append(cols, "id", "customer_id", "position", "title", "created_at", "updated_at")
	args = append(args, k.ID, id, position, k.Title, micros(now), micros(now))
	_, err := c.exec(ctx, `INSERT INTO contacts (`+strings.Join(cols, ", ")+`) VALUES (?`+strings.Repeat(", ?", len(cols)-1)+`)`, args...)
	return k, mapErr(err)
}

// contactFor reads contact contactID of customer r, opened; a contact of
// another customer is not found.
func contactFor(ctx context.Context, c conn, r customerRow, contactID string) (contactRow, error) {
	k, err := scanContact(c.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = ? AND customer_id = ?`, contactID, r.ID))
	if err != nil {
		return k, notFound(err, "contact")
	}
	return k, c.openContact(&k)
}

// contactEdit reads, for actor to change, customer customerID and its
// contact contactID, and decides patch p as CustomerPatch.ForCaller does:
// a value actor was not shown in full (unless they revealed it within
// gonghai.RevealEditWindow) is never overwritten or cleared by them.
func contactEdit(ctx context.Context, c conn, actor gonghai.User, customerID, contactID string, p gonghai.ContactPatch,
	now time.Time) (customerRow, contactRow, gonghai.ContactPatch, error) {
	r, _, err := forWork(ctx, c, actor, customerID)
	if err != nil {
		return r, contactRow{}, p, err
	}
	k, err := contactFor(ctx, c, r, contactID)
	if err != nil {
		return r, k, p, err
	}
	allowed, err := p.ForCaller(k.Contact, gonghai.SeesContacts(actor, r.Customer), r.mask)
	if gonghai.ErrorCode(err) == gonghai.EForbidden {
		revealed, rerr := revealedRecently(ctx, c, actor, r.ID, now)
		if rerr != nil {
			return r, k, p, rerr
		}
		if revealed {
			allowed, err = p, nil
		}
	}
	return r, k, allowed, err
}

// UpdateContact changes contact contactID of customer customerID. Who may
// edit the customer may, but, as with the customer's own contacts, only
// change a phone, email or WeChat id they were shown in full.
func (db *DB) UpdateContact(ctx context.Context, actor gonghai.User, customerID, contactID string, p gonghai.ContactPatch) (gonghai.Contact, error) {
	var out, next gonghai.Contact
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		r, k, allowed, err := contactEdit(ctx, c, actor, customerID, contactID, p, now)
		if err != nil {
			return err
		}
		next = k.Contact
		allowed.Apply(&next)
		if err := next.Validate(); err != nil {
			return err
		}
		if next.Phone != k.Phone || next.Email != k.Email || next.WeChat != k.WeChat {
			if err := duplicateOf(ctx, c, actor, contactFields(next), k.ID); err != nil {
				return err
			}
		}
		if err := auditContact(ctx, c, actor, r, k.Contact, next, now); err != nil {
			return err
		}
		next.Updated = now
		cols, args := c.sealedIn("contacts", k.ID, personalOfContact(&next))
		cols = append(cols, "title", "updated_at")
		args = append(args, next.Title, micros(now), k.ID)
		if _, err := c.exec(ctx, `UPDATE contacts SET `+setList(cols)+` WHERE id = ?`, args...); err != nil {
			return mapErr(err)
		}
		out = gonghai.ContactFor(next, r.Customer, actor, r.mask)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("update contact %s: %w", contactID, db.raced(ctx, err, actor, contactFields(next), contactID, nil))
	}
	return out, nil
}

// DeleteContact removes contact contactID of customer customerID. Who may
// edit the customer may; deleting clears its phone, email and WeChat id,
// so, as for a clear, only one who was shown them in full.
func (db *DB) DeleteContact(ctx context.Context, actor gonghai.User, customerID, contactID string) error {
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		empty := ""
		clear := gonghai.ContactPatch{Phone: &empty, Email: &empty, WeChat: &empty}
		r, k, _, err := contactEdit(ctx, c, actor, customerID, contactID, clear, now)
		if err != nil {
			return err
		}
		if err := auditContact(ctx, c, actor, r, k.Contact, gonghai.Contact{ID: k.ID}, now); err != nil {
			return err
		}
		_, err = c.exec(ctx, `DELETE FROM contacts WHERE id = ?`, k.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete contact %s: %w", contactID, err)
	}
	return nil
}

// auditContact writes, as for a customer's own contacts, every clear of a
// contact's phone, email or WeChat id, and every change by one who is not
// the owner, naming the contact.
func auditContact(ctx context.Context, c conn, actor gonghai.User, r customerRow, before, after gonghai.Contact, now time.Time) error {
	changed := gonghai.ContactChanges(contactFields(before), contactFields(after), gonghai.SeesContacts(actor, r.Customer))
	if len(changed) == 0 {
		return nil
	}
	e := auditBy(&actor, gonghai.AuditContactChange, "customer", r.ID, now)
	e.Detail = changed
	e.Detail["contact"] = before.ID
	return audit(ctx, c, e)
}

// contactsHolding returns the id of a customer one of whose further
// contacts has one of keys (blind keys of column col), "" for none.
func contactsHolding(ctx context.Context, c conn, col string, keys []any) (string, error) {
	var id string
	err := c.queryRow(ctx, `SELECT customer_id FROM contacts WHERE `+col+`_key IN (`+placeholders(len(keys))+`) LIMIT 1`, keys...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// contactMatchOf is matchOf among the further contacts: the customer other
// than through contact exceptID one of whose contacts holds one of keys in
// cols, and the first column it holds; "" when none does.
func contactMatchOf(ctx context.Context, c conn, keys map[string]string, cols []string, exceptID string) (id, field string, err error) {
	var where []string
	var args []any
	for _, col := range cols {
		if k := keys[col]; k != "" && col != "company" {
			where, args = append(where, col+"_key = ?"), append(args, k)
		}
	}
	if len(where) == 0 {
		return "", "", nil
	}
	var found [3]sql.NullString
	err = c.queryRow(ctx, `SELECT customer_id, phone_key, email_key, wechat_key FROM contacts WHERE (`+
		strings.Join(where, " OR ")+`) AND id <> ? ORDER BY customer_id LIMIT 1`,
		append(args, exceptID)...).Scan(&id, &found[0], &found[1], &found[2])
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	for _, col := range cols {
		if i := slices.Index(duplicateColumns, col); i < len(found) && found[i].Valid && found[i].String == keys[col] {
			return id, col, nil
		}
	}
	return id, cols[0], nil
}

// lockRowKeys takes the locks of an import batch's contact keys
// (lockContactKeys), before its look-up.
func lockRowKeys(ctx context.Context, c conn, rows []importRow) error {
	var keys []string
	for _, r := range rows {
		for _, k := range r.keys {
			if k.field != "company" {
				keys = append(keys, k.key)
			}
		}
	}
	return lockContactKeys(ctx, c, keys...)
}

// bulkContactsFree locks the contact keys of rows (lockContactKeys) and
// refuses, as the unique indexes refuse a customer's, a row whose phone,
// email or WeChat id is a further contact's.
func bulkContactsFree(ctx context.Context, c conn, rows []customerRow) error {
	byCol := map[string][]any{}
	var all []string
	for i := range rows {
		for col, v := range map[string]string{"phone": rows[i].Phone, "email": rows[i].Email, "wechat": rows[i].WeChat} {
			if k := c.keys.MatchKey(col, v); k != "" {
				byCol[col], all = append(byCol[col], k), append(all, k)
			}
		}
	}
	if err := lockContactKeys(ctx, c, all...); err != nil {
		return err
	}
	for _, col := range duplicateColumns[:3] {
		keys := byCol[col]
		for lo := 0; lo < len(keys); lo += bulkRows {
			id, err := contactsHolding(ctx, c, col, keys[lo:min(lo+bulkRows, len(keys))])
			if err != nil {
				return err
			}
			if id != "" {
				return gonghai.Errorf(gonghai.EConflict, "a %s of the load is a contact's of customer %s already", col, id)
			}
		}
	}
	return nil
}
