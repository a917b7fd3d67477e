package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
)

// QueueGone is the reason of a Route decision for a customer that no
// longer waits: someone assigned or claimed it, or another node routed it
// first.
const QueueGone = "not_queued"

// routeAttempts bounds how often Route decides again when the facts it
// decided on moved before its write (another node took the same rep's
// turn, filled their holding or their daily cap).
const routeAttempts = 200

// system acts for automatic assignment: it may give a pool's customers to
// anyone (gonghai.MayAssign lets an admin), and its events have no actor.
var system = gonghai.User{Role: gonghai.RoleAdmin, Active: true}

// Route hands out customer id, waiting in the unassigned queue, by its
// channel's strategy or else its pool's: it picks a rep (gonghai.Pick) and
// assigns through the path every assignment takes (holding limits under
// the rep's lock, one assigned event with no actor and the decision's
// summary as reason, the deadline scheduled), advancing the rotation by a
// conditional write. Nobody eligible: the customer stays queued with the
// reason. Strategy claim: it leaves the queue and stays in the pool.
func (db *DB) Route(ctx context.Context, id string) (gonghai.Decision, error) {
	var d gonghai.Decision
	var err error
	for attempt := 0; attempt < routeAttempts; attempt++ {
		err = db.inTx(ctx, func(c conn) error {
			d, err = db.route(ctx, c, id)
			return err
		})
		if !errors.Is(err, errTurnTaken) {
			break
		}
		// Another writer took the turn first: wait a moment, longer the
		// more often it happens, so that the writers racing for one
		// rotation spread out instead of colliding again at once.
		select {
		case <-ctx.Done():
			return d, fmt.Errorf("route customer %s: %w", id, ctx.Err())
		case <-time.After(time.Duration(1+rand.IntN(min(attempt+1, 20))) * time.Millisecond):
		}
	}
	if err != nil {
		return d, fmt.Errorf("route customer %s: %w", id, err)
	}
	return d, nil
}

// queued is a customer's row of the unassigned queue.
type queued struct {
	poolID, channelID, reason string
}

// route is one attempt of Route in the caller's transaction.
func (db *DB) route(ctx context.Context, c conn, id string) (gonghai.Decision, error) {
	now := db.now()
	gone := gonghai.Decision{Reason: QueueGone, At: now}
	q, ok, err := lockQueued(ctx, c, id)
	if err != nil || !ok {
		return gone, err
	}
	if held, err := heldByCap(ctx, c, id, q.reason, db.location(), now); err != nil || held {
		// Past its channel's daily cap: it waits for tomorrow (intake.go).
		return gonghai.Decision{Reason: gonghai.SkipDailyCap, At: now}, err
	}
	r, err := getCustomer(ctx, c, id)
	if err != nil {
		return gone, err
	}
	if r.OwnerID != "" || r.PoolID != q.poolID || r.mergedInto != "" {
		// Taken or moved since it was queued: nothing left to hand out.
		return gone, dequeue(ctx, c, id)
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return gone, err
	}
	p, err := lockPoolRules(ctx, c, q.poolID)
	if err != nil {
		return gone, err
	}
	plan, err := db.planFor(ctx, c, s, p, q.channelID, now)
	if err != nil {
		return gone, err
	}
	d := gonghai.Pick(plan.a, plan.input(r.Customer, q.channelID, now))
	switch {
	case d.Strategy == gonghai.StrategyClaim:
		return d, dequeue(ctx, c, id)
	case d.UserID == "":
		return d, db.wait(ctx, c, id, q, d, now)
	}
	if err := lockAt(ctx, c, id, r.PoolID, ""); err != nil {
		return d, err
	}
	owner, err := db.takeOwner(ctx, c, s, system, p, newOwner{id: d.UserID, field: "user_id"})
	if gonghai.ErrorCode(err) == gonghai.EHoldingLimit || gonghai.ErrorCode(err) == gonghai.EUserInactive {
		// The rep filled up or left after the facts were read: decide again.
		return d, errTurnTaken
	} else if err != nil {
		return d, err
	}
	if err := countDaily(ctx, c, d.UserID, assignDay(now, s.Location()), owner.DailyAssignCap); err != nil {
		return d, err
	}
	moved, err := move{kind: gonghai.EventAssigned, customerID: id, toOwner: d.UserID, fromPool: r.PoolID, toPool: r.PoolID,
		reason: d.Summary(plan.names), rules: p.Recycle, loc: s.Location(), mask: p.ContactMask}.apply(ctx, c, now)
	if errors.Is(err, errMoved) {
		return gone, dequeue(ctx, c, id)
	} else if err != nil {
		return d, err
	}
	if err := takeTurn(ctx, c, plan.scope, d.UserID, plan.version(d.UserID), now); err != nil {
		return d, err
	}
	if err := dequeue(ctx, c, id); err != nil {
		return d, err
	}
	var seq int
	if err := c.queryRow(ctx, `SELECT event_seq FROM customers WHERE id = ?`, moved.ID).Scan(&seq); err != nil {
		return d, err
	}
	return d, insertDecision(ctx, c, id, seq, d)
}

// lockQueued reads customer id's queue row, locking it on PostgreSQL so
// that two nodes routing one customer take turns.
func lockQueued(ctx context.Context, c conn, id string) (queued, bool, error) {
	var q queued
	var channel sql.NullString
	sel := `SELECT pool_id, channel_id, reason FROM unassigned WHERE customer_id = ?`
	if c.dialect == Postgres {
		sel += ` FOR UPDATE`
	}
	err := c.queryRow(ctx, sel, id).Scan(&q.poolID, &channel, &q.reason)
	if errors.Is(err, sql.ErrNoRows) {
		return q, false, nil
	}
	q.channelID = channel.String
	return q, err == nil, err
}

func dequeue(ctx context.Context, c conn, id string) error {
	_, err := c.exec(ctx, `DELETE FROM unassigned WHERE customer_id = ?`, id)
	return err
}

// wait leaves customer id in the queue with why nobody took it, and
// writes the decision when the reason is new, so the history tells each
// change once rather than every sweep's retry.
func (db *DB) wait(ctx context.Context, c conn, id string, q queued, d gonghai.Decision, now time.Time) error {
	_, err := c.exec(ctx, `UPDATE unassigned SET reason = ?, tried_at = ?, tries = tries + 1 WHERE customer_id = ?`,
		d.Reason, micros(now), id)
	if err != nil || q.reason == d.Reason {
		return err
	}
	return insertDecision(ctx, c, id, 0, d)
}

// insertDecision writes decision d about customer id; seq is the ownership
// event it made, 0 for none.
func insertDecision(ctx context.Context, c conn, id string, seq int, d gonghai.Decision) error {
	candidates, _ := json.Marshal(append([]string{}, d.Candidates...))
	skipped, _ := json.Marshal(d.Skipped)
	var event any
	if seq > 0 {
		event = seq
	}
	_, err := c.exec(ctx, `INSERT INTO assignment_decisions (id, customer_id, event_seq, strategy, rule, candidates, skipped, picked, reason, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, newID(), id, event, string(d.Strategy), d.Rule, string(candidates), string(skipped),
		nullString(d.UserID), d.Reason, micros(d.At))
	return err
}

// routePlan is what deciding for one scope needs: the strategy, the
// candidates' facts, and their places in the rotation.
type routePlan struct {
	a          gonghai.Assignment
	scope      string
	candidates []gonghai.Candidate
	depts      map[string]string
	rot        map[string]rotationRow
	names      map[string]string
}

// input is the plan as Pick's input for customer cust.
func (p routePlan) input(cust gonghai.Customer, channelID string, now time.Time) gonghai.PickInput {
	return gonghai.PickInput{Customer: cust, ChannelID: channelID, Departments: p.depts, Candidates: p.candidates,
		Now: now, Rand: rand.IntN}
}

// version is the rotation version of userID as read (0: no row yet).
func (p routePlan) version(userID string) int64 { return p.rot[userID].version }

// planFor reads the strategy for customers of pool p come in through
// channel channelID ("" for none) and the facts of every candidate.
func (db *DB) planFor(ctx context.Context, c conn, s gonghai.Settings, p gonghai.Pool, channelID string, now time.Time) (routePlan, error) {
	plan := routePlan{a: p.Assignment}
	own := false
	if channelID != "" {
		var raw string
		err := c.queryRow(ctx, `SELECT assignment FROM channels WHERE id = ?`, channelID).Scan(&raw)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return plan, err
		}
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &plan.a); err != nil {
				return plan, fmt.Errorf("channel %s assignment: %w", channelID, err)
			}
			own = true
		}
	}
	plan.scope = rotationScope(p.ID, channelID, own)
	if plan.a.Strategy == gonghai.StrategyClaim || plan.a.Strategy == "" {
		return plan, nil
	}
	extraUsers, depts := named(plan.a)
	users, isMember, err := poolMembers(ctx, c, p.ID, extraUsers)
	if err != nil {
		return plan, err
	}
	if plan.depts, err = deptPaths(ctx, c, depts); err != nil {
		return plan, err
	}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	facts, err := candidateFacts(ctx, c, s, p, plan, ids, now)
	if err != nil {
		return plan, err
	}
	plan.rot = facts.rot
	plan.names = make(map[string]string, len(users))
	for _, u := range users {
		plan.names[u.ID] = u.Name
		if !u.Active && !slices.Contains(extraUsers, u.ID) {
			// A deactivated member is left out of every summary; one the
			// assignment names is shown skipped, so the admin sees why.
			continue
		}
		if u.Role != gonghai.RoleRep && !slices.Contains(extraUsers, u.ID) && plan.a.Weights[u.ID] == 0 {
			// Automatic hand-out is for reps: a manager or admin who is a
			// member through their department takes customers only when
			// the assignment names them (its reps, a rule's, a weight).
			continue
		}
		h := gonghai.Holding{Overall: facts.overall[u.ID], InPool: facts.inPool[u.ID]}
		rot := facts.rot[u.ID]
		plan.candidates = append(plan.candidates, gonghai.Candidate{User: u, Member: isMember[u.ID],
			Daily: facts.daily[u.ID], Free: gonghai.Room(s, p, u, h), LastTurn: rot.turn, Assigned: rot.assigned, Won: int64(facts.won[u.ID])})
	}
	return plan, nil
}

// factsOf are the per-rep counts candidates are decided on.
type factsOf struct {
	daily, overall, inPool, won map[string]int
	rot                         map[string]rotationRow
}

// candidateFacts reads, for users ids, their automatic assignments today,
// their holdings, their rotation places and (performance only) the
// amount they won over the window.
func candidateFacts(ctx context.Context, c conn, s gonghai.Settings, p gonghai.Pool, plan routePlan, ids []string, now time.Time) (factsOf, error) {
	f := factsOf{won: map[string]int{}}
	var err error
	if len(ids) == 0 {
		f.daily, f.overall, f.inPool, f.rot = map[string]int{}, map[string]int{}, map[string]int{}, map[string]rotationRow{}
		return f, nil
	}
	if f.daily, err = dailyCounts(ctx, c, assignDay(now, s.Location()), ids); err != nil {
		return f, err
	}
	in := placeholders(len(ids))
	won := ""
	if s.ExcludeWonFromHolding {
		won = ` AND NOT won`
	}
	if f.overall, err = countsBy(ctx, c, `SELECT owner_id, COUNT(*) FROM customers WHERE owner_id IN (`+in+`)`+won+` GROUP BY owner_id`, anys(ids)); err != nil {
		return f, err
	}
	if f.inPool, err = countsBy(ctx, c, `SELECT owner_id, COUNT(*) FROM customers WHERE pool_id = ? AND owner_id IN (`+in+`)`+won+` GROUP BY owner_id`,
		append([]any{p.ID}, anys(ids)...)); err != nil {
		return f, err
	}
	if f.rot, err = rotation(ctx, c, plan.scope, ids); err != nil {
		return f, err
	}
	if usesPerformance(plan.a) {
		days := plan.a.WindowDays
		if days <= 0 {
			days = 90
		}
		since := now.AddDate(0, 0, -days)
		f.won, err = countsBy(ctx, c, `SELECT c.owner_id, SUM(o.amount_fen) FROM opportunities o JOIN customers c ON c.id = o.customer_id
			WHERE o.status = 'won' AND o.closed_at >= ? AND c.owner_id IN (`+in+`) GROUP BY c.owner_id`, append([]any{micros(since)}, anys(ids)...))
	}
	return f, err
}

// usesPerformance reports whether a may rank by won amount.
func usesPerformance(a gonghai.Assignment) bool {
	if a.Strategy == gonghai.StrategyPerformance || a.Fallback == gonghai.StrategyPerformance {
		return true
	}
	for _, r := range a.Rules {
		if r.Strategy == gonghai.StrategyPerformance {
			return true
		}
	}
	return false
}

// withDecisions attaches to the assigned events of customer id, in es,
// the decisions that made them.
func withDecisions(ctx context.Context, c conn, id string, es []gonghai.Event) error {
	rows, err := c.query(ctx, `SELECT event_seq, strategy, rule, candidates, skipped, picked, reason, at FROM assignment_decisions
		WHERE customer_id = ? AND event_seq IS NOT NULL`, id)
	if err != nil {
		return fmt.Errorf("decisions: %w", err)
	}
	defer rows.Close()
	bySeq := map[int]*gonghai.Decision{}
	for rows.Next() {
		var d gonghai.Decision
		var seq int
		var candidates, skipped string
		var picked sql.NullString
		var at int64
		if err := rows.Scan(&seq, &d.Strategy, &d.Rule, &candidates, &skipped, &picked, &d.Reason, &at); err != nil {
			return err
		}
		// Written by Route as JSON; unreadable text would show no detail
		// rather than fail the history.
		_ = json.Unmarshal([]byte(candidates), &d.Candidates)
		_ = json.Unmarshal([]byte(skipped), &d.Skipped)
		d.UserID, d.At = picked.String, fromMicros(at)
		bySeq[seq] = &d
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range es {
		if d, ok := bySeq[es[i].Seq]; ok && es[i].Kind == gonghai.EventAssigned {
			es[i].Decision = d
		}
	}
	return nil
}
