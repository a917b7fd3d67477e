package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/gonghai/gonghai"
)

// ClaimNext claims for actor the next customer of pool poolID in the
// pool's claim order (the best-scored, or the one longest in the pool;
// by score in a pool of any order) among those actor may claim now: not
// waiting out a release, not in actor's re-claim cooldown, not of
// category A while actor is at their A-category limit. Claims racing for
// one customer are decided by the claim's conditional write: a loser
// moves on to the next candidate, so that every caller gets a different
// customer while there are any.
func (db *DB) ClaimNext(ctx context.Context, actor gonghai.User, poolID string) (gonghai.Customer, error) {
	var out gonghai.Customer
	for round := 0; round < claimNextRounds; round++ {
		ids, err := db.nextCandidates(ctx, actor, poolID, claimNextBatch)
		if err != nil {
			return out, fmt.Errorf("claim next in pool %s: %w", poolID, err)
		}
		if len(ids) == 0 {
			return out, fmt.Errorf("claim next in pool %s: %w", poolID,
				gonghai.Errorf(gonghai.ENotFound, "the pool has no customer you may claim now"))
		}
		for _, id := range ids {
			var r customerRow
			err = db.inGroupTx(ctx, func(ctx context.Context, c conn) error {
				r, err = db.claim(ctx, c, actor, id, poolID, poolID, true)
				return err
			})
			switch code := gonghai.ErrorCode(err); {
			case err == nil:
				return db.view(r, actor), nil
			case code == gonghai.EAlreadyClaimed, code == gonghai.EConflict, code == gonghai.ENotFound:
				// Another claim (or a move) took it first: the next one.
				continue
			default:
				return out, fmt.Errorf("claim next in pool %s: %w", poolID, err)
			}
		}
	}
	return out, fmt.Errorf("claim next in pool %s: %w", poolID,
		gonghai.Errorf(gonghai.EConflict, "every candidate was taken meanwhile; try again"))
}

// claimNextBatch is how many candidates one read of ClaimNext takes, and
// claimNextRounds how many reads it makes before it gives up to a storm.
const (
	claimNextBatch  = 16
	claimNextRounds = 8
)

// nextCandidates reads the first n customers of pool poolID that actor
// may claim now, in its claim order, after checking that actor may claim
// from the pool at all.
func (db *DB) nextCandidates(ctx context.Context, actor gonghai.User, poolID string, n int) ([]string, error) {
	c := db.reader()
	f := gonghai.ClaimFacts{Now: db.now()}
	var err error
	if f.Pool, f.Settings, f.Membership, err = claimPool(ctx, c, poolID, actor); err != nil {
		return nil, err
	}
	f.Customer.PoolID = poolID
	if err := gonghai.ClaimAccess(actor, f.CustomerFacts, poolID); err != nil {
		return nil, err
	}
	if f.Claimer, err = getUser(ctx, c, actor.ID); err != nil {
		return nil, err
	}
	if err := claimCounts(ctx, c, &f); err != nil {
		return nil, err
	}
	return inOrder(ctx, c, f, n)
}

// inOrder reads the first n customers of f's pool that f's claimer may
// claim now, in the pool's claim order.
func inOrder(ctx context.Context, c conn, f gonghai.ClaimFacts, n int) ([]string, error) {
	where, args := claimableBy(f)
	q := `SELECT c.id FROM customers c WHERE ` + where + ` ORDER BY ` + claimOrderBy(f.Pool) + ` LIMIT ?`
	return queryStrings(ctx, c, q, append(args, n)...)
}

// outOfOrder refuses, in verdicts out of ids decided on facts f, every
// claim the pool's order refuses: all but that of the next customer,
// when f's pool is ordered and its claimer held to it.
func outOfOrder(ctx context.Context, c conn, f gonghai.ClaimFacts, ids []string, out []error) error {
	if gonghai.ClaimInOrder(f.Claimer, f.Pool, true) == nil {
		return nil
	}
	next, err := inOrder(ctx, c, f, 1)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if out[i] == nil && (len(next) == 0 || id != next[0]) {
			out[i] = gonghai.ClaimInOrder(f.Claimer, f.Pool, true)
		}
	}
	return nil
}

// claimKey is the expression the claim order of pool p sorts by, and
// whether it sorts highest first; ties go to the lowest (oldest) id.
func claimKey(p gonghai.Pool) (string, bool) {
	if p.ClaimOrder == gonghai.ClaimByAge {
		return `COALESCE(c.pooled_at, c.created_at)`, false
	}
	return `COALESCE(c.score, -1)`, true
}

// claimOrderBy is the ORDER BY of pool p's claim order.
func claimOrderBy(p gonghai.Pool) string {
	key, desc := claimKey(p)
	if desc {
		return key + ` DESC, c.id`
	}
	return key + `, c.id`
}

// claimableBy is the condition on customers c of f's pool that f's
// claimer may claim now, as far as the customer decides it: unowned, not
// waiting out a release, not in the claimer's re-claim cooldown, and not
// of category A when the claimer is at their A-category limit.
func claimableBy(f gonghai.ClaimFacts) (string, []any) {
	where := `c.pool_id = ? AND c.owner_id IS NULL AND (c.claimable_at IS NULL OR c.claimable_at <= ?)`
	args := []any{f.Pool.ID, micros(f.Now)}
	if days := f.Pool.ReclaimCooldownDays; days > 0 {
		// Left the claimer after this, the customer is still cooling.
		since := gonghai.AddDays(f.Now, -days, f.Settings.Location())
		where += ` AND NOT EXISTS (SELECT 1 FROM ownership_events e WHERE e.customer_id = c.id AND e.from_owner_id = ? AND e.at > ?)`
		args = append(args, f.Claimer.ID, micros(since))
	}
	if gonghai.CheckCategoryA(f.Settings, f.Claimer, "A", f.HoldingA) != nil {
		where += ` AND c.category <> 'A'`
	}
	return where, args
}

// aheadOf reports whether a customer f's claimer may claim comes before
// f's customer in its pool's claim order.
func aheadOf(ctx context.Context, c conn, f gonghai.ClaimFacts) (bool, error) {
	where, args := claimableBy(f)
	key, desc := claimKey(f.Pool)
	before := key + ` < (SELECT ` + key + ` FROM customers c WHERE c.id = ?)`
	if desc {
		before = key + ` > (SELECT ` + key + ` FROM customers c WHERE c.id = ?)`
	}
	tie := key + ` = (SELECT ` + key + ` FROM customers c WHERE c.id = ?) AND c.id < ?`
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM customers c WHERE `+where+` AND (`+before+` OR `+tie+`) LIMIT 1) x`,
		append(slices.Clone(args), f.Customer.ID, f.Customer.ID, f.Customer.ID)...).Scan(&n)
	return n > 0, err
}
