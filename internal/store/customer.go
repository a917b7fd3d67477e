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

// customerFields are a customer's columns in the order scanCustomer reads
// them, before the owner's department path.
const customerFields = `id, name, company, category, industry, region, product_line, source, stage,
	won, phone, email, wechat, pii_key, owner_id, pool_id, owned_since, claimable_at, created_at, updated_at,
	locked, won_at, last_followup_at, last_stage_at, last_order_at, last_opportunity_at, open_opportunities,
	recycle_at, recycle_rule, warn_at,
	lifecycle, size, channel_id, campaign, utm_source, utm_medium, utm_campaign, first_touch_at,
	latest_channel_id, latest_campaign, latest_touch_at, converted_at, score, score_factors`

// customerColumns read a customer with the owner's department path, which
// decides who may reveal the contact fields, the pool's contact mask and
// the owner's follow-up plan (planColumns).
var customerColumns = "c." + strings.Join(strings.Split(strings.Join(strings.Fields(customerFields), " "), ", "), ", c.") +
	", COALESCE(od.path, ''), COALESCE(cp.contact_mask, ''), " + planColumns

const customerFrom = ` FROM customers c LEFT JOIN users o ON o.id = c.owner_id LEFT JOIN departments od ON od.id = o.department_id
	LEFT JOIN pools cp ON cp.id = c.pool_id ` + planJoin

// customerReturning completes a RETURNING list of customerFields for
// scanCustomer; the caller sets the owner's department path, the mask and
// the plan.
const customerReturning = customerFields + `, '', '', ` + noPlan

// customerRow is a customer as stored: its personal fields sealed until
// openRow, with the owner's department path and its pool's contact mask.
type customerRow struct {
	gonghai.Customer
	ownerDeptPath string
	mask          string
	piiKey        string // the key that sealed the personal fields; "" for plaintext
	opened        bool
	// duplicateOf is the customer a new one is created beside (an import
	// under policy conflict), outside the unique indexes; fileRow the row
	// of the import's file it came from. Both are written by insertBulk.
	duplicateOf string
	fileRow     int
	mergedInto  string // the survivor of a merged customer (getCustomer reads it)
}

func scanCustomer(s scanner) (customerRow, error) {
	var r customerRow
	c := &r.Customer
	var owner sql.NullString
	var ownedSince, claimable, wonAt, followUp, stage, order, opportunity, recycleAt, warnAt sql.NullInt64
	var rule, piiKey sql.NullString
	var created, updated int64
	var plan planRow
	var lead leadColumns
	err := s.Scan(&c.ID, &c.Name, &c.Company, &c.Category, &c.Industry, &c.Region, &c.ProductLine, &c.Source, &c.Stage,
		&c.Won, &c.Phone, &c.Email, &c.WeChat, &piiKey, &owner, &c.PoolID, &ownedSince, &claimable, &created, &updated,
		&c.Locked, &wonAt, &followUp, &stage, &order, &opportunity, &c.OpenOpportunities, &recycleAt, &rule, &warnAt,
		&c.Lifecycle, &c.Size, &lead.channel, &lead.campaign, &lead.utmSource, &lead.utmMedium, &lead.utmCampaign, &lead.firstAt,
		&lead.latestChannel, &lead.latestCampaign, &lead.latestAt, &lead.convertedAt, &lead.score, &lead.factors,
		&r.ownerDeptPath, &r.mask, &plan.day, &plan.note, &plan.owner, &plan.setBy, &plan.setAt, &plan.remindAt)
	c.Plan = plan.plan()
	lead.set(c)
	r.piiKey = piiKey.String
	c.OwnerID, c.OwnedSince, c.ClaimableAt = owner.String, nullMicros(ownedSince), nullMicros(claimable)
	c.Created, c.Updated = fromMicros(created), fromMicros(updated)
	c.WonAt, c.LastFollowUp, c.LastStageChange = nullMicros(wonAt), nullMicros(followUp), nullMicros(stage)
	c.LastOrder, c.LastOpportunity, c.Reminder = nullMicros(order), nullMicros(opportunity), nullMicros(warnAt)
	if recycleAt.Valid {
		c.Recycle = &gonghai.Deadline{At: fromMicros(recycleAt.Int64), Rule: gonghai.RuleKind(rule.String)}
	}
	return r, err
}

// view returns r as viewer may see it, counting down to its deadline as of
// now. Every customer the store hands out passes through here. A row whose
// personal fields were not opened shows none of them.
func (db *DB) view(r customerRow, viewer gonghai.User) gonghai.Customer {
	if !r.opened {
		r.Name, r.Phone, r.Email, r.WeChat = "", "", "", ""
	}
	return db.counted(r.Customer.For(viewer, r.mask))
}

// counted returns c with its countdown as of now: every customer that
// leaves the store, masked or in full, counts its days here.
func (db *DB) counted(c gonghai.Customer) gonghai.Customer {
	if c.Recycle != nil {
		c.DaysLeft = gonghai.DaysLeft(db.now(), c.Recycle.At, db.location())
	}
	return c
}

// getCustomer reads customer id with its personal fields opened, and the
// survivor it was merged into, if any.
func getCustomer(ctx context.Context, c conn, id string) (customerRow, error) {
	var merged sql.NullString
	r, err := scanCustomer(extraColumns{s: c.queryRow(ctx, `SELECT `+customerColumns+`, c.merged_into`+customerFrom+`WHERE c.id = ?`, id),
		after: []any{&merged}})
	if err != nil {
		return r, notFound(err, "customer")
	}
	r.mergedInto = merged.String
	return r, c.openRow(&r)
}

// Customer returns customer id as viewer may see it.
func (db *DB) Customer(ctx context.Context, viewer gonghai.User, id string) (gonghai.Customer, error) {
	r, _, err := visibleCustomer(ctx, db.reader(), viewer, id, getPoolRules)
	if err != nil {
		return gonghai.Customer{}, err
	}
	return db.view(r, viewer), nil
}

// CreateCustomer adds one customer. Members of a pool create into it; a rep
// may create straight into their own private pool, within their holding
// limits; admins, pool admins and managers may create to an owner they may
// assign to.
func (db *DB) CreateCustomer(ctx context.Context, actor gonghai.User, in gonghai.NewCustomer) (gonghai.Customer, error) {
	var out gonghai.Customer
	in.CustomerFields = in.Cleaned()
	if err := in.Validate(); err != nil {
		return out, err
	}
	err := db.inTx(ctx, func(c conn) error {
		p, err := lockPoolRules(ctx, c, in.PoolID)
		if err != nil {
			return invalidRef(err, "pool_id")
		}
		if !seesPool(ctx, c, actor, p) {
			// A pool one may not see is answered as one that does not exist.
			return invalidRef(gonghai.Errorf(gonghai.ENotFound, "no such pool"), "pool_id")
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		// The duplicate check comes first: a customer that exists is
		// refused as such, whatever limit the creator is at.
		if err := duplicateOf(ctx, c, actor, in.CustomerFields, ""); err != nil {
			return err
		}
		similar, err := db.similarTo(ctx, c, actor, in.Company, "")
		if err != nil {
			return err
		}
		if len(similar) > 0 && !in.AllowSimilar {
			return similarError(similar)
		}
		ownerPath := ""
		if in.OwnerID != "" {
			owner, err := db.takeOwner(ctx, c, s, actor, p, newOwner{id: in.OwnerID, field: "owner_id", forSelf: true})
			if err != nil {
				return err
			}
			ownerPath = owner.DeptPath
		}
		now := db.now()
		r, err := insertCustomer(ctx, c, actor.ID, in, p, s.Location(), now)
		r.ownerDeptPath = ownerPath
		out = db.view(r, actor)
		if err != nil {
			return err
		}
		// Each like company the creator went past is a conflict to look at.
		for _, h := range similar {
			_, err := insertConflict(ctx, c, gonghai.Conflict{Kind: gonghai.ConflictSimilar, At: now, ActorID: actor.ID, Field: "similar",
				Company: in.Company, MatchedID: h.CustomerID, MatchedOwnerID: h.ownerID, NewID: r.ID}, s.Location())
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("create customer: %w", db.raced(ctx, err, actor, in.CustomerFields, "", func(dup *gonghai.Error) {
			db.refused(ctx, actor, in.Company, dup)
		}))
	}
	return out, nil
}

// ImportCustomers creates many customers in one transaction: all of them or,
// on any error, none. Admins only; holding limits do not apply.
func (db *DB) ImportCustomers(ctx context.Context, actor gonghai.User, in []gonghai.NewCustomer) (int, error) {
	if err := gonghai.AdminOnly(actor, "imports customers"); err != nil {
		return 0, err
	}
	in = slices.Clone(in)
	for i := range in {
		in[i].CustomerFields = in[i].Cleaned()
		if err := in[i].Validate(); err != nil {
			return 0, fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		pools := map[string]gonghai.Pool{}
		for i, nc := range in {
			p, ok := pools[nc.PoolID]
			if !ok {
				if p, err = lockPoolRules(ctx, c, nc.PoolID); err != nil {
					return fmt.Errorf("row %d: %w", i+1, invalidRef(err, "pool_id"))
				}
				pools[nc.PoolID] = p
			}
			if err := duplicateOf(ctx, c, actor, nc.CustomerFields, ""); err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
			if _, err := insertCustomer(ctx, c, actor.ID, nc, p, s.Location(), now); err != nil {
				return fmt.Errorf("row %d: %w", i+1, invalidRef(err, "pool_id or owner_id"))
			}
		}
		return nil
	})
	if isUnique(err) {
		err = gonghai.Errorf(gonghai.EConflict, "customers with the same contacts were being saved meanwhile; import again")
	}
	if err != nil {
		return 0, fmt.Errorf("import customers: %w", err)
	}
	return len(in), nil
}

// insertCustomer writes the customer, its personal fields sealed, and its
// "created" event and, when it has an owner, schedules its deadline under
// the pool's rules.
func insertCustomer(ctx context.Context, c conn, actorID string, in gonghai.NewCustomer, p gonghai.Pool, loc *time.Location, now time.Time) (customerRow, error) {
	r := customerRow{Customer: gonghai.Customer{ID: newID(), Name: in.Name, Company: in.Company, Category: in.Category,
		Industry: in.Industry, Region: in.Region, ProductLine: in.ProductLine, Source: in.Source, Stage: in.Stage,
		Phone: in.Phone, Email: in.Email, WeChat: in.WeChat, OwnerID: in.OwnerID, PoolID: in.PoolID, Created: now, Updated: now,
		Lifecycle: in.Lifecycle, Size: in.Size}, mask: p.ContactMask, opened: true}
	if r.Lifecycle == "" {
		r.Lifecycle = gonghai.LifecycleCustomer
	}
	var ownedSince any
	if in.OwnerID != "" {
		r.OwnedSince, ownedSince = &now, micros(now)
	}
	cols, args := c.sealed(r.ID, personalOf(&r.Customer))
	r.piiKey = args[len(args)-1].(string)
	cols = append(cols, "id", "company", "company_key", "category", "industry", "region", "product_line", "source", "stage",
		"owner_id", "pool_id", "owned_since", "event_seq", "created_at", "updated_at", "lifecycle", "size")
	args = append(args, r.ID, r.Company, companyKey(r.Company), r.Category, r.Industry, r.Region, r.ProductLine, r.Source, r.Stage,
		nullString(r.OwnerID), r.PoolID, ownedSince, 1, micros(now), micros(now), string(r.Lifecycle), r.Size)
	_, err := c.exec(ctx, `INSERT INTO customers (`+strings.Join(cols, ", ")+`) VALUES (?`+strings.Repeat(", ?", len(cols)-1)+`)`, args...)
	if err != nil {
		return r, mapErr(err)
	}
	err = insertEvent(ctx, c, gonghai.Event{CustomerID: r.ID, Seq: 1, Kind: gonghai.EventCreated,
		ToOwnerID: r.OwnerID, ToPoolID: r.PoolID, ActorID: actorID, Reason: in.Reason, At: now})
	if err != nil {
		return r, err
	}
	if err := countNew(ctx, c, actorID, now, loc, 1); err != nil {
		return r, err
	}
	return r, reschedule(ctx, c, &r, p.Recycle, loc)
}

// UpdateCustomer changes a customer's fields. Its owner, admins and the
// owner's managers may; while it is in a pool, admins and pool admins. A
// stage that moves later in the organisation's list is an advance, which
// restarts the stage rule's clock.
func (db *DB) UpdateCustomer(ctx context.Context, actor gonghai.User, id string, patch gonghai.CustomerPatch) (gonghai.Customer, error) {
	var out gonghai.Customer
	err := db.inTx(ctx, func(c conn) error {
		r, p, err := forWork(ctx, c, actor, id)
		if err != nil {
			return err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		now := db.now()
		allowed, err := patch.ForCaller(r.Customer, gonghai.SeesContacts(actor, r.Customer), r.mask)
		if gonghai.ErrorCode(err) == gonghai.EForbidden {
			// Only a change to a contact not shown asks whether the caller
			// has seen it since, by a reveal: most edits never read the log.
			revealed, rerr := revealedRecently(ctx, c, actor, r.ID, now)
			if rerr != nil {
				return rerr
			}
			if revealed {
				allowed, err = patch, nil
			}
		}
		if err != nil {
			return err
		}
		before := fieldsOf(r.Customer)
		f := before
		allowed.Apply(&f)
		if err := f.Validate(); err != nil {
			return err
		}
		if f.Stage != r.Stage && f.Stage != "" && len(s.Stages) > 0 && !slices.Contains(s.Stages, f.Stage) {
			return gonghai.Invalid("stage", "one of the organisation's stages: "+strings.Join(s.Stages, ", "))
		}
		if f.Phone != r.Phone || f.Email != r.Email || f.WeChat != r.WeChat || f.Company != r.Company {
			if err := duplicateOf(ctx, c, actor, f, r.ID); err != nil {
				return err
			}
		}
		if changed := gonghai.ContactChanges(before, f, gonghai.SeesContacts(actor, r.Customer)); len(changed) > 0 {
			e := auditBy(&actor, gonghai.AuditContactChange, "customer", r.ID, now)
			e.Detail = changed
			if err := audit(ctx, c, e); err != nil {
				return err
			}
		}
		set, args := c.fieldsSet(r.ID, &f)
		if s.Advances(r.Stage, f.Stage) {
			set, args = set+`, last_stage_at = ?`, append(args, micros(now))
		}
		if err := touch(ctx, c, &r, p, s.Location(), now, set, args...); err != nil {
			return err
		}
		out = db.view(r, actor)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("update customer %s: %w", id, db.raced(ctx, err, actor, patched(patch), id, nil))
	}
	return out, nil
}

// revealedRecently reports whether actor revealed customer id's contacts
// within the window: they have seen them in full, in a logged act.
func revealedRecently(ctx context.Context, c conn, actor gonghai.User, id string, now time.Time) (bool, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'reveal' AND target_id = ? AND actor_id = ? AND at > ?`,
		id, actor.ID, micros(now.Add(-gonghai.RevealEditWindow))).Scan(&n)
	return n > 0, err
}

// touch changes customer r with set (an SQL SET list and its args) while r
// still has the owner it was read with, then reschedules its deadline: r
// becomes the row as written. A customer recycled or transferred meanwhile
// is a conflict, so a follow-up never lands on a customer that has left.
func touch(ctx context.Context, c conn, r *customerRow, p gonghai.Pool, loc *time.Location, now time.Time, set string, args ...any) error {
	if set != "" {
		set += ", "
	}
	q := `UPDATE customers SET ` + set + `updated_at = ? WHERE id = ? AND `
	args = append(args, micros(now), r.ID)
	if r.OwnerID == "" {
		q += `owner_id IS NULL`
	} else {
		q, args = q+`owner_id = ?`, append(args, r.OwnerID)
	}
	nr, err := scanCustomer(c.queryRow(ctx, q+` RETURNING `+customerReturning, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return gonghai.Errorf(gonghai.EConflict, "the customer changed owner meanwhile; reload and try again")
	}
	if err != nil {
		return mapErr(err)
	}
	// The owner is the same, and so is their plan.
	nr.ownerDeptPath, nr.mask, nr.Plan = r.ownerDeptPath, r.mask, r.Plan
	if err := c.openRow(&nr); err != nil {
		return err
	}
	*r = nr
	return reschedule(ctx, c, r, p.Recycle, loc)
}

// fieldsSet returns the SET list and its values that write f to customer
// id: the personal fields sealed with their blind indexes, the others, and
// the company's key.
func (c conn) fieldsSet(id string, f *gonghai.CustomerFields) (string, []any) {
	cols, args := c.sealed(id, personalOfFields(f))
	set := setList(append(cols, "company", "company_key", "category", "industry", "region", "product_line", "source", "stage", "size"))
	return set, append(args, f.Company, companyKey(f.Company), f.Category, f.Industry, f.Region, f.ProductLine, f.Source, f.Stage, f.Size)
}

func fieldsOf(c gonghai.Customer) gonghai.CustomerFields {
	return gonghai.CustomerFields{Name: c.Name, Company: c.Company, Category: c.Category, Industry: c.Industry,
		Region: c.Region, ProductLine: c.ProductLine, Source: c.Source, Stage: c.Stage, Phone: c.Phone, Email: c.Email, WeChat: c.WeChat,
		Size: c.Size}
}

// patched returns the contact fields a patch sets, to name a duplicate.
func patched(p gonghai.CustomerPatch) gonghai.CustomerFields {
	var f gonghai.CustomerFields
	p.Apply(&f)
	return f
}

// invalidRef turns a missing referenced row into an invalid-field error.
func invalidRef(err error, field string) error {
	if gonghai.ErrorCode(err) == gonghai.ENotFound || errorsIs(err, errForeignKey) {
		return gonghai.Invalid(field, "no such id")
	}
	return err
}
