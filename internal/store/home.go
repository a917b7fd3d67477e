package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// Home reads viewer's 工作台 (gonghai.Home): each list in one query through
// an index that starts with the viewer, so a home page costs the same
// however many customers the organisation holds.
func (db *DB) Home(ctx context.Context, viewer gonghai.User) (gonghai.Home, error) {
	var h gonghai.Home
	c := db.reader()
	now, loc := db.now(), db.location()
	n := gonghai.HomeRows + 1

	l := db.droppingListing(viewer.ID, gonghai.DropsBefore(now, gonghai.HomeDropDays, loc))
	rows, err := l.rows(ctx, c, l.table, n)
	if err != nil {
		return h, fmt.Errorf("home: dropping: %w", err)
	}
	if h.Dropping, h.DroppingMore, err = db.homeRows(c, viewer, rows); err != nil {
		return h, err
	}

	// Plans of today and before, met by no follow-up yet
	// (follow_up_plans_owner_day); the join on the plan keeps those of the
	// customer's current tenure only.
	q, args := plannedSQL(viewer.ID, gonghai.PlanDay(now, loc), n)
	rows, err = collect(ctx, c, q, args, scanCustomer)
	if err != nil {
		return h, fmt.Errorf("home: planned: %w", err)
	}
	if h.Planned, h.PlannedMore, err = db.homeRows(c, viewer, rows); err != nil {
		return h, err
	}

	if h.Received, h.ReceivedMore, err = db.received(ctx, c, viewer, now, n); err != nil {
		return h, err
	}

	if h.Unread, err = db.UnreadNotifications(ctx, viewer); err != nil {
		return h, err
	}
	h.Notifications, _, err = db.Notifications(ctx, viewer, gonghai.Page{Limit: gonghai.HomeNotifications})
	return h, err
}

// homeRows opens rows and returns the first HomeRows of them as viewer
// sees them, and whether there were more.
func (db *DB) homeRows(c conn, viewer gonghai.User, rows []customerRow) ([]gonghai.Customer, bool, error) {
	if err := c.openRows(rows); err != nil {
		return nil, false, fmt.Errorf("home: %w", err)
	}
	more := len(rows) > gonghai.HomeRows
	out := make([]gonghai.Customer, 0, min(len(rows), gonghai.HomeRows))
	for _, r := range rows[:min(len(rows), gonghai.HomeRows)] {
		out = append(out, db.view(r, viewer))
	}
	return out, more, nil
}

// received lists up to n customers given to viewer since the start of
// today that they still own, latest first, by the events that gave them
// (events_received).
func (db *DB) received(ctx context.Context, c conn, viewer gonghai.User, now time.Time, n int) ([]gonghai.Received, bool, error) {
	type got struct {
		row    customerRow
		kind   string
		at     int64
		actor  string
		reason string
	}
	q, args := receivedSQL(viewer.ID, gonghai.StartOfDay(now, db.location()), n)
	out, err := collect(ctx, c, q, args, func(s scanner) (got, error) {
		var g got
		r, err := scanCustomer(extraColumns{s: s, before: []any{&g.kind, &g.at, &g.actor, &g.reason}})
		g.row = r
		return g, err
	})
	if err != nil {
		return nil, false, fmt.Errorf("home: received: %w", err)
	}
	// A customer given to viewer twice today is listed once, as last given.
	seen := map[string]bool{}
	out = slices.DeleteFunc(out, func(g got) bool {
		dup := seen[g.row.ID]
		seen[g.row.ID] = true
		return dup
	})
	rows := make([]customerRow, len(out))
	for i := range out {
		rows[i] = out[i].row
	}
	custs, more, err := db.homeRows(c, viewer, rows)
	if err != nil {
		return nil, false, err
	}
	res := make([]gonghai.Received, len(custs))
	for i, cu := range custs {
		reason := out[i].reason
		if !gonghai.SeesContacts(viewer, cu) {
			reason = gonghai.MaskText(reason)
		}
		res[i] = gonghai.Received{Customer: cu, Kind: gonghai.EventKind(out[i].kind), At: fromMicros(out[i].at),
			ActorName: out[i].actor, Reason: reason}
	}
	return res, more, nil
}

// plannedSQL reads up to n of user userID's customers whose plan's day is
// day or before, the earliest first, through follow_up_plans_owner_day.
func plannedSQL(userID, day string, n int) (string, []any) {
	from := strings.Replace(customerFrom, "FROM customers c", "FROM follow_up_plans f CROSS JOIN customers c", 1)
	return `SELECT ` + customerColumns + from + `WHERE f.owner_id = ? AND f.day <= ? AND c.id = f.customer_id
		AND pl.customer_id IS NOT NULL ORDER BY f.day, f.customer_id LIMIT ?`, []any{userID, day, n}
}

// receivedSQL reads the last n events that gave user userID a customer
// since since, through events_received, with the customers still theirs:
// each the event's kind, time, actor's name and reason, then the customer.
func receivedSQL(userID string, since time.Time, n int) (string, []any) {
	page := `SELECT customer_id, kind, at, actor_id, reason FROM ownership_events
		WHERE to_owner_id = ? AND kind IN ('assigned', 'transferred') AND at >= ? ORDER BY at DESC LIMIT ?`
	from := strings.Replace(customerFrom, "FROM customers c", "FROM ("+page+") e CROSS JOIN customers c", 1)
	return `SELECT e.kind, e.at, COALESCE(a.name, ''), e.reason, ` + customerColumns + from + `
		LEFT JOIN users a ON a.id = e.actor_id
		WHERE c.id = e.customer_id AND c.owner_id = ? ORDER BY e.at DESC, c.id`, []any{userID, micros(since), n, userID}
}

// droppingListing is user userID's private pool in its urgent order
// (customers_owner_due), up to the first deadline at or after before.
func (db *DB) droppingListing(userID string, before time.Time) *listing {
	l := db.ownerListing(userID, gonghai.SortUrgent)
	l.and(due+` < ?`, micros(before))
	return l
}
