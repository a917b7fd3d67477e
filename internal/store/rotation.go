package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
)

// errTurnTaken means the rotation moved between reading it and writing the
// pick (another node assigned to the same rep): decide again.
var errTurnTaken = errors.New("rotation moved")

// rotationScope names whose rotation a customer of pool poolID, come in
// through channel channelID, turns: the channel's when it has its own
// strategy, else the pool's.
func rotationScope(poolID, channelID string, channelOwn bool) string {
	if channelOwn {
		return "channel:" + channelID
	}
	return "pool:" + poolID
}

// rotationRow is one rep's place in a scope's rotation as read.
type rotationRow struct {
	turn, version int64
	assigned      int
}

// takeTurn records that userID was just assigned a customer in scope: it
// goes to the end of the rotation. With version ≥ 0 the write is
// conditional on the row still being at that version (0: not yet written),
// and errTurnTaken answers a row that moved; version < 0 (a manual
// assignment) writes whatever the row holds.
func takeTurn(ctx context.Context, c conn, scope, userID string, version int64, now time.Time) error {
	q := `INSERT INTO assign_rotation (scope, user_id, last_turn, last_assigned_at, assigned, version)
		VALUES (?, ?, (SELECT COALESCE(MAX(last_turn), 0) + 1 FROM assign_rotation WHERE scope = ?), ?, 1, 1)
		ON CONFLICT (scope, user_id) DO UPDATE SET last_turn = excluded.last_turn, last_assigned_at = excluded.last_assigned_at,
			assigned = assign_rotation.assigned + 1, version = assign_rotation.version + 1`
	args := []any{scope, userID, scope, micros(now)}
	if version >= 0 {
		q, args = q+` WHERE assign_rotation.version = ?`, append(args, version)
	}
	res, err := c.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errTurnTaken
	}
	return nil
}

// rotation reads the places of users in scope's rotation.
func rotation(ctx context.Context, c conn, scope string, users []string) (map[string]rotationRow, error) {
	out := map[string]rotationRow{}
	if len(users) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, `SELECT user_id, last_turn, assigned, version FROM assign_rotation
		WHERE scope = ? AND user_id IN (`+placeholders(len(users))+`)`, append([]any{scope}, anys(users)...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r rotationRow
		if err := rows.Scan(&id, &r.turn, &r.assigned, &r.version); err != nil {
			return nil, err
		}
		out[id] = r
	}
	return out, rows.Err()
}

// assignDay is the calendar day of now in loc, the key of daily counts.
func assignDay(now time.Time, loc *time.Location) string { return now.In(loc).Format("2006-01-02") }

// dailyCounts reads how many automatic assignments users had on day.
func dailyCounts(ctx context.Context, c conn, day string, users []string) (map[string]int, error) {
	return countsBy(ctx, c, `SELECT user_id, n FROM assign_daily WHERE day = ? AND user_id IN (`+placeholders(len(users))+`)`,
		append([]any{day}, anys(users)...))
}

// countDaily adds one to userID's automatic assignments on day and
// refuses (errTurnTaken) past limit (0: none). The caller holds the rep's
// row lock (lockHolder), so the count read is the count written.
func countDaily(ctx context.Context, c conn, userID, day string, limit int) error {
	var n int
	err := c.queryRow(ctx, `INSERT INTO assign_daily (user_id, day, n) VALUES (?, ?, 1)
		ON CONFLICT (user_id, day) DO UPDATE SET n = assign_daily.n + 1 RETURNING n`, userID, day).Scan(&n)
	if err != nil {
		return err
	}
	if limit > 0 && n > limit {
		return errTurnTaken
	}
	return nil
}

// countsBy runs a query of (user id, number) rows into a map.
func countsBy(ctx context.Context, c conn, q string, args []any) (map[string]int, error) {
	out := map[string]int{}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n sql.NullInt64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = int(n.Int64)
	}
	return out, rows.Err()
}

// poolMembers lists the users who are members of pool poolID (named, or in
// a member department or below it), with extra users named by an
// assignment, each user once.
func poolMembers(ctx context.Context, c conn, poolID string, extra []string) ([]gonghai.User, map[string]bool, error) {
	q := `SELECT ` + userColumns + userFrom + `WHERE u.id IN (SELECT user_id FROM pool_member_users WHERE pool_id = ?)
		OR EXISTS (SELECT 1 FROM pool_member_departments m JOIN departments md ON md.id = m.department_id
			WHERE m.pool_id = ? AND d.path LIKE md.path || '%')`
	members, err := collect(ctx, c, q+` ORDER BY u.id`, []any{poolID, poolID}, scanUser)
	if err != nil {
		return nil, nil, err
	}
	isMember := make(map[string]bool, len(members))
	for _, u := range members {
		isMember[u.ID] = true
	}
	var missing []string
	for _, id := range extra {
		if !isMember[id] && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		more, err := collect(ctx, c, `SELECT `+userColumns+userFrom+`WHERE u.id IN (`+placeholders(len(missing))+`)`, anys(missing), scanUser)
		if err != nil {
			return nil, nil, err
		}
		members = append(members, more...)
	}
	return members, isMember, nil
}

// deptPaths reads the paths of the departments ids.
func deptPaths(ctx context.Context, c conn, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, `SELECT id, path FROM departments WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, path string
		if err := rows.Scan(&id, &path); err != nil {
			return nil, err
		}
		out[id] = path
	}
	return out, rows.Err()
}

// named are the user ids and department ids an assignment names
// explicitly, beyond the pool's members.
func named(a gonghai.Assignment) (users, depts []string) {
	users = append(users, a.UserIDs...)
	for _, r := range a.Rules {
		users = append(users, r.UserIDs...)
		if r.DepartmentID != "" {
			depts = append(depts, r.DepartmentID)
		}
	}
	return users, depts
}
