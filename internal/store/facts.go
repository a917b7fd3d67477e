package store

import (
	"context"
	"fmt"

	"github.com/gonghai/gonghai"
)

// CustomerFacts returns what the root's decisions take about customer id
// for viewer (gonghai.CanWork, CanPlan, CanRelease, CanReveal, CanLock …),
// its customer as viewer may see it: what a page asks before it shows an
// action's button. The action decides again when it is taken. Those who
// may not see the customer get not_found.
func (db *DB) CustomerFacts(ctx context.Context, viewer gonghai.User, id string) (gonghai.CustomerFacts, error) {
	c := db.reader()
	r, p, err := visibleCustomer(ctx, c, viewer, id, getPoolRules)
	if err != nil {
		return gonghai.CustomerFacts{}, err
	}
	f, err := facts(ctx, c, viewer, r, p)
	if err != nil {
		return f, fmt.Errorf("customer %s: %w", id, err)
	}
	f.Customer = db.view(r, viewer)
	return f, nil
}
