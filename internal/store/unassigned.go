package store

import (
	"context"
	"fmt"

	"github.com/gonghai/gonghai"
)

// queueRow is a row of the unassigned queue with its customer's id.
type queueRow struct {
	id, poolID, reason string
	since              int64
	tries              int
}

// queuePools are the ids of the pools whose queue viewer may see and
// retry: every pool for an admin; the pools a viewer administers, and
// those a manager sees (they serve the manager's teams), for the others;
// nil (none) for a rep.
func (db *DB) queuePools(ctx context.Context, viewer gonghai.User) ([]string, bool, error) {
	if viewer.Role == gonghai.RoleAdmin {
		return nil, true, nil
	}
	pools, err := db.Pools(ctx, viewer)
	if err != nil {
		return nil, false, err
	}
	var ids []string
	for _, p := range pools {
		if p.IsAdmin(viewer.ID) || viewer.Role == gonghai.RoleManager {
			ids = append(ids, p.ID)
		}
	}
	return ids, false, nil
}

// Unassigned lists the customers waiting in the unassigned queue that
// viewer may see (admins all; pool admins their pools'; managers those of
// the pools serving their teams), oldest first, with why each waits.
// Contacts are masked as in the pool.
func (db *DB) Unassigned(ctx context.Context, viewer gonghai.User, p gonghai.Page) ([]UnassignedRow, string, error) {
	pools, all, err := db.queuePools(ctx, viewer)
	if err != nil {
		return nil, "", fmt.Errorf("unassigned: %w", err)
	}
	if !all && len(pools) == 0 {
		if viewer.Role == gonghai.RoleRep {
			return nil, "", gonghai.Errorf(gonghai.EForbidden, "only admins, pool admins and managers see the unassigned queue")
		}
		return []UnassignedRow{}, "", nil
	}
	c := db.reader()
	q, args := `SELECT q.customer_id, q.pool_id, q.reason, q.since, q.tries FROM unassigned q
		JOIN customers c ON c.id = q.customer_id WHERE c.owner_id IS NULL`, []any{}
	if !all {
		q, args = q+` AND q.pool_id IN (`+placeholders(len(pools))+`)`, anys(pools)
	}
	if p.After != "" {
		q, args = q+` AND q.customer_id > ?`, append(args, p.After)
	}
	rows, err := collect(ctx, c, q+` ORDER BY q.customer_id LIMIT ?`, append(args, p.Size()+1), func(s scanner) (queueRow, error) {
		var r queueRow
		return r, s.Scan(&r.id, &r.poolID, &r.reason, &r.since, &r.tries)
	})
	if err != nil {
		return nil, "", fmt.Errorf("unassigned: %w", err)
	}
	rows, next := pageOf(rows, p, func(r queueRow) string { return r.id })
	out := make([]UnassignedRow, 0, len(rows))
	masks := map[string]string{}
	for _, r := range rows {
		cr, err := getCustomer(ctx, c, r.id)
		if err != nil {
			return nil, "", fmt.Errorf("unassigned: %w", err)
		}
		mask, ok := masks[r.poolID]
		if !ok {
			pool, err := getPool(ctx, c, r.poolID)
			if err != nil {
				return nil, "", fmt.Errorf("unassigned: %w", err)
			}
			mask, masks[r.poolID] = pool.ContactMask, pool.ContactMask
		}
		cr.mask = mask
		if err := c.openRow(&cr); err != nil {
			return nil, "", fmt.Errorf("unassigned: %w", err)
		}
		out = append(out, UnassignedRow{Customer: db.view(cr, viewer), Reason: r.reason, Since: fromMicros(r.since), Tries: r.tries})
	}
	return out, next, nil
}

// RetryUnassigned routes again every waiting customer actor may see in
// the queue (as Unassigned scopes it), and returns how many were assigned.
func (db *DB) RetryUnassigned(ctx context.Context, actor gonghai.User) (int, error) {
	pools, all, err := db.queuePools(ctx, actor)
	if err != nil {
		return 0, fmt.Errorf("retry unassigned: %w", err)
	}
	if !all && len(pools) == 0 {
		if actor.Role == gonghai.RoleRep {
			return 0, gonghai.Errorf(gonghai.EForbidden, "only admins, pool admins and managers retry the unassigned queue")
		}
		return 0, nil
	}
	return db.routeQueued(ctx, pools, all)
}

// RouteQueued routes every customer waiting in the unassigned queue: the
// sweep's retry, which hands out what waited once a rep is back, resumes
// or has room again. It returns how many were assigned.
func (db *DB) RouteQueued(ctx context.Context) (int, error) {
	return db.routeQueued(ctx, nil, true)
}

// routeQueued routes the queued customers of pools (all: every pool), in
// pages, oldest first.
func (db *DB) routeQueued(ctx context.Context, pools []string, all bool) (int, error) {
	assigned, after := 0, ""
	for {
		q, args := `SELECT customer_id FROM unassigned WHERE customer_id > ?`, []any{after}
		if !all {
			q, args = q+` AND pool_id IN (`+placeholders(len(pools))+`)`, append(args, anys(pools)...)
		}
		ids, err := queryStrings(ctx, db.reader(), q+` ORDER BY customer_id LIMIT 500`, args...)
		if err != nil {
			return assigned, fmt.Errorf("route queued: %w", err)
		}
		for _, id := range ids {
			d, err := db.Route(ctx, id)
			if err != nil {
				return assigned, err
			}
			if d.UserID != "" {
				assigned++
			}
		}
		if len(ids) < 500 {
			return assigned, nil
		}
		after = ids[len(ids)-1]
	}
}
