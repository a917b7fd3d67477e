package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// Release gives customer id back to a pool: the pool's return pool, or
// toPoolID when the owner may use it. Its owner, admins and the owner's
// managers may release; a reason is required.
func (db *DB) Release(ctx context.Context, actor gonghai.User, id, reason, toPoolID string) (gonghai.Customer, error) {
	var out gonghai.Customer
	reason, err := gonghai.CleanReason(reason, true)
	if err != nil {
		return out, err
	}
	err = db.inTx(ctx, func(c conn) error {
		now := db.now()
		r, from, err := customerFor(ctx, c, actor, id, getPoolRules, gonghai.CanRelease)
		if err != nil {
			return err
		}
		to := from.ReturnPool()
		if toPoolID != "" && toPoolID != to {
			if err := releaseTo(ctx, c, actor, r.OwnerID, toPoolID); err != nil {
				return err
			}
			to = toPoolID
		}
		target, err := getPoolRules(ctx, c, to)
		if err != nil {
			return err
		}
		var claimable *time.Time
		if target.ReleaseWaitHours > 0 {
			t := now.Add(time.Duration(target.ReleaseWaitHours) * time.Hour)
			claimable = &t
		}
		r, err = move{kind: gonghai.EventReleased, customerID: id, fromOwner: r.OwnerID, fromPool: r.PoolID,
			toPool: to, claimableAt: claimable, actorID: actor.ID, reason: reason, mask: target.ContactMask}.apply(ctx, c, now)
		if errors.Is(err, errMoved) {
			return gonghai.Errorf(gonghai.EConflict, "the customer changed owner; reload and try again")
		}
		out = db.view(r, actor)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("release customer %s: %w", id, err)
	}
	return out, nil
}

// releaseTo asks whether a customer owned by ownerID may be released to
// pool poolID rather than its pool's return pool (gonghai.CanReleaseTo).
func releaseTo(ctx context.Context, c conn, actor gonghai.User, ownerID, poolID string) error {
	owner, err := getUser(ctx, c, ownerID)
	if err != nil {
		return err
	}
	target, err := getPoolRules(ctx, c, poolID)
	if gonghai.ErrorCode(err) == gonghai.ENotFound {
		return gonghai.Invalid("pool_id", "not a pool this customer's owner may use")
	}
	if err != nil {
		return err
	}
	return gonghai.CanReleaseTo(actor, seesPool(ctx, c, owner, target))
}
