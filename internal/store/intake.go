package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// Intake makes a lead of a submission to a channel, with no user behind
// it. In order: the channel by its key; the rate limits (their own
// transaction, so that refused submissions count too); spam held in the
// quarantine; then one transaction that either joins the record the
// submission's company or contacts already belong to (latest touch, a
// touched event on its timeline, its owner notified: never a copy) or
// creates the lead (first and latest touch, the channel's day counted
// against its daily cap, and, for a strategy other than claim, the
// unassigned queue). After commit the lead is handed out (route).
func (db *DB) Intake(ctx context.Context, key string, in gonghai.IntakeInput, address string) (gonghai.IntakeResult, error) {
	var res gonghai.IntakeResult
	in = in.Cleaned()
	ch, err := channelByKey(ctx, db.reader(), key)
	if err != nil {
		return res, fmt.Errorf("intake: %w", err)
	}
	res.Channel = ch
	if err := db.intakeLimited(ctx, ch, address); err != nil {
		return res, err
	}
	if reason := in.Spam(); reason != "" {
		// The sender is answered as if taken: a robot learns nothing.
		res.ID, res.Held = newID(), true
		return res, db.hold(ctx, ch, reason, in)
	}
	if err := in.Validate(); err != nil {
		return res, err
	}
	var queued bool
	// Two submissions of one new contact at once: the unique index refuses
	// the later insert, and its second attempt joins what the first made.
	for attempt := 0; attempt < 2; attempt++ {
		err = db.inTx(ctx, func(c conn) error {
			var err error
			res, queued, err = db.intakeTx(ctx, c, ch, in, "", db.now())
			return err
		})
		if !isUnique(mapErr(err)) {
			break
		}
	}
	res.Channel = ch
	if err != nil {
		if isUnique(mapErr(err)) {
			err = gonghai.Errorf(gonghai.EConflict, "the same contact was being saved meanwhile; send again")
		}
		return res, fmt.Errorf("intake: %w", err)
	}
	if queued {
		db.routeLead(ctx, res.ID)
	}
	return res, nil
}

// intakeTx joins the record in's company or contacts belong to, or makes
// a lead of in in ch's pool. It reports whether the lead waits in the
// unassigned queue for route. actorID is who released a held submission,
// "" for the channel itself.
func (db *DB) intakeTx(ctx context.Context, c conn, ch gonghai.Channel, in gonghai.IntakeInput, actorID string, now time.Time) (gonghai.IntakeResult, bool, error) {
	res := gonghai.IntakeResult{Channel: ch}
	p, err := lockPoolRules(ctx, c, ch.PoolID)
	if err != nil {
		return res, false, err
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return res, false, err
	}
	day := now.In(s.Location()).Format(time.DateOnly)
	f := in.Fields()
	keys := c.matchKeys(f)
	// The contact keys' locks are held from the look-up to the write, as
	// every writer of a contact holds them (contact.go): a contact added
	// meanwhile to another customer cannot slip past.
	if err := lockContactKeys(ctx, c, keys["phone"], keys["email"], keys["wechat"]); err != nil {
		return res, false, err
	}
	id, _, err := matchOf(ctx, c, keys, duplicateColumns, "")
	if err != nil {
		return res, false, err
	}
	if id != "" {
		res.ID, res.Joined = id, true
		if err := joinIntake(ctx, c, s, ch, id, in, now); err != nil {
			return res, false, err
		}
		_, err := countChannelDay(ctx, c, ch.ID, day, "joined")
		return res, false, err
	}
	r, err := insertCustomer(ctx, c, actorID, gonghai.NewCustomer{CustomerFields: f, PoolID: ch.PoolID,
		// The created event says where the lead came from and what was written.
		Reason: gonghai.IntakeText(ch.Name, in.Message)}, p, s.Location(), now)
	if err != nil {
		return res, false, err
	}
	res.ID = r.ID
	_, err = c.exec(ctx, `UPDATE customers SET lifecycle = 'lead', channel_id = ?, campaign = ?, utm_source = ?, utm_medium = ?,
		utm_campaign = ?, first_touch_at = ?, latest_channel_id = ?, latest_campaign = ?, latest_touch_at = ? WHERE id = ?`,
		ch.ID, in.Campaign, in.UTMSource, in.UTMMedium, in.UTMCampaign, micros(now), ch.ID, in.Campaign, micros(now), r.ID)
	if err != nil {
		return res, false, err
	}
	n, err := countChannelDay(ctx, c, ch.ID, day, "leads")
	if err != nil {
		return res, false, err
	}
	if ch.Effective(p).Strategy == gonghai.StrategyClaim {
		// Claimed from the pool like any customer: the cap holds back
		// automatic hand-out only.
		return res, false, nil
	}
	if err := enqueueRoute(ctx, c, r.ID, ch.PoolID, ch.ID, now); err != nil {
		return res, false, err
	}
	if ch.Over(n) {
		// Kept, never lost: it waits unassigned until an admin hands it out.
		_, err := c.exec(ctx, `UPDATE unassigned SET reason = ? WHERE customer_id = ?`, gonghai.SkipDailyCap, r.ID)
		return res, false, err
	}
	return res, true, nil
}

// joinIntake records that customer id came in again through ch: its
// latest touch, a touched event on its timeline (owner and pool as they
// are) and a notification to its owner.
func joinIntake(ctx context.Context, c conn, s gonghai.Settings, ch gonghai.Channel, id string, in gonghai.IntakeInput, now time.Time) error {
	var owner sql.NullString
	var poolID string
	var seq int
	err := c.queryRow(ctx, `UPDATE customers SET latest_channel_id = ?, latest_campaign = ?, latest_touch_at = ?,
		event_seq = event_seq + 1, updated_at = ? WHERE id = ? RETURNING owner_id, pool_id, event_seq`,
		ch.ID, in.Campaign, micros(now), micros(now), id).Scan(&owner, &poolID, &seq)
	if err != nil {
		return fmt.Errorf("touch customer %s: %w", id, err)
	}
	err = insertEvent(ctx, c, gonghai.Event{CustomerID: id, Seq: seq, Kind: gonghai.EventTouched, FromOwnerID: owner.String,
		ToOwnerID: owner.String, FromPoolID: poolID, ToPoolID: poolID, Reason: gonghai.IntakeAgainText(ch.Name, in.Message), At: now})
	if err != nil || !owner.Valid {
		return err
	}
	return notify(ctx, c, s, gonghai.Notification{UserID: owner.String, Kind: gonghai.NotifyIntakeAgain, CustomerID: id, Created: now})
}

// tagLeads makes the customers just created by a bulk intake (an import
// with a channel) leads of channel id, first touched now.
func tagLeads(ctx context.Context, c conn, id string, rows []customerRow, now time.Time) error {
	if id == "" {
		return nil
	}
	args := []any{id, micros(now), id, micros(now)}
	for _, r := range rows {
		args = append(args, r.ID)
	}
	_, err := c.exec(ctx, `UPDATE customers SET lifecycle = 'lead', channel_id = ?, first_touch_at = ?, latest_channel_id = ?,
		latest_touch_at = ? WHERE id IN (`+placeholders(len(rows))+`)`, args...)
	if err != nil {
		return fmt.Errorf("tag leads: %w", err)
	}
	return nil
}

// ChannelByKey returns the active channel whose key is key, for a bulk
// intake that names it (admins and pool admins import: the import checks
// who may).
func (db *DB) ChannelByKey(ctx context.Context, key string) (gonghai.Channel, error) {
	return channelByKey(ctx, db.reader(), key)
}

// countChannelDay adds one to a channel's day in column what (leads,
// joined or held) and returns the new count.
func countChannelDay(ctx context.Context, c conn, channelID, day, what string) (int, error) {
	var n int
	err := c.queryRow(ctx, `INSERT INTO channel_days (channel_id, day, `+what+`) VALUES (?, ?, 1)
		ON CONFLICT (channel_id, day) DO UPDATE SET `+what+` = channel_days.`+what+` + 1 RETURNING `+what,
		channelID, day).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count channel day: %w", err)
	}
	return n, nil
}

// routeLead hands lead id out by its channel's or pool's strategy, after
// the creating transaction committed. A failure leaves it in the
// unassigned queue, which the sweep retries: the lead is kept either way,
// and the submission is answered as taken.
func (db *DB) routeLead(ctx context.Context, id string) {
	_, _ = db.Route(context.WithoutCancel(ctx), id)
}

// heldByCap says whether queued customer id waits for its channel's daily
// cap: queued past the cap (reason daily_cap) on the day that is still
// today in the organisation's zone. From the next day on the sweep's
// retry hands it out.
func heldByCap(ctx context.Context, c conn, id, reason string, loc *time.Location, now time.Time) (bool, error) {
	if reason != gonghai.SkipDailyCap {
		return false, nil
	}
	var since int64
	if err := c.queryRow(ctx, `SELECT since FROM unassigned WHERE customer_id = ?`, id).Scan(&since); err != nil {
		return false, err
	}
	return gonghai.StartOfDay(fromMicros(since), loc).Equal(gonghai.StartOfDay(now, loc)), nil
}

// rateLimited is the rate_limited error with how long to wait.
type rateLimited struct {
	err   *gonghai.Error
	after time.Duration
}

func (e *rateLimited) Error() string { return e.err.Error() }
func (e *rateLimited) Unwrap() error { return e.err }

// RetryAfter is how long until the window that refused ends.
func (e *rateLimited) RetryAfter() time.Duration { return e.after }

// intakeLimited counts a submission to ch from address against the
// channel's limits, each a fixed window in intake_limits decided by one
// upsert: so the limits hold across app nodes. It returns rateLimited,
// with the wait, when either is past its limit.
func (db *DB) intakeLimited(ctx context.Context, ch gonghai.Channel, address string) error {
	now := db.now()
	var wait time.Duration
	err := db.inTx(ctx, func(c conn) error {
		wait = 0
		for _, l := range []struct {
			scope  string
			limit  int
			window time.Duration
		}{
			{"channel " + ch.ID, ch.PerMinute, time.Minute},
			// A keyed blind index of the address, in hex so that no separator
			// the normal form drops makes two addresses one.
			{"address " + ch.ID + " " + c.keys.MatchKey("name", "address "+hex.EncodeToString([]byte(address))), ch.AddressPerHour, time.Hour},
		} {
			if l.limit == 0 {
				continue
			}
			start := now.Truncate(l.window)
			var n int
			err := c.queryRow(ctx, `INSERT INTO intake_limits (scope, window_start, n) VALUES (?, ?, 1)
				ON CONFLICT (scope) DO UPDATE SET
				n = CASE WHEN intake_limits.window_start = excluded.window_start THEN intake_limits.n + 1 ELSE 1 END,
				window_start = excluded.window_start
				RETURNING n`, l.scope, micros(start)).Scan(&n)
			if err != nil {
				return err
			}
			if n > l.limit {
				wait = max(wait, start.Add(l.window).Sub(now))
			}
			if n == 1 && l.window == time.Minute {
				// Once a minute per channel: windows long past are let go.
				if _, err := c.exec(ctx, `DELETE FROM intake_limits WHERE window_start < ?`, micros(now.Add(-2*time.Hour))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("intake limits: %w", err)
	}
	if wait > 0 {
		return &rateLimited{err: gonghai.Errorf(gonghai.ERateLimited, "too many submissions: try again later"), after: wait}
	}
	return nil
}
