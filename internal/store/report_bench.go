package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/gonghai/gonghai"
)

// ReportBenchHistory gives the seeded customers of `gonghai bench reports`
// a history of about perCustomer ownership events each (created, then
// claims by reps ids, each followed by a release or a recycle, so that
// every customer ends back in its pool), spread from `from` to `to`, and
// writes the reports' tables for it as the live path would: a tenure per
// claim, the pool's flow by day. Only that bench calls it, on its own
// database; it writes in batches of rows, not event by event.
func (db *DB) ReportBenchHistory(ctx context.Context, reps []gonghai.User, perCustomer int, from, to time.Time) (int, error) {
	c := conn{q: db.write, dialect: db.dialect, keys: db.keys}
	paths, err := userPaths(ctx, c, userIDs(reps))
	if err != nil {
		return 0, err
	}
	loc := db.location()
	span := to.Sub(from)
	total, after := 0, ""
	flows := map[flowKey]int{}
	for {
		type cust struct{ id, pool string }
		var batch []cust
		err := db.inTx(ctx, func(c conn) error {
			var err error
			batch, err = collect(ctx, c, `SELECT id, pool_id FROM customers WHERE id > ? AND owner_id IS NULL ORDER BY id LIMIT 2000`,
				[]any{after}, func(s scanner) (cust, error) {
					var r cust
					return r, s.Scan(&r.id, &r.pool)
				})
			if err != nil || len(batch) == 0 {
				return err
			}
			var events, tenures []any
			for _, r := range batch {
				h := fnv.New64a()
				h.Write([]byte(r.id))
				seed := h.Sum64()
				// An even number of moves, so the customer ends in its pool:
				// perCustomer−1 rounded down or up by the id.
				moves := (perCustomer - 1) &^ 1
				if seed%2 == 1 {
					moves += 2
				}
				step := span / time.Duration(moves+1)
				at := from.Add(time.Duration(seed % uint64(step)))
				for m := 0; m < moves; m += 2 {
					rep := reps[(seed>>8+uint64(m))%uint64(len(reps))]
					claimed := at
					left := claimed.Add(step / 2)
					end := gonghai.EventReleased
					if (seed>>16+uint64(m))%3 == 0 {
						end = gonghai.EventRecycled
					}
					seq := 2 + m
					events = append(events,
						newID(), r.id, seq, string(gonghai.EventClaimed), nil, rep.ID, r.pool, r.pool, rep.ID, "", false, micros(claimed),
						newID(), r.id, seq+1, string(end), rep.ID, nil, r.pool, r.pool, nil, "", false, micros(left))
					var first any
					if (seed>>24+uint64(m))%4 != 0 {
						first = micros(claimed.Add(time.Duration(seed>>32%48) * time.Hour))
					}
					tenures = append(tenures, r.id, seq, rep.ID, paths[rep.ID], r.pool, "", string(gonghai.EventClaimed), micros(claimed),
						string(end), micros(left), first)
					flows[flowKey{claimed.In(loc).Format(time.DateOnly), r.pool, paths[rep.ID], rep.ID, "", string(gonghai.EventClaimed), -1}]++
					flows[flowKey{left.In(loc).Format(time.DateOnly), r.pool, paths[rep.ID], rep.ID, "", string(end), 1}]++
					at = at.Add(step * 2)
				}
			}
			for lo := 0; lo < len(events); lo += 2000 * 12 {
				part := events[lo:min(lo+2000*12, len(events))]
				if _, err := c.exec(ctx, `INSERT INTO ownership_events (`+bulkEventColumns+`) VALUES `+valuesList(len(part)/12, 12), part...); err != nil {
					return fmt.Errorf("events: %w", err)
				}
			}
			for lo := 0; lo < len(tenures); lo += 2000 * 11 {
				part := tenures[lo:min(lo+2000*11, len(tenures))]
				if _, err := c.exec(ctx, `INSERT INTO tenures (customer_id, start_seq, owner_id, dept_path, pool_id, channel_id, start_kind,
					started_at, end_kind, ended_at, first_followup_at) VALUES `+valuesList(len(part)/11, 11), part...); err != nil {
					return fmt.Errorf("tenures: %w", err)
				}
			}
			total += len(batch) + len(events)/12
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("report bench history: %w", err)
		}
		if len(batch) == 0 {
			return total, db.writeBenchFlows(ctx, flows)
		}
		after = batch[len(batch)-1].id
	}
}

// writeBenchFlows writes the pool flow of a generated history, 500 rows
// to a statement.
func (db *DB) writeBenchFlows(ctx context.Context, flows map[flowKey]int) error {
	rows := make([]any, 0, 8*len(flows))
	nets := map[[2]string]int{}
	for k, n := range flows {
		rows = append(rows, k.day, k.pool, k.path, k.user, k.channel, k.kind, k.dir, n)
		nets[[2]string{k.pool, k.day}] += k.dir * n
	}
	return db.inTx(ctx, func(c conn) error {
		if err := countPoolDays(ctx, c, nets); err != nil {
			return err
		}
		for lo := 0; lo < len(rows); lo += 500 * 8 {
			part := rows[lo:min(lo+500*8, len(rows))]
			_, err := c.exec(ctx, `INSERT INTO flow_days (day, pool_id, dept_path, user_id, channel_id, kind, dir, n) VALUES `+
				valuesList(len(part)/8, 8)+` ON CONFLICT (day, pool_id, dept_path, user_id, channel_id, kind, dir) DO UPDATE SET n = flow_days.n + excluded.n`, part...)
			if err != nil {
				return fmt.Errorf("report bench flow: %w", err)
			}
		}
		return nil
	})
}

// ReportBenchFloor is the bare aggregate the reports bench sets each
// report beside: the ownership events of users in [start, end), counted
// by kind through the index of a rep's claims (the rows every report
// summarises, read as cheaply as the schema allows).
func (db *DB) ReportBenchFloor(ctx context.Context, users []gonghai.User, start, end time.Time) (int, error) {
	var n int
	ids := userIDs(users)
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM ownership_events WHERE kind = 'claimed' AND to_owner_id IN (`+
		placeholders(len(ids))+`) AND at >= ? AND at < ?`, append(anys(ids), micros(start), micros(end))...).Scan(&n)
	return n, err
}

func userIDs(us []gonghai.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}
