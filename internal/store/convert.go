package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// Convert turns lead id into a customer (一转三), in one transaction: its
// lifecycle becomes customer with converted_at, one "converted" event
// (owner and pool unchanged, its reason naming what was made), and the
// opportunity and stage in, if given. A lead whose company or contacts an
// existing customer holds (one created knowingly beside it) is not made a
// second customer: it joins that one as a merge does (follow-ups,
// opportunities, orders and history move there; the lead goes to the
// archive), the existing customer keeping its owner and pool, so a
// conversion never hands a customer past the claim rules. A lead converts
// once: a second conversion, even one racing the first, is
// EAlreadyConverted.
func (db *DB) Convert(ctx context.Context, actor gonghai.User, id string, in gonghai.ConvertInput) (gonghai.ConvertResult, error) {
	var out gonghai.ConvertResult
	in = in.Cleaned()
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		if c.dialect == Postgres {
			// Two conversions of one lead queue here; the second then reads
			// it converted. (SQLite's writers are serial already.)
			if _, err := c.exec(ctx, `SELECT id FROM customers WHERE id = ? FOR UPDATE`, id); err != nil {
				return err
			}
		}
		r, p, err := customerFor(ctx, c, actor, id, lockPoolRules, gonghai.CanConvert)
		if err != nil && r.mergedInto != "" && r.ConvertedAt != nil {
			return joinedAlready(ctx, c, actor, r, err)
		}
		if err != nil {
			return err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		if err := in.Validate(s.Stages); err != nil {
			return err
		}
		joinID, err := joinTarget(ctx, c, r)
		if err != nil {
			return err
		}
		if err := markConverted(ctx, c, actor, &r, joinID, in, now); err != nil {
			return err
		}
		if joinID != "" {
			m := gonghai.Merge{SurvivorID: joinID, MergedID: r.ID, Note: "转为客户",
				Fields: map[string]gonghai.MergeSide{"owner": gonghai.SideSurvivor}}
			if r, err = db.merge(ctx, c, actor, m, joinable); err != nil {
				return err
			}
			if p, err = lockPoolRules(ctx, c, r.PoolID); err != nil {
				return err
			}
			out.Joined = true
		}
		if o := in.Opportunity; o != nil {
			if err := db.convertStage(ctx, c, &r, p, s, o.Stage); err != nil {
				return err
			}
			opp := gonghai.Opportunity{ID: newID(), CustomerID: r.ID, Title: o.Title, Amount: o.Amount, Status: gonghai.OpportunityOpen,
				CreatedBy: actor.ID, Created: now}
			if err := db.insertOpportunity(ctx, c, &r, p, opp); err != nil {
				return err
			}
			out.Opportunity = &opp
		}
		out.Customer = db.view(r, actor)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("convert lead %s: %w", id, raceLost(err))
	}
	return out, nil
}

// joinable lets a conversion join its lead to the customer it matches:
// who may convert the lead may, whoever owns the customer, as the lead was
// that customer all along.
func joinable(gonghai.User, gonghai.CustomerFacts, gonghai.CustomerFacts) error { return nil }

// joinTarget returns the existing customer lead r joins on conversion, ""
// for none: the one it was created knowingly beside (duplicate_of), or the
// one holding its company or a contact now.
func joinTarget(ctx context.Context, c conn, r customerRow) (string, error) {
	var dup sql.NullString
	if err := c.queryRow(ctx, `SELECT duplicate_of FROM customers WHERE id = ?`, r.ID).Scan(&dup); err != nil {
		return "", err
	}
	if dup.Valid {
		// The customer it duplicates may have been merged since: its
		// survivor holds it now.
		survivor, err := survivorOf(ctx, c, dup.String)
		if err != nil || survivor != r.ID {
			return survivor, err
		}
	}
	id, _, err := matchOf(ctx, c, c.matchKeys(fieldsOf(r.Customer)), duplicateColumns, r.ID)
	return id, err
}

// survivorOf follows customer id's merges to the customer that holds it
// now (id itself when it was never merged).
func survivorOf(ctx context.Context, c conn, id string) (string, error) {
	for range 100 {
		var next sql.NullString
		if err := c.queryRow(ctx, `SELECT merged_into FROM customers WHERE id = ?`, id).Scan(&next); err != nil {
			return "", err
		}
		if !next.Valid {
			return id, nil
		}
		id = next.String
	}
	return "", errors.New("a chain of more than 100 merges")
}

// markConverted makes lead r a customer, if it still is a lead: the
// conditional write two racing conversions meet at, so exactly one wins,
// and its "converted" event.
func markConverted(ctx context.Context, c conn, actor gonghai.User, r *customerRow, joinID string, in gonghai.ConvertInput, now time.Time) error {
	var seq int
	err := c.queryRow(ctx, `UPDATE customers SET lifecycle = 'customer', converted_at = ?, event_seq = event_seq + 1, updated_at = ?
		WHERE id = ? AND lifecycle = 'lead' AND merged_into IS NULL RETURNING event_seq`, micros(now), micros(now), r.ID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return gonghai.Errorf(gonghai.EAlreadyConverted, "the lead was converted already")
	}
	if err != nil {
		return err
	}
	r.Lifecycle, r.ConvertedAt, r.Updated = gonghai.LifecycleCustomer, &now, now
	return insertEvent(ctx, c, gonghai.Event{CustomerID: r.ID, Seq: seq, Kind: gonghai.EventConverted,
		FromOwnerID: r.OwnerID, ToOwnerID: r.OwnerID, FromPoolID: r.PoolID, ToPoolID: r.PoolID, ActorID: actor.ID,
		Reason: convertReason(joinID, in), At: now})
}

// convertReason says in the lead's history what its conversion made.
func convertReason(joinID string, in gonghai.ConvertInput) string {
	parts := []string{"转为客户"}
	if joinID != "" {
		parts = []string{"转为客户：并入已有客户 " + joinID}
	}
	if o := in.Opportunity; o != nil {
		parts = append(parts, "新建商机「"+o.Title+"」")
		if o.Stage != "" {
			parts = append(parts, "阶段 "+o.Stage)
		}
	}
	return strings.Join(parts, "，")
}

// convertStage puts customer r at stage, when one is given and it is not
// there yet; an advance restarts the stage rule's clock.
func (db *DB) convertStage(ctx context.Context, c conn, r *customerRow, p gonghai.Pool, s gonghai.Settings, stage string) error {
	if stage == "" || stage == r.Stage {
		return nil
	}
	set, args := `stage = ?`, []any{stage}
	if s.Advances(r.Stage, stage) {
		set, args = set+`, last_stage_at = ?`, append(args, micros(db.now()))
	}
	return touch(ctx, c, r, p, s.Location(), db.now(), set, args...)
}

// joinedAlready answers a conversion of lead r, which joined a customer
// in an earlier conversion (err is how reading it answered): to who saw
// the lead where it was then, already converted, naming the customer it
// joined when they may see that one; to others, err.
func joinedAlready(ctx context.Context, c conn, actor gonghai.User, r customerRow, err error) error {
	var owner sql.NullString
	var pool string
	qerr := c.queryRow(ctx, `SELECT from_owner_id, from_pool_id FROM ownership_events WHERE customer_id = ? AND kind = ?`,
		r.ID, string(gonghai.EventConverted)).Scan(&owner, &pool)
	if qerr != nil {
		return errors.Join(err, qerr)
	}
	p, qerr := getPoolRules(ctx, c, pool)
	if qerr != nil {
		return errors.Join(err, qerr)
	}
	r.OwnerID, r.PoolID = owner.String, pool
	f, qerr := facts(ctx, c, actor, r, p)
	if qerr != nil {
		return errors.Join(err, qerr)
	}
	if gonghai.CanSee(actor, f) != nil {
		return err
	}
	var ge *gonghai.Error
	if errors.As(err, &ge) && ge.Code == gonghai.EMerged {
		return &gonghai.Error{Code: gonghai.EAlreadyConverted, Message: "the lead was converted already: it joined customer " +
			ge.MergedInto, MergedInto: ge.MergedInto}
	}
	return gonghai.Errorf(gonghai.EAlreadyConverted, "the lead was converted already: it joined a customer you may not see")
}
