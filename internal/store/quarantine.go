package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// The quarantine holds submissions taken for spam, sealed like personal
// fields, for an admin to release into a lead or drop. Dropping empties
// the payload: nothing of it stays.

// hold keeps submission in to ch in the quarantine for reason, and counts
// it on the channel's day.
func (db *DB) hold(ctx context.Context, ch gonghai.Channel, reason string, in gonghai.IntakeInput) error {
	now := db.now()
	err := db.inTx(ctx, func(c conn) error {
		id := newID()
		raw, _ := json.Marshal(in) // plain strings: never fails
		_, err := c.exec(ctx, `INSERT INTO intake_quarantine (id, channel_id, reason, payload, pii_key, at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, ch.ID, reason, c.keys.Seal("intake_quarantine", "payload", id, string(raw)), c.keys.Primary(), micros(now))
		if err != nil {
			return err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		_, err = countChannelDay(ctx, c, ch.ID, now.In(s.Location()).Format(time.DateOnly), "held")
		return err
	})
	if err != nil {
		return fmt.Errorf("hold submission: %w", err)
	}
	return nil
}

const quarantineColumns = `id, channel_id, reason, payload, at, state, decided_by, decided_at, customer_id`

func (c conn) scanQuarantined(s scanner) (gonghai.Quarantined, error) {
	var q gonghai.Quarantined
	var payload string
	var at int64
	var by, customer sql.NullString
	var decided sql.NullInt64
	if err := s.Scan(&q.ID, &q.ChannelID, &q.Reason, &payload, &at, &q.State, &by, &decided, &customer); err != nil {
		return q, err
	}
	q.At, q.DecidedBy, q.DecidedAt, q.CustomerID = fromMicros(at), by.String, nullMicros(decided), customer.String
	if payload != "" {
		plain, err := c.keys.Open("intake_quarantine", "payload", q.ID, payload)
		if err != nil {
			return q, fmt.Errorf("held submission %s: %w", q.ID, err)
		}
		_ = json.Unmarshal([]byte(plain), &q.Input) // written by hold: always parses
	}
	return q, nil
}

// Quarantine lists held submissions in state ("" for any), newest first,
// up to limit (admin).
func (db *DB) Quarantine(ctx context.Context, viewer gonghai.User, state string, limit int) ([]gonghai.Quarantined, error) {
	if err := gonghai.AdminOnly(viewer, "reviews held submissions"); err != nil {
		return nil, err
	}
	c := db.reader()
	q, args := `SELECT `+quarantineColumns+` FROM intake_quarantine`, []any{}
	if state != "" {
		q, args = q+` WHERE state = ?`, append(args, state)
	}
	out, err := collect(ctx, c, q+` ORDER BY at DESC, id DESC LIMIT ?`, append(args, limit), c.scanQuarantined)
	if err != nil {
		return nil, fmt.Errorf("quarantine: %w", err)
	}
	return out, nil
}

// ReleaseQuarantined makes a lead of a held submission, as its channel
// would have (or joins the record it matches), after an admin found it no
// spam. Its lead is handed out as any other.
func (db *DB) ReleaseQuarantined(ctx context.Context, actor gonghai.User, id string) (gonghai.Quarantined, error) {
	var lead string
	var queued bool
	err := db.decide(ctx, actor, id, gonghai.QuarantineReleased, func(c conn, held gonghai.Quarantined, now time.Time) (string, error) {
		if err := held.Input.Validate(); err != nil {
			return "", err
		}
		ch, err := getChannel(ctx, c, held.ChannelID, false)
		if err != nil {
			return "", err
		}
		res, wait, err := db.intakeTx(ctx, c, ch, held.Input, actor.ID, now)
		lead, queued = res.ID, wait
		return res.ID, err
	})
	if err != nil {
		return gonghai.Quarantined{}, fmt.Errorf("release held submission %s: %w", id, err)
	}
	if queued {
		db.routeLead(ctx, lead)
	}
	return db.quarantined(ctx, id)
}

// DropQuarantined deletes a held submission's payload for good (admin).
func (db *DB) DropQuarantined(ctx context.Context, actor gonghai.User, id string) (gonghai.Quarantined, error) {
	err := db.decide(ctx, actor, id, gonghai.QuarantineDropped, func(conn, gonghai.Quarantined, time.Time) (string, error) {
		return "", nil
	})
	if err != nil {
		return gonghai.Quarantined{}, fmt.Errorf("drop held submission %s: %w", id, err)
	}
	return db.quarantined(ctx, id)
}

// decide moves held submission id to state, once: of two admins deciding
// at once, the conditional write lets one through and the other is told
// it was decided. act does the decision's work and names the record made.
func (db *DB) decide(ctx context.Context, actor gonghai.User, id, state string,
	act func(c conn, q gonghai.Quarantined, now time.Time) (string, error)) error {
	if err := gonghai.AdminOnly(actor, "reviews held submissions"); err != nil {
		return err
	}
	return db.inTx(ctx, func(c conn) error {
		now := db.now()
		q, err := c.scanQuarantined(c.queryRow(ctx, `SELECT `+quarantineColumns+` FROM intake_quarantine WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "held submission")
		}
		set := ``
		if state == gonghai.QuarantineDropped {
			set = `, payload = '', pii_key = ''` // nothing of a dropped submission stays
		}
		res, err := c.exec(ctx, `UPDATE intake_quarantine SET state = ?, decided_by = ?, decided_at = ?`+set+`
			WHERE id = ? AND state = 'held'`, state, actor.ID, micros(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return gonghai.Errorf(gonghai.EConflict, "this submission was decided already")
		}
		customerID, err := act(c, q, now)
		if err != nil {
			return err
		}
		if customerID != "" {
			if _, err := c.exec(ctx, `UPDATE intake_quarantine SET customer_id = ? WHERE id = ?`, customerID, id); err != nil {
				return err
			}
		}
		e := auditBy(&actor, gonghai.AuditQuarantine, "quarantine", id, now)
		e.Detail = map[string]string{"state": state, "reason": q.Reason}
		return audit(ctx, c, e)
	})
}

func (db *DB) quarantined(ctx context.Context, id string) (gonghai.Quarantined, error) {
	c := db.reader()
	q, err := c.scanQuarantined(c.queryRow(ctx, `SELECT `+quarantineColumns+` FROM intake_quarantine WHERE id = ?`, id))
	return q, notFound(err, "held submission")
}
