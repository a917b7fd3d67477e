package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/gonghai/gonghai"
)

// Distribution bounds: one request's customers and reps.
const (
	MaxDistributeCustomers = 200
	MaxDistributeUsers     = 50
)

// distributeReason is the ownership event's reason of a distribution.
const distributeReason = "平均分配"

// Distribute shares customers customerIDs of pool poolID out evenly among
// users userIDs (平均分配): each goes to the rep who has had fewest of
// this distribution so far, in the order given, as Assign would give it
// (the same permissions and holding limits; each its own transaction and
// its own event, and the rep's turn in the pool's rotation). A rep at a
// holding limit is passed over for the rest; a customer nobody can take,
// or that is not a customer of the pool any more, is refused on its row.
func (db *DB) Distribute(ctx context.Context, actor gonghai.User, poolID string, customerIDs, userIDs []string) ([]gonghai.DistributeResult, error) {
	switch {
	case len(customerIDs) == 0 || len(customerIDs) > MaxDistributeCustomers:
		return nil, gonghai.Invalid("customer_ids", fmt.Sprintf("1 to %d ids", MaxDistributeCustomers))
	case len(userIDs) == 0 || len(userIDs) > MaxDistributeUsers:
		return nil, gonghai.Invalid("user_ids", fmt.Sprintf("1 to %d ids", MaxDistributeUsers))
	case hasDuplicate(customerIDs):
		return nil, gonghai.Invalid("customer_ids", "each id once")
	case hasDuplicate(userIDs):
		return nil, gonghai.Invalid("user_ids", "each id once")
	}
	if _, err := db.Pool(ctx, actor, poolID); err != nil {
		return nil, err
	}
	given := make([]int, len(userIDs))
	full := make([]bool, len(userIDs))
	out := make([]gonghai.DistributeResult, len(customerIDs))
	var lastFull error
	for i, id := range customerIDs {
		out[i].CustomerID = id
		if r, err := getCustomer(ctx, db.reader(), id); err != nil || r.PoolID != poolID {
			out[i].Err = gonghai.Errorf(gonghai.ENotFound, "no such customer in this pool")
			continue
		}
		// Everyone chosen may be full already.
		out[i].Err = lastFull
		// Fewest so far first, in the order given among equals.
		order := make([]int, len(userIDs))
		for j := range order {
			order[j] = j
		}
		slices.SortStableFunc(order, func(a, b int) int { return given[a] - given[b] })
		for _, j := range order {
			if full[j] {
				continue
			}
			err := db.giveInPool(ctx, actor, poolID, id, userIDs[j])
			if gonghai.ErrorCode(err) == gonghai.EHoldingLimit {
				full[j], out[i].Err, lastFull = true, err, err
				continue
			}
			if err == nil {
				given[j]++
				out[i].UserID = userIDs[j]
			}
			out[i].Err = err
			break
		}
	}
	return out, nil
}

// giveInPool assigns customer id, which must still be in pool poolID, to
// user toID, as Assign does.
func (db *DB) giveInPool(ctx context.Context, actor gonghai.User, poolID, id, toID string) error {
	return db.inTx(ctx, func(c conn) error {
		r, err := getCustomer(ctx, c, id)
		if err != nil {
			return err
		}
		if r.PoolID != poolID {
			return gonghai.Errorf(gonghai.ENotFound, "no such customer in this pool")
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		_, err = db.give(ctx, c, s, actor, gonghai.EventAssigned, id, toID, distributeReason, false)
		return err
	})
}

func hasDuplicate(ids []string) bool {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}

// PreviewAssignment tells who would get the next n customers of pool
// poolID, or of channel channelID (its own strategy, else its pool's),
// without writing anything: the customers waiting in the queue first, in
// order, then customers yet to come. Those who may set the pool's
// assignment may look (admins, the pool's admins), and the managers who
// see the pool.
func (db *DB) PreviewAssignment(ctx context.Context, actor gonghai.User, poolID, channelID string, n int) ([]gonghai.Decision, error) {
	if n < 1 || n > 100 {
		return nil, gonghai.Invalid("n", "1 to 100")
	}
	c := db.reader()
	if channelID != "" {
		err := c.queryRow(ctx, `SELECT pool_id FROM channels WHERE id = ?`, channelID).Scan(&poolID)
		if err != nil {
			return nil, notFound(err, "channel")
		}
	}
	p, err := db.Pool(ctx, actor, poolID)
	if err != nil {
		return nil, err
	}
	if actor.Role != gonghai.RoleAdmin && actor.Role != gonghai.RoleManager && !p.IsAdmin(actor.ID) {
		return nil, gonghai.Errorf(gonghai.EForbidden, "only admins, the pool's admins and managers preview its assignment")
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return nil, err
	}
	now := db.now()
	plan, err := db.planFor(ctx, c, s, p, channelID, now)
	if err != nil {
		return nil, fmt.Errorf("preview assignment: %w", err)
	}
	q, args := `SELECT customer_id FROM unassigned WHERE pool_id = ?`, []any{p.ID}
	if channelID != "" {
		q, args = q+` AND channel_id = ?`, append(args, channelID)
	}
	ids, err := queryStrings(ctx, c, q+` ORDER BY customer_id LIMIT ?`, append(args, n)...)
	if err != nil {
		return nil, fmt.Errorf("preview assignment: %w", err)
	}
	waiting := make([]gonghai.Customer, 0, len(ids))
	for _, id := range ids {
		r, err := getCustomer(ctx, c, id)
		if err != nil {
			return nil, fmt.Errorf("preview assignment: %w", err)
		}
		waiting = append(waiting, r.Customer)
	}
	return gonghai.Preview(plan.a, plan.input(gonghai.Customer{}, channelID, now), waiting, n), nil
}
