package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gonghai/gonghai"
)

// The hygiene sweep works like the recycle sweep (sweep.go): it lists due
// rows through an index, a page at a time, and each batch is one
// transaction of conditional writes that re-check every row, so a claim or
// a restore that committed first wins and any number of nodes may sweep.

// staleKey is when an unowned customer came into its pool, as the index
// customers_pool_stale holds it: pooled_at, or its creation for one that
// has been in its pool since it was made.
const staleKey = `COALESCE(pooled_at, created_at)`

// HygieneRulesOn lists the pools whose hygiene rules are on, for the
// sweep.
func (db *DB) HygieneRulesOn(ctx context.Context) ([]gonghai.HygieneRules, error) {
	return collect(ctx, db.reader(), `SELECT h.pool_id, h.unclaimed_days, h.flagged_by FROM pool_hygiene h JOIN pools p ON p.id = h.pool_id
		WHERE NOT p.archive AND (h.unclaimed_days > 0 OR h.flagged_by > 0) ORDER BY h.pool_id`, nil, scanHygiene)
}

func scanHygiene(s scanner) (gonghai.HygieneRules, error) {
	var h gonghai.HygieneRules
	return h, s.Scan(&h.PoolID, &h.UnclaimedDays, &h.FlaggedBy)
}

// getHygiene reads pool id's hygiene rules; a pool without a row has none.
func getHygiene(ctx context.Context, c conn, id string) (gonghai.HygieneRules, error) {
	h, err := scanHygiene(c.queryRow(ctx, `SELECT pool_id, unclaimed_days, flagged_by FROM pool_hygiene WHERE pool_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return gonghai.HygieneRules{PoolID: id}, nil
	}
	return h, err
}

// DueStale lists up to limit customers of rule's pool unclaimed there for
// its days, oldest arrival first, after the one given; through the index
// customers_pool_stale, reading due rows only. Each is a Due of rule
// ReasonStale at its arrival.
func (db *DB) DueStale(ctx context.Context, rule gonghai.HygieneRules, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	if rule.UnclaimedDays <= 0 {
		return nil, nil
	}
	cutoff := gonghai.StaleCutoff(db.now(), rule.UnclaimedDays, db.location())
	q := `SELECT id, pool_id, ` + staleKey + ` FROM customers WHERE pool_id = ? AND owner_id IS NULL AND ` + staleKey + ` <= ?`
	args := []any{rule.PoolID, micros(cutoff)}
	if after != nil {
		q += ` AND (` + staleKey + `, id) > (?, ?)`
		args = append(args, micros(after.At), after.CustomerID)
	}
	return db.dueRule(ctx, q+` ORDER BY `+staleKey+`, id LIMIT ?`, append(args, limit), gonghai.ReasonStale)
}

// DueFlagged lists up to limit customers of rule's pool flagged by at least
// its number of people, in id order after the one given, through the index
// customers_flagged, which holds flagged customers only.
func (db *DB) DueFlagged(ctx context.Context, rule gonghai.HygieneRules, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	if rule.FlaggedBy <= 0 {
		return nil, nil
	}
	q := `SELECT id, pool_id, 0 FROM customers WHERE pool_id = ? AND owner_id IS NULL AND flag_count > 0 AND flag_count >= ?`
	args := []any{rule.PoolID, rule.FlaggedBy}
	if after != nil {
		q, args = q+` AND id > ?`, append(args, after.CustomerID)
	}
	return db.dueRule(ctx, q+` ORDER BY id LIMIT ?`, append(args, limit), gonghai.ReasonFlagged)
}

func (db *DB) dueRule(ctx context.Context, q string, args []any, reason gonghai.InvalidReason) ([]gonghai.Due, error) {
	out, err := collect(ctx, db.reader(), q, args, func(s scanner) (gonghai.Due, error) {
		d := gonghai.Due{Rule: gonghai.RuleKind(reason)}
		var at int64
		err := s.Scan(&d.CustomerID, &d.PoolID, &at)
		d.At = fromMicros(at)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("due by hygiene rule: %w", err)
	}
	return out, nil
}

// ArchiveBatch marks invalid each customer of due still unowned in its
// listed pool and still due under the pool's rule as it is now (a rule
// turned off or changed meanwhile is obeyed), up to sweepBatch customers
// per transaction: one conditional write per pool and rule, one
// invalidated event, archive row and audit entry per customer. It returns
// how many it archived.
func (db *DB) ArchiveBatch(ctx context.Context, due []gonghai.Due) (int, error) {
	return db.inBatches(ctx, "archive by hygiene rule", due, func(c conn, batch []gonghai.Due) (int, error) {
		batch, err := holdDue(ctx, c, batch)
		if err != nil || len(batch) == 0 {
			return 0, err
		}
		now, loc := db.now(), db.location()
		type group struct{ pool, rule string }
		byGroup := map[group][][]any{}
		var groups []group
		for _, d := range batch {
			g := group{d.PoolID, string(d.Rule)}
			if byGroup[g] == nil {
				groups = append(groups, g)
			}
			byGroup[g] = append(byGroup[g], []any{d.CustomerID, d.PoolID})
		}
		arch, err := archivePool(ctx, c, now)
		if err != nil {
			return 0, err
		}
		days, err := archiveDays(ctx, c)
		if err != nil {
			return 0, err
		}
		var events []gonghai.Event
		archived := map[string]gonghai.Archived{}
		for _, g := range groups {
			h, err := getHygiene(ctx, c, g.pool)
			if err != nil {
				return 0, err
			}
			var where string
			var whereArgs []any
			switch gonghai.InvalidReason(g.rule) {
			case gonghai.ReasonStale:
				if h.UnclaimedDays <= 0 {
					continue
				}
				where, whereArgs = `owner_id IS NULL AND `+staleKey+` <= ?`, []any{micros(gonghai.StaleCutoff(now, h.UnclaimedDays, loc))}
			case gonghai.ReasonFlagged:
				if h.FlaggedBy <= 0 {
					continue
				}
				where, whereArgs = `owner_id IS NULL AND flag_count >= ?`, []any{h.FlaggedBy}
			default:
				return 0, fmt.Errorf("no hygiene rule %q", g.rule)
			}
			type moved struct {
				id  string
				seq int
			}
			// The same write as a move's (move.apply) to the archive.
			done, err := updateEach(ctx, c, `pool_id = ?, claimable_at = NULL, updated_at = ?, event_seq = event_seq + 1`,
				[]any{arch.ID, micros(now)}, "pool_id TEXT", byGroup[g], where, whereArgs, `id, event_seq`,
				func(s scanner) (moved, error) {
					var m moved
					return m, s.Scan(&m.id, &m.seq)
				})
			if err != nil {
				return 0, err
			}
			for _, m := range done {
				events = append(events, gonghai.Event{CustomerID: m.id, Seq: m.seq, Kind: gonghai.EventInvalidated,
					FromPoolID: g.pool, ToPoolID: arch.ID, Reason: g.rule, At: now})
				archived[m.id] = gonghai.Archived{FromPoolID: g.pool, Reason: gonghai.InvalidReason(g.rule), At: now,
					PurgeAt: gonghai.PurgeAt(now, days, loc)}
			}
		}
		if len(events) == 0 {
			return 0, nil
		}
		if err := insertEvents(ctx, c, events); err != nil {
			return 0, err
		}
		if err := insertArchived(ctx, c, archived); err != nil {
			return 0, err
		}
		for _, e := range events {
			a := auditBy(nil, gonghai.AuditInvalidMark, "customer", e.CustomerID, now)
			a.Detail = map[string]string{"reason": e.Reason, "pool_id": e.FromPoolID, "by": "rule"}
			if err := audit(ctx, c, a); err != nil {
				return 0, err
			}
		}
		return len(events), nil
	})
}

// DuePurges lists up to limit archived customers whose wait has ended, in
// purge order after the one given, through the index archived_purge_due.
func (db *DB) DuePurges(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	q := `SELECT customer_id, purge_at FROM archived_customers WHERE purged_at IS NULL AND purge_at <= ?`
	args := []any{micros(db.now())}
	if after != nil {
		q += ` AND (purge_at, customer_id) > (?, ?)`
		args = append(args, micros(after.At), after.CustomerID)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY purge_at, customer_id LIMIT ?`, append(args, limit), func(s scanner) (gonghai.Due, error) {
		var d gonghai.Due
		var at int64
		err := s.Scan(&d.CustomerID, &at)
		d.At = fromMicros(at)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("due purges: %w", err)
	}
	return out, nil
}

// PurgeBatch purges each archived customer of due whose wait has ended and
// that is still archived: the archive's row is marked purged by one
// conditional write, which decides between sweepers on several nodes and
// a restore, and then its personal data is erased as an admin's erasure
// does, its flags and the archive's note deleted, and its company freed
// for a new customer (the normal form stays unique among the others).
// Each purge is audited. It returns how many it purged.
func (db *DB) PurgeBatch(ctx context.Context, due []gonghai.Due) (int, error) {
	return db.inBatches(ctx, "purge archived customers", due, func(c conn, batch []gonghai.Due) (int, error) {
		now := db.now()
		args := []any{micros(now)}
		for _, d := range batch {
			args = append(args, d.CustomerID)
		}
		args = append(args, micros(now))
		ids, err := queryStrings(ctx, c, `UPDATE archived_customers SET purged_at = ?, note = ''
			WHERE customer_id IN (`+placeholders(len(batch))+`) AND purged_at IS NULL AND purge_at <= ? RETURNING customer_id`, args...)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		for _, id := range ids {
			if err := erase(ctx, c, id, now); err != nil {
				return 0, err
			}
			if _, err := c.exec(ctx, `DELETE FROM customer_flags WHERE customer_id = ?`, id); err != nil {
				return 0, err
			}
			if _, err := c.exec(ctx, `UPDATE customers SET company_key = NULL, flag_count = 0 WHERE id = ?`, id); err != nil {
				return 0, err
			}
			e := auditBy(nil, gonghai.AuditPurge, "customer", id, now)
			e.Detail = erasedDetail
			if err := audit(ctx, c, e); err != nil {
				return 0, err
			}
		}
		return len(ids), nil
	})
}
