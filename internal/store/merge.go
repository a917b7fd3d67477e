package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
)

// Merge merges customer m.MergedID into m.SurvivorID: one customer with
// the fields chosen, every follow-up, opportunity, order and further
// contact, and both
// histories (the merged customer's events stay under its id, read with
// MergedHistory). The merged customer goes to the archive pool, and its id
// then answers EMerged with a pointer to the survivor. Admins only, by
// hand; conflicts merge through ResolveConflict.
func (db *DB) Merge(ctx context.Context, actor gonghai.User, m gonghai.Merge) (gonghai.Customer, error) {
	var out gonghai.Customer
	// Who may not see the customer is told it does not exist, as
	// elsewhere; who sees it, that merging by hand is an admin's.
	if _, err := db.Customer(ctx, actor, m.MergedID); err != nil {
		return out, err
	}
	if err := gonghai.AdminOnly(actor, "merges customers by hand"); err != nil {
		return out, err
	}
	if err := m.Validate(); err != nil {
		return out, err
	}
	err := db.inTx(ctx, func(c conn) error {
		r, err := db.merge(ctx, c, actor, m, gonghai.CanMerge)
		out = db.view(r, actor)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("merge customer %s into %s: %w", m.MergedID, m.SurvivorID, raceLost(err))
	}
	return out, nil
}

// raceLost turns a unique-index failure into the conflict it is: the
// survivor's contacts were another customer's meanwhile.
func raceLost(err error) error {
	if isUnique(err) {
		return gonghai.Errorf(gonghai.EConflict, "the merged contacts or company belong to a third customer; merge that one too, or choose other fields")
	}
	return err
}

// mergeSide is one customer of a merge as read under its lock.
type mergeSide struct {
	r          customerRow
	p          gonghai.Pool
	f          gonghai.CustomerFacts
	seq        int
	companyKey sql.NullString
}

// readMergeSide reads customer id for a merge by actor.
func readMergeSide(ctx context.Context, c conn, actor gonghai.User, id string, seen int) (mergeSide, error) {
	var s mergeSide
	var err error
	s.r, s.p, err = customerFor(ctx, c, actor, id, lockPoolRules, func(_ gonghai.User, f gonghai.CustomerFacts) error {
		s.f = f
		return nil
	})
	if gonghai.ErrorCode(err) == gonghai.EMerged {
		return s, gonghai.Errorf(gonghai.EConflict, "customer %s was merged into another meanwhile", id)
	}
	if err != nil {
		return s, err
	}
	if err := c.queryRow(ctx, `SELECT event_seq, company_key FROM customers WHERE id = ?`, id).Scan(&s.seq, &s.companyKey); err != nil {
		return s, err
	}
	if seen != 0 && seen != s.seq {
		return s, gonghai.Errorf(gonghai.EConflict, "customer %s changed owner or pool meanwhile; reload and try again", id)
	}
	return s, nil
}

// merge does Merge in the caller's transaction, deciding by decide
// (gonghai.CanMerge; a conversion joining its lead to a customer decided
// already), and returns the survivor as it now is.
func (db *DB) merge(ctx context.Context, c conn, actor gonghai.User, m gonghai.Merge,
	decide func(actor gonghai.User, survivor, merged gonghai.CustomerFacts) error) (customerRow, error) {
	if err := m.Validate(); err != nil {
		return customerRow{}, err
	}
	now := db.now()
	if c.dialect == Postgres {
		// Both rows, in one order, before anything reads them: two merges
		// of one pair, or a merge and a claim, queue here.
		_, err := c.exec(ctx, `SELECT id FROM customers WHERE id IN (?, ?) ORDER BY id FOR UPDATE`, m.SurvivorID, m.MergedID)
		if err != nil {
			return customerRow{}, err
		}
	}
	sv, err := readMergeSide(ctx, c, actor, m.SurvivorID, m.SurvivorSeq)
	if err != nil {
		return sv.r, err
	}
	mg, err := readMergeSide(ctx, c, actor, m.MergedID, m.MergedSeq)
	if err != nil {
		return sv.r, err
	}
	if err := decide(actor, sv.f, mg.f); err != nil {
		return sv.r, err
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return sv.r, err
	}
	loc := s.Location()
	fields, sides := m.Merged(fieldsOf(sv.r.Customer), fieldsOf(mg.r.Customer), sv.r.OwnerID != "", mg.r.OwnerID != "")

	// The merged customer first lets go of its contacts and company, so the
	// survivor may take them under the unique indexes.
	res, err := c.exec(ctx, `UPDATE customers SET name_key = NULL, phone_key = NULL, email_key = NULL, wechat_key = NULL,
		company_key = NULL, duplicate_of = NULL, merged_into = ? WHERE id = ? AND merged_into IS NULL`, sv.r.ID, mg.r.ID)
	if err != nil {
		return sv.r, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return sv.r, errors.Join(err, gonghai.Errorf(gonghai.EConflict, "customer %s was merged meanwhile", mg.r.ID))
	}
	archive, err := archivePool(ctx, c, now)
	if err != nil {
		return sv.r, err
	}
	_, err = move{kind: gonghai.EventMerged, customerID: mg.r.ID, fromOwner: mg.r.OwnerID, fromPool: mg.r.PoolID,
		toPool: archive.ID, actorID: actor.ID, reason: m.Note, loc: loc}.apply(ctx, c, now)
	if errors.Is(err, errMoved) {
		return sv.r, gonghai.Errorf(gonghai.EConflict, "customer %s changed owner meanwhile; reload and try again", mg.r.ID)
	}
	if err != nil {
		return sv.r, err
	}
	for _, table := range []string{"followups", "opportunities", "orders"} {
		if _, err := c.exec(ctx, `UPDATE `+table+` SET customer_id = ? WHERE customer_id = ?`, sv.r.ID, mg.r.ID); err != nil {
			return sv.r, fmt.Errorf("move %s: %w", table, err)
		}
	}
	r := sv.r
	if err := db.mergeFields(ctx, c, &r, sv, mg, fields, sides, loc, now); err != nil {
		return r, err
	}
	if err := mergeContacts(ctx, c, sv.r.ID, mg.r.ID); err != nil {
		return r, fmt.Errorf("merge contacts: %w", err)
	}
	if sides["owner"] == gonghai.SideMerged && (mg.r.OwnerID != r.OwnerID || mg.r.PoolID != r.PoolID) {
		// The survivor takes the merged customer's owner and pool: one
		// event. The owner's holding is unchanged (one customer for one),
		// so no limit is asked.
		prior := r.Customer
		r, err = move{kind: gonghai.EventMerged, customerID: r.ID, fromOwner: r.OwnerID, fromPool: r.PoolID,
			toOwner: mg.r.OwnerID, toPool: mg.r.PoolID, actorID: actor.ID, reason: m.Note, rules: mg.p.Recycle, loc: loc,
			prior: &prior, mask: mg.p.ContactMask}.apply(ctx, c, now)
		if errors.Is(err, errMoved) {
			return r, gonghai.Errorf(gonghai.EConflict, "customer %s changed owner meanwhile; reload and try again", sv.r.ID)
		}
		if err != nil {
			return r, err
		}
		r.ownerDeptPath = mg.r.ownerDeptPath
	}
	if err := repointConflicts(ctx, c, actor, sv.r.ID, mg.r.ID, now); err != nil {
		return r, err
	}
	e := auditBy(&actor, gonghai.AuditMerge, "customer", sv.r.ID, now)
	e.Detail = map[string]string{"merged": mg.r.ID}
	for f, side := range sides {
		e.Detail[f] = string(side)
	}
	return r, audit(ctx, c, e)
}

// mergeFields writes the survivor's chosen fields, sealed, with the
// merged customer's company key when its company won, and what the
// recycle rules read recounted over both customers' activity, then
// reschedules its deadline.
func (db *DB) mergeFields(ctx context.Context, c conn, r *customerRow, sv, mg mergeSide, f gonghai.CustomerFields,
	sides map[string]gonghai.MergeSide, loc *time.Location, now time.Time) error {
	companyKey := sv.companyKey
	if sides["company"] == gonghai.SideMerged {
		companyKey = mg.companyKey
	}
	kinds := sv.p.Recycle.CountingKinds
	if kinds == nil {
		kinds = gonghai.DefaultCountingKinds
	}
	var lastFollowUp, wonAt, lastOrder, lastOpportunity sql.NullInt64
	var open int
	err := c.queryRow(ctx, `SELECT
		(SELECT MIN(ordered_at) FROM orders WHERE customer_id = ?),
		(SELECT MAX(ordered_at) FROM orders WHERE customer_id = ?),
		(SELECT MAX(created_at) FROM opportunities WHERE customer_id = ?),
		(SELECT COUNT(*) FROM opportunities WHERE customer_id = ? AND status = 'open')`,
		r.ID, r.ID, r.ID, r.ID).Scan(&wonAt, &lastOrder, &lastOpportunity, &open)
	if err != nil {
		return err
	}
	if len(kinds) > 0 {
		args := []any{r.ID}
		for _, k := range kinds {
			args = append(args, k)
		}
		err = c.queryRow(ctx, `SELECT MAX(at) FROM followups WHERE customer_id = ? AND kind IN (`+placeholders(len(kinds))+`)`,
			args...).Scan(&lastFollowUp)
		if err != nil {
			return err
		}
	}
	lastStage := latest(sv.r.LastStageChange, mg.r.LastStageChange)
	cols, args := c.sealed(r.ID, personalOfFields(&f))
	cols = append(cols, "company", "category", "industry", "region", "product_line", "source", "stage", "company_key",
		"duplicate_of", "won", "won_at", "last_order_at", "last_opportunity_at", "open_opportunities", "last_followup_at",
		"last_stage_at", "locked")
	args = append(args, f.Company, f.Category, f.Industry, f.Region, f.ProductLine, f.Source, f.Stage, companyKey,
		nil, sv.r.Won || mg.r.Won || wonAt.Valid, nullInt(wonAt), nullInt(lastOrder), nullInt(lastOpportunity), open,
		nullInt(lastFollowUp), nullTime(lastStage), sv.r.Locked || mg.r.Locked)
	if err := touch(ctx, c, r, sv.p, loc, now, setList(cols), args...); err != nil {
		return err
	}
	return nil
}

func nullInt(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return v.Int64
}

// latest is the later of two times, either nil.
func latest(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}

// repointConflicts points every open conflict naming customer merged at
// survivor instead, and closes, as merged, those that then name the
// survivor twice: they were about the two customers now one.
func repointConflicts(ctx context.Context, c conn, actor gonghai.User, survivor, merged string, now time.Time) error {
	for _, col := range []string{"matched_id", "new_id"} {
		_, err := c.exec(ctx, `UPDATE conflicts SET `+col+` = ? WHERE `+col+` = ? AND status = 'open'`, survivor, merged)
		if err != nil {
			return fmt.Errorf("re-point conflicts: %w", err)
		}
	}
	_, err := c.exec(ctx, `UPDATE conflicts SET status = 'merged', resolved_by = ?, resolved_at = ?
		WHERE status = 'open' AND matched_id = ? AND new_id = ?`, actor.ID, micros(now), survivor, survivor)
	if err != nil {
		return fmt.Errorf("close merged conflicts: %w", err)
	}
	return nil
}

// mergedAway answers for a customer merged into survivor: EMerged naming
// the survivor (the last of a chain of merges) to a viewer who may see it,
// not found to others.
func mergedAway(ctx context.Context, c conn, viewer gonghai.User, survivor string) error {
	_, _, err := visibleCustomer(ctx, c, viewer, survivor, getPoolRules)
	switch gonghai.ErrorCode(err) {
	case "":
		return &gonghai.Error{Code: gonghai.EMerged, Message: "the customer was merged into customer " + survivor,
			MergedInto: survivor}
	case gonghai.EMerged:
		return err
	case gonghai.ENotFound:
		return gonghai.Errorf(gonghai.ENotFound, "no such customer")
	default:
		return err
	}
}

// MergedHistory returns the ownership events of the customers merged into
// customer id, each customer's oldest first, to a viewer who may see id:
// its history before the merge, kept under the merged ids.
func (db *DB) MergedHistory(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Event, error) {
	cust, err := db.Customer(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	c := db.reader()
	ids, err := queryStrings(ctx, c, `SELECT id FROM customers WHERE merged_into = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("merged customers: %w", err)
	}
	out := []gonghai.Event{}
	for _, m := range ids {
		es, err := events(ctx, c, m)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	if !gonghai.SeesContacts(viewer, cust) {
		for i := range out {
			out[i].Reason = gonghai.MaskText(out[i].Reason)
		}
	}
	slices.SortStableFunc(out, func(a, b gonghai.Event) int { return a.At.Compare(b.At) })
	return out, nil
}
