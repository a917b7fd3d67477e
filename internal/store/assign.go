package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/gonghai/gonghai"
)

// newOwner describes who is to own a customer and how they came to.
type newOwner struct {
	id    string
	field string // the request field that named them, for errors
	// forSelf lets the actor take the customer for themselves without the
	// right to assign: a claim, which has its own rules, or a rep creating
	// a customer they found. Assign and transfer never set it.
	forSelf bool
	force   bool // past holding limits; admins only
	// transfer moves a rep's customer: the actor needs authority over the
	// new owner as over the old one, which a pool admin does not have.
	transfer bool
}

// takeOwner checks that actor may give a customer of pool p to the new
// owner (gonghai.CanOwn) and that the owner has room for it, and locks the
// owner's holding for the rest of the transaction.
func (db *DB) takeOwner(ctx context.Context, c conn, s gonghai.Settings, actor gonghai.User, p gonghai.Pool, o newOwner) (gonghai.User, error) {
	owner, err := getUser(ctx, c, o.id)
	if err != nil {
		return owner, invalidRef(err, o.field)
	}
	r := gonghai.Receiver{User: owner}
	if !(o.forSelf && o.id == actor.ID) {
		if r.Membership, err = membershipOf(ctx, c, p.ID, owner); err != nil {
			return owner, err
		}
		if r.ActorMembership, err = membershipOf(ctx, c, p.ID, actor); err != nil {
			return owner, err
		}
	}
	if err := gonghai.CanOwn(actor, p, r, o.forSelf, o.transfer, o.force); err != nil {
		return owner, err
	}
	if err := lockHolder(ctx, c, &owner); err != nil {
		return owner, err
	}
	if o.force {
		return owner, nil
	}
	h, err := holding(ctx, c, s, o.id, p.ID)
	if err != nil {
		return owner, err
	}
	return owner, gonghai.CheckHolding(s, p, owner, h)
}

// Assign gives customer id, which is in a pool, to user toID. Admins, the
// pool's admins, and managers for the users of their subtree may; holding
// limits apply unless an admin forces.
func (db *DB) Assign(ctx context.Context, actor gonghai.User, id, toID, reason string, force bool) (gonghai.Customer, error) {
	return db.giveTo(ctx, actor, gonghai.EventAssigned, id, toID, reason, force)
}

// Transfer moves customer id from its owner to user toID, with the same
// permissions as Assign; a manager must manage both owners.
func (db *DB) Transfer(ctx context.Context, actor gonghai.User, id, toID, reason string, force bool) (gonghai.Customer, error) {
	return db.giveTo(ctx, actor, gonghai.EventTransferred, id, toID, reason, force)
}

func (db *DB) giveTo(ctx context.Context, actor gonghai.User, kind gonghai.EventKind, id, toID, reason string, force bool) (gonghai.Customer, error) {
	var out gonghai.Customer
	reason, err := gonghai.CleanReason(reason, false)
	if err != nil {
		return out, err
	}
	err = db.inTx(ctx, func(c conn) error {
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		r, err := db.give(ctx, c, s, actor, kind, id, toID, reason, force)
		out = db.view(r, actor)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("%s customer %s: %w", kind, id, err)
	}
	return out, nil
}

// give assigns or transfers customer id to user toID in the caller's
// transaction.
func (db *DB) give(ctx context.Context, c conn, s gonghai.Settings, actor gonghai.User, kind gonghai.EventKind, id, toID, reason string, force bool) (customerRow, error) {
	now := db.now()
	r, p, err := customerFor(ctx, c, actor, id, lockPoolRules, func(actor gonghai.User, f gonghai.CustomerFacts) error {
		return gonghai.CanGive(actor, kind, f, toID)
	})
	if err != nil {
		return r, err
	}
	if err := lockAt(ctx, c, id, r.PoolID, r.OwnerID); errors.Is(err, errMoved) {
		return r, whyMoved(ctx, c, id, now)
	} else if err != nil {
		return r, err
	}
	owner, err := db.takeOwner(ctx, c, s, actor, p, newOwner{id: toID, field: "user_id", force: force,
		transfer: kind == gonghai.EventTransferred})
	if err != nil {
		return r, err
	}
	r, err = move{kind: kind, customerID: id, fromOwner: r.OwnerID, fromPool: r.PoolID, toOwner: toID, toPool: r.PoolID,
		actorID: actor.ID, reason: reason, forced: force, rules: p.Recycle, loc: s.Location(), mask: p.ContactMask}.apply(ctx, c, now)
	if errors.Is(err, errMoved) {
		return r, whyMoved(ctx, c, id, now)
	}
	r.ownerDeptPath = owner.DeptPath
	if err == nil && kind == gonghai.EventAssigned {
		// A manual assignment is the rep's turn too: round robin goes on
		// from them, so a hand-picked customer is not given twice.
		err = takeTurn(ctx, c, rotationScope(r.PoolID, "", false), toID, -1, now)
	}
	if err == nil {
		// Given by hand, it no longer waits to be handed out.
		err = dequeue(ctx, c, id)
	}
	return r, err
}

// HandOver transfers every customer user fromID owns to user toID in one
// transaction, each with its event and a fresh deadline under the new
// owner. It is how a leaver's private pool changes hands. Admins, and
// managers who manage both users, may. A customer the actor may not move
// (a manager's customer of a pool he does not see) stays and is reported;
// any other refusal (the receiver's holding limit) moves none.
func (db *DB) HandOver(ctx context.Context, actor gonghai.User, fromID, toID, reason string, force bool) (gonghai.HandOverResult, error) {
	var out gonghai.HandOverResult
	reason, err := gonghai.CleanReason(reason, true)
	if err != nil {
		return out, err
	}
	if fromID == toID {
		return out, gonghai.Invalid("to_user_id", "the same user")
	}
	err = db.inTx(ctx, func(c conn) error {
		out = gonghai.HandOverResult{}
		from, err := getUser(ctx, c, fromID)
		if err != nil {
			return err
		}
		to, err := getUser(ctx, c, toID)
		if err != nil {
			return invalidRef(err, "to_user_id")
		}
		if err := gonghai.CanHandOver(actor, from, to, force); err != nil {
			return err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		// Every customer's row first, then the receiver's (in give): the
		// order every move takes, so a hand-over never deadlocks with a
		// claim or an assignment, and none of them moves meanwhile.
		q := `SELECT id FROM customers WHERE owner_id = ? ORDER BY id`
		if c.dialect == Postgres {
			q += ` FOR UPDATE`
		}
		ids, err := queryStrings(ctx, c, q, fromID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			// A customer the actor may not move is refused before give
			// writes anything (visibility and authority come first), so
			// it is left, reported, and the rest go on.
			_, err := db.give(ctx, c, s, actor, gonghai.EventTransferred, id, toID, reason, force)
			switch gonghai.ErrorCode(err) {
			case "":
				out.Moved++
			case gonghai.EForbidden, gonghai.ENotFound:
				out.Left = append(out.Left, gonghai.Refusal{CustomerID: id, Err: err})
			default:
				return fmt.Errorf("customer %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return gonghai.HandOverResult{}, fmt.Errorf("hand over the customers of %s: %w", fromID, err)
	}
	return out, nil
}
