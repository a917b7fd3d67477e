package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// DigestSweep writes this week's digest for every active manager who has
// none yet, once Monday gonghai.DigestHour:00 has come in the
// organisation's zone, queued for the webhook when there is one, and
// returns how many it wrote. The (manager, week) key decides: of the
// sweepers of all nodes, one writes each digest, the others write
// nothing, so each manager gets one a week.
func (db *DB) DigestSweep(ctx context.Context) (int, error) {
	s, err := db.Settings(ctx)
	if err != nil {
		return 0, err
	}
	now := db.now()
	week, due := gonghai.DigestWeek(now, s.Location())
	if !due {
		return 0, nil
	}
	ids, err := queryStrings(ctx, db.reader(), `SELECT u.id FROM users u WHERE u.role = 'manager' AND u.active
		AND NOT EXISTS (SELECT 1 FROM digests g WHERE g.manager_id = u.id AND g.week = ?) ORDER BY u.id`, week)
	if err != nil {
		return 0, fmt.Errorf("digest managers: %w", err)
	}
	var next any
	if s.WebhookURL != "" {
		next = micros(now)
	}
	written := 0
	for _, id := range ids {
		m, err := getUser(ctx, db.reader(), id)
		if err != nil {
			return written, err
		}
		body, err := db.ComposeDigest(ctx, m, week)
		if err != nil {
			return written, err
		}
		res, err := db.write.ExecContext(ctx, rebind(db.dialect, `INSERT INTO digests (manager_id, week, created_at, body, next_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (manager_id, week) DO NOTHING`), id, week, micros(now), body, next)
		if err != nil {
			return written, fmt.Errorf("write digest: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return written, err
		}
		written += int(n)
	}
	return written, nil
}

// ComposeDigest writes manager's digest for week (a Monday): the pool
// flow report of the Monday to Sunday before, as manager would open it;
// the customers of the team's reps due to be recycled before the next
// Monday's digest, counted per rep; and the conflicts open in the team.
func (db *DB) ComposeDigest(ctx context.Context, manager gonghai.User, week string) (string, error) {
	from, to, at, err := gonghai.DigestDays(week, db.location())
	if err != nil {
		return "", err
	}
	flow, err := db.Report(ctx, manager, "pool-flow", gonghai.ReportQuery{From: from, To: to, Grain: gonghai.GrainWeek})
	if err != nil {
		return "", err
	}
	var drops []gonghai.DigestDrop
	if manager.DeptPath != "" {
		drops, err = collect(ctx, db.reader(), `SELECT u.name, COUNT(*) FROM customers c JOIN users u ON u.id = c.owner_id
			JOIN departments d ON d.id = u.department_id
			WHERE c.recycle_at IS NOT NULL AND c.recycle_at < ? AND d.path LIKE ?
			GROUP BY u.id, u.name ORDER BY COUNT(*) DESC, u.name`, []any{micros(at.AddDate(0, 0, 7)), likePrefix(manager.DeptPath)},
			func(s scanner) (gonghai.DigestDrop, error) {
				var d gonghai.DigestDrop
				return d, s.Scan(&d.Rep, &d.Customers)
			})
		if err != nil {
			return "", fmt.Errorf("digest drops: %w", err)
		}
	}
	conflicts, err := db.OpenConflicts(ctx, manager)
	if err != nil {
		return "", err
	}
	return gonghai.DigestText(gonghai.DigestFacts{From: from, To: to, Flow: flow, Drops: drops, Conflicts: conflicts}), nil
}

const digestColumns = `g.manager_id, u.name, g.week, g.body, g.created_at, g.sent_at, g.attempts`

func scanDigest(s scanner) (gonghai.Digest, error) {
	var d gonghai.Digest
	var created int64
	var sent sql.NullInt64
	err := s.Scan(&d.ManagerID, &d.ManagerName, &d.Week, &d.Body, &created, &sent, &d.Attempt)
	d.Created, d.Sent = fromMicros(created), nullMicros(sent)
	return d, err
}

// Digests reads back the digests written for week, by manager's name.
func (db *DB) Digests(ctx context.Context, week string) ([]gonghai.Digest, error) {
	out, err := collect(ctx, db.reader(), `SELECT `+digestColumns+` FROM digests g JOIN users u ON u.id = g.manager_id
		WHERE g.week = ? ORDER BY u.name, g.manager_id`, []any{week}, scanDigest)
	if err != nil {
		return nil, fmt.Errorf("digests: %w", err)
	}
	return out, nil
}

// LeaseDigests takes up to limit digests the webhook has still to accept,
// for lease, like LeaseWebhooks: a digest leased is offered by one sender.
func (db *DB) LeaseDigests(ctx context.Context, limit int, lease time.Duration) ([]gonghai.Digest, error) {
	var out []gonghai.Digest
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		lock := ""
		if c.dialect == Postgres {
			lock = ` FOR UPDATE OF g SKIP LOCKED`
		}
		var err error
		out, err = collect(ctx, c, `SELECT `+digestColumns+` FROM digests g JOIN users u ON u.id = g.manager_id
			WHERE g.next_at <= ? AND g.attempts < ? ORDER BY g.next_at LIMIT ?`+lock,
			[]any{micros(now), WebhookMaxAttempts, limit}, scanDigest)
		for i := range out {
			out[i].Attempt++
			_, err := c.exec(ctx, `UPDATE digests SET next_at = ?, attempts = attempts + 1 WHERE manager_id = ? AND week = ?`,
				micros(now.Add(lease)), out[i].ManagerID, out[i].Week)
			if err != nil {
				return err
			}
		}
		return err
	})
	return out, err
}

// DigestDone records the outcome of offering a digest to the webhook:
// delivered, or failed and offered again after retryIn, up to
// WebhookMaxAttempts.
func (db *DB) DigestDone(ctx context.Context, managerID, week string, delivered bool, retryIn time.Duration) error {
	now := db.now()
	if delivered {
		_, err := db.write.ExecContext(ctx, rebind(db.dialect, `UPDATE digests SET next_at = NULL, sent_at = ? WHERE manager_id = ? AND week = ?`),
			micros(now), managerID, week)
		return err
	}
	_, err := db.write.ExecContext(ctx, rebind(db.dialect, `UPDATE digests SET next_at = CASE WHEN attempts >= ? THEN NULL ELSE CAST(? AS BIGINT) END
		WHERE manager_id = ? AND week = ?`), WebhookMaxAttempts, micros(now.Add(retryIn)), managerID, week)
	return err
}

// DigestManagers lists the active managers, by name: those a digest goes
// to.
func (db *DB) DigestManagers(ctx context.Context) ([]gonghai.User, error) {
	ids, err := queryStrings(ctx, db.reader(), `SELECT id FROM users WHERE role = 'manager' AND active ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("digest managers: %w", err)
	}
	out := make([]gonghai.User, 0, len(ids))
	for _, id := range ids {
		u, err := getUser(ctx, db.reader(), id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
