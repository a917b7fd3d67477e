package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/gonghai/gonghai"
)

// Archive lists the customers waiting in the archive, newest first: every
// one to admins, those that came from their pools to pool admins;
// forbidden to anyone else.
func (db *DB) Archive(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Archived, string, error) {
	c := db.reader()
	key, err := gonghai.ParsePageKey(gonghai.SortUrgent, pg.After)
	if err != nil {
		return nil, "", err
	}
	q, args := `SELECT customer_id, from_pool_id, reason, note, actor_id, at, purge_at FROM archived_customers WHERE purged_at IS NULL`, []any{}
	if viewer.Role != gonghai.RoleAdmin {
		pools, err := queryStrings(ctx, c, `SELECT pool_id FROM pool_admins WHERE user_id = ? ORDER BY pool_id`, viewer.ID)
		if err != nil {
			return nil, "", err
		}
		if len(pools) == 0 {
			return nil, "", gonghai.Errorf(gonghai.EForbidden, "admins and pool admins see the archive")
		}
		q += ` AND from_pool_id IN (` + placeholders(len(pools)) + `)`
		for _, p := range pools {
			args = append(args, p)
		}
	}
	if key.After {
		q, args = q+` AND (at, customer_id) < (?, ?)`, append(args, key.Due, key.ID)
	}
	rows, err := collect(ctx, c, q+` ORDER BY at DESC, customer_id DESC LIMIT ?`, append(args, pg.Size()+1), func(s scanner) (gonghai.Archived, error) {
		var a gonghai.Archived
		var actor sql.NullString
		var at, purge int64
		err := s.Scan(&a.Customer.ID, &a.FromPoolID, &a.Reason, &a.Note, &actor, &at, &purge)
		a.ActorID, a.At, a.PurgeAt = actor.String, fromMicros(at), fromMicros(purge)
		return a, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("archive: %w", err)
	}
	rows, next := pageOf(rows, pg, func(a gonghai.Archived) string {
		return strconv.FormatInt(micros(a.At), 10) + ":" + a.Customer.ID
	})
	for i := range rows {
		r, err := getCustomer(ctx, c, rows[i].Customer.ID)
		if err != nil {
			return nil, "", fmt.Errorf("archive: %w", err)
		}
		rows[i].Customer = db.view(r, viewer)
	}
	return rows, next, nil
}

// Archived returns customer id's entry in the archive, if it waits there
// and viewer may restore it (admins, its pool's admins); not_found
// otherwise.
func (db *DB) Archived(ctx context.Context, viewer gonghai.User, id string) (gonghai.Archived, error) {
	c := db.reader()
	var a gonghai.Archived
	var actor sql.NullString
	var at, purge int64
	err := c.queryRow(ctx, `SELECT from_pool_id, reason, note, actor_id, at, purge_at FROM archived_customers
		WHERE customer_id = ? AND purged_at IS NULL`, id).Scan(&a.FromPoolID, &a.Reason, &a.Note, &actor, &at, &purge)
	if err != nil {
		return a, notFound(err, "archived customer")
	}
	a.ActorID, a.At, a.PurgeAt = actor.String, fromMicros(at), fromMicros(purge)
	p, err := getPoolRules(ctx, c, a.FromPoolID)
	if err != nil {
		return a, err
	}
	if err := gonghai.CanRestore(viewer, p); err != nil {
		return a, err
	}
	r, err := getCustomer(ctx, c, id)
	a.Customer = db.view(r, viewer)
	return a, err
}

// PoolHygiene returns the hygiene rules of pool id to those who see the
// pool.
func (db *DB) PoolHygiene(ctx context.Context, viewer gonghai.User, id string) (gonghai.HygieneRules, error) {
	if _, err := db.Pool(ctx, viewer, id); err != nil {
		return gonghai.HygieneRules{}, err
	}
	return getHygiene(ctx, db.reader(), id)
}

// SetPoolHygiene sets the hygiene rules of pool h.PoolID (admins, the
// pool's admins), audited; the sweep applies them from its next run.
func (db *DB) SetPoolHygiene(ctx context.Context, actor gonghai.User, h gonghai.HygieneRules) (gonghai.HygieneRules, error) {
	err := db.inTx(ctx, func(c conn) error {
		if _, err := hygienePool(ctx, c, actor, h.PoolID); err != nil {
			return err
		}
		if err := h.Validate(); err != nil {
			return err
		}
		now := db.now()
		_, err := c.exec(ctx, `INSERT INTO pool_hygiene (pool_id, unclaimed_days, flagged_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (pool_id) DO UPDATE SET unclaimed_days = excluded.unclaimed_days, flagged_by = excluded.flagged_by,
			updated_at = excluded.updated_at`, h.PoolID, h.UnclaimedDays, h.FlaggedBy, micros(now))
		if err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditHygieneChange, "pool", h.PoolID, now)
		e.Detail = map[string]string{"unclaimed_days": strconv.Itoa(h.UnclaimedDays), "flagged_by": strconv.Itoa(h.FlaggedBy)}
		return audit(ctx, c, e)
	})
	if err != nil {
		return h, fmt.Errorf("set hygiene rules of pool %s: %w", h.PoolID, err)
	}
	return h, nil
}

// hygienePool reads pool id for actor to edit its hygiene rules: those
// who do not see it (and everyone, the archive) get not_found, those who
// see it but may not edit them forbidden.
func hygienePool(ctx context.Context, c conn, actor gonghai.User, id string) (gonghai.Pool, error) {
	p, err := getPoolRules(ctx, c, id)
	if err == nil && (p.Archive || !seesPool(ctx, c, actor, p)) {
		err = gonghai.Errorf(gonghai.ENotFound, "no such pool")
	}
	if err != nil {
		return p, err
	}
	return p, gonghai.CanEditHygiene(actor, p)
}

// previewCap is the most customers a preview counts per rule: counting
// goes through the rules' indexes, and beyond this the count says "more".
const previewCap = 10_000

// HygienePreview counts the customers rules h would mark invalid if the
// sweep ran now, per rule, up to previewCap each, for those who may edit
// the pool's rules. It changes nothing.
func (db *DB) HygienePreview(ctx context.Context, viewer gonghai.User, h gonghai.HygieneRules) (gonghai.HygieneCount, error) {
	var out gonghai.HygieneCount
	c := db.reader()
	_, err := hygienePool(ctx, c, viewer, h.PoolID)
	if err != nil {
		return out, err
	}
	if err := h.Validate(); err != nil {
		return out, err
	}
	count := func(where string, args ...any) (int, error) {
		var n int
		err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM customers WHERE pool_id = ? AND owner_id IS NULL AND `+where+` LIMIT ?) t`,
			append(append([]any{h.PoolID}, args...), previewCap+1)...).Scan(&n)
		return n, err
	}
	if h.UnclaimedDays > 0 {
		if out.Stale, err = count(staleKey+` <= ?`, micros(gonghai.StaleCutoff(db.now(), h.UnclaimedDays, db.location()))); err != nil {
			return out, err
		}
	}
	if h.FlaggedBy > 0 {
		if out.Flagged, err = count(`flag_count > 0 AND flag_count >= ?`, h.FlaggedBy); err != nil {
			return out, err
		}
	}
	out.More = out.Stale > previewCap || out.Flagged > previewCap
	out.Stale, out.Flagged = min(out.Stale, previewCap), min(out.Flagged, previewCap)
	return out, nil
}
