package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	var ownedSince, claimable any
	if m.toOwner != "" {
		ownedSince = micros(now)
	}
	if m.claimableAt != nil {
		claimable = micros(*m.claimableAt)
	}
	q := `UPDATE customers SET owner_id = ?, pool_id = ?, owned_since = ?, claimable_at = ?, updated_at = ?,
		recycle_at = NULL, recycle_rule = NULL, warn_at = NULL, event_seq = event_seq + 1 WHERE id = ? AND pool_id = ?`
	args := []any{nullString(m.toOwner), m.toPool, ownedSince, claimable, micros(now), m.customerID, m.fromPool}
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
	if err != nil || m.toOwner == "" {
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
		return releaseWait(r.Customer)
	default:
		return gonghai.Errorf(gonghai.EConflict, "the customer changed; reload and try again")
	}
}

func releaseWait(c gonghai.Customer) error {
	return gonghai.Errorf(gonghai.EReleaseWait, "the customer was just released and may be claimed from %s",
		c.ClaimableAt.Format(time.RFC3339))
}

// lockHolder serialises every transaction that may add to u's holding: it
// takes u's row lock (PostgreSQL; SQLite's immediate transactions are
// serial already) before anything counts u's customers. An inactive user
// holds nothing new.
func lockHolder(ctx context.Context, c conn, userID string) error {
	res, err := c.exec(ctx, `UPDATE users SET claim_seq = claim_seq + 1 WHERE id = ? AND active`, userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, gonghai.Errorf(gonghai.EUserInactive, "the user is not active"))
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
// owner and that the owner has room for it, and locks the owner's holding
// for the rest of the transaction.
func (db *DB) takeOwner(ctx context.Context, c conn, s gonghai.Settings, actor gonghai.User, p gonghai.Pool, o newOwner) (gonghai.User, error) {
	owner, err := getUser(ctx, c, o.id)
	if err != nil {
		return owner, invalidRef(err, o.field)
	}
	may := o.forSelf && o.id == actor.ID
	if !may {
		if may, err = canAssign(ctx, c, actor, p, owner, o.transfer); err != nil {
			return owner, err
		}
	}
	if !may {
		// Neither the pool nor the user is named: the actor may see neither.
		return owner, gonghai.Errorf(gonghai.EForbidden, "you may not give this customer to that user")
	}
	if o.force && actor.Role != gonghai.RoleAdmin {
		return owner, gonghai.Errorf(gonghai.EForbidden, "only an admin may force past a holding limit")
	}
	if err := lockHolder(ctx, c, o.id); err != nil {
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

// canAssign reports whether actor may give customers of pool p to target:
// admins may; managers to the users of their department subtree, from the
// pools they see; the pool's admins to the pool's members, and only from
// the pool (transfer false): a pool admin has no authority over a rep's
// customers, nor over people outside the pool.
func canAssign(ctx context.Context, c conn, actor gonghai.User, p gonghai.Pool, target gonghai.User, transfer bool) (bool, error) {
	switch {
	case actor.Role == gonghai.RoleAdmin:
		return true, nil
	case actor.Manages(target.DeptPath) && seesPool(ctx, c, actor, p):
		return true, nil
	case transfer || !p.IsAdmin(actor.ID):
		return false, nil
	default:
		return isMember(ctx, c, p.ID, target)
	}
}

// Claim takes customer id from its pool for actor. poolID, when set, is the
// pool the caller saw it in.
func (db *DB) Claim(ctx context.Context, actor gonghai.User, id, poolID string) (gonghai.Customer, error) {
	var out gonghai.Customer
	// In a storm nearly every attempt loses. Turning losers away with a read
	// keeps them off the write path; the conditional write in claim still
	// decides between the attempts that get past this.
	var owner, inPool, ownerPath string
	err := db.reader().queryRow(ctx, `SELECT COALESCE(c.owner_id, ''), c.pool_id, COALESCE(od.path, '')`+customerFrom+`WHERE c.id = ?`, id).
		Scan(&owner, &inPool, &ownerPath)
	switch {
	case err != nil, owner == "":
	case owner == actor.ID || actor.Manages(ownerPath):
		// They see it as it is: taken.
		err = gonghai.Errorf(gonghai.EAlreadyClaimed, "the customer already has an owner")
	default:
		err = db.lostClaim(ctx, actor, inPool, id)
	}
	if err != nil {
		return out, fmt.Errorf("claim customer %s: %w", id, notFound(err, "customer"))
	}
	var r customerRow
	err = db.inTx(ctx, func(c conn) error {
		r, err = db.claim(ctx, c, actor, id, poolID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("claim customer %s: %w", id, err)
	}
	// Viewed after commit: the view may wait for a connection to read the
	// time zone, which inside the transaction would hold the customer's and
	// the rep's rows while it waited for a pool that a storm keeps busy.
	return db.view(r, actor), nil
}

// claimed is the answer to a claim of a customer that has an owner: a
// claimer who could have seen it in its pool lost a race (already_claimed);
// to anyone else it does not exist.
func claimed(ctx context.Context, c conn, actor gonghai.User, p gonghai.Pool, id string) error {
	could := actor.Role == gonghai.RoleAdmin || p.IsAdmin(actor.ID)
	if !could && !p.Hidden {
		member, err := isMember(ctx, c, p.ID, actor)
		if err != nil {
			return err
		}
		could = member
	}
	if !could {
		return gonghai.Errorf(gonghai.ENotFound, "no such customer")
	}
	return gonghai.Errorf(gonghai.EAlreadyClaimed, "the customer already has an owner")
}

// lostClaim is claimed for the pre-read of a claim storm, where nearly
// every attempt meets an owner: whether the claimer could see the pool is
// kept per node for claimLossTTL, so that losers cost one read, as they did
// before the answer depended on it. A membership change shows after at
// most that long, and then only in which of the two refusals a loser gets.
func (db *DB) lostClaim(ctx context.Context, actor gonghai.User, poolID, id string) error {
	key := actor.ID + "\x00" + poolID
	if v, ok := db.claimLoss.Load(key); ok && time.Since(v.(claimLoss).at) < claimLossTTL {
		return v.(claimLoss).err(id)
	}
	c := db.reader()
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return err
	}
	err = claimed(ctx, c, actor, p, id)
	if code := gonghai.ErrorCode(err); code == gonghai.EAlreadyClaimed || code == gonghai.ENotFound {
		db.claimLoss.Store(key, claimLoss{could: code == gonghai.EAlreadyClaimed, at: time.Now()})
	}
	return err
}

const claimLossTTL = 10 * time.Second

type claimLoss struct {
	could bool
	at    time.Time // wall time: a cache, not the domain's clock
}

func (l claimLoss) err(id string) error {
	if l.could {
		return gonghai.Errorf(gonghai.EAlreadyClaimed, "the customer already has an owner")
	}
	return gonghai.Errorf(gonghai.ENotFound, "no such customer")
}

func (db *DB) claim(ctx context.Context, c conn, actor gonghai.User, id, poolID string) (customerRow, error) {
	now := db.now()
	r, err := getCustomer(ctx, c, id)
	if err != nil {
		return r, err
	}
	p, err := lockPoolRules(ctx, c, r.PoolID)
	switch {
	case err != nil:
		return r, err
	case r.OwnerID != "" && (r.OwnerID == actor.ID || actor.Manages(r.ownerDeptPath)):
		return r, gonghai.Errorf(gonghai.EAlreadyClaimed, "the customer already has an owner")
	case r.OwnerID != "":
		return r, claimed(ctx, c, actor, p, id)
	case !seesCustomer(ctx, c, actor, r, p), poolID != "" && r.PoolID != poolID:
		return r, gonghai.Errorf(gonghai.ENotFound, "no such customer in that pool")
	}
	if actor.Role != gonghai.RoleAdmin {
		member, err := isMember(ctx, c, p.ID, actor)
		switch {
		case err != nil:
			return r, err
		case !member && !p.IsAdmin(actor.ID):
			return r, gonghai.Errorf(gonghai.ENotPoolMember, "you are not a member of pool %s", p.Name)
		case p.Hidden:
			return r, gonghai.Errorf(gonghai.EPoolAssignOnly, "pool %s is assign-only: ask its admin", p.Name)
		}
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return r, err
	}
	if err := lockAt(ctx, c, id, p.ID, ""); errors.Is(err, errMoved) {
		return r, whyMoved(ctx, c, id, now)
	} else if err != nil {
		return r, err
	}
	owner, err := db.takeOwner(ctx, c, s, actor, p, newOwner{id: actor.ID, field: "user_id", forSelf: true})
	if err != nil {
		return r, err
	}
	if err := checkClaimRules(ctx, c, s, actor, p, r.Customer, now); err != nil {
		return r, err
	}
	r, err = move{kind: gonghai.EventClaimed, customerID: id, fromPool: p.ID, toOwner: actor.ID, toPool: p.ID,
		actorID: actor.ID, respectWait: true, rules: p.Recycle, loc: s.Location(), mask: p.ContactMask}.apply(ctx, c, now)
	if errors.Is(err, errMoved) {
		return r, whyMoved(ctx, c, id, now)
	}
	r.ownerDeptPath = owner.DeptPath
	return r, err
}

// checkClaimRules applies the pool's rules for claims: the daily limit, the
// re-claim cooldown and the release wait. The caller holds actor's lock.
func checkClaimRules(ctx context.Context, c conn, s gonghai.Settings, actor gonghai.User, p gonghai.Pool, cust gonghai.Customer, now time.Time) error {
	loc := s.Location()
	if p.DailyClaimLimit > 0 {
		var n int
		err := c.queryRow(ctx, `SELECT COUNT(*) FROM ownership_events WHERE kind = 'claimed' AND to_owner_id = ? AND to_pool_id = ? AND at >= ?`,
			actor.ID, p.ID, micros(gonghai.StartOfDay(now, loc))).Scan(&n)
		if err != nil {
			return err
		}
		if n >= p.DailyClaimLimit {
			return gonghai.Errorf(gonghai.EDailyClaimLimit, "you have claimed %d customers from pool %s today, the most allowed", n, p.Name)
		}
	}
	if p.ReclaimCooldownDays > 0 {
		var left sql.NullInt64
		err := c.queryRow(ctx, `SELECT MAX(at) FROM ownership_events WHERE customer_id = ? AND from_owner_id = ?`, cust.ID, actor.ID).Scan(&left)
		if err != nil {
			return err
		}
		if left.Valid {
			until := gonghai.AddDays(fromMicros(left.Int64), p.ReclaimCooldownDays, loc)
			if now.Before(until) {
				return gonghai.Errorf(gonghai.EReclaimCooldown, "you owned this customer before: you may claim it again from %s",
					until.In(loc).Format("2006-01-02"))
			}
		}
	}
	if cust.ClaimableAt != nil && cust.ClaimableAt.After(now) {
		return releaseWait(cust)
	}
	return nil
}

// ClaimBatch claims each of ids from pool poolID for actor, each in its own
// transaction, and reports each outcome: one refusal does not undo the
// others, and a rep reaching a limit midway keeps what they got.
func (db *DB) ClaimBatch(ctx context.Context, actor gonghai.User, poolID string, ids []string) ([]gonghai.ClaimResult, error) {
	if len(ids) == 0 || len(ids) > gonghai.MaxBatchClaim {
		return nil, gonghai.Invalid("customer_ids", fmt.Sprintf("1 to %d ids", gonghai.MaxBatchClaim))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, gonghai.Invalid("customer_ids", "an id is listed twice")
		}
		seen[id] = true
	}
	c := db.reader()
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return nil, err
	}
	if !seesPool(ctx, c, actor, p) {
		return nil, gonghai.Errorf(gonghai.ENotFound, "no such pool")
	}
	out := make([]gonghai.ClaimResult, len(ids))
	for i, id := range ids {
		cust, err := db.Claim(ctx, actor, id, poolID)
		out[i] = gonghai.ClaimResult{CustomerID: id, Err: err}
		if err == nil {
			out[i].Customer = &cust
		}
	}
	return out, nil
}

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
		r, from, err := visibleCustomer(ctx, c, actor, id, getPoolRules)
		if err != nil {
			return err
		}
		if r.OwnerID == "" {
			return gonghai.Errorf(gonghai.ENotOwner, "the customer is in a pool already")
		}
		if r.OwnerID != actor.ID && actor.Role != gonghai.RoleAdmin && !actor.Manages(r.ownerDeptPath) {
			return gonghai.Errorf(gonghai.ENotOwner, "the customer is not yours to release")
		}
		to := from.ReturnPool()
		if toPoolID != "" && toPoolID != to {
			owner, err := getUser(ctx, c, r.OwnerID)
			if err != nil {
				return err
			}
			target, err := getPoolRules(ctx, c, toPoolID)
			if err != nil || !(seesPool(ctx, c, owner, target) || actor.Role == gonghai.RoleAdmin) {
				return gonghai.Invalid("pool_id", "not a pool this customer's owner may use")
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
	r, p, err := visibleCustomer(ctx, c, actor, id, lockPoolRules)
	if err != nil {
		return r, err
	}
	switch {
	case kind == gonghai.EventAssigned && r.OwnerID != "":
		return r, gonghai.Errorf(gonghai.EAlreadyClaimed, "the customer has an owner: transfer it instead")
	case kind == gonghai.EventTransferred && r.OwnerID == "":
		return r, gonghai.Errorf(gonghai.ENotOwner, "the customer is in a pool: assign it instead")
	case r.OwnerID == toID:
		return r, gonghai.Invalid("user_id", "already the owner")
	}
	// Pool admins assign from their pool; only admins and the owner's
	// managers move a rep's customer to another rep.
	if kind == gonghai.EventTransferred && actor.Role != gonghai.RoleAdmin && !actor.Manages(r.ownerDeptPath) {
		return r, gonghai.Errorf(gonghai.EForbidden, "you do not manage the customer's owner")
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
		switch {
		case !seesUser(actor, from):
			return gonghai.Errorf(gonghai.ENotFound, "no such user")
		case actor.Role != gonghai.RoleAdmin && !actor.Manages(from.DeptPath):
			return gonghai.Errorf(gonghai.EForbidden, "you do not manage %s", from.Login)
		case !seesUser(actor, to):
			return gonghai.Invalid("to_user_id", "no such id")
		case actor.Role != gonghai.RoleAdmin && !actor.Manages(to.DeptPath):
			return gonghai.Errorf(gonghai.EForbidden, "you do not manage %s", to.Login)
		case force && actor.Role != gonghai.RoleAdmin:
			return gonghai.Errorf(gonghai.EForbidden, "only an admin may force past a holding limit")
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
