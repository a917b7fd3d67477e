package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gonghai/gonghai"
)

// The store reads the facts that the root package's decisions take, and
// answers with what they decide: no rule of who may see or do what is
// written here.

// membership reads u's place in pool poolID in one query: whether u is a
// member (named, or in a member department or below it) and, for a
// manager, whether the pool serves part of their department subtree.
func membership(ctx context.Context, c conn, poolID string, u gonghai.User) (gonghai.Membership, error) {
	var m gonghai.Membership
	cols, args := membershipSQL("p.id", u)
	err := c.queryRow(ctx, `SELECT `+cols+` FROM pools p WHERE p.id = ?`, append(args, poolID)...).Scan(&m.Member, &m.Team)
	if errors.Is(err, sql.ErrNoRows) {
		// No pool has no members.
		return m, nil
	}
	return m, err
}

// membershipSQL returns two select-list columns that tell whether u is a
// member of the pool whose id is in column pool and whether it serves u's
// team, with their arguments.
func membershipSQL(pool string, u gonghai.User) (string, []any) {
	args := []any{u.ID, u.DeptPath}
	member := `EXISTS (SELECT 1 FROM pool_member_users WHERE pool_id = ` + pool + ` AND user_id = ?
			UNION ALL
			SELECT 1 FROM pool_member_departments m JOIN departments d ON d.id = m.department_id
			WHERE m.pool_id = ` + pool + ` AND ? LIKE d.path || '%')`
	if u.Role != gonghai.RoleManager || u.DeptPath == "" {
		return member + `, FALSE`, args
	}
	sub := escapeLike(u.DeptPath) + "%"
	return member + `, EXISTS (SELECT 1 FROM pool_member_departments m JOIN departments d ON d.id = m.department_id
			WHERE m.pool_id = ` + pool + ` AND d.path LIKE ? ESCAPE '\'
			UNION ALL
			SELECT 1 FROM pool_member_users m JOIN users mu ON mu.id = m.user_id JOIN departments d ON d.id = mu.department_id
			WHERE m.pool_id = ` + pool + ` AND d.path LIKE ? ESCAPE '\')`, append(args, sub, sub)
}

// seesPool reports whether u may see pool p (gonghai.SeesPool). A pool
// whose membership cannot be read is not seen.
func seesPool(ctx context.Context, c conn, u gonghai.User, p gonghai.Pool) bool {
	if u.Role == gonghai.RoleAdmin || p.IsAdmin(u.ID) {
		// Seen whatever the membership: no need to ask.
		return true
	}
	m, err := membership(ctx, c, p.ID, u)
	return err == nil && gonghai.SeesPool(u, p, m)
}

// facts are the facts about customer r in pool p for viewer.
func facts(ctx context.Context, c conn, viewer gonghai.User, r customerRow, p gonghai.Pool) (gonghai.CustomerFacts, error) {
	m, err := membershipOf(ctx, c, p.ID, viewer)
	return gonghai.CustomerFacts{Customer: r.Customer, OwnerDeptPath: r.ownerDeptPath, Pool: p, Membership: m}, err
}

// membershipOf is membership, left unread for an admin: every decision
// lets an admin through before it asks about membership.
func membershipOf(ctx context.Context, c conn, poolID string, u gonghai.User) (gonghai.Membership, error) {
	if u.Role == gonghai.RoleAdmin {
		return gonghai.Membership{}, nil
	}
	return membership(ctx, c, poolID, u)
}

// customerFor reads customer id and its pool, read by pool (getPoolRules,
// or lockPoolRules in a transaction that schedules deadlines), with the
// facts about it for actor, and answers with decide's refusal, if any.
func customerFor(ctx context.Context, c conn, actor gonghai.User, id string,
	pool func(context.Context, conn, string) (gonghai.Pool, error),
	decide func(gonghai.User, gonghai.CustomerFacts) error) (customerRow, gonghai.Pool, error) {
	r, err := getCustomer(ctx, c, id)
	if err != nil {
		return r, gonghai.Pool{}, err
	}
	if r.mergedInto != "" {
		return r, gonghai.Pool{}, mergedAway(ctx, c, actor, r.mergedInto)
	}
	p, err := pool(ctx, c, r.PoolID)
	if err != nil {
		return r, p, err
	}
	f, err := facts(ctx, c, actor, r, p)
	if err != nil {
		return r, p, err
	}
	return r, p, decide(actor, f)
}

// visibleCustomer reads customer id and its pool for viewer: those who may
// not see it get not_found.
func visibleCustomer(ctx context.Context, c conn, viewer gonghai.User, id string,
	pool func(context.Context, conn, string) (gonghai.Pool, error)) (customerRow, gonghai.Pool, error) {
	return customerFor(ctx, c, viewer, id, pool, gonghai.CanSee)
}

// forWork reads customer id and its pool for actor to work on: to change
// its fields or log what happened with it (gonghai.CanWork).
func forWork(ctx context.Context, c conn, actor gonghai.User, id string) (customerRow, gonghai.Pool, error) {
	return customerFor(ctx, c, actor, id, lockPoolRules, gonghai.CanWork)
}
