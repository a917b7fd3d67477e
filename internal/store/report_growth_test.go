package store_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestSalesGrowthReport checks won amounts by month beside the same month
// a year before, credited to the owner who held the customer when the
// order was recorded, for an admin, a manager and reps.
func TestSalesGrowthReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		south := f.dept("华南组", "")
		rep3 := f.user("rep.south", gonghai.RoleRep, south.ID, nil)
		p := f.pool("增长公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID, south.ID}})
		ids := f.customers(p.ID, 4)
		a, b, c, d := ids[0], ids[1], ids[2], ids[3] // d stays in the pool
		f.assign(f.admin, o.rep1, a, "")
		f.assign(f.admin, o.rep2, b, "")
		f.assign(f.admin, rep3, c, "")
		// 2026-03-02: last year's orders entered late, and this March's.
		f.orderOf(a, 1000, "2025-03-10")
		f.orderOf(b, 500, "2025-03-20")
		f.orderOf(c, 2000, "2025-04-05")
		f.orderOf(a, 1500, "2026-03-02")
		f.orderOf(d, 300, "2026-03-02")
		// April: a changes hands between two orders.
		f.clock.Set(time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC))
		f.orderOf(b, 800, "2026-04-10")
		f.orderOf(a, 100, "2026-04-10")
		f.clock.Advance(24 * time.Hour)
		f.transfer(f.admin, o.rep2, a, "交接")
		f.orderOf(a, 400, "2026-04-11")
		f.clock.Set(time.Date(2026, 5, 20, 2, 0, 0, 0, time.UTC))
		f.orderOf(c, 700, "2026-05-20")
		// June: one for May's last day, one outside the period.
		f.clock.Set(time.Date(2026, 6, 3, 2, 0, 0, 0, time.UTC))
		f.orderOf(a, 50, "2026-05-31")
		f.orderOf(a, 9999, "2026-06-01")

		q := gonghai.ReportQuery{From: "2026-03-01", To: "2026-05-31"}
		type want struct {
			amount, last, growth, orders, customers, lastCustomers float64 // NaN: empty
		}
		nan := math.NaN()
		same := func(got gonghai.ReportCell, w float64) bool {
			if math.IsNaN(w) {
				return got.Value == nil && got.Text == "—"
			}
			return got.Value != nil && math.Abs(*got.Value-w) < 1e-9
		}
		check := func(who string, rep gonghai.Report, months map[string]want, total want) {
			t.Helper()
			tb := reportTable(t, rep, "months")
			var order []string
			for _, row := range tb.Rows {
				order = append(order, row[0].Text)
			}
			if !slices.Equal(order, []string{"2026-03", "2026-04", "2026-05"}) {
				t.Errorf("%s: months %v", who, order)
			}
			rows := tableRows(tb)
			totals := reportTable(t, rep, "totals")
			rows["total"] = cellsByKey(totals, totals.Rows[0])
			months["total"] = total
			for m, w := range months {
				r := rows[m]
				if !same(r["amount"], w.amount) || !same(r["last_year"], w.last) || !same(r["growth"], w.growth) ||
					!same(r["orders"], w.orders) || !same(r["customers"], w.customers) || !same(r["last_year_customers"], w.lastCustomers) {
					t.Errorf("%s %s: amount %s last year %s growth %s orders %s customers %s last year %s; want %+v", who, m,
						r["amount"].Text, r["last_year"].Text, r["growth"].Text, r["orders"].Text, r["customers"].Text,
						r["last_year_customers"].Text, w)
				}
			}
		}
		admin := f.report(f.admin, "sales-growth", q)
		check("admin", admin, map[string]want{
			"2026-03": {1800, 1500, 20, 2, 2, 2},
			"2026-04": {1300, 2000, -35, 3, 2, 1},
			"2026-05": {750, nan, nan, 2, 2, nan},
		}, want{3850, 3500, 10, 7, 4, 3})
		rows := tableRows(reportTable(t, admin, "months"))
		totals := reportTable(t, admin, "totals")
		if m := rows["2026-03"]; m["amount"].Drill != m["customers"].Drill || m["orders"].Drill != m["customers"].Drill ||
			m["last_year"].Drill != m["last_year_customers"].Drill || rows["2026-05"]["last_year"].Drill != "" {
			t.Errorf("amounts and counts drill to their month's customers: %+v", m)
		}
		for key, w := range map[string][]string{
			rows["2026-03"]["customers"].Drill:                    sorted(a, d),
			rows["2026-03"]["last_year_customers"].Drill:          sorted(a, b),
			rows["2026-04"]["last_year_customers"].Drill:          {c},
			cellsByKey(totals, totals.Rows[0])["customers"].Drill: sorted(a, b, c, d),
		} {
			if got := f.drilled(f.admin, "sales-growth", q, key); !slices.Equal(got, w) {
				t.Errorf("drill %s = %v, want %v", key, got, w)
			}
		}
		for _, bad := range []string{"p=2.m=2026-03", "p=0.m=03", "m=2026-03", "p=0.m=2026-03.x=1"} {
			_, _, err := f.db.ReportCustomers(f.ctx, f.admin, "sales-growth", q, bad)
			wantCode(t, err, gonghai.EInvalid)
		}

		// The sales manager: no south rep, no order entered with no owner.
		mgr := f.report(o.salesMgr, "sales-growth", q)
		check("manager", mgr, map[string]want{
			"2026-03": {1500, 1500, 0, 1, 1, 2},
			"2026-04": {1300, nan, nan, 3, 2, nan},
			"2026-05": {50, nan, nan, 1, 1, nan},
		}, want{2850, 1500, 90, 5, 2, 2})
		if got := f.drilled(o.salesMgr, "sales-growth", q, "p=0.m=2026-03"); !slices.Equal(got, []string{a}) {
			t.Errorf("manager's March drill = %v", got)
		}

		// Reps: each their own orders, whoever holds the customer now.
		check("rep1", f.report(o.rep1, "sales-growth", q), map[string]want{
			"2026-03": {1500, 1000, 50, 1, 1, 1},
			"2026-04": {100, nan, nan, 1, 1, nan},
			"2026-05": {0, nan, nan, 0, 0, nan},
		}, want{1600, 1000, 60, 2, 1, 1})
		check("rep2", f.report(o.rep2, "sales-growth", q), map[string]want{
			"2026-03": {0, 500, -100, 0, 0, 1},
			"2026-04": {1200, nan, nan, 2, 2, nan},
			"2026-05": {50, nan, nan, 1, 1, nan},
		}, want{1250, 500, 150, 3, 2, 1})
	})
}
