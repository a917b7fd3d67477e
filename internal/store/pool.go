package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// validatePool adds to the pool's own problems (gonghai.Pool.Validate)
// the ids it names that do not exist.
func validatePool(ctx context.Context, c conn, p gonghai.Pool) error {
	err := p.Validate()
	refs := []struct {
		field, table string
		ids          []string
	}{
		{"member_user_ids", "users", p.MemberUserIDs},
		{"member_department_ids", "departments", p.MemberDepartmentIDs},
		{"admin_user_ids", "users", p.AdminUserIDs},
	}
	if p.ReturnPoolID != "" && p.ReturnPoolID != p.ID {
		refs = append(refs, struct {
			field, table string
			ids          []string
		}{"return_pool_id", "pools", []string{p.ReturnPoolID}})
	}
	for _, r := range refs {
		for _, id := range r.ids {
			var one int
			qerr := c.queryRow(ctx, `SELECT 1 FROM `+r.table+` WHERE id = ?`, id).Scan(&one)
			if qerr == sql.ErrNoRows {
				err = withField(err, "invalid pool", r.field, "no such id: "+id)
				break
			} else if qerr != nil {
				return qerr
			}
		}
	}
	return err
}

// CreatePool adds a pool; admins only.
func (db *DB) CreatePool(ctx context.Context, actor gonghai.User, in gonghai.PoolInput) (gonghai.Pool, error) {
	now := db.now()
	// A new pool leaves its customers to be claimed: the column's default,
	// answered as it will be read back.
	p := gonghai.Pool{ID: newID(), ContactMask: gonghai.MaskPartial, Created: now, Updated: now,
		Assignment: gonghai.Assignment{Strategy: gonghai.StrategyClaim}}
	in.Apply(&p)
	p.ClaimOrder = claimOrder(p)
	if err := gonghai.AdminOnly(actor, "creates pools"); err != nil {
		return p, err
	}
	err := db.inTx(ctx, func(c conn) error {
		if err := validatePool(ctx, c, p); err != nil {
			return err
		}
		rules, err := json.Marshal(p.Recycle)
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `INSERT INTO pools (id, name, hidden, daily_claim_limit, reclaim_cooldown_days, release_wait_hours,
			holding_limit, return_pool_id, recycle_rules, contact_mask, created_at, updated_at, claim_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Name, p.Hidden, p.DailyClaimLimit, p.ReclaimCooldownDays, p.ReleaseWaitHours, p.HoldingLimit,
			nullString(p.ReturnPoolID), string(rules), p.ContactMask, micros(now), micros(now), p.ClaimOrder)
		if err = mapErr(err); err != nil {
			return poolNameTaken(err, p.Name)
		}
		if err := writePoolMembers(ctx, c, p); err != nil {
			return err
		}
		return audit(ctx, c, auditPool(actor, p.ID, in, now, "created"))
	})
	if err != nil {
		return p, fmt.Errorf("create pool: %w", err)
	}
	return p, nil
}

func poolNameTaken(err error, name string) error {
	if isUnique(err) {
		return &gonghai.Error{Code: gonghai.EConflict, Message: "another pool has that name",
			Fields: map[string]string{"name": "taken"}}
	}
	return err
}

// auditPool records a pool's creation or change, naming the parts that
// were given: rules, members, admins, visibility.
func auditPool(actor gonghai.User, id string, in gonghai.PoolInput, now time.Time, what string) gonghai.AuditEntry {
	e := auditBy(&actor, gonghai.AuditPoolChange, "pool", id, now)
	var parts []string
	for _, part := range []struct {
		name string
		set  bool
	}{
		{"name", in.Name != nil}, {"hidden", in.Hidden != nil}, {"members", in.MemberUserIDs != nil || in.MemberDepartmentIDs != nil},
		{"admins", in.AdminUserIDs != nil}, {"claim_rules", in.DailyClaimLimit != nil || in.ReclaimCooldownDays != nil ||
			in.ReleaseWaitHours != nil || in.HoldingLimit != nil || in.ReturnPoolID != nil},
		{"recycle_rules", in.Recycle != nil}, {"contact_mask", in.ContactMask != nil},
	} {
		if part.set {
			parts = append(parts, part.name)
		}
	}
	e.Detail = map[string]string{"event": what, "parts": strings.Join(parts, ",")}
	return e
}

// writePoolMembers replaces the pool's member and admin lists.
func writePoolMembers(ctx context.Context, c conn, p gonghai.Pool) error {
	lists := []struct {
		table, column string
		ids           []string
	}{
		{"pool_member_users", "user_id", p.MemberUserIDs},
		{"pool_member_departments", "department_id", p.MemberDepartmentIDs},
		{"pool_admins", "user_id", p.AdminUserIDs},
	}
	for _, l := range lists {
		if _, err := c.exec(ctx, `DELETE FROM `+l.table+` WHERE pool_id = ?`, p.ID); err != nil {
			return err
		}
		for _, id := range l.ids {
			_, err := c.exec(ctx, `INSERT INTO `+l.table+` (pool_id, `+l.column+`) VALUES (?, ?) ON CONFLICT DO NOTHING`, p.ID, id)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdatePool changes a pool: admins change anything, its pool admins only
// its claim and recycle rules. A change of recycle rules reschedules every
// customer owned from the pool in the same transaction.
func (db *DB) UpdatePool(ctx context.Context, actor gonghai.User, id string, in gonghai.PoolInput) (gonghai.Pool, error) {
	return db.UpdatePoolAssignment(ctx, actor, id, in, nil)
}

// UpdatePoolAssignment is UpdatePool that also sets how the pool assigns
// (SetAssignment) when a is not nil, in the same transaction: a refusal of
// either changes nothing.
func (db *DB) UpdatePoolAssignment(ctx context.Context, actor gonghai.User, id string, in gonghai.PoolInput, a *gonghai.Assignment) (gonghai.Pool, error) {
	var p gonghai.Pool
	err := db.inTx(ctx, func(c conn) error {
		if err := lockRules(ctx, c, id); err != nil {
			return err
		}
		var err error
		if p, err = getPool(ctx, c, id); err != nil {
			return err
		}
		m, err := membershipOf(ctx, c, p.ID, actor)
		if err != nil {
			return err
		}
		if err := gonghai.CanChangePool(actor, p, m, in); err != nil {
			return err
		}
		old := p.Recycle
		p.Updated = db.now()
		in.Apply(&p)
		if err := validatePool(ctx, c, p); err != nil {
			return err
		}
		rules, err := json.Marshal(p.Recycle)
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `UPDATE pools SET name = ?, hidden = ?, daily_claim_limit = ?, reclaim_cooldown_days = ?,
			release_wait_hours = ?, holding_limit = ?, return_pool_id = ?, recycle_rules = ?, contact_mask = ?, updated_at = ?, claim_order = ? WHERE id = ?`,
			p.Name, p.Hidden, p.DailyClaimLimit, p.ReclaimCooldownDays, p.ReleaseWaitHours, p.HoldingLimit,
			nullString(p.ReturnPoolID), string(rules), p.ContactMask, micros(p.Updated), claimOrder(p), p.ID)
		if err = mapErr(err); err != nil {
			return poolNameTaken(err, p.Name)
		}
		if err := writePoolMembers(ctx, c, p); err != nil {
			return err
		}
		if err := audit(ctx, c, auditPool(actor, p.ID, in, p.Updated, "changed")); err != nil {
			return err
		}
		if a != nil {
			if p, err = db.setAssignment(ctx, c, actor, id, *a); err != nil {
				return err
			}
		}
		if in.Recycle == nil {
			return nil
		}
		return rescheduleRules(ctx, c, p, old)
	})
	if err != nil {
		return p, fmt.Errorf("update pool %s: %w", id, err)
	}
	return p, nil
}

const poolColumns = `id, name, hidden, daily_claim_limit, reclaim_cooldown_days, release_wait_hours, holding_limit, return_pool_id,
	recycle_rules, contact_mask, archive, created_at, updated_at, assignment, claim_order`

func scanPool(s scanner) (gonghai.Pool, error) {
	var p gonghai.Pool
	var ret sql.NullString
	var rules, assignment string
	var created, updated int64
	err := s.Scan(&p.ID, &p.Name, &p.Hidden, &p.DailyClaimLimit, &p.ReclaimCooldownDays, &p.ReleaseWaitHours,
		&p.HoldingLimit, &ret, &rules, &p.ContactMask, &p.Archive, &created, &updated, &assignment, &p.ClaimOrder)
	p.ReturnPoolID, p.Created, p.Updated = ret.String, fromMicros(created), fromMicros(updated)
	if err == nil {
		err = json.Unmarshal([]byte(rules), &p.Recycle)
	}
	if err == nil && assignment != "" {
		err = json.Unmarshal([]byte(assignment), &p.Assignment)
	}
	return p, err
}

// claimOrder is p's claim order as stored: "" is any.
func claimOrder(p gonghai.Pool) string {
	if p.ClaimOrder == "" {
		return gonghai.ClaimAny
	}
	return p.ClaimOrder
}

// getPoolRules reads a pool with its admins: all that deciding who may
// take its customers needs. Membership is asked of the database
// (isMember), so the member lists stay unread on the claim path.
func getPoolRules(ctx context.Context, c conn, id string) (gonghai.Pool, error) {
	p, err := scanPool(c.queryRow(ctx, `SELECT `+poolColumns+` FROM pools WHERE id = ?`, id))
	if err != nil {
		return p, notFound(err, "pool")
	}
	p.AdminUserIDs, err = queryStrings(ctx, c, `SELECT user_id FROM pool_admins WHERE pool_id = ? ORDER BY user_id`, id)
	return p, err
}

// lockPoolRules is getPoolRules for a transaction that schedules deadlines
// under the pool's rules and the organisation's time zone. On PostgreSQL it
// holds, until commit, a shared lock on the pool's rules and one on the
// organisation's zone; a rule edit takes the pool's, and a time-zone change
// the organisation's, alone (lockRules). So the edit either waits for the
// transaction or the transaction waits for the edit and then reads what it
// wrote: no deadline is left computed from rules or a zone that an edit
// replaced. The locks are advisory, not row locks: every claim of a pool
// shares them, and row locks shared by hundreds of transactions (FOR KEY
// SHARE) are multixacts written into the pool's and the organisation's
// rows, which a claim storm queued on. SQLite's writer is alone already.
func lockPoolRules(ctx context.Context, c conn, id string) (gonghai.Pool, error) {
	if err := shareRules(ctx, c, id); err != nil {
		return gonghai.Pool{}, err
	}
	return getPoolRules(ctx, c, id)
}

// shareRules takes the shared locks of lockPoolRules without reading the
// pool, for a transaction that reads it later.
func shareRules(ctx context.Context, c conn, id string) error {
	if c.dialect != Postgres {
		return nil
	}
	_, err := c.exec(ctx, `SELECT pg_advisory_xact_lock_shared(?), pg_advisory_xact_lock_shared(?)`, rulesKey(id), rulesKey(""))
	if err != nil {
		return fmt.Errorf("rules lock: %w", err)
	}
	return nil
}

// lockRules takes the lock that lockPoolRules shares, alone, on PostgreSQL:
// before an edit of pool id's rules, or, with id "", of the organisation's
// time zone, that reschedules the customers under them. A pool's edit
// reschedules in the organisation's zone, so it shares the zone's lock
// too: a zone change, which reschedules under every pool's rules, waits
// for it, or it for the zone change.
func lockRules(ctx context.Context, c conn, id string) error {
	if c.dialect != Postgres {
		return nil
	}
	q, args := `SELECT pg_advisory_xact_lock(?)`, []any{rulesKey(id)}
	if id != "" {
		q, args = `SELECT pg_advisory_xact_lock_shared(?), pg_advisory_xact_lock(?)`, []any{rulesKey(""), rulesKey(id)}
	}
	if _, err := c.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("rules lock: %w", err)
	}
	return nil
}

// rulesKey names the advisory lock on pool id's rules; "" names the
// organisation's time zone.
func rulesKey(id string) int64 { return advisoryKey("rules " + id) }

// getPool reads a whole pool: its rules, admins and members.
func getPool(ctx context.Context, c conn, id string) (gonghai.Pool, error) {
	p, err := getPoolRules(ctx, c, id)
	if err != nil {
		return p, err
	}
	if p.MemberUserIDs, err = queryStrings(ctx, c, `SELECT user_id FROM pool_member_users WHERE pool_id = ? ORDER BY user_id`, id); err != nil {
		return p, err
	}
	p.MemberDepartmentIDs, err = queryStrings(ctx, c, `SELECT department_id FROM pool_member_departments WHERE pool_id = ? ORDER BY department_id`, id)
	return p, err
}

func queryStrings(ctx context.Context, c conn, query string, args ...any) ([]string, error) {
	return collect(ctx, c, query, args, func(s scanner) (string, error) {
		var v string
		return v, s.Scan(&v)
	})
}

// Pool returns pool id if viewer may see it.
func (db *DB) Pool(ctx context.Context, viewer gonghai.User, id string) (gonghai.Pool, error) {
	return db.poolFor(ctx, viewer, id, getPool)
}

// Pools lists the pools viewer may see, by name.
func (db *DB) Pools(ctx context.Context, viewer gonghai.User) ([]gonghai.Pool, error) {
	c := db.reader()
	ids, err := queryStrings(ctx, c, `SELECT id FROM pools WHERE NOT archive ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("pools: %w", err)
	}
	out := []gonghai.Pool{}
	for _, id := range ids {
		p, err := getPool(ctx, c, id)
		if err != nil {
			return nil, fmt.Errorf("pools: %w", err)
		}
		if seesPool(ctx, c, viewer, p) {
			out = append(out, p)
		}
	}
	return out, nil
}
