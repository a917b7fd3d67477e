package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
)

// flowOrg is a week of known pool flow, Monday 2 to Sunday 8 March 2026
// in Shanghai: department A (manager m, reps a1, a2) and B (rep b1);
// pool P (members a1, a2, b1; recycle after 3 days without follow-up) and
// pool Q (member a1).
type flowOrg struct {
	da, db         gonghai.Department
	m, a1, a2, b1  gonghai.User
	p, q           gonghai.Pool
	c1, c2, c3, i1 string
}

// flowHistory builds it. Monday: the admin creates 3 customers in P
// (c1, c2, c3) and 1 in Q, imports 2 into P (i1, i2); a1 claims c1 and
// c2, b1 claims c3, the admin assigns i1 to a2. Tuesday: a1 releases c1.
// Friday: the sweep recycles c2, c3 and i1 (no follow-up for 3 days),
// then a2 claims c1. P's stock at each day's end: 1 2 2 2 4 4 4.
func flowHistory(f *fixture) flowOrg {
	f.t.Helper()
	da, db := f.dept("一部", ""), f.dept("二部", "")
	o := flowOrg{da: da, db: db, m: f.user("flow.m", gonghai.RoleManager, da.ID, nil), a1: f.user("flow.a1", gonghai.RoleRep, da.ID, nil),
		a2: f.user("flow.a2", gonghai.RoleRep, da.ID, nil), b1: f.user("flow.b1", gonghai.RoleRep, db.ID, nil)}
	o.m.DeptPath = "/" + da.ID + "/"
	o.p = f.pool("流转P", gonghai.PoolInput{MemberUserIDs: &[]string{o.a1.ID, o.a2.ID, o.b1.ID}, Recycle: sweepRules(0)})
	o.q = f.pool("流转Q", gonghai.PoolInput{MemberUserIDs: &[]string{o.a1.ID}})
	ids := f.customers(o.p.ID, 3)
	o.c1, o.c2, o.c3 = ids[0], ids[1], ids[2]
	f.customers(o.q.ID, 1)
	in := []store.BulkCustomer{{NewCustomer: gonghai.NewCustomer{PoolID: o.p.ID, CustomerFields: gonghai.CustomerFields{Company: "导入甲"}}},
		{NewCustomer: gonghai.NewCustomer{PoolID: o.p.ID, CustomerFields: gonghai.CustomerFields{Company: "导入乙"}}}}
	imported, err := f.db.BulkInsertCustomers(f.ctx, f.admin, in)
	if err != nil {
		f.t.Fatalf("import: %v", err)
	}
	slices.Sort(imported)
	o.i1 = imported[0]
	f.clock.Advance(time.Minute)
	mustClaim(f, o.a1, o.c1)
	mustClaim(f, o.a1, o.c2)
	mustClaim(f, o.b1, o.c3)
	f.assign(f.admin, o.a2, o.i1, "分给新人")
	f.clock.Advance(24 * time.Hour)
	f.release(o.a1, o.c1, "不合适", "", o.p.ID)
	f.clock.Set(time.Date(2026, 3, 6, 10, 0, 0, 0, shanghai))
	rep, err := (&recycle.Sweeper{Store: f.db}).Once(f.ctx)
	if err != nil || rep.Recycled != 3 {
		f.t.Fatalf("sweep: %+v, %v", rep, err)
	}
	f.clock.Advance(time.Hour)
	mustClaim(f, o.a2, o.c1)
	f.clock.Set(time.Date(2026, 3, 9, 8, 0, 0, 0, shanghai))
	return o
}

var flowWeek = gonghai.ReportQuery{From: "2026-03-02", To: "2026-03-08", Grain: gonghai.GrainDay}

// flowRow finds the row of table whose first cells read label.
func flowRow(t *testing.T, r gonghai.Report, table string, label ...string) map[string]gonghai.ReportCell {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.Name != table {
			continue
		}
	rows:
		for _, row := range tb.Rows {
			for i, l := range label {
				if row[i].Text != l {
					continue rows
				}
			}
			out := map[string]gonghai.ReportCell{}
			for i, c := range tb.Columns {
				out[c.Key] = row[i]
			}
			return out
		}
		t.Fatalf("table %s has no row %v", table, label)
	}
	t.Fatalf("report has no table %s", table)
	return nil
}

// wantCells checks the numbers of row, by column key.
func wantCells(t *testing.T, row map[string]gonghai.ReportCell, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		c, ok := row[k]
		if !ok || c.Value == nil || *c.Value < v-0.005 || *c.Value > v+0.005 {
			t.Errorf("%s = %+v, want %.3f", k, c, v)
		}
	}
}

func TestReportPoolFlow(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := flowHistory(f)
		all := f.report(f.admin, "pool-flow", flowWeek)
		wantCells(t, flowRow(t, all, "flow", "2026-03-02", "流转P"), map[string]float64{"entered_created": 3, "entered_imported": 2,
			"entered": 5, "left_claimed": 3, "left_assigned": 1, "left": 4, "stock": 1})
		wantCells(t, flowRow(t, all, "flow", "2026-03-03", "流转P"), map[string]float64{"entered_released": 1, "entered": 1, "left": 0, "stock": 2})
		wantCells(t, flowRow(t, all, "flow", "2026-03-05", "流转P"), map[string]float64{"entered": 0, "left": 0, "stock": 2})
		wantCells(t, flowRow(t, all, "flow", "2026-03-06", "流转P"), map[string]float64{"entered_recycled": 3, "left_claimed": 1, "stock": 4})
		wantCells(t, flowRow(t, all, "flow", "2026-03-08", "流转Q"), map[string]float64{"entered": 0, "stock": 1})
		wantCells(t, flowRow(t, all, "trend", "2026-03-02"), map[string]float64{"entered_created": 4, "entered": 6, "left": 4, "stock": 2})
		wantCells(t, flowRow(t, all, "pools", "流转P"), map[string]float64{"entered": 9, "left": 5, "changed_hands": 4,
			"avg_stock": 19.0 / 7, "turnover": 4 / (19.0 / 7)})
		wantCells(t, flowRow(t, all, "pools", "流转Q"), map[string]float64{"entered": 1, "left": 0, "changed_hands": 0, "avg_stock": 1, "turnover": 0})
		wantCells(t, flowRow(t, all, "pools", "全部"), map[string]float64{"entered": 10, "left": 5, "changed_hands": 4, "avg_stock": 19.0/7 + 1})

		// By week: one bucket, the week's moves and Sunday's stock.
		week := flowWeek
		week.Grain = gonghai.GrainWeek
		wantCells(t, flowRow(t, f.report(f.admin, "pool-flow", week), "flow", "2026-03-02", "流转P"), map[string]float64{"entered_created": 3,
			"entered_imported": 2, "entered_released": 1, "entered_recycled": 3, "entered_other": 0, "entered": 9,
			"left_claimed": 4, "left_assigned": 1, "left_other": 0, "left": 5, "stock": 4})

		// The manager counts department A only: a1's and a2's moves, not
		// the admin's creates nor b1's claim and recycle.
		mine := f.report(o.m, "pool-flow", week)
		wantCells(t, flowRow(t, mine, "flow", "2026-03-02", "流转P"), map[string]float64{"entered_created": 0, "entered_imported": 0,
			"entered_released": 1, "entered_recycled": 2, "entered": 3, "left_claimed": 3, "left_assigned": 1, "left": 4, "stock": 4})
		wantCells(t, flowRow(t, mine, "pools", "流转P"), map[string]float64{"changed_hands": 3, "turnover": 3 / (19.0 / 7)})
		if len(mine.Notes) < 4 {
			t.Errorf("a scoped report says stock is the whole pool's: %q", mine.Notes)
		}
		// A rep counts themselves, in the pools they see.
		b1 := f.report(o.b1, "pool-flow", week)
		wantCells(t, flowRow(t, b1, "flow", "2026-03-02", "流转P"), map[string]float64{"entered_recycled": 1, "entered": 1,
			"left_claimed": 1, "left": 1, "stock": 4})
		wantCells(t, flowRow(t, b1, "pools", "流转P"), map[string]float64{"changed_hands": 1})
		for _, tb := range b1.Tables {
			for _, row := range tb.Rows {
				if slices.ContainsFunc(row, func(c gonghai.ReportCell) bool { return c.Text == "流转Q" }) {
					t.Errorf("b1's report shows pool Q, which b1 is no member of")
				}
			}
		}
		a1 := f.report(o.a1, "pool-flow", week)
		wantCells(t, flowRow(t, a1, "pools", "流转P"), map[string]float64{"entered": 2, "left": 2, "changed_hands": 2})
		wantCells(t, flowRow(t, a1, "pools", "流转Q"), map[string]float64{"entered": 0, "left": 0, "changed_hands": 0})
		onlyQ := week
		onlyQ.PoolID = o.q.ID
		if _, err := f.db.Report(f.ctx, o.b1, "pool-flow", onlyQ); gonghai.ErrorCode(err) != gonghai.EInvalid {
			t.Errorf("b1 asks for pool Q: %v", err)
		}
	})
}

func TestReportPoolFlowDrill(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := flowHistory(f)
		all := f.report(f.admin, "pool-flow", flowWeek)
		key := flowRow(t, all, "flow", "2026-03-06", "流转P")["entered_recycled"].Drill
		if got, want := f.drilled(f.admin, "pool-flow", flowWeek, key), sorted(o.c2, o.c3, o.i1); !slices.Equal(got, want) {
			t.Errorf("recycled on Friday: %v, want %v", got, want)
		}
		key = flowRow(t, all, "flow", "2026-03-03", "流转P")["entered_released"].Drill
		if got := f.drilled(f.admin, "pool-flow", flowWeek, key); !slices.Equal(got, []string{o.c1}) {
			t.Errorf("released on Tuesday: %v, want %v", got, o.c1)
		}
		key = flowRow(t, all, "flow", "2026-03-02", "流转P")["left_assigned"].Drill
		if got := f.drilled(f.admin, "pool-flow", flowWeek, key); !slices.Equal(got, []string{o.i1}) {
			t.Errorf("assigned on Monday: %v, want %v", got, o.i1)
		}
		if got := f.drilled(f.admin, "pool-flow", flowWeek, flowRow(t, all, "pools", "流转P")["changed_hands"].Drill); len(got) != 4 {
			t.Errorf("changed hands: %v, want 4", got)
		}
		if got := f.drilled(f.admin, "pool-flow", flowWeek, flowRow(t, all, "flow", "2026-03-02", "流转P")["entered"].Drill); len(got) != 5 {
			t.Errorf("entered on Monday: %v, want the 5 created and imported", got)
		}
		// The manager's numbers drill to department A's customers only.
		week := flowWeek
		week.Grain = gonghai.GrainWeek
		mine := f.report(o.m, "pool-flow", week)
		if got, want := f.drilled(o.m, "pool-flow", week, flowRow(t, mine, "flow", "2026-03-02", "流转P")["entered_recycled"].Drill),
			sorted(o.c2, o.i1); !slices.Equal(got, want) {
			t.Errorf("recycled in the manager's scope: %v, want %v", got, want)
		}
		if got, want := f.drilled(o.m, "pool-flow", week, flowRow(t, mine, "pools", "流转P")["changed_hands"].Drill),
			sorted(o.c1, o.c2, o.i1); !slices.Equal(got, want) {
			t.Errorf("changed hands in the manager's scope: %v, want %v", got, want)
		}
		for _, bad := range []string{"nonsense", "b=2026-04-01.p=all.k=in", "b=all.p=" + o.q.ID + ".k=released", "b=all.p=all.k=won"} {
			viewer := f.admin
			if bad[len(bad)-8:] == "released" {
				viewer = o.b1 // b1 does not see Q
			}
			if _, _, err := f.db.ReportCustomers(f.ctx, viewer, "pool-flow", week, bad); gonghai.ErrorCode(err) != gonghai.EInvalid {
				t.Errorf("drill %q: %v, want invalid", bad, err)
			}
		}
	})
}
