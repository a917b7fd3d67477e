package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gonghai/gonghai"
)

// move is one change of a customer's owner or pool. It happens only if the
// customer is still where the caller saw it: owned by FromOwner ("" =
// unowned) in FromPool. The conditional write decides; nothing is read and
// then written.
type move struct {
	kind        gonghai.EventKind
	customerID  string
	fromOwner   string
	fromPool    string
	toOwner     string
	toPool      string
	claimableAt *time.Time // when it may next be claimed, after a release
	actorID     string
	reason      string
	forced      bool
	// respectWait refuses the move while a release wait runs: claims only.
	respectWait bool
	// dueAt makes the move a recycle: it happens only while the customer's
	// deadline is still dueAt, and dueAt has come.
	dueAt *time.Time
	// rules and loc schedule the customer's deadline when it gains an owner.
	rules gonghai.RecycleRules
	loc   *time.Location
	// prior is the customer as read under its row lock in this
	// transaction, when the caller has it: the new deadline is then
	// computed from it and written with the move, in one statement.
	prior *gonghai.Customer
	// mask is the contact mask of the pool the customer is in afterwards,
	// for the answer; "" hides the contacts from all but the owner.
	mask string
}

// errMoved means the customer was not where the move expected it.
var errMoved = errors.New("customer moved")

// apply performs m and writes its ownership event, in the caller's
// transaction, schedules the customer's deadline under its new owner (a
// customer in a pool has none), and returns the customer as it now is. The
// write returns the row itself; the new owner's department path is the
// caller's to set, as the caller has just read the owner.
func (m move) apply(ctx context.Context, c conn, now time.Time) (customerRow, error) {
	var ownedSince, claimable, recycleAt, recycleRule, warnAt any
	if m.toOwner != "" {
		ownedSince = micros(now)
	}
	if m.claimableAt != nil {
		claimable = micros(*m.claimableAt)
	}
	scheduled := m.prior != nil && m.toOwner != ""
	if scheduled {
		next := *m.prior
		next.OwnerID, next.PoolID, next.OwnedSince, next.ClaimableAt = m.toOwner, m.toPool, &now, m.claimableAt
		next.Recycle, next.Reminder = nil, nil
		d, reminder, _ := gonghai.Schedule(next, m.rules, m.loc)
		recycleAt, recycleRule = deadlineArgs(d)
		warnAt = nullTime(reminder)
	}
	q := `UPDATE customers SET owner_id = ?, pool_id = ?, owned_since = ?, claimable_at = ?, updated_at = ?,
		recycle_at = ?, recycle_rule = ?, warn_at = ?, event_seq = event_seq + 1 WHERE id = ? AND pool_id = ?`
	args := []any{nullString(m.toOwner), m.toPool, ownedSince, claimable, micros(now), recycleAt, recycleRule, warnAt,
		m.customerID, m.fromPool}
	if m.fromOwner == "" {
		q += ` AND owner_id IS NULL`
	} else {
		q, args = q+` AND owner_id = ?`, append(args, m.fromOwner)
	}
	if m.respectWait {
		q, args = q+` AND (claimable_at IS NULL OR claimable_at <= ?)`, append(args, micros(now))
	}
	if m.dueAt != nil {
		q, args = q+` AND recycle_at = ? AND recycle_at <= ?`, append(args, micros(*m.dueAt), micros(now))
	}
	q += ` RETURNING event_seq, ` + customerReturning
	var seq int
	r, err := scanCustomer(extraColumns{s: c.queryRow(ctx, q, args...), before: []any{&seq}})
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return customerRow{}, errMoved
		}
		return customerRow{}, err
	}
	r.mask = m.mask
	if err := c.openRow(&r); err != nil {
		return r, err
	}
	err = insertEvent(ctx, c, gonghai.Event{CustomerID: m.customerID, Seq: seq, Kind: m.kind,
		FromOwnerID: m.fromOwner, ToOwnerID: m.toOwner, FromPoolID: m.fromPool, ToPoolID: m.toPool,
		ActorID: m.actorID, Reason: m.reason, Forced: m.forced, At: now})
	if err != nil || m.toOwner == "" || scheduled {
		return r, err
	}
	return r, reschedule(ctx, c, &r, m.rules, m.loc)
}

// extraColumns reads a row that has columns before and after those a scan
// function knows: they go to before and after.
type extraColumns struct {
	s             scanner
	before, after []any
}

func (x extraColumns) Scan(dest ...any) error {
	return x.s.Scan(append(append(append([]any{}, x.before...), dest...), x.after...)...)
}

// whyMoved explains a move that found the customer elsewhere.
func whyMoved(ctx context.Context, c conn, id string, now time.Time) error {
	r, err := getCustomer(ctx, c, id)
	switch {
	case err != nil:
		return err
	case r.OwnerID != "":
		return gonghai.Errorf(gonghai.EAlreadyClaimed, "the customer already has an owner")
	case r.ClaimableAt != nil && r.ClaimableAt.After(now):
		return gonghai.ReleaseWait(r.Customer)
	default:
		return gonghai.Errorf(gonghai.EConflict, "the customer changed; reload and try again")
	}
}

// lockHolder serialises every transaction that may add to u's holding: it
// takes u's row lock (PostgreSQL; SQLite's immediate transactions are
// serial already) before anything counts u's customers, and reads, under
// that lock, what the limits take of u: active, level and personal limit.
// An inactive user holds nothing new.
func lockHolder(ctx context.Context, c conn, u *gonghai.User) error {
	var limit sql.NullInt64
	err := c.queryRow(ctx, `UPDATE users SET claim_seq = claim_seq + 1 WHERE id = ? RETURNING active, level, holding_limit`, u.ID).
		Scan(&u.Active, &u.Level, &limit)
	if errors.Is(err, sql.ErrNoRows) {
		u.Active = false
	} else if err != nil {
		return err
	}
	u.HoldingLimit = nil
	if limit.Valid {
		n := int(limit.Int64)
		u.HoldingLimit = &n
	}
	if !u.Active {
		return gonghai.Errorf(gonghai.EUserInactive, "the user is not active")
	}
	return nil
}

// lockAt takes the row of customer id, still where the caller saw it (in
// pool poolID, owned by owner, "" for none), before the new owner's row
// (lockHolder), on PostgreSQL. Every move locks in this order, customers
// then rep (a hand-over takes all of its customers first), so a claim, an
// assignment and a hand-over never deadlock. Of the claims racing for one
// customer only the one that holds its row goes on to queue for its rep's
// lock, and the others wait for that one transaction, not for the rep's
// other claims behind it, then find the customer owned. A rep's lock is
// held only by a move that holds its customers, or by a create, whose
// customer is new: claims of different customers by different reps never
// wait for each other.
// errMoved: it is no longer where it was. SQLite's writer is alone already.
func lockAt(ctx context.Context, c conn, id, poolID, owner string) error {
	if c.dialect != Postgres {
		return nil
	}
	q, args := `SELECT id FROM customers WHERE id = ? AND pool_id = ? AND owner_id IS NULL FOR UPDATE`, []any{id, poolID}
	if owner != "" {
		q, args = `SELECT id FROM customers WHERE id = ? AND pool_id = ? AND owner_id = ? FOR UPDATE`, append(args, owner)
	}
	var got string
	err := c.queryRow(ctx, q, args...).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return errMoved
	}
	return err
}

// holding counts u's customers as the limits count them. Call it only after
// lockHolder in the same transaction.
func holding(ctx context.Context, c conn, s gonghai.Settings, userID, poolID string) (gonghai.Holding, error) {
	var h gonghai.Holding
	q := `SELECT COUNT(*), COALESCE(SUM(CASE WHEN pool_id = ? THEN 1 ELSE 0 END), 0) FROM customers WHERE owner_id = ?`
	if s.ExcludeWonFromHolding {
		q += ` AND NOT won`
	}
	err := c.queryRow(ctx, q, poolID, userID).Scan(&h.Overall, &h.InPool)
	return h, err
}
