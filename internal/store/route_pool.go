package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gonghai/gonghai"
)

// SetAssignment sets how pool poolID hands out its new customers: admins
// and the pool's admins may. The assignment is validated against the
// organisation (weights and candidates only for members, rule targets that
// exist); a refused one changes nothing.
func (db *DB) SetAssignment(ctx context.Context, actor gonghai.User, poolID string, a gonghai.Assignment) (gonghai.Pool, error) {
	var p gonghai.Pool
	err := db.inTx(ctx, func(c conn) error {
		var err error
		p, err = db.setAssignment(ctx, c, actor, poolID, a)
		return err
	})
	if err != nil {
		return p, fmt.Errorf("set the assignment of pool %s: %w", poolID, err)
	}
	return p, nil
}

// setAssignment is SetAssignment in the caller's transaction.
func (db *DB) setAssignment(ctx context.Context, c conn, actor gonghai.User, poolID string, a gonghai.Assignment) (gonghai.Pool, error) {
	if err := lockRules(ctx, c, poolID); err != nil {
		return gonghai.Pool{}, err
	}
	p, err := getPool(ctx, c, poolID)
	if err != nil {
		return p, err
	}
	m, err := membershipOf(ctx, c, p.ID, actor)
	if err != nil {
		return p, err
	}
	switch {
	case !gonghai.SeesPool(actor, p, m):
		return p, gonghai.Errorf(gonghai.ENotFound, "no such pool")
	case actor.Role != gonghai.RoleAdmin && !p.IsAdmin(actor.ID):
		return p, gonghai.Errorf(gonghai.EForbidden, "only an admin or the pool's admins set how it assigns")
	}
	facts, err := assignmentFacts(ctx, c, p.ID, a)
	if err != nil {
		return p, err
	}
	if err := a.Validate(facts); err != nil {
		return p, err
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return p, err
	}
	p.Assignment, p.Updated = a, db.now()
	if _, err := c.exec(ctx, `UPDATE pools SET assignment = ?, updated_at = ? WHERE id = ?`, string(raw), micros(p.Updated), p.ID); err != nil {
		return p, err
	}
	e := auditBy(&actor, gonghai.AuditPoolChange, "pool", p.ID, p.Updated)
	e.Detail = map[string]string{"event": "changed", "parts": "assignment", "strategy": string(a.Strategy)}
	return p, audit(ctx, c, e)
}

// assignmentFacts reads what validating a for pool poolID needs: the
// pool's members, and which of the users, departments and channels it
// names exist.
func assignmentFacts(ctx context.Context, c conn, poolID string, a gonghai.Assignment) (gonghai.AssignmentFacts, error) {
	f := gonghai.AssignmentFacts{Members: map[string]bool{}, Users: map[string]bool{}, Departments: map[string]bool{}, Channels: map[string]bool{}}
	users, depts := named(a)
	members, _, err := poolMembers(ctx, c, poolID, nil)
	if err != nil {
		return f, err
	}
	for _, u := range members {
		f.Members[u.ID] = true
	}
	exist := func(table string, ids []string, into map[string]bool) error {
		if len(ids) == 0 {
			return nil
		}
		found, err := queryStrings(ctx, c, `SELECT id FROM `+table+` WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
		for _, id := range found {
			into[id] = true
		}
		return err
	}
	var channels []string
	for _, r := range a.Rules {
		channels = append(channels, r.Channels...)
	}
	if err := exist("users", users, f.Users); err != nil {
		return f, err
	}
	if err := exist("departments", depts, f.Departments); err != nil {
		return f, err
	}
	return f, exist("channels", channels, f.Channels)
}
