package store_test

import (
	"slices"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestFirstFollowUpReport: over the tenure history, the hours from claim
// or assignment to the first follow-up (P50/P90 by rep, department and in
// all), the counts within 1 h, within 24 h, later and never, and the share
// of recycled customers never followed up, exactly, for an admin, a
// manager (nothing of the other department) and a rep; each count drills
// to its customers.
//
// Started by claim or assignment in the week: c1 0.5 h, c2 30 h, c3
// never, c4 2 h, c5 1 h (b1), c6 never, c7 3 h, c9 never (b1); c8 was
// created, not claimed. Recycled: c3 and c6 never followed, c7 followed.
func TestFirstFollowUpReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		h := f.tenureHistory()
		const name = "first-follow-up"
		r := f.report(f.admin, name, h.q)
		wantTableCells(t, r, "summary", map[string]map[string]*float64{"全部": {
			"started": val(8), "followed": val(5), "hours_p50": val(2), "hours_p90": val(30),
			"within_1h": val(2), "within_24h": val(2), "later": val(1), "never": val(3), "never_share": val(37.5),
			"recycled": val(3), "recycled_never": val(2), "recycled_never_share": val(100 * 2.0 / 3),
		}})
		wantTableCells(t, r, "by_rep", map[string]map[string]*float64{
			"rep.a1": {"started": val(3), "followed": val(2), "hours_p50": val(0.5), "hours_p90": val(30), "within_1h": val(1),
				"within_24h": val(0), "later": val(1), "never": val(1), "recycled": val(1), "recycled_never": val(1),
				"recycled_never_share": val(100)},
			"rep.a2": {"started": val(3), "followed": val(2), "hours_p50": val(2), "hours_p90": val(3), "within_1h": val(0),
				"within_24h": val(2), "never": val(1), "recycled": val(2), "recycled_never": val(1), "recycled_never_share": val(50)},
			"rep.b1": {"started": val(2), "followed": val(1), "hours_p50": val(1), "hours_p90": val(1), "within_1h": val(1),
				"never": val(1), "never_share": val(50), "recycled": val(0), "recycled_never_share": nil},
		})
		wantTableCells(t, r, "by_department", map[string]map[string]*float64{
			"销售一部": {"started": val(6), "followed": val(4), "hours_p50": val(2), "hours_p90": val(30), "never": val(2),
				"recycled": val(3), "recycled_never": val(2)},
			"销售二部": {"started": val(2), "followed": val(1), "hours_p50": val(1), "recycled": val(0)},
		})
		wantTableCells(t, r, "histogram", map[string]map[string]*float64{
			"0–1": {"hours": val(2)}, "1–4": {"hours": val(2)}, "4–24": {"hours": val(0)}, "24–72": {"hours": val(1)},
			"72–168": {"hours": val(0)}, "168+": {"hours": val(0)},
		})
		if len(r.Charts) < 2 || r.Charts[0].Kind != gonghai.ChartHistogram || r.Charts[1].Series[0] != "hours_p50" {
			t.Errorf("charts %+v", r.Charts)
		}
		f.drillsTo(h, f.admin, name, drillOf(t, r, "summary", "全部", "started"), "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c9")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "summary", "全部", "never"), "c3", "c6", "c9")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "summary", "全部", "never_share"), "c3", "c6", "c9")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "summary", "全部", "recycled"), "c3", "c6", "c7")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "summary", "全部", "recycled_never"), "c3", "c6")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "by_rep", "rep.b1", "within_1h"), "c5")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "by_rep", "rep.a2", "within_24h"), "c4", "c7")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "by_department", "销售一部", "later"), "c2")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "histogram", "0–1", "hours"), "c1", "c5")
		f.drillsTo(h, f.admin, name, drillOf(t, r, "histogram", "24–72", "hours"), "c2")
		for _, bad := range []string{"k=stale", "k=hours", "k=hours_b6", "k=never.u"} {
			_, _, err := f.db.ReportCustomers(f.ctx, f.admin, name, h.q, bad)
			if bad == "k=never.u" {
				// A group of nobody: a key no report wrote, counting no one.
				if err != nil {
					t.Errorf("drill %s: %v", bad, err)
				}
				continue
			}
			wantCode(t, err, gonghai.EInvalid)
		}

		// The manager of 销售一部: nothing of b1's.
		m := f.report(h.ma, name, h.q)
		wantTableCells(t, m, "summary", map[string]map[string]*float64{"全部": {
			"started": val(6), "followed": val(4), "hours_p50": val(2), "hours_p90": val(30), "within_1h": val(1),
			"never": val(2), "recycled": val(3), "recycled_never": val(2),
		}})
		if got := rowLabels(t, m, "by_rep"); !slices.Equal(got, []string{"rep.a1", "rep.a2"}) {
			t.Errorf("manager's by_rep rows %v", got)
		}
		f.drillsTo(h, h.ma, name, drillOf(t, m, "summary", "全部", "within_1h"), "c1")
		f.drillsTo(h, h.ma, name, "k=within_1h.u="+h.b1.ID)
		// The other department's manager sees only b1's.
		mb := f.report(h.mb, name, h.q)
		wantTableCells(t, mb, "summary", map[string]map[string]*float64{"全部": {"started": val(2), "never": val(1), "recycled": val(0),
			"recycled_never_share": nil}})

		// A rep: only their own, whatever they ask.
		a := f.report(h.a1, name, h.q)
		wantTableCells(t, a, "summary", map[string]map[string]*float64{"全部": {
			"started": val(3), "followed": val(2), "hours_p50": val(0.5), "hours_p90": val(30), "never": val(1),
			"recycled": val(1), "recycled_never_share": val(100),
		}})
		f.drillsTo(h, h.a1, name, drillOf(t, a, "summary", "全部", "started"), "c1", "c2", "c3")
		if _, err := f.db.Report(f.ctx, h.a1, name, gonghai.ReportQuery{From: h.q.From, To: h.q.To, UserID: h.a2.ID}); err == nil {
			t.Errorf("a rep asked for another rep's report")
		}

		// Filtered by the history's pool, the same; by another, nothing.
		inPool := f.report(f.admin, name, gonghai.ReportQuery{From: h.q.From, To: h.q.To, PoolID: h.pool.ID})
		wantTableCells(t, inPool, "summary", map[string]map[string]*float64{"全部": {"started": val(8), "recycled_never": val(2)}})
		other := f.pool("别的公海", gonghai.PoolInput{})
		elsewhere := f.report(f.admin, name, gonghai.ReportQuery{From: h.q.From, To: h.q.To, PoolID: other.ID})
		wantTableCells(t, elsewhere, "summary", map[string]map[string]*float64{"全部": {"started": val(0), "recycled": val(0)}})

		// A period before the history counts nothing.
		empty := f.report(f.admin, name, gonghai.ReportQuery{From: "2026-02-01", To: "2026-02-28"})
		wantTableCells(t, empty, "summary", map[string]map[string]*float64{"全部": {"started": val(0), "hours_p50": nil, "never_share": nil}})
	})
}
