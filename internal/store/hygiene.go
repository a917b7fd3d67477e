package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gonghai/gonghai"
)

// MarkInvalid marks pool customer id invalid for actor (admins, the pool's
// admins): it moves to the archive pool with one invalidated event,
// remembering the pool it came from, and waits there the organisation's
// archive days before it is purged. One transaction; the move's
// conditional write decides against a claim racing it, so exactly one of
// the two wins.
func (db *DB) MarkInvalid(ctx context.Context, actor gonghai.User, id string, m gonghai.InvalidMark) (gonghai.Archived, error) {
	var out gonghai.Archived
	if err := m.Validate(); err != nil {
		return out, err
	}
	err := db.inTx(ctx, func(c conn) error {
		_, p, err := customerFor(ctx, c, actor, id, getPoolRules, gonghai.CanMarkInvalid)
		if err != nil {
			return err
		}
		if err := lockAt(ctx, c, id, p.ID, ""); err != nil {
			return notInPool(ctx, c, id, err)
		}
		now := db.now()
		arch, err := archivePool(ctx, c, now)
		if err != nil {
			return err
		}
		days, err := archiveDays(ctx, c)
		if err != nil {
			return err
		}
		moved, err := (move{kind: gonghai.EventInvalidated, customerID: id, fromPool: p.ID, toPool: arch.ID,
			actorID: actor.ID, reason: string(m.Reason), mask: arch.ContactMask}).apply(ctx, c, now)
		if err != nil {
			return notInPool(ctx, c, id, err)
		}
		out = gonghai.Archived{FromPoolID: p.ID, Reason: m.Reason, Note: m.Note, ActorID: actor.ID, At: now,
			PurgeAt: gonghai.PurgeAt(now, days, db.location())}
		if err := insertArchived(ctx, c, map[string]gonghai.Archived{id: out}); err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditInvalidMark, "customer", id, now)
		e.Detail = map[string]string{"reason": string(m.Reason), "pool_id": p.ID}
		if err := audit(ctx, c, e); err != nil {
			return err
		}
		out.Customer = db.view(moved, actor)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("mark customer %s invalid: %w", id, err)
	}
	return out, nil
}

// notInPool explains a mark or a flag that found the customer gone from
// its pool: owned (claimed first), archived, or changed.
func notInPool(ctx context.Context, c conn, id string, err error) error {
	if !errors.Is(err, errMoved) {
		return err
	}
	r, err := getCustomer(ctx, c, id)
	if err != nil {
		return err
	}
	if r.OwnerID != "" {
		return gonghai.Errorf(gonghai.ECustomerOwned, "the customer was claimed meanwhile: only a pool customer may be marked invalid")
	}
	return gonghai.Errorf(gonghai.EConflict, "the customer changed; reload and try again")
}

// insertArchived writes the archive's rows, one per customer id.
func insertArchived(ctx context.Context, c conn, rows map[string]gonghai.Archived) error {
	for id, a := range rows {
		_, err := c.exec(ctx, `INSERT INTO archived_customers (customer_id, from_pool_id, reason, note, actor_id, at, purge_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, a.FromPoolID, string(a.Reason), a.Note, nullString(a.ActorID), micros(a.At), micros(a.PurgeAt))
		if err != nil {
			return fmt.Errorf("archive: %w", mapErr(err))
		}
	}
	return nil
}

// FlagInvalid records actor's flag of pool customer id as invalid: once
// per person and customer (already_flagged), counted on the customer for
// the pool's rule "flagged by K people", audited, in one transaction.
func (db *DB) FlagInvalid(ctx context.Context, actor gonghai.User, id string, m gonghai.InvalidMark) (gonghai.Flag, error) {
	f := gonghai.Flag{CustomerID: id, UserID: actor.ID, Reason: m.Reason, Note: m.Note}
	if err := m.Validate(); err != nil {
		return f, err
	}
	err := db.inTx(ctx, func(c conn) error {
		_, p, err := customerFor(ctx, c, actor, id, getPoolRules, gonghai.CanFlag)
		if err != nil {
			return err
		}
		f.At = db.now()
		_, err = c.exec(ctx, `INSERT INTO customer_flags (customer_id, user_id, reason, note, at) VALUES (?, ?, ?, ?, ?)`,
			id, actor.ID, string(m.Reason), m.Note, micros(f.At))
		if isUnique(mapErr(err)) {
			return gonghai.Errorf(gonghai.EAlreadyFlagged, "you have flagged this customer already")
		}
		if err != nil {
			return err
		}
		res, err := c.exec(ctx, `UPDATE customers SET flag_count = flag_count + 1 WHERE id = ? AND pool_id = ? AND owner_id IS NULL`, id, p.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return notInPool(ctx, c, id, cmpErr(err, errMoved))
		}
		e := auditBy(&actor, gonghai.AuditInvalidFlag, "customer", id, f.At)
		e.Detail = map[string]string{"reason": string(m.Reason), "pool_id": p.ID}
		return audit(ctx, c, e)
	})
	if err != nil {
		return f, fmt.Errorf("flag customer %s: %w", id, err)
	}
	return f, nil
}

// cmpErr returns err, or instead when err is nil.
func cmpErr(err, instead error) error {
	if err != nil {
		return err
	}
	return instead
}

// Flags lists who flagged customer id invalid and why, oldest first, to
// those who may see flags: admins and the admins of its pool.
func (db *DB) Flags(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Flag, error) {
	c := db.reader()
	if _, _, err := customerFor(ctx, c, viewer, id, getPoolRules, func(u gonghai.User, f gonghai.CustomerFacts) error {
		if err := gonghai.CanSee(u, f); err != nil {
			return err
		}
		if !gonghai.MaySeeFlags(u, f.Pool) {
			return gonghai.Errorf(gonghai.EForbidden, "an admin or the pool's admin sees the flags")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return collect(ctx, c, `SELECT customer_id, user_id, reason, note, at FROM customer_flags WHERE customer_id = ? ORDER BY at, user_id`,
		[]any{id}, func(s scanner) (gonghai.Flag, error) {
			var f gonghai.Flag
			var at int64
			err := s.Scan(&f.CustomerID, &f.UserID, &f.Reason, &f.Note, &at)
			f.At = fromMicros(at)
			return f, err
		})
}

// FlagStates returns, for the customers cs of one page, how many people
// flagged each (counted only for those viewer may see flags of, in pool
// p) and whether viewer did: a page asks once for all its rows.
func (db *DB) FlagStates(ctx context.Context, viewer gonghai.User, p gonghai.Pool, cs []gonghai.Customer) (map[string]gonghai.FlagState, error) {
	out := make(map[string]gonghai.FlagState, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	args := []any{viewer.ID}
	for _, cu := range cs {
		args = append(args, cu.ID)
	}
	type row struct {
		id   string
		n    int
		mine bool
	}
	rows, err := collect(ctx, db.reader(), `SELECT c.id, c.flag_count, EXISTS (SELECT 1 FROM customer_flags f WHERE f.customer_id = c.id AND f.user_id = ?)
		FROM customers c WHERE c.id IN (`+placeholders(len(cs))+`)`, args, func(s scanner) (row, error) {
		var r row
		return r, s.Scan(&r.id, &r.n, &r.mine)
	})
	if err != nil {
		return nil, fmt.Errorf("flag states: %w", err)
	}
	counts := gonghai.MaySeeFlags(viewer, p)
	for _, r := range rows {
		st := gonghai.FlagState{Mine: r.mine}
		if counts {
			st.Count = r.n
		}
		out[r.id] = st
	}
	return out, nil
}

// Restore takes archived customer id back to the pool it came from, with
// one restored event, for actor (admins, that pool's admins). Its flags go:
// whoever restores it judged them wrong, and they would archive it again.
// The archive's row is deleted first, as the purge takes it first, so a
// restore and a purge never wait for each other in opposite orders; the
// one that takes it decides.
func (db *DB) Restore(ctx context.Context, actor gonghai.User, id string) (gonghai.Customer, error) {
	var out gonghai.Customer
	err := db.inTx(ctx, func(c conn) error {
		var from string
		err := c.queryRow(ctx, `DELETE FROM archived_customers WHERE customer_id = ? AND purged_at IS NULL RETURNING from_pool_id`, id).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return gonghai.Errorf(gonghai.ENotFound, "no such customer in the archive")
		}
		if err != nil {
			return err
		}
		p, err := getPoolRules(ctx, c, from)
		if err != nil {
			return err
		}
		if err := gonghai.CanRestore(actor, p); err != nil {
			return err
		}
		now := db.now()
		arch, err := archivePool(ctx, c, now)
		if err != nil {
			return err
		}
		r, err := (move{kind: gonghai.EventRestored, customerID: id, fromPool: arch.ID, toPool: p.ID, actorID: actor.ID,
			mask: p.ContactMask}).apply(ctx, c, now)
		if errors.Is(err, errMoved) {
			return gonghai.Errorf(gonghai.EConflict, "the customer changed; reload and try again")
		}
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, `DELETE FROM customer_flags WHERE customer_id = ?`, id); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `UPDATE customers SET flag_count = 0 WHERE id = ?`, id); err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditRestore, "customer", id, now)
		e.Detail = map[string]string{"pool_id": p.ID}
		if err := audit(ctx, c, e); err != nil {
			return err
		}
		out = db.view(r, actor)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("restore customer %s: %w", id, err)
	}
	return out, nil
}

// archiveDays reads how long invalid customers wait in the archive.
func archiveDays(ctx context.Context, c conn) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT archive_days FROM organisation WHERE id = 1`).Scan(&n)
	return n, err
}

// ArchiveDays returns how long invalid customers wait in the archive before
// they are purged.
func (db *DB) ArchiveDays(ctx context.Context) (int, error) {
	return archiveDays(ctx, db.reader())
}

// SetArchiveDays changes how long invalid customers wait in the archive
// (admins); customers archived before keep their purge date.
func (db *DB) SetArchiveDays(ctx context.Context, actor gonghai.User, days int) error {
	if err := gonghai.CanEditHygiene(actor, gonghai.Pool{}); err != nil {
		return err
	}
	if err := gonghai.ValidArchiveDays(days); err != nil {
		return err
	}
	return db.inTx(ctx, func(c conn) error {
		if _, err := c.exec(ctx, `UPDATE organisation SET archive_days = ? WHERE id = 1`, days); err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditHygieneChange, "settings", "1", db.now())
		e.Detail = map[string]string{"archive_days": fmt.Sprint(days)}
		return audit(ctx, c, e)
	})
}
