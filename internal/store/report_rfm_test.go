package store_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// orderOf records an order of yuan yuan for customer id on day on.
func (f *fixture) orderOf(id string, yuan int64, on string) {
	f.t.Helper()
	if _, err := f.db.CreateOrder(f.ctx, f.admin, id, gonghai.Money(yuan*100), on); err != nil {
		f.t.Fatalf("order of %s on %s: %v", id, on, err)
	}
}

// rfmHistory is six won customers with known orders: five in the sales
// tree, one in the south; and one customer with an order after June.
type rfmHistory struct {
	o    salesTree
	rep3 gonghai.User
	ids  []string
}

func (f *fixture) rfmHistory() rfmHistory {
	f.t.Helper()
	h := rfmHistory{o: newSalesTree(f)}
	south := f.dept("华南组", "")
	h.rep3 = f.user("rep.south", gonghai.RoleRep, south.ID, nil)
	p := f.pool("订单公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{h.o.sales.ID, south.ID}})
	h.ids = f.customers(p.ID, 7)
	for i, u := range []gonghai.User{h.o.rep1, h.o.rep1, h.o.rep1b, h.o.rep2, h.o.rep2, h.rep3, h.o.rep1} {
		f.assign(f.admin, u, h.ids[i], "")
	}
	f.clock.Set(time.Date(2026, 7, 6, 2, 0, 0, 0, time.UTC))
	for _, o := range []struct {
		i    int
		yuan int64
		on   string
	}{
		{0, 1000, "2026-06-30"}, {0, 1000, "2026-06-01"}, {0, 1000, "2026-05-01"}, {0, 7000, "2026-07-03"},
		{1, 5000, "2026-06-20"},
		{2, 200, "2026-04-01"}, {2, 200, "2026-04-02"}, {2, 200, "2026-04-03"}, {2, 200, "2026-04-04"},
		{3, 100, "2026-03-10"},
		{4, 300, "2026-06-25"}, {4, 300, "2026-06-26"},
		{5, 9000, "2026-06-29"}, {5, 9000, "2026-06-28"}, {5, 9000, "2026-06-27"}, {5, 9000, "2026-06-26"}, {5, 9000, "2026-06-25"},
		{6, 50, "2026-07-05"},
	} {
		f.orderOf(h.ids[o.i], o.yuan, o.on)
	}
	return h
}

// TestRFMReport checks the scores, tiers and the R×F grid of June's end,
// over the customers in each viewer's scope, and the drill-down.
func TestRFMReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		h := f.rfmHistory()
		ids := h.ids
		q := gonghai.ReportQuery{From: "2026-06-01", To: "2026-06-30"}
		rep := f.report(f.admin, "rfm", q)
		tiers := tableRows(reportTable(t, rep, "tiers"))
		if len(tiers) != 8 {
			t.Errorf("%d tiers, want 8", len(tiers))
		}
		// Days since the last order: 0, 10, 87, 112, 4, 1; orders 3, 1, 4,
		// 1, 2, 5; yuan 3000, 5000, 800, 100, 600, 45000.
		for _, w := range []struct {
			tier        string
			n           float64
			yuan, share float64
			recency     float64
			drill       []string
		}{
			{"重要价值", 2, 48000, 100 * 48000.0 / 54500, 0.5, sorted(ids[0], ids[5])},
			{"重要挽留", 1, 5000, 100 * 5000.0 / 54500, 10, []string{ids[1]}},
			{"一般保持", 1, 800, 100 * 800.0 / 54500, 87, []string{ids[2]}},
			{"一般挽留", 1, 100, 100 * 100.0 / 54500, 112, []string{ids[3]}},
			{"一般发展", 1, 600, 100 * 600.0 / 54500, 4, []string{ids[4]}},
			{"重要保持", 0, 0, 0, math.NaN(), []string{}},
		} {
			r := tiers[w.tier]
			if num(r["customers"]) != w.n || num(r["amount"]) != w.yuan || math.Abs(num(r["amount_share"])-w.share) > 1e-9 ||
				!(num(r["recency"]) == w.recency || math.IsNaN(w.recency) && r["recency"].Value == nil) {
				t.Errorf("%s: %s customers, %s yuan, %s, %s days; want %v %v %v %v", w.tier, r["customers"].Text, r["amount"].Text,
					r["amount_share"].Text, r["recency"].Text, w.n, w.yuan, w.share, w.recency)
			}
			if w.n == 0 {
				if r["customers"].Drill != "" {
					t.Errorf("%s: an empty tier has drill %q", w.tier, r["customers"].Drill)
				}
				continue
			}
			if got := f.drilled(f.admin, "rfm", q, r["customers"].Drill); !slices.Equal(got, w.drill) {
				t.Errorf("%s drill = %v, want %v", w.tier, got, w.drill)
			}
		}
		rf := tableRows(reportTable(t, rep, "rf"))
		cells := 0.0
		for _, row := range rf {
			for k, c := range row {
				if k != "r" {
					cells += num(c)
				}
			}
		}
		if cells != 6 || num(rf["R=5"]["f4"]) != 1 || num(rf["R=5"]["f5"]) != 1 || num(rf["R=3"]["f2"]) != 1 ||
			num(rf["R=2"]["f5"]) != 1 || num(rf["R=1"]["f2"]) != 1 || num(rf["R=4"]["f3"]) != 1 {
			t.Errorf("R×F grid %v", rf)
		}
		if got := f.drilled(f.admin, "rfm", q, rf["R=5"]["f4"].Drill); !slices.Equal(got, []string{ids[0]}) {
			t.Errorf("R=5 F=4 drill = %v, want %v", got, ids[0])
		}
		for _, bad := range []string{"r=6.f=1", "r=1", "t=x.r=1.f=1", "q=1"} {
			_, _, err := f.db.ReportCustomers(f.ctx, f.admin, "rfm", q, bad)
			wantCode(t, err, gonghai.EInvalid)
		}

		// The sales manager scores their five customers among themselves.
		mgr := tableRows(reportTable(t, f.report(h.o.salesMgr, "rfm", q), "tiers"))
		if num(mgr["重要价值"]["customers"]) != 1 || num(mgr["重要价值"]["amount"]) != 3000 || num(mgr["一般发展"]["customers"]) != 1 {
			t.Errorf("manager's tiers %v", mgr)
		}
		if got := f.drilled(h.o.salesMgr, "rfm", q, "t=important-value"); !slices.Equal(got, []string{ids[0]}) {
			t.Errorf("manager's 重要价值 = %v", got)
		}
		// rep1's two customers: 0 days, 3 orders, 3000 and 10 days, 1
		// order, 5000 score (5, 5, 3) and (3, 3, 5).
		own := tableRows(reportTable(t, f.report(h.o.rep1, "rfm", q), "tiers"))
		if num(own["一般价值"]["customers"]) != 1 || num(own["重要挽留"]["customers"]) != 1 || num(own["重要价值"]["customers"]) != 0 {
			t.Errorf("rep's tiers %v", own)
		}

		// At May's end only the customers with an order by then count.
		may := reportTable(t, f.report(f.admin, "rfm", gonghai.ReportQuery{From: "2026-05-01", To: "2026-05-31"}), "tiers")
		n := 0.0
		for _, row := range may.Rows {
			n += num(row[1])
		}
		if n != 3 {
			t.Errorf("customers with an order by May's end: %v, want 3", n)
		}
	})
}
