package store

import (
	"context"
	"fmt"

	"github.com/gonghai/gonghai"
)

// Returns answers, for customers of a page a listing gave viewer, how each
// came back to its pool (gonghai.Return): the latest event that took it
// from an owner, with that owner's name, in one query for the page.
// Customers that never had an owner are absent from the map.
func (db *DB) Returns(ctx context.Context, viewer gonghai.User, cs []gonghai.Customer) (map[string]gonghai.Return, error) {
	out := make(map[string]gonghai.Return, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	if len(cs) > gonghai.MaxPageSize {
		return nil, gonghai.Invalid("customer_ids", fmt.Sprintf("at most %d ids, a page", gonghai.MaxPageSize))
	}
	ids := make([]any, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	// Each customer's events are few and (customer_id, seq) is unique, so
	// the latest is found in its own few index entries.
	rows, err := collect(ctx, db.reader(), `SELECT e.customer_id, e.kind, e.from_owner_id, COALESCE(u.name, ''), e.reason, e.at
		FROM ownership_events e LEFT JOIN users u ON u.id = e.from_owner_id
		WHERE e.customer_id IN (`+placeholders(len(ids))+`)
		AND e.seq = (SELECT MAX(x.seq) FROM ownership_events x WHERE x.customer_id = e.customer_id AND x.from_owner_id IS NOT NULL)`,
		ids, func(s scanner) (gonghai.Return, error) {
			var r gonghai.Return
			var at int64
			err := s.Scan(&r.CustomerID, &r.Kind, &r.ByUserID, &r.ByName, &r.Reason, &at)
			r.At = fromMicros(at)
			return r, err
		})
	if err != nil {
		return nil, fmt.Errorf("returns: %w", err)
	}
	for _, r := range rows {
		if r.Kind == gonghai.EventRecycled {
			// The sweep writes the rule that fired as the reason.
			r.Rule, r.Reason = gonghai.RuleKind(r.Reason), ""
		}
		out[r.CustomerID] = r
	}
	for _, c := range cs {
		if r, ok := out[c.ID]; ok && !gonghai.SeesContacts(viewer, c) {
			r.Reason = gonghai.MaskText(r.Reason)
			out[c.ID] = r
		}
	}
	return out, nil
}
