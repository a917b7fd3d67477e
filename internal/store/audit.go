package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

type addressKey struct{}

// WithClientAddress returns ctx carrying the client's IP address, which
// the audit entries of actions taken under ctx record.
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addressKey{}, addr)
}

// audit writes entry e in the caller's transaction, so an action and its
// record commit together or not at all. An entry without an address takes
// the client's from ctx.
func audit(ctx context.Context, c conn, e gonghai.AuditEntry) error {
	if e.Address == "" {
		e.Address, _ = ctx.Value(addressKey{}).(string)
	}
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return err
		}
	}
	_, err := c.exec(ctx, `INSERT INTO audit_log (id, at, actor_id, action, target_kind, target_id, address, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		newID(), micros(e.At), nullString(e.ActorID), e.Action, e.TargetKind, e.TargetID, e.Address, string(detail))
	return err
}

// auditBy is the entry of an action actor took on a target now; actor is
// nil for the command line.
func auditBy(actor *gonghai.User, action, kind, id string, now time.Time) gonghai.AuditEntry {
	e := gonghai.AuditEntry{At: now, Action: action, TargetKind: kind, TargetID: id}
	if actor != nil {
		e.ActorID = actor.ID
	}
	return e
}

func scanAudit(s scanner) (gonghai.AuditEntry, error) {
	var e gonghai.AuditEntry
	var actor *string
	var at int64
	var detail string
	err := s.Scan(&e.ID, &at, &actor, &e.Action, &e.TargetKind, &e.TargetID, &e.Address, &detail)
	if err != nil {
		return e, err
	}
	e.At = fromMicros(at)
	if actor != nil {
		e.ActorID = *actor
	}
	if detail != "{}" {
		err = json.Unmarshal([]byte(detail), &e.Detail)
	}
	return e, err
}

// Audit lists the audit log, newest first; admins only.
func (db *DB) Audit(ctx context.Context, viewer gonghai.User, f gonghai.AuditFilter, pg gonghai.Page) ([]gonghai.AuditEntry, string, error) {
	if err := gonghai.AdminOnly(viewer, "reads the audit log"); err != nil {
		return nil, "", err
	}
	q, args := `SELECT id, at, actor_id, action, target_kind, target_id, address, detail FROM audit_log WHERE 1 = 1`, []any{}
	for _, eq := range []struct{ col, v string }{{"action", f.Action}, {"actor_id", f.ActorID}, {"target_id", f.TargetID}} {
		if eq.v != "" {
			q, args = q+` AND `+eq.col+` = ?`, append(args, eq.v)
		}
	}
	if !f.From.IsZero() {
		q, args = q+` AND at >= ?`, append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		q, args = q+` AND at < ?`, append(args, micros(f.To))
	}
	if pg.After != "" {
		q, args = q+` AND id < ?`, append(args, pg.After)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY id DESC LIMIT ?`, append(args, pg.Size()+1), scanAudit)
	if err != nil {
		return nil, "", fmt.Errorf("audit log: %w", err)
	}
	out, next := pageOf(out, pg, func(e gonghai.AuditEntry) string { return e.ID })
	return out, next, nil
}
