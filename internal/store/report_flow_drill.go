package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// drillPoolFlow answers the customers behind a pool flow number: the
// moves of its column into (or out of) its pools' unowned stock over its
// bucket's days, read from the ownership events by pool, kind and time
// (indexes events_into_pool and events_out_of_pool), kept to the
// report's scope by the rep the move was about, as flow_days counts
// them; or the customers that changed hands, from the tenures.
func drillPoolFlow(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	bad := gonghai.Invalid("drill", "a drill key of the pool flow report")
	parts := strings.Split(key, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "b=") || !strings.HasPrefix(parts[1], "p=") || !strings.HasPrefix(parts[2], "k=") {
		return nil, bad
	}
	bucket, pool, kind := parts[0][2:], parts[1][2:], parts[2][2:]
	pools, err := flowPools(ctx, c, r)
	if err != nil {
		return nil, err
	}
	var ids []any
	for _, p := range pools {
		if pool == "all" || p.id == pool {
			ids = append(ids, p.id)
		}
	}
	var days []string
	for _, d := range flowDays(r.Period) {
		if bucket == "all" || r.Period.Bucket(d) == bucket {
			days = append(days, d)
		}
	}
	if len(ids) == 0 || len(days) == 0 {
		return nil, bad
	}
	first, _ := time.ParseInLocation(time.DateOnly, days[0], r.Period.Loc)
	last, _ := time.ParseInLocation(time.DateOnly, days[len(days)-1], r.Period.Loc)
	start, end := micros(first), micros(last.AddDate(0, 0, 1))
	if kind == "changed" {
		q, args := changedHands(r, ids, start, end)
		return queryStrings(ctx, c, `SELECT customer_id FROM (`+q+`) t`, args...)
	}

	dir, kinds := 1, []string{kind}
	switch kind {
	case "created", "imported":
		// The event log writes both as created.
		kinds = []string{string(gonghai.EventCreated)}
	case "released", "recycled":
	case "claimed", "assigned":
		dir = -1
	case "in", "in_other", "out", "out_other":
		if len(ids) == 0 {
			return nil, nil
		}
		if strings.HasPrefix(kind, "out") {
			dir = -1
		}
		// The kinds that moved in (out) those days: the other column is
		// those no column names.
		kinds, err = queryStrings(ctx, c, `SELECT DISTINCT kind FROM flow_days WHERE pool_id IN (`+placeholders(len(ids))+`)
			AND day >= ? AND day <= ? AND dir = ?`, append(append([]any{}, ids...), days[0], days[len(days)-1], dir)...)
		if err != nil {
			return nil, fmt.Errorf("pool flow kinds: %w", err)
		}
		if strings.HasSuffix(kind, "_other") {
			kinds = slices.DeleteFunc(kinds, func(k string) bool { return flowColumn(k, dir) != kind })
		}
		for i, k := range kinds {
			if k == "imported" {
				kinds[i] = string(gonghai.EventCreated)
			}
		}
	default:
		return nil, bad
	}
	if len(kinds) == 0 {
		return nil, nil
	}
	// The pool the move is about, the owner on the other side of it, and
	// the rep it counts for (the owner, else the actor), as recordMoves
	// decides them.
	pool, owner, other, otherOwner := "e.to_pool_id", "e.to_owner_id", "e.from_pool_id", "e.from_owner_id"
	if dir < 0 {
		pool, owner, other, otherOwner = other, otherOwner, pool, owner
	}
	who := `COALESCE(` + otherOwner + `, e.actor_id, '')`
	scope, scopeArgs := r.ScopeSQL(`COALESCE((SELECT d.path FROM users u JOIN departments d ON d.id = u.department_id WHERE u.id = `+who+`), '')`, who)
	q := `SELECT e.customer_id FROM ownership_events e JOIN customers c ON c.id = e.customer_id
		WHERE ` + pool + ` IN (` + placeholders(len(ids)) + `) AND e.kind IN (` + placeholders(len(kinds)) + `) AND e.at >= ? AND e.at < ?
		AND ` + owner + ` IS NULL AND (` + otherOwner + ` IS NOT NULL OR ` + other + ` IS NULL OR ` + other + ` <> ` + pool + `) AND ` + scope
	args := append(append(append(append([]any{}, ids...), anys(kinds)...), start, end), scopeArgs...)
	if r.Q.ChannelID != "" {
		q, args = q+` AND COALESCE(c.channel_id, '') = ?`, append(args, r.Q.ChannelID)
	}
	return queryStrings(ctx, c, q+` ORDER BY e.at, e.customer_id`, args...)
}
