package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/gonghai/gonghai"
)

// RecyclePreview answers which of pool poolID's owned customers would be
// recycled on each of the next days days, grouped by owner, if nobody did
// anything more: under the pool's rules, or under proposed ones as they
// would be saved now. It changes nothing. Admins and the pool's admins may
// ask. The grouping is gonghai.RecyclePreview's; this reads its facts.
func (db *DB) RecyclePreview(ctx context.Context, actor gonghai.User, poolID string, proposed *gonghai.RecycleRules, days int) ([]gonghai.PreviewDay, error) {
	if days < 1 || days > gonghai.MaxPreviewDays {
		return nil, gonghai.Invalid("days", fmt.Sprintf("1 to %d", gonghai.MaxPreviewDays))
	}
	c := db.reader()
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return nil, err
	}
	if actor.Role != gonghai.RoleAdmin && !p.IsAdmin(actor.ID) {
		if seesPool(ctx, c, actor, p) {
			return nil, gonghai.Errorf(gonghai.EForbidden, "only admins and the pool's admins preview its rules")
		}
		return nil, gonghai.Errorf(gonghai.ENotFound, "no such pool")
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return nil, err
	}
	now, loc := db.now(), s.Location()
	rules := p.Recycle
	// Under the pool's own rules every owned customer carries the deadline
	// they give it (invariant 4), so the index on the deadline finds the
	// few that fall within the preview. Proposed rules may give any owned
	// customer an earlier one: then every one of the pool's gained long
	// enough ago is weighed.
	byDeadline, bound := true, gonghai.PreviewEnd(now, days, loc)
	if proposed != nil {
		if err := proposed.Validate(); err != nil {
			return nil, err
		}
		rules = proposed.Started(p.Recycle, now)
		before, ok := gonghai.PreviewGainedBefore(rules, loc, now, days)
		if !ok {
			return gonghai.RecyclePreview(nil, rules, loc, now, days), nil
		}
		byDeadline, bound = false, before
	}
	cs, err := previewCandidates(ctx, c, `pool_id = ?`, []any{poolID}, byDeadline, micros(bound), func(pc gonghai.PreviewCandidate) bool {
		return gonghai.PreviewDeadline(pc.Facts, rules, loc, now, days) != nil
	})
	if err != nil {
		return nil, fmt.Errorf("recycle preview: %w", err)
	}
	if err := nameCandidates(ctx, c, cs); err != nil {
		return nil, fmt.Errorf("recycle preview: %w", err)
	}
	return gonghai.RecyclePreview(cs, rules, loc, now, days), nil
}

// previewCandidates reads, row by row, the id, owner, pool and rule facts
// of the owned customers that meet condition scope (a pool's: pool_id = ?)
// whose stored deadline (byDeadline) or gain comes before bound, and keeps
// those listed says the preview lists. Nothing else of a customer is read
// here.
func previewCandidates(ctx context.Context, c conn, scope string, scopeArgs []any, byDeadline bool, bound int64, listed func(gonghai.PreviewCandidate) bool) ([]gonghai.PreviewCandidate, error) {
	from, cond := "customers", "recycle_at < ?"
	if !byDeadline {
		cond = "owned_since < ?"
		if c.dialect == SQLite {
			// Without statistics SQLite would read every owned customer of
			// every pool through the index on owners, a row at a time; read
			// in the table's order, the same rows cost several times less.
			from += " NOT INDEXED"
		}
	}
	q := `SELECT id, owner_id, pool_id, category, won, locked, open_opportunities, owned_since,
		last_followup_at, last_stage_at, last_order_at, last_opportunity_at
		FROM ` + from + ` WHERE ` + scope + ` AND owner_id IS NOT NULL AND ` + cond
	args := append(slices.Clone(scopeArgs), bound)
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gonghai.PreviewCandidate
	for rows.Next() {
		var pc gonghai.PreviewCandidate
		f := &pc.Facts
		var owned, followUp, stage, order, opportunity sql.NullInt64
		err := rows.Scan(&pc.ID, &pc.OwnerID, &pc.PoolID, &f.Category, &f.Won, &f.Locked, &f.OpenOpportunities, &owned,
			&followUp, &stage, &order, &opportunity)
		if err != nil {
			return nil, err
		}
		f.OwnedSince = fromMicros(owned.Int64)
		f.LastFollowUp, f.LastStageChange, f.LastOrder, f.LastOpportunity = nullMicros(followUp), nullMicros(stage),
			nullMicros(order), nullMicros(opportunity)
		if listed(pc) {
			out = append(out, pc)
		}
	}
	return out, rows.Err()
}

// nameCandidates fills in the names of the customers a preview lists, and
// of their owners, opening the sealed names, a few hundred at a time.
func nameCandidates(ctx context.Context, c conn, cs []gonghai.PreviewCandidate) error {
	const per = 500
	owners := map[string]string{}
	for lo := 0; lo < len(cs); lo += per {
		batch := cs[lo:min(lo+per, len(cs))]
		args := make([]any, len(batch))
		at := make(map[string]*gonghai.PreviewCandidate, len(batch))
		for i := range batch {
			args[i], at[batch[i].ID] = batch[i].ID, &batch[i]
			owners[batch[i].OwnerID] = ""
		}
		rows, err := collect(ctx, c, `SELECT id, name, company, COALESCE(pii_key, '') FROM customers WHERE id IN (`+placeholders(len(batch))+`)`,
			args, func(s scanner) (customerRow, error) {
				var r customerRow
				return r, s.Scan(&r.ID, &r.Name, &r.Company, &r.piiKey)
			})
		if err != nil {
			return err
		}
		for i := range rows {
			if err := c.openRow(&rows[i]); err != nil {
				return err
			}
			at[rows[i].ID].Name, at[rows[i].ID].Company = rows[i].Name, rows[i].Company
		}
	}
	ids := slices.Sorted(maps.Keys(owners))
	for lo := 0; lo < len(ids); lo += per {
		batch := ids[lo:min(lo+per, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		names, err := collect(ctx, c, `SELECT id, name FROM users WHERE id IN (`+placeholders(len(batch))+`)`, args,
			func(s scanner) ([2]string, error) {
				var v [2]string
				return v, s.Scan(&v[0], &v[1])
			})
		if err != nil {
			return err
		}
		for _, v := range names {
			owners[v[0]] = v[1]
		}
	}
	for i := range cs {
		cs[i].OwnerName = owners[cs[i].OwnerID]
	}
	return nil
}
