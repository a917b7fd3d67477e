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

// Claim takes customer id from its pool for actor. poolID, when set, is the
// pool the caller saw it in.
func (db *DB) Claim(ctx context.Context, actor gonghai.User, id, poolID string) (gonghai.Customer, error) {
	var out gonghai.Customer
	// In a storm nearly every attempt loses. Turning losers away with a read
	// keeps them off the write path; the conditional write in claim still
	// decides between the attempts that get past this.
	var owner, inPool, ownerPath string
	err := db.reader().queryRow(ctx, `SELECT COALESCE(c.owner_id, ''), c.pool_id, COALESCE(od.path, '')
		FROM customers c LEFT JOIN users o ON o.id = c.owner_id LEFT JOIN departments od ON od.id = o.department_id
		WHERE c.id = ?`, id).Scan(&owner, &inPool, &ownerPath)
	switch {
	case err != nil, owner == "":
	case owner == actor.ID || actor.Manages(ownerPath):
		err = gonghai.ClaimAccess(actor, gonghai.CustomerFacts{Customer: gonghai.Customer{OwnerID: owner}, OwnerDeptPath: ownerPath}, poolID)
	default:
		err = db.lostClaim(ctx, actor, inPool)
	}
	if err != nil {
		return out, fmt.Errorf("claim customer %s: %w", id, notFound(err, "customer"))
	}
	var r customerRow
	err = db.inGroupTx(ctx, func(ctx context.Context, c conn) error {
		r, err = db.claim(ctx, c, actor, id, poolID, inPool, false)
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

// lostClaim answers, for the pre-read of a claim storm, a claim of a
// customer of pool poolID that has an owner (gonghai.Claimed): whether the
// claimer could see the pool is kept per node for claimLossTTL, so that
// losers cost one read, as they did before the answer depended on it. A
// membership change shows after at most that long, and then only in which
// of the two refusals a loser gets.
func (db *DB) lostClaim(ctx context.Context, actor gonghai.User, poolID string) error {
	key := actor.ID + "\x00" + poolID
	if v, ok := db.claimLoss.Load(key); ok && time.Since(v.(claimLoss).at) < claimLossTTL {
		return v.(claimLoss).err
	}
	c := db.reader()
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return err
	}
	m, err := membershipOf(ctx, c, poolID, actor)
	if err != nil {
		return err
	}
	err = gonghai.Claimed(actor, p, m)
	db.claimLoss.Store(key, claimLoss{err: err, at: time.Now()})
	return err
}

const claimLossTTL = 10 * time.Second

type claimLoss struct {
	err error
	at  time.Time // wall time: a cache, not the domain's clock
}

// claim reads the facts of a claim under the locks that keep them true
// until commit, asks gonghai.CanClaim, and moves the customer: the rules'
// shared lock (PostgreSQL), the customer's row, the pool with the
// organisation's settings and the claimer's membership, the claimer's row,
// and the counts the limits take. inPool is the pool the pre-read found
// the customer in. next says the customer was chosen as the next one in
// the pool's claim order (claim-next), which is then not asked again.
func (db *DB) claim(ctx context.Context, c conn, actor gonghai.User, id, poolID, inPool string, next bool) (customerRow, error) {
	now := db.now()
	if err := shareRules(ctx, c, inPool); err != nil {
		return customerRow{}, err
	}
	r, err := lockCustomer(ctx, c, id)
	switch {
	case err != nil:
		return r, err
	case r.PoolID != inPool:
		// It moved between the pre-read and the lock: the rules locked
		// are not its pool's.
		return r, gonghai.Errorf(gonghai.EConflict, "the customer changed; reload and try again")
	}
	f := gonghai.ClaimFacts{PoolID: poolID, Claimer: actor, Now: now}
	f.Pool, f.Settings, f.Membership, err = claimPool(ctx, c, r.PoolID, actor)
	if err != nil {
		return r, err
	}
	f.Customer, f.OwnerDeptPath = r.Customer, r.ownerDeptPath
	if err := gonghai.ClaimAccess(actor, f.CustomerFacts, poolID); err != nil {
		return r, err
	}
	if err := lockHolder(ctx, c, &f.Claimer); err != nil {
		return r, err
	}
	if err := claimCounts(ctx, c, &f); err != nil {
		return r, err
	}
	if !next && gonghai.ClaimInOrder(f.Claimer, f.Pool, true) != nil {
		if f.Ahead, err = aheadOf(ctx, c, f); err != nil {
			return r, err
		}
	}
	if err := gonghai.ClaimRules(f); err != nil {
		return r, err
	}
	p := f.Pool
	r, err = move{kind: gonghai.EventClaimed, customerID: id, fromPool: p.ID, toOwner: actor.ID, toPool: p.ID,
		actorID: actor.ID, respectWait: true, rules: p.Recycle, loc: f.Settings.Location(), mask: p.ContactMask,
		prior: &f.Customer}.apply(ctx, c, now)
	if errors.Is(err, errMoved) {
		return r, whyMoved(ctx, c, id, now)
	}
	r.ownerDeptPath = actor.DeptPath
	return r, err
}

// lockCustomer reads customer id, its personal fields opened, holding its
// row until commit on PostgreSQL (SQLite's writer is alone already): the
// claim decides on the customer as it is, and no move passes it meanwhile.
func lockCustomer(ctx context.Context, c conn, id string) (customerRow, error) {
	q := `SELECT ` + customerColumns + customerFrom + `WHERE c.id = ?`
	if c.dialect == Postgres {
		q += ` FOR UPDATE OF c`
	}
	r, err := scanCustomer(c.queryRow(ctx, q, id))
	if err != nil {
		return r, notFound(err, "customer")
	}
	return r, c.openRow(&r)
}

// claimPool reads in one query what a claim needs of pool id besides the
// customer: the pool's rules and admins, the organisation's settings and
// u's membership of the pool.
func claimPool(ctx context.Context, c conn, id string, u gonghai.User) (gonghai.Pool, gonghai.Settings, gonghai.Membership, error) {
	var p gonghai.Pool
	var s gonghai.Settings
	var m gonghai.Membership
	agg := `group_concat(user_id, ',')`
	if c.dialect == Postgres {
		agg = `string_agg(user_id, ',')`
	}
	var admins string
	member, args := membershipSQL("p.id", u)
	q := `SELECT ` + prefixed("p.", poolColumns) + `, ` + prefixed("o.", settingsColumns) + `,
		COALESCE((SELECT ` + agg + ` FROM pool_admins WHERE pool_id = p.id), ''), ` + member + `
		FROM pools p, organisation o WHERE p.id = ? AND o.id = 1`
	var settingsRow settingsScan
	p, err := scanPool(extraColumns{s: c.queryRow(ctx, q, append(args, id)...),
		after: append(settingsRow.dest(&s), &admins, &m.Member, &m.Team)})
	if err != nil {
		return p, s, m, notFound(err, "pool")
	}
	if err := settingsRow.finish(&s); err != nil {
		return p, s, m, err
	}
	if admins != "" {
		p.AdminUserIDs = strings.Split(admins, ",")
		slices.Sort(p.AdminUserIDs)
	}
	return p, s, m, nil
}

// prefixed qualifies each of a comma-separated column list with table.
func prefixed(table, columns string) string {
	return table + strings.Join(strings.Split(strings.Join(strings.Fields(columns), " "), ", "), ", "+table)
}

// claimCounts reads, in one query, what the claim rules count for f's
// claimer: their holding overall, in the pool and of category A, their
// claims from the pool today, and when the customer last left them. The caller holds the
// claimer's lock (lockHolder), so the counts stay true until commit.
func claimCounts(ctx context.Context, c conn, f *gonghai.ClaimFacts) error {
	notWon := ``
	if f.Settings.ExcludeWonFromHolding {
		notWon = ` AND NOT won`
	}
	day := gonghai.StartOfDay(f.Now, f.Settings.Location())
	var left sql.NullInt64
	err := c.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM customers WHERE owner_id = ?`+notWon+`),
		(SELECT COUNT(*) FROM customers WHERE owner_id = ? AND pool_id = ?`+notWon+`),
		(SELECT COUNT(*) FROM ownership_events WHERE kind = 'claimed' AND to_owner_id = ? AND to_pool_id = ? AND at >= ?),
		(SELECT MAX(at) FROM ownership_events WHERE customer_id = ? AND from_owner_id = ?),
		(SELECT COUNT(*) FROM customers WHERE owner_id = ? AND category = 'A'`+notWon+`)`,
		f.Claimer.ID, f.Claimer.ID, f.Pool.ID, f.Claimer.ID, f.Pool.ID, micros(day), f.Customer.ID, f.Claimer.ID, f.Claimer.ID).
		Scan(&f.Holding.Overall, &f.Holding.InPool, &f.ClaimedToday, &left, &f.HoldingA)
	f.LastLeft = nullMicros(left)
	return err
}

// ClaimBatch claims each of ids from pool poolID for actor, each in its own
// transaction, and reports each outcome: one refusal does not undo the
// others, and a rep reaching a limit midway keeps what they got.
func (db *DB) ClaimBatch(ctx context.Context, actor gonghai.User, poolID string, ids []string) ([]gonghai.ClaimResult, error) {
	if err := gonghai.CheckBatch(ids); err != nil {
		return nil, err
	}
	if _, err := db.visiblePool(ctx, actor, poolID); err != nil {
		return nil, err
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

// ClaimChecks answers, for each of customers ids, whether viewer could
// claim it now and if not why (gonghai.CanClaim): what a pool listing
// shows on each row before the click. It reads the facts for the whole
// list at once, without locks: a claim decides again under its own.
func (db *DB) ClaimChecks(ctx context.Context, viewer gonghai.User, ids []string) ([]error, error) {
	if len(ids) > gonghai.MaxPageSize {
		return nil, gonghai.Invalid("customer_ids", fmt.Sprintf("at most %d ids, a page", gonghai.MaxPageSize))
	}
	if len(ids) == 0 {
		return make([]error, 0), nil
	}
	c := db.reader()
	rows, err := collect(ctx, c, `SELECT `+customerColumns+customerFrom+`WHERE c.id IN (`+placeholders(len(ids))+`)`,
		anys(ids), scanCustomer)
	if err != nil {
		return nil, fmt.Errorf("claim checks: %w", err)
	}
	byID := make(map[string]gonghai.CustomerFacts, len(rows))
	for _, r := range rows {
		byID[r.ID] = gonghai.CustomerFacts{Customer: r.Customer, OwnerDeptPath: r.ownerDeptPath}
	}
	return db.claimVerdicts(ctx, c, viewer, ids, byID)
}

// ClaimVerdicts is ClaimChecks for the customers of a page a pool listing
// has just read for viewer, as it read them: it does not read them again.
// They are unowned, so no owner's department enters the decision.
func (db *DB) ClaimVerdicts(ctx context.Context, viewer gonghai.User, cs []gonghai.Customer) ([]error, error) {
	if len(cs) > gonghai.MaxPageSize {
		return nil, gonghai.Invalid("customer_ids", fmt.Sprintf("at most %d ids, a page", gonghai.MaxPageSize))
	}
	ids := make([]string, len(cs))
	byID := make(map[string]gonghai.CustomerFacts, len(cs))
	for i, c := range cs {
		ids[i], byID[c.ID] = c.ID, gonghai.CustomerFacts{Customer: c}
	}
	if len(ids) == 0 {
		return make([]error, 0), nil
	}
	return db.claimVerdicts(ctx, db.reader(), viewer, ids, byID)
}

// claimVerdicts decides, for each of ids, viewer's claim of the customer
// byID holds the facts of; an id it lacks does not exist.
func (db *DB) claimVerdicts(ctx context.Context, c conn, viewer gonghai.User, ids []string, byID map[string]gonghai.CustomerFacts) ([]error, error) {
	out := make([]error, len(ids))
	now := db.now()
	claimer, err := getUser(ctx, c, viewer.ID)
	if err != nil {
		return nil, fmt.Errorf("claim checks: %w", err)
	}
	left, err := lastLeft(ctx, c, viewer.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("claim checks: %w", err)
	}
	pools := map[string]gonghai.ClaimFacts{}
	inPool := map[string][]int{} // the rows of each pool, by index
	for i, id := range ids {
		r, ok := byID[id]
		if !ok {
			out[i] = gonghai.Errorf(gonghai.ENotFound, "no such customer")
			continue
		}
		f, ok := pools[r.Customer.PoolID]
		if !ok {
			f = gonghai.ClaimFacts{Claimer: claimer, Now: now}
			if f.Pool, f.Settings, f.Membership, err = claimPool(ctx, c, r.Customer.PoolID, viewer); err != nil {
				return nil, fmt.Errorf("claim checks: %w", err)
			}
			if err := claimCounts(ctx, c, &f); err != nil {
				return nil, fmt.Errorf("claim checks: %w", err)
			}
			pools[r.Customer.PoolID] = f
		}
		f.Customer, f.OwnerDeptPath, f.LastLeft = r.Customer, r.OwnerDeptPath, left[id]
		out[i] = gonghai.CanClaim(viewer, f)
		inPool[r.Customer.PoolID] = append(inPool[r.Customer.PoolID], i)
	}
	// In an ordered pool, only the next one may be claimed.
	for poolID, rows := range inPool {
		sub, verdicts := make([]string, len(rows)), make([]error, len(rows))
		for k, i := range rows {
			sub[k], verdicts[k] = ids[i], out[i]
		}
		if err := outOfOrder(ctx, c, pools[poolID], sub, verdicts); err != nil {
			return nil, fmt.Errorf("claim checks: %w", err)
		}
		for k, i := range rows {
			out[i] = verdicts[k]
		}
	}
	return out, nil
}

// lastLeft reads when each of customers ids last left user userID.
func lastLeft(ctx context.Context, c conn, userID string, ids []string) (map[string]*time.Time, error) {
	type last struct {
		id string
		at *time.Time
	}
	rows, err := collect(ctx, c, `SELECT customer_id, MAX(at) FROM ownership_events WHERE from_owner_id = ? AND customer_id IN (`+
		placeholders(len(ids))+`) GROUP BY customer_id`, append([]any{userID}, anys(ids)...), func(s scanner) (last, error) {
		var l last
		var at sql.NullInt64
		err := s.Scan(&l.id, &at)
		l.at = nullMicros(at)
		return l, err
	})
	out := make(map[string]*time.Time, len(rows))
	for _, l := range rows {
		out[l.id] = l.at
	}
	return out, err
}

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
