package store

import (
	"context"
	"fmt"

	"github.com/gonghai/gonghai"
)

// ResolveConflict resolves open conflict id as r says, in one transaction
// with its audit entry (gonghai.CanResolve decides who may):
//   - keep: the matched customer stays where it is; a customer created
//     anyway is merged into it (the survivor keeps its owner).
//   - give: the matched customer is assigned (from its pool) or
//     transferred (from its owner) to the conflict's actor, through the
//     same move as Assign and Transfer: the same permissions, holding
//     limits, one event, a new deadline. A customer created anyway is
//     merged into it first, so it does not count against the limit.
//   - merge: the customer created anyway and the matched one become one
//     (r.SurvivorID survives; the matched one when empty).
//   - dismiss: both customers stay; a customer created anyway beside a
//     duplicate (an import under the conflict policy) rejoins the unique
//     indexes, refused while it still shares a contact or company.
func (db *DB) ResolveConflict(ctx context.Context, actor gonghai.User, id string, r gonghai.Resolution) (gonghai.ConflictView, error) {
	var out gonghai.ConflictView
	if err := r.Validate(); err != nil {
		return out, err
	}
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		v, f, err := getConflict(ctx, c, id, true)
		if err != nil {
			return err
		}
		if err := gonghai.CanResolve(actor, f); err != nil {
			return err
		}
		status := r.Action.Status()
		res, err := c.exec(ctx, `UPDATE conflicts SET status = ?, resolved_by = ?, resolved_at = ?, note = ?
			WHERE id = ? AND status = 'open'`, string(status), actor.ID, micros(now), r.Note, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return gonghai.Errorf(gonghai.EConflict, "the conflict was resolved meanwhile")
		}
		if err := db.resolve(ctx, c, actor, v.Conflict, r); err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditConflict, "conflict", id, now)
		e.Detail = map[string]string{"action": string(r.Action), "matched": v.MatchedID}
		if err := audit(ctx, c, e); err != nil {
			return err
		}
		out = v
		out.Status, out.ResolvedBy, out.ResolvedAt, out.Note = status, actor.ID, &now, r.Note
		out.ResolvedByName = actor.Name
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("resolve conflict %s: %w", id, raceLost(err))
	}
	return out, nil
}

// resolve does to the customers of conflict k what r says.
func (db *DB) resolve(ctx context.Context, c conn, actor gonghai.User, k gonghai.Conflict, r gonghai.Resolution) error {
	intoMatched := gonghai.Merge{SurvivorID: k.MatchedID, MergedID: k.NewID, Fields: r.Fields, Note: r.Note}
	switch r.Action {
	case gonghai.ActionKeep:
		if k.NewID == "" {
			return nil
		}
		// Keeping is keeping the owner: whatever the form chose, the
		// survivor's owner stays.
		intoMatched.Fields = withOwner(r.Fields, gonghai.SideSurvivor)
		_, err := db.merge(ctx, c, actor, intoMatched, gonghai.CanMerge)
		return err
	case gonghai.ActionGive:
		if k.ActorID == "" {
			return gonghai.Invalid("action", "the conflict names no claimant to give to")
		}
		if k.NewID != "" {
			intoMatched.Fields = withOwner(r.Fields, gonghai.SideSurvivor)
			if _, err := db.merge(ctx, c, actor, intoMatched, gonghai.CanMerge); err != nil {
				return err
			}
		}
		cur, err := getCustomer(ctx, c, k.MatchedID)
		if err != nil {
			return err
		}
		kind := gonghai.EventAssigned
		if cur.OwnerID != "" {
			kind = gonghai.EventTransferred
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		_, err = db.give(ctx, c, s, actor, kind, k.MatchedID, k.ActorID, r.Note, r.Force)
		return err
	case gonghai.ActionMerge:
		if k.NewID == "" {
			return gonghai.Invalid("action", "nothing was created beside the matched customer: keep, give or dismiss")
		}
		m := intoMatched
		switch r.SurvivorID {
		case "", k.MatchedID:
		case k.NewID:
			m.SurvivorID, m.MergedID = k.NewID, k.MatchedID
		default:
			return gonghai.Invalid("survivor_id", "one of the conflict's two customers")
		}
		_, err := db.merge(ctx, c, actor, m, gonghai.CanMerge)
		return err
	default: // dismiss
		if k.NewID == "" {
			return nil
		}
		_, err := c.exec(ctx, `UPDATE customers SET duplicate_of = NULL WHERE id = ? AND duplicate_of IS NOT NULL`, k.NewID)
		if isUnique(mapErr(err)) {
			return gonghai.Errorf(gonghai.EConflict, "the created customer still shares a contact or company with another: merge them instead")
		}
		return err
	}
}

// withOwner returns fields with the owner's side set to side.
func withOwner(fields map[string]gonghai.MergeSide, side gonghai.MergeSide) map[string]gonghai.MergeSide {
	out := map[string]gonghai.MergeSide{}
	for f, s := range fields {
		out[f] = s
	}
	out["owner"] = side
	return out
}
