package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
)

// tenureHistory is a known week of claims, assignments, follow-ups,
// orders, releases and recycles in two departments, for the tenure
// reports. T is Tuesday 3 March 2026, 00:00 in the organisation's zone;
// the pool recycles after three days without a follow-up.
//
//	c1 a1 claimed T, followed T+0.5h, released T+2d
//	c2 a1 claimed T, followed T+30h, won (order on T+3d's day), still held
//	c3 a1 claimed T, never followed, recycled T+4d
//	c4 a2 assigned T, followed T+2h and T+2d, won (order on T+2d's day), still held
//	c5 b1 claimed T, followed T+1h, released T+3d
//	c6 a2 claimed T+12h, never followed, recycled T+4d
//	c7 a2 claimed T+6h, followed T+9h, recycled T+4d
//	c8 a1 created (owned) T+1d, never followed, still held
//	c9 b1 claimed T+3.5d, never followed, still held
//
// The reports are asked at T+4.5d for the week from T.
type tenureHistory struct {
	T                  time.Time
	q                  gonghai.ReportQuery
	a1, a2, b1, ma, mb gonghai.User
	deptA, deptB       gonghai.Department
	pool               gonghai.Pool
	c                  map[string]string // c1… to the customer's id
}

func (f *fixture) tenureHistory() tenureHistory {
	f.t.Helper()
	h := tenureHistory{c: map[string]string{}}
	h.deptA, h.deptB = f.dept("销售一部", ""), f.dept("销售二部", "")
	h.a1 = f.user("rep.a1", gonghai.RoleRep, h.deptA.ID, nil)
	h.a2 = f.user("rep.a2", gonghai.RoleRep, h.deptA.ID, nil)
	h.b1 = f.user("rep.b1", gonghai.RoleRep, h.deptB.ID, nil)
	h.ma = f.user("mgr.a", gonghai.RoleManager, h.deptA.ID, nil)
	h.mb = f.user("mgr.b", gonghai.RoleManager, h.deptB.ID, nil)
	members := []string{h.a1.ID, h.a2.ID, h.b1.ID}
	p := f.pool("报表公海", gonghai.PoolInput{MemberUserIDs: &members, Recycle: sweepRules(0)})
	h.pool = p
	ids := f.customers(p.ID, 9)
	for i, id := range ids[:7] {
		h.c[fmt.Sprintf("c%d", i+1)] = id
	}
	h.c["c9"] = ids[8]
	loc := f.zone()
	h.T = time.Date(2026, 3, 3, 0, 0, 0, 0, loc)
	at := func(d time.Duration) { f.clock.Set(h.T.Add(d)) }
	hour, dayD := time.Hour, 24*time.Hour
	follow := func(u gonghai.User, c string) { f.logFollowUp(u, h.c[c], "call") }
	release := func(u gonghai.User, c string) {
		if _, err := f.db.Release(f.ctx, u, h.c[c], "客户暂无需求", ""); err != nil {
			f.t.Fatalf("%s releases %s: %v", u.Login, c, err)
		}
	}

	at(0)
	for _, c := range []string{"c1", "c2", "c3"} {
		mustClaim(f, h.a1, h.c[c])
	}
	f.assign(f.admin, h.a2, h.c["c4"], "按区域分配")
	mustClaim(f, h.b1, h.c["c5"])
	at(hour / 2)
	follow(h.a1, "c1")
	at(hour)
	follow(h.b1, "c5")
	at(2 * hour)
	follow(h.a2, "c4")
	at(6 * hour)
	mustClaim(f, h.a2, h.c["c7"])
	at(9 * hour)
	follow(h.a2, "c7")
	at(12 * hour)
	mustClaim(f, h.a2, h.c["c6"])
	at(dayD)
	c8, err := f.db.CreateCustomer(f.ctx, h.a1, gonghai.NewCustomer{PoolID: p.ID, OwnerID: h.a1.ID,
		CustomerFields: gonghai.CustomerFields{Company: "自建客户八号"}, AllowSimilar: true})
	if err != nil {
		f.t.Fatal(err)
	}
	h.c["c8"] = c8.ID
	at(30 * hour)
	follow(h.a1, "c2")
	at(2 * dayD)
	release(h.a1, "c1")
	f.order(h.a2, h.c["c4"], h.T.Add(2*dayD).Format(time.DateOnly))
	follow(h.a2, "c4")
	at(3 * dayD)
	release(h.b1, "c5")
	f.order(h.a1, h.c["c2"], h.T.Add(3*dayD).Format(time.DateOnly))
	at(3*dayD + 12*hour)
	mustClaim(f, h.b1, h.c["c9"])
	at(4 * dayD)
	rep, err := (&recycle.Sweeper{Store: f.db}).Once(f.ctx)
	if err != nil || rep.Recycled != 3 {
		f.t.Fatalf("sweep at T+4d: %+v, %v; want c3, c6 and c7 recycled", rep, err)
	}
	for _, c := range []string{"c3", "c6", "c7"} {
		if got := f.customer(h.c[c]); got.OwnerID != "" {
			f.t.Fatalf("%s not recycled: owner %s", c, got.OwnerID)
		}
	}
	at(4*dayD + 12*hour)
	h.q = gonghai.ReportQuery{From: "2026-03-03", To: "2026-03-09"}
	return h
}

// cell is the cell of column col in the row of table whose first cell
// reads label.
func cell(t testing.TB, r gonghai.Report, table, label, col string) (gonghai.ReportCell, bool) {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.Name != table {
			continue
		}
		at := slices.IndexFunc(tb.Columns, func(c gonghai.ReportColumn) bool { return c.Key == col })
		if at < 0 {
			t.Fatalf("table %s has no column %s", table, col)
		}
		for _, row := range tb.Rows {
			if row[0].Text == label {
				return row[at], true
			}
		}
		return gonghai.ReportCell{}, false
	}
	t.Fatalf("report %s has no table %s", r.Name, table)
	return gonghai.ReportCell{}, false
}

// wantTableCells checks cells of rows of a table: label → column → value (nil:
// an empty cell "—").
func wantTableCells(t testing.TB, r gonghai.Report, table string, want map[string]map[string]*float64) {
	t.Helper()
	for label, cols := range want {
		for col, v := range cols {
			c, ok := cell(t, r, table, label, col)
			switch {
			case !ok:
				t.Errorf("%s %s: no row %s", r.Scope, table, label)
			case v == nil && c.Value != nil:
				t.Errorf("%s %s[%s].%s = %v, want empty", r.Scope, table, label, col, *c.Value)
			case v != nil && (c.Value == nil || *c.Value != *v):
				t.Errorf("%s %s[%s].%s = %q, want %v", r.Scope, table, label, col, c.Text, *v)
			}
		}
	}
}

// rowLabels are the first cells of table's rows.
func rowLabels(t testing.TB, r gonghai.Report, table string) []string {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.Name == table {
			var out []string
			for _, row := range tb.Rows {
				out = append(out, row[0].Text)
			}
			return out
		}
	}
	t.Fatalf("report %s has no table %s", r.Name, table)
	return nil
}

// drillsTo checks that the drill-down of the cell's key lists exactly
// the customers want (c1… of h), and that the key is the cell's.
func (f *fixture) drillsTo(h tenureHistory, viewer gonghai.User, name string, key string, want ...string) {
	f.t.Helper()
	cs, total, err := f.db.ReportCustomers(f.ctx, viewer, name, h.q, key)
	if err != nil {
		f.t.Fatalf("%s drills %s %s: %v", viewer.Login, name, key, err)
	}
	byID := map[string]string{}
	for k, id := range h.c {
		byID[id] = k
	}
	var got []string
	for _, c := range cs {
		got = append(got, byID[c.ID])
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || total != len(want) {
		f.t.Errorf("%s drills %s %s: %v (total %d), want %v", viewer.Login, name, key, got, total, want)
	}
}

// drillOf is the drill key of a cell, failing the test when it has none.
func drillOf(t testing.TB, r gonghai.Report, table, label, col string) string {
	t.Helper()
	c, ok := cell(t, r, table, label, col)
	if !ok || c.Drill == "" {
		t.Fatalf("%s %s[%s].%s has no drill key", r.Name, table, label, col)
	}
	return c.Drill
}

// val is a wanted cell value.
func val(v float64) *float64 { return &v }

// TestHoldingTimeReport: the days held before won, released and recycled,
// P50/P90 by rep, department and in all, the histogram, and the customers
// held longest without a follow-up, exactly, for an admin, a manager
// (nothing of the other department) and a rep (only themselves); each
// count drills to its customers.
func TestHoldingTimeReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		h := f.tenureHistory()
		r := f.report(f.admin, "holding-time", h.q)
		wantTableCells(t, r, "summary", map[string]map[string]*float64{"全部": {
			"won": val(2), "won_p50": val(2), "won_p90": val(3),
			"released": val(2), "released_p50": val(2), "released_p90": val(3),
			"recycled": val(3), "recycled_p50": val(3.75), "recycled_p90": val(4),
		}})
		wantTableCells(t, r, "by_rep", map[string]map[string]*float64{
			"rep.a1": {"won": val(1), "won_p50": val(3), "won_p90": val(3), "released": val(1), "released_p50": val(2),
				"recycled": val(1), "recycled_p50": val(4), "recycled_p90": val(4)},
			"rep.a2": {"won": val(1), "won_p50": val(2), "released": val(0), "released_p50": nil, "released_p90": nil,
				"recycled": val(2), "recycled_p50": val(3.5), "recycled_p90": val(3.75)},
			"rep.b1": {"won": val(0), "won_p50": nil, "released": val(1), "released_p50": val(3), "recycled": val(0)},
		})
		if got := rowLabels(t, r, "by_rep"); !slices.Equal(got, []string{"rep.a1", "rep.a2", "rep.b1"}) {
			t.Errorf("by_rep rows %v", got)
		}
		wantTableCells(t, r, "by_department", map[string]map[string]*float64{
			"销售一部": {"won": val(2), "won_p50": val(2), "won_p90": val(3), "released": val(1), "released_p90": val(2),
				"recycled": val(3), "recycled_p50": val(3.75), "recycled_p90": val(4)},
			"销售二部": {"won": val(0), "released": val(1), "released_p50": val(3), "recycled": val(0), "recycled_p90": nil},
		})
		wantTableCells(t, r, "histogram", map[string]map[string]*float64{
			"0–1":  {"won": val(0), "released": val(0), "recycled": val(0), "total": val(0)},
			"1–3":  {"won": val(1), "released": val(1), "recycled": val(0), "total": val(2)},
			"3–7":  {"won": val(1), "released": val(1), "recycled": val(3), "total": val(5)},
			"60+":  {"total": val(0)},
			"7–14": {"total": val(0)},
		})
		// Held now: c8 since T+1d, c2 followed at T+30h, c4 at T+2d, c9 since
		// T+3.5d; asked at T+4.5d.
		if got := rowLabels(t, r, "longest_without_follow_up"); !slices.Equal(got, []string{"自建客户八号",
			f.customer(h.c["c2"]).Company, f.customer(h.c["c4"]).Company, f.customer(h.c["c9"]).Company}) {
			t.Errorf("longest without a follow-up: %v", got)
		}
		wantTableCells(t, r, "longest_without_follow_up", map[string]map[string]*float64{
			"自建客户八号":                      {"days_without_follow_up": val(3.5), "days_held": val(3.5), "follow_ups": val(0)},
			f.customer(h.c["c2"]).Company: {"days_without_follow_up": val(3.25), "days_held": val(4.5), "follow_ups": val(1)},
			f.customer(h.c["c4"]).Company: {"days_without_follow_up": val(2.5), "days_held": val(4.5), "follow_ups": val(2)},
			f.customer(h.c["c9"]).Company: {"days_without_follow_up": val(1), "days_held": val(1), "follow_ups": val(0)},
		})
		if c, _ := cell(t, r, "longest_without_follow_up", "自建客户八号", "rep"); c.Text != "rep.a1" {
			t.Errorf("c8's rep %q", c.Text)
		}
		if c, _ := cell(t, r, "longest_without_follow_up", "自建客户八号", "pool"); c.Text != "报表公海" {
			t.Errorf("c8's pool %q", c.Text)
		}
		if len(r.Charts) < 2 || r.Charts[0].Kind != gonghai.ChartHistogram {
			t.Errorf("charts %+v", r.Charts)
		}

		name := "holding-time"
		f.drillsTo(h, f.admin, name, drillOf(t, r, "summary", "全部", "won"), "c2", "c4")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "summary", "全部", "recycled"), "c3", "c6", "c7")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "by_rep", "rep.a2", "recycled"), "c6", "c7")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "by_department", "销售二部", "released"), "c5")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "by_department", "销售一部", "released"), "c1")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "histogram", "1–3", "total"), "c1", "c4")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "histogram", "3–7", "recycled"), "c3", "c6", "c7")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "longest_without_follow_up", f.customer(h.c["c2"]).Company, "customer"), "c2")
		f.drillsTo(h, f.admin, name, "k=stale", "c2", "c4", "c8", "c9")
		for _, bad := range []string{"k=nope", "won", "k=won_b9", "k=total", "k=won.x=1", "k=won.u=a.d=b"} {
			_, _, err := f.db.ReportCustomers(f.ctx, f.admin, name, h.q, bad)
			wantCode(t, err, gonghai.EInvalid)
		}

		// The manager of 销售一部: nothing of b1's.
		m := f.report(h.ma, name, h.q)
		wantTableCells(t, m, "summary", map[string]map[string]*float64{"全部": {
			"won": val(2), "released": val(1), "released_p50": val(2), "released_p90": val(2),
			"recycled": val(3), "recycled_p50": val(3.75),
		}})
		if got := rowLabels(t, m, "by_rep"); !slices.Equal(got, []string{"rep.a1", "rep.a2"}) {
			t.Errorf("manager's by_rep rows %v", got)
		}
		if got := rowLabels(t, m, "by_department"); !slices.Equal(got, []string{"销售一部"}) {
			t.Errorf("manager's by_department rows %v", got)
		}
		if got := rowLabels(t, m, "longest_without_follow_up"); len(got) != 3 || slices.Contains(got, f.customer(h.c["c9"]).Company) {
			t.Errorf("manager's longest without a follow-up: %v", got)
		}
		f.drillsTo(h, h.ma, name, drillOf(t, m, "summary", "全部", "released"), "c1")
		f.drillsTo(h, h.ma, name, "k=stale.c="+h.c["c9"])
		f.drillsTo(h, h.ma, name, "k=released.u="+h.b1.ID)

		// A rep: only their own.
		a := f.report(h.a2, name, h.q)
		wantTableCells(t, a, "summary", map[string]map[string]*float64{"全部": {
			"won": val(1), "won_p50": val(2), "released": val(0), "released_p50": nil, "recycled": val(2), "recycled_p90": val(3.75),
		}})
		if got := rowLabels(t, a, "longest_without_follow_up"); !slices.Equal(got, []string{f.customer(h.c["c4"]).Company}) {
			t.Errorf("rep's longest without a follow-up: %v", got)
		}
		f.drillsTo(h, h.a2, name, drillOf(t, a, "summary", "全部", "recycled"), "c6", "c7")
		f.drillsTo(h, h.a2, name, "k=stale", "c4")
	})
}
