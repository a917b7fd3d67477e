package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// recordMoves keeps the reports' tables (tenures, flow_days) in step with
// ownership events es, in the transaction that writes them: a tenure
// opens when an event gives a customer to an owner and closes when one
// takes it away; a move into or out of a pool's unowned stock counts on
// its day. created events of an import count as imported.
func recordMoves(ctx context.Context, c conn, es []gonghai.Event, imported bool) error {
	if len(es) == 0 {
		return nil
	}
	loc, err := c.zone(ctx)
	if err != nil {
		return err
	}
	var users, customers []string
	for _, e := range es {
		users = append(users, e.FromOwnerID, e.ToOwnerID, e.ActorID)
		customers = append(customers, e.CustomerID)
	}
	paths, err := userPaths(ctx, c, users)
	if err != nil {
		return err
	}
	channels, err := customerChannels(ctx, c, customers)
	if err != nil {
		return err
	}
	flows := map[flowKey]int{}
	var opens []any
	for _, e := range es {
		kind := string(e.Kind)
		if imported && e.Kind == gonghai.EventCreated {
			kind = "imported"
		}
		day := e.At.In(loc).Format("2006-01-02")
		ch := channels[e.CustomerID]
		if e.FromOwnerID != e.ToOwnerID {
			if e.FromOwnerID != "" {
				_, err := c.exec(ctx, `UPDATE tenures SET end_kind = ?, end_reason = ?, ended_at = ?
					WHERE customer_id = ? AND ended_at IS NULL`, kind, truncateReason(e.Reason), micros(e.At), e.CustomerID)
				if err != nil {
					return fmt.Errorf("close tenure: %w", err)
				}
			}
			if e.ToOwnerID != "" {
				pool := e.ToPoolID
				if pool == "" {
					pool = e.FromPoolID
				}
				opens = append(opens, e.CustomerID, e.Seq, e.ToOwnerID, paths[e.ToOwnerID], pool, ch, kind, micros(e.At))
			}
		}
		stockChanges := e.FromPoolID != e.ToPoolID || e.FromOwnerID != e.ToOwnerID
		if e.ToOwnerID == "" && e.ToPoolID != "" && stockChanges {
			who := e.FromOwnerID
			if who == "" {
				who = e.ActorID
			}
			flows[flowKey{day, e.ToPoolID, paths[who], who, ch, kind, 1}]++
		}
		if e.FromOwnerID == "" && e.FromPoolID != "" && stockChanges {
			who := e.ToOwnerID
			if who == "" {
				who = e.ActorID
			}
			flows[flowKey{day, e.FromPoolID, paths[who], who, ch, kind, -1}]++
		}
	}
	const width = 8
	for lo := 0; lo < len(opens); lo += 400 * width {
		batch := opens[lo:min(lo+400*width, len(opens))]
		_, err := c.exec(ctx, `INSERT INTO tenures (customer_id, start_seq, owner_id, dept_path, pool_id, channel_id, start_kind, started_at)
			VALUES `+valuesList(len(batch)/width, width), batch...)
		if err != nil {
			return fmt.Errorf("open tenures: %w", mapErr(err))
		}
	}
	// In key order, so that two transactions upserting the same rows take
	// their locks in the same order.
	keys := make([]flowKey, 0, len(flows))
	for k := range flows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b flowKey) int { return strings.Compare(a.String(), b.String()) })
	nets := map[[2]string]int{}
	for _, k := range keys {
		_, err := c.exec(ctx, `INSERT INTO flow_days (day, pool_id, dept_path, user_id, channel_id, kind, dir, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (day, pool_id, dept_path, user_id, channel_id, kind, dir) DO UPDATE SET n = flow_days.n + excluded.n`,
			k.day, k.pool, k.path, k.user, k.channel, k.kind, k.dir, flows[k])
		if err != nil {
			return fmt.Errorf("count pool flow: %w", err)
		}
		nets[[2]string{k.pool, k.day}] += k.dir * flows[k]
	}
	return countPoolDays(ctx, c, nets)
}

// countPoolDays adds each pool's net flow of a day (pool, day → net), in
// key order.
func countPoolDays(ctx context.Context, c conn, nets map[[2]string]int) error {
	keys := make([][2]string, 0, len(nets))
	for k := range nets {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		if nets[k] == 0 {
			continue
		}
		_, err := c.exec(ctx, `INSERT INTO pool_days (pool_id, day, net) VALUES (?, ?, ?)
			ON CONFLICT (pool_id, day) DO UPDATE SET net = pool_days.net + excluded.net`, k[0], k[1], nets[k])
		if err != nil {
			return fmt.Errorf("count pool day: %w", err)
		}
	}
	return nil
}

type flowKey struct {
	day, pool, path, user, channel, kind string
	dir                                  int
}

func (k flowKey) String() string {
	return fmt.Sprint(k.day, "\x00", k.pool, "\x00", k.path, "\x00", k.user, "\x00", k.channel, "\x00", k.kind, "\x00", k.dir)
}

// truncateReason keeps a tenure's end reason short: it is grouped by, not
// read in full (the event keeps it whole).
func truncateReason(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return string(r[:80])
	}
	return s
}

// userPaths maps user ids to their department's path ("" for none).
func userPaths(ctx context.Context, c conn, ids []string) (map[string]string, error) {
	out := map[string]string{}
	ids = distinct(ids)
	for lo := 0; lo < len(ids); lo += 500 {
		batch := ids[lo:min(lo+500, len(ids))]
		rows, err := collect(ctx, c, `SELECT u.id, d.path FROM users u LEFT JOIN departments d ON d.id = u.department_id
			WHERE u.id IN (`+placeholders(len(batch))+`)`, anys(batch), func(s scanner) ([2]string, error) {
			var id string
			var path sql.NullString
			err := s.Scan(&id, &path)
			return [2]string{id, path.String}, err
		})
		if err != nil {
			return nil, fmt.Errorf("department paths: %w", err)
		}
		for _, r := range rows {
			out[r[0]] = r[1]
		}
	}
	return out, nil
}

// customerChannels maps customer ids to their first-touch channel.
func customerChannels(ctx context.Context, c conn, ids []string) (map[string]string, error) {
	return pairsByID(ctx, c, `SELECT id, channel_id FROM customers WHERE channel_id IS NOT NULL AND id IN `, ids)
}

// distinct is ids without "" and repeats, in first-seen order.
func distinct(ids []string) []string {
	seen := map[string]bool{"": true}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// countFollowUp counts owner's follow-up at at in the customer's open
// tenure, when owner holds it.
func countFollowUp(ctx context.Context, c conn, customerID, owner string, at int64) error {
	_, err := c.exec(ctx, `UPDATE tenures SET followups = followups + 1,
		first_followup_at = CASE WHEN first_followup_at IS NULL OR first_followup_at > ? THEN ? ELSE first_followup_at END
		WHERE customer_id = ? AND ended_at IS NULL AND owner_id = ?`, at, at, customerID, owner)
	if err != nil {
		return fmt.Errorf("count follow-up: %w", err)
	}
	return nil
}

// countWon marks the customer's open tenure won at at, an order's day (not
// before the tenure began): the earliest such day of the orders recorded
// in it.
func countWon(ctx context.Context, c conn, customerID string, at int64) error {
	_, err := c.exec(ctx, `UPDATE tenures SET won_at = CASE WHEN ? <= started_at THEN started_at
		WHEN won_at IS NULL OR won_at > ? THEN ? ELSE won_at END
		WHERE customer_id = ? AND ended_at IS NULL`, at, at, at, customerID)
	if err != nil {
		return fmt.Errorf("count won: %w", err)
	}
	return nil
}

// buildReports fills the reports' tables from the events, follow-ups and
// orders written before they existed, once (migration 00019): customers
// by id, a thousand to a transaction.
func (db *DB) buildReports(ctx context.Context) error {
	var built bool
	if err := db.write.QueryRowContext(ctx, `SELECT reports_built FROM organisation WHERE id = 1`).Scan(&built); err != nil || built {
		return notFound(err, "organisation")
	}
	after := ""
	for {
		var last string
		err := db.inTx(ctx, func(c conn) error {
			ids, err := collect(ctx, c, `SELECT id FROM customers WHERE id > ? ORDER BY id LIMIT 1000`, []any{after},
				func(s scanner) (string, error) {
					var id string
					return id, s.Scan(&id)
				})
			if err != nil || len(ids) == 0 {
				return err
			}
			last = ids[len(ids)-1]
			in := placeholders(len(ids))
			es, err := collect(ctx, c, `SELECT customer_id, seq, kind, from_owner_id, to_owner_id, from_pool_id, to_pool_id,
				actor_id, reason, at FROM ownership_events WHERE customer_id IN (`+in+`) ORDER BY customer_id, seq`, anys(ids),
				func(s scanner) (gonghai.Event, error) {
					var e gonghai.Event
					var fo, to, fp, tp, actor sql.NullString
					var at int64
					err := s.Scan(&e.CustomerID, &e.Seq, &e.Kind, &fo, &to, &fp, &tp, &actor, &e.Reason, &at)
					e.FromOwnerID, e.ToOwnerID, e.FromPoolID, e.ToPoolID, e.ActorID = fo.String, to.String, fp.String, tp.String, actor.String
					e.At = fromMicros(at)
					return e, err
				})
			if err != nil {
				return err
			}
			// One customer's events in order, one at a time: each closes
			// the tenure the one before opened.
			for _, e := range es {
				if err := recordMoves(ctx, c, []gonghai.Event{e}, false); err != nil {
					return err
				}
			}
			_, err = c.exec(ctx, `UPDATE tenures SET
				followups = (SELECT COUNT(*) FROM followups f WHERE f.customer_id = tenures.customer_id AND f.user_id = tenures.owner_id
					AND f.created_at >= tenures.started_at AND (tenures.ended_at IS NULL OR f.created_at < tenures.ended_at)),
				first_followup_at = (SELECT MIN(f.at) FROM followups f WHERE f.customer_id = tenures.customer_id AND f.user_id = tenures.owner_id
					AND f.created_at >= tenures.started_at AND (tenures.ended_at IS NULL OR f.created_at < tenures.ended_at)),
				won_at = (SELECT MIN(CASE WHEN o.ordered_at > tenures.started_at THEN o.ordered_at ELSE tenures.started_at END)
					FROM orders o WHERE o.customer_id = tenures.customer_id
					AND o.created_at >= tenures.started_at AND (tenures.ended_at IS NULL OR o.created_at < tenures.ended_at))
				WHERE customer_id IN (`+in+`)`, anys(ids)...)
			return err
		})
		if err != nil {
			return fmt.Errorf("build reports: %w", err)
		}
		if last == "" {
			break
		}
		after = last
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE organisation SET reports_built = TRUE WHERE id = 1`); err != nil {
		return fmt.Errorf("build reports: %w", err)
	}
	return nil
}
