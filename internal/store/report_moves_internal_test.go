package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ReportRowsForTest reads the reports' tables as lines, in order: each
// tenure "customer seq owner start_kind→end_kind followups first won", each
// flow "day pool user kind dir n".
func (db *DB) ReportRowsForTest(ctx context.Context) (tenures, flows []string, err error) {
	c := db.reader()
	tenures, err = collect(ctx, c, `SELECT customer_id, start_seq, owner_id, start_kind, end_kind, followups, first_followup_at, won_at
		FROM tenures ORDER BY customer_id, start_seq`, nil, func(s scanner) (string, error) {
		var cust, owner, kind string
		var seq, n int
		var end sql.NullString
		var first, won sql.NullInt64
		err := s.Scan(&cust, &seq, &owner, &kind, &end, &n, &first, &won)
		return fmt.Sprint(cust, " ", seq, " ", owner, " ", kind, "→", end.String, " ", n, " ", first.Int64, " ", won.Int64), err
	})
	if err != nil {
		return nil, nil, err
	}
	flows, err = collect(ctx, c, `SELECT day, pool_id, user_id, kind, dir, n FROM flow_days ORDER BY day, pool_id, user_id, kind, dir`, nil,
		func(s scanner) (string, error) {
			var day, pool, user, kind string
			var dir, n int
			err := s.Scan(&day, &pool, &user, &kind, &dir, &n)
			return fmt.Sprint(day, " ", pool, " ", user, " ", kind, " ", dir, " ", n), err
		})
	return tenures, flows, err
}

// RebuildReportsForTest empties the reports' tables and replays them, as
// Migrate does for a database from before them.
func (db *DB) RebuildReportsForTest(ctx context.Context) error {
	for _, q := range []string{`DELETE FROM tenures`, `DELETE FROM flow_days`, `DELETE FROM pool_days`, `UPDATE organisation SET reports_built = FALSE`} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return db.buildReports(ctx)
}

// PoolDaysOffForTest counts the pools' days whose net flow in pool_days is
// not the sum of their flow_days rows.
func (db *DB) PoolDaysOffForTest(ctx context.Context) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM (SELECT pool_id, day, SUM(dir * n) AS s FROM flow_days GROUP BY pool_id, day) f
		LEFT JOIN pool_days p ON p.pool_id = f.pool_id AND p.day = f.day WHERE COALESCE(p.net, 0) <> f.s`).Scan(&n)
	return n, err
}
