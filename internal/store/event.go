package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gonghai/gonghai"
)

// insertEvent appends an ownership event, in the transaction that made the
// change it records.
func insertEvent(ctx context.Context, c conn, e gonghai.Event) error {
	return insertEvents(ctx, c, []gonghai.Event{e})
}

// insertEvents writes events es, in one statement per up to 500 of them:
// a sweep writes hundreds at a time.
func insertEvents(ctx context.Context, c conn, es []gonghai.Event) error {
	const per = 500
	for lo := 0; lo < len(es); lo += per {
		batch := es[lo:min(lo+per, len(es))]
		values := make([]string, len(batch))
		args := make([]any, 0, 12*len(batch))
		for i, e := range batch {
			values[i] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			args = append(args, newID(), e.CustomerID, e.Seq, string(e.Kind), nullString(e.FromOwnerID), nullString(e.ToOwnerID),
				nullString(e.FromPoolID), nullString(e.ToPoolID), nullString(e.ActorID), e.Reason, e.Forced, micros(e.At))
		}
		_, err := c.exec(ctx, `INSERT INTO ownership_events (id, customer_id, seq, kind, from_owner_id, to_owner_id,
			from_pool_id, to_pool_id, actor_id, reason, forced, at) VALUES `+strings.Join(values, ", "), args...)
		if err != nil {
			return fmt.Errorf("record %s event: %w", batch[0].Kind, mapErr(err))
		}
	}
	return recordMoves(ctx, c, es, false)
}

// History returns a customer's ownership events, oldest first, to a viewer
// who may see the customer.
func (db *DB) History(ctx context.Context, viewer gonghai.User, customerID string) ([]gonghai.Event, error) {
	cust, err := db.Customer(ctx, viewer, customerID)
	if err != nil {
		return nil, err
	}
	out, err := events(ctx, db.reader(), customerID)
	if err == nil {
		err = withDecisions(ctx, db.reader(), customerID, out)
	}
	if !gonghai.SeesContacts(viewer, cust) {
		// A reason is typed by hand: a number in it is a contact too.
		for i := range out {
			out[i].Reason = gonghai.MaskText(out[i].Reason)
		}
	}
	return out, err
}

func events(ctx context.Context, c conn, customerID string) ([]gonghai.Event, error) {
	out, err := collect(ctx, c, `SELECT id, customer_id, seq, kind, from_owner_id, to_owner_id, from_pool_id, to_pool_id,
		actor_id, reason, forced, at FROM ownership_events WHERE customer_id = ? ORDER BY seq`, []any{customerID},
		func(s scanner) (gonghai.Event, error) {
			var e gonghai.Event
			var fo, to, fp, tp, actor sql.NullString
			var at int64
			err := s.Scan(&e.ID, &e.CustomerID, &e.Seq, &e.Kind, &fo, &to, &fp, &tp, &actor, &e.Reason, &e.Forced, &at)
			e.FromOwnerID, e.ToOwnerID, e.FromPoolID, e.ToPoolID, e.ActorID = fo.String, to.String, fp.String, tp.String, actor.String
			e.At = fromMicros(at)
			return e, err
		})
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return out, nil
}
