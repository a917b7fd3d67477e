package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/dedup"
)

// No two customers share a company (by its normal form, company_key), a
// phone, an email or a WeChat id, whatever pool or owner each is in, and
// whether it is a customer's own (its primary contact) or one of its
// further contacts (contact.go): a
// rep cannot sidestep a cooldown, a daily limit or another rep's
// ownership by creating the customer again. The check reads before the
// write (duplicateOf), and the unique indexes refuse what a concurrent
// write slipped past it (raced). Both answer with the customer met, as
// the caller may know it.

// duplicateColumns are the fields no two customers share, in the order a
// match names them: contacts first, then the company.
var duplicateColumns = []string{"phone", "email", "wechat", "company"}

// companyKey is the normal form stored beside a company, nil for none.
func companyKey(company string) any {
	return nullString(dedup.Company(company))
}

// matchKeys returns the stored keys that f's fields give, by column
// ("" for an empty field).
func (c conn) matchKeys(f gonghai.CustomerFields) map[string]string {
	return map[string]string{
		"phone":   c.keys.MatchKey("phone", f.Phone),
		"email":   c.keys.MatchKey("email", f.Email),
		"wechat":  c.keys.MatchKey("wechat", f.WeChat),
		"company": dedup.Company(f.Company),
	}
}

// duplicateOf returns EDuplicate when a customer other than exceptID has
// f's company (by its normal form), phone, email or WeChat id, itself or
// on a contact other than exceptID (a contact being edited), naming it
// as viewer may know it (describe). It returns nil when there is none. A
// customer merged into another is its survivor's now, and matches no more.
func duplicateOf(ctx context.Context, c conn, viewer gonghai.User, f gonghai.CustomerFields, exceptID string) error {
	keys := c.matchKeys(f)
	// What is checked here is written after, in the same transaction: the
	// check and the write hold the contact keys' locks in between.
	if err := lockContactKeys(ctx, c, keys["phone"], keys["email"], keys["wechat"]); err != nil {
		return err
	}
	id, field, err := matchOf(ctx, c, keys, duplicateColumns, exceptID)
	if err != nil || id == "" {
		return err
	}
	m, _, err := describe(ctx, c, viewer, id, field)
	if err != nil {
		return err
	}
	return duplicateError(m)
}

// matchOf returns the customer other than exceptID that holds one of keys
// in cols, and the first column it holds; "" when none does. It looks
// among the customers that are no known duplicate (duplicate_of): each
// such one stands beside the customer it duplicates, which is found. So
// each arm reads its unique index, which holds only those.
func matchOf(ctx context.Context, c conn, keys map[string]string, cols []string, exceptID string) (id, field string, err error) {
	var where []string
	var args []any
	for _, col := range cols {
		if k := keys[col]; k != "" {
			where, args = append(where, col+"_key = ? AND duplicate_of IS NULL"), append(args, k)
		}
	}
	if len(where) == 0 {
		return "", "", nil
	}
	var found [4]sql.NullString
	err = c.queryRow(ctx, `SELECT id, phone_key, email_key, wechat_key, company_key FROM customers WHERE ((`+
		strings.Join(where, ") OR (")+`)) AND id <> ? AND merged_into IS NULL ORDER BY id LIMIT 1`,
		append(args, exceptID)...).Scan(&id, &found[0], &found[1], &found[2], &found[3])
	if errors.Is(err, sql.ErrNoRows) {
		return contactMatchOf(ctx, c, keys, cols, exceptID)
	}
	if err != nil {
		return "", "", err
	}
	for _, col := range cols {
		if f := found[slices.Index(duplicateColumns, col)]; f.Valid && keys[col] != "" && f.String == keys[col] {
			return id, col, nil
		}
	}
	return id, cols[0], nil
}

// duplicateError is the refusal of a duplicate of m.
func duplicateError(m gonghai.DuplicateMatch) error {
	msg := fmt.Sprintf("this %s belongs to customer %s", m.Field, m.CustomerID)
	if m.OwnerName == "" {
		msg += ", in a pool"
	} else {
		msg += ", owned by " + m.OwnerName
		if m.OwnerDept != "" {
			msg += " (" + m.OwnerDept + ")"
		}
	}
	return &gonghai.Error{Code: gonghai.EDuplicate, Message: msg, Fields: map[string]string{m.Field: "already on customer " + m.CustomerID},
		Match: &m}
}

// describe names customer id as viewer may know it when it stands in the
// way: its company, and who owns it, by name and department, so that the
// two can talk, even when viewer may not see the customer. Its contacts
// name, owner id and pool only when viewer may see it (or, for the pool,
// see the pool it waits in).
// It returns the owner's id apart, for a conflict's record.
func describe(ctx context.Context, c conn, viewer gonghai.User, id, field string) (gonghai.DuplicateMatch, string, error) {
	m := gonghai.DuplicateMatch{CustomerID: id, Field: field}
	r, err := getCustomer(ctx, c, id)
	if err != nil {
		return m, "", err
	}
	p, err := getPoolRules(ctx, c, r.PoolID)
	if err != nil {
		return m, "", err
	}
	m.Owned, m.Display = r.OwnerID != "", r.Company
	if r.OwnerID != "" {
		owner, err := getUser(ctx, c, r.OwnerID)
		if err != nil {
			return m, "", err
		}
		m.OwnerName = owner.Name
		if owner.DepartmentID != "" {
			d, err := getDepartment(ctx, c, owner.DepartmentID)
			if err != nil {
				return m, "", err
			}
			m.OwnerDept = d.Name
		}
	}
	cf, err := facts(ctx, c, viewer, r, p)
	if err != nil {
		return m, "", err
	}
	if gonghai.SeesCustomer(viewer, cf) {
		m.Display, m.PoolID, m.OwnerID = displayName(r.Customer), r.PoolID, r.OwnerID
	} else if r.OwnerID == "" && gonghai.SeesPool(viewer, p, cf.Membership) {
		m.PoolID = r.PoolID
	}
	return m, r.OwnerID, nil
}

// raced turns the unique-index failure of a write that lost a race with a
// concurrent create of the same company or contact into the duplicate it
// met, read after the winner committed; hands each duplicate to met (a
// create records it as a conflict); and counts every duplicate answered
// as a look-up, which past the day's quota is refused instead.
func (db *DB) raced(ctx context.Context, err error, viewer gonghai.User, f gonghai.CustomerFields, exceptID string, met func(*gonghai.Error)) error {
	var dup *gonghai.Error
	if errors.As(err, &dup) && dup.Code == gonghai.EDuplicate {
		if met != nil {
			met(dup)
		}
		if dup.Match != nil && dup.Match.Field == "company" {
			return err // a company is no personal data
		}
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
		return db.raced(ctx, dup, viewer, f, exceptID, met)
	}
	return gonghai.Errorf(gonghai.EConflict, "another customer was being saved with the same company or contact; try again")
}

// refused records a create refused as a duplicate as a conflict (撞单), in
// a transaction of its own: the create's rolled back, and the record is
// all that stays of it. A record that fails to be written does not change
// the answer: the caller is told of the duplicate all the same.
func (db *DB) refused(ctx context.Context, actor gonghai.User, company string, dup *gonghai.Error) {
	m := dup.Match
	if m == nil {
		return
	}
	ctx = context.WithoutCancel(ctx) // the caller's answer does not wait on it, nor cancel it
	_ = db.inTx(ctx, func(c conn) error {
		var owner sql.NullString
		if err := c.queryRow(ctx, `SELECT owner_id FROM customers WHERE id = ?`, m.CustomerID).Scan(&owner); err != nil {
			return err
		}
		_, err := insertConflict(ctx, c, gonghai.Conflict{Kind: gonghai.ConflictRefused, At: db.now(), ActorID: actor.ID,
			Field: m.Field, Company: company, MatchedID: m.CustomerID, MatchedOwnerID: owner.String}, db.location())
		return err
	})
}
