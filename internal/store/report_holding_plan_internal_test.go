package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestTenureReportPlans: every query of the tenure reports reads tenures
// through an index bounded by the period (or, for the customers held
// now, the open tenures only), for everyone, a department's subtree and
// a rep, with and without a pool filter: never the table whole.
func TestTenureReportPlans(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, admin, pool := adminAndPool(t, dsn)
		top, err := db.CreateDepartment(ctx, admin, "总部", "")
		if err != nil {
			t.Fatal(err)
		}
		sub, err := db.CreateDepartment(ctx, admin, "一部", top.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "rep", Name: "rep", Role: gonghai.RoleRep, DepartmentID: sub.ID})
		if err != nil {
			t.Fatal(err)
		}
		// 20,000 tenures over two years in 40 departments of 200 reps, one
		// in five open, one in seven won; then the planner's statistics.
		numbers := `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 20000)`
		if db.dialect == Postgres {
			numbers = `WITH g(i) AS (SELECT generate_series(1, 20000))`
		}
		w := conn{q: db.write, dialect: db.dialect}
		base := micros(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		_, err = w.exec(ctx, numbers+`
			INSERT INTO tenures (customer_id, start_seq, owner_id, dept_path, pool_id, start_kind, started_at, end_kind, ended_at, won_at)
			SELECT 'seed-' || i, 1, CASE WHEN i % 200 = 0 THEN ? ELSE 'user-' || (i % 200) END,
				CASE WHEN i % 40 = 0 THEN ? ELSE '/dept-' || (i % 40) || '/' END, ?, 'claimed', ? + i * 3600000000,
				CASE WHEN i % 5 = 0 THEN NULL ELSE 'released' END, CASE WHEN i % 5 = 0 THEN NULL ELSE ? + i * 3600000000 + 86400000000 END,
				CASE WHEN i % 7 = 0 THEN ? + i * 3600000000 + 3600000000 END
			FROM g`, rep.ID, sub.Path, pool.ID, base, base, base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.exec(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
		period, err := gonghai.ReportQuery{From: "2026-03-01", To: "2026-03-31"}.Period(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		c := db.reader()
		for _, scope := range []gonghai.ReportScope{{All: true}, {DeptPath: top.Path}, {UserID: rep.ID}} {
			for _, poolID := range []string{"", pool.ID} {
				r := &reportReq{Viewer: admin, Q: gonghai.ReportQuery{PoolID: poolID}, Period: period, Scope: scope, Now: period.End}
				if scope.DeptPath != "" {
					r.Paths = []string{top.Path, sub.Path} // as Report reads them
				}
				for name, build := range map[string]func(context.Context, conn, *reportReq) (string, []any, error){
					"holding": holdingSQL, "first": firstSQL, "stale": staleSQL,
				} {
					q, args, err := build(ctx, c, r)
					if err != nil {
						t.Fatal(err)
					}
					what := fmt.Sprintf("%s %+v pool %q", name, scope, poolID)
					text, whole := tenurePlan(t, db, q, args)
					t.Logf("%s:\n%s", what, text)
					// Everyone's customers held now are the open tenures,
					// each read once: as many as are owned.
					if len(whole) > 0 && !(name == "stale" && scope.All && len(whole) == 1 && strings.HasPrefix(whole[0], "tenures_open")) {
						t.Errorf("%s reads tenures whole (%v):\n%s", what, whole, text)
					}
				}
			}
		}
	})
}

// tenurePlan explains query and lists how it reads tenures whole: a scan
// of the table, or of an index without a condition (by the index's
// name).
func tenurePlan(t *testing.T, db *DB, query string, args []any) (string, []string) {
	t.Helper()
	ctx := context.Background()
	var whole []string
	if db.dialect == SQLite {
		rows, err := collect(ctx, db.reader(), `EXPLAIN QUERY PLAN `+query, args, func(s scanner) (string, error) {
			var id, parent, unused int
			var detail string
			return detail, s.Scan(&id, &parent, &unused, &detail)
		})
		if err != nil {
			t.Fatalf("%v\n%s", err, query)
		}
		text := strings.Join(rows, "\n")
		for _, m := range regexp.MustCompile(`(?m)^SCAN t(?: USING (?:COVERING )?INDEX (\w+))?`).FindAllStringSubmatch(text, -1) {
			whole = append(whole, m[1])
		}
		return text, whole
	}
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	c := conn{q: tx, dialect: Postgres}
	if _, err := c.exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := c.queryRow(ctx, `EXPLAIN (FORMAT JSON) `+query, args...).Scan(&text); err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	var tree []struct{ Plan map[string]any }
	if err := json.Unmarshal([]byte(text), &tree); err != nil || len(tree) == 0 {
		t.Fatalf("plan %q: %v", text, err)
	}
	var lines []string
	// A bitmap index read whole inside a BitmapAnd is bounded by the
	// other reads of the And.
	var walk func(node map[string]any, parent string)
	walk = func(node map[string]any, parent string) {
		lines = append(lines, fmt.Sprint(node["Node Type"], " ", node["Relation Name"], " ", node["Index Name"], " ", node["Index Cond"]))
		index, _ := node["Index Name"].(string)
		switch {
		case node["Node Type"] == "Seq Scan" && node["Relation Name"] == "tenures":
			whole = append(whole, "")
		case strings.HasPrefix(index, "tenures") && node["Index Cond"] == nil && parent != "BitmapAnd":
			whole = append(whole, index)
		}
		children, _ := node["Plans"].([]any)
		for _, child := range children {
			walk(child.(map[string]any), fmt.Sprint(node["Node Type"]))
		}
	}
	walk(tree[0].Plan, "")
	return strings.Join(lines, "\n"), whole
}
