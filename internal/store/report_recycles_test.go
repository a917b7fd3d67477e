package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
)

// recycleHistory is a week of recycles and releases in 销售部 ⊃ 华东 (manager
// east, reps a and b), 华北 (rep n):
//   - 03-02 a claims c1, c2, c5; b claims c3, c6; n claims c4, c7; a
//     releases c5 and b c6 "客户无意向" (b with spaces to normalise), n c7
//     "号码错误";
//   - 03-07 the sweep recycles c1–c4 (no follow-up in 3 days);
//   - 03-08 b claims c1, a claims c3, n claims c2;
//   - 03-09 b and a order for them: c1 and c3 were recycled, then won by
//     someone else; c2 was not won;
//   - 03-10, past the period, n releases c2.
type recycleHistory struct {
	east, a, b, n gonghai.User
	c             []string // c[1]…c[7]
}

func buildRecycles(t *testing.T, f *fixture) recycleHistory {
	t.Helper()
	sales := f.dept("销售部", "")
	east, north := f.dept("华东", sales.ID), f.dept("华北", sales.ID)
	h := recycleHistory{east: f.user("mgr.east", gonghai.RoleManager, east.ID, nil),
		a: f.user("rep.a", gonghai.RoleRep, east.ID, nil), b: f.user("rep.b", gonghai.RoleRep, east.ID, nil),
		n: f.user("rep.n", gonghai.RoleRep, north.ID, nil)}
	p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{h.a.ID, h.b.ID, h.n.ID}, Recycle: sweepRules(0)})
	h.c = append([]string{""}, f.customers(p.ID, 7)...)
	claim := func(u gonghai.User, i int) {
		t.Helper()
		if _, err := f.db.Claim(f.ctx, u, h.c[i], p.ID); err != nil {
			t.Fatalf("%s claims c%d: %v", u.Login, i, err)
		}
	}
	release := func(u gonghai.User, i int, reason string) {
		t.Helper()
		if _, err := f.db.Release(f.ctx, u, h.c[i], reason, ""); err != nil {
			t.Fatalf("%s releases c%d: %v", u.Login, i, err)
		}
	}
	order := func(u gonghai.User, i int, on string) {
		t.Helper()
		if _, err := f.db.CreateOrder(f.ctx, u, h.c[i], 100_00, on); err != nil {
			t.Fatalf("%s orders for c%d: %v", u.Login, i, err)
		}
	}
	claim(h.a, 1)
	claim(h.a, 2)
	claim(h.a, 5)
	claim(h.b, 3)
	claim(h.b, 6)
	claim(h.n, 4)
	claim(h.n, 7)
	release(h.a, 5, "客户无意向")
	release(h.b, 6, " 客户  无意向 ")
	release(h.n, 7, "号码错误")
	f.clock.Set(start.Add(5 * 24 * time.Hour)) // 03-07 09:00
	rep, err := (&recycle.Sweeper{Store: f.db}).Once(f.ctx)
	if err != nil || rep.Recycled != 4 {
		t.Fatalf("sweep: %+v, %v; want 4 recycled", rep, err)
	}
	f.clock.Advance(24 * time.Hour)
	claim(h.b, 1)
	claim(h.a, 3)
	claim(h.n, 2)
	f.clock.Advance(24 * time.Hour)
	order(h.b, 1, "2026-03-09")
	order(h.a, 3, "2026-03-09")
	f.clock.Advance(24 * time.Hour)
	release(h.n, 2, "跟进不了")
	return h
}

// table maps a report table's rows by their first cell to their numbers
// and drill keys.
func table(t *testing.T, rep gonghai.Report, name string) (map[string][]float64, map[string][]string) {
	t.Helper()
	for _, tb := range rep.Tables {
		if tb.Name != name {
			continue
		}
		values, drills := map[string][]float64{}, map[string][]string{}
		for _, row := range tb.Rows {
			for _, c := range row[1:] {
				v := -1.0
				if c.Value != nil {
					v = *c.Value
				}
				values[row[0].Text] = append(values[row[0].Text], v)
				drills[row[0].Text] = append(drills[row[0].Text], c.Drill)
			}
		}
		return values, drills
	}
	t.Fatalf("report %s has no table %s", rep.Name, name)
	return nil, nil
}

// drilled is the customers behind drill key as viewer, by index in h.c,
// and the total the drill counted.
func (h recycleHistory) drilled(t *testing.T, f *fixture, viewer gonghai.User, q gonghai.ReportQuery, key string) ([]int, int) {
	t.Helper()
	cs, total, err := f.db.ReportCustomers(f.ctx, viewer, "recycles", q, key)
	if err != nil {
		t.Fatalf("drill %s: %v", key, err)
	}
	var out []int
	for _, c := range cs {
		out = append(out, slices.Index(h.c, c.ID))
	}
	slices.Sort(out)
	return out, total
}

func TestReportRecycles(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		h := buildRecycles(t, f)
		q := gonghai.ReportQuery{From: "2026-03-02", To: "2026-03-09", Grain: "day"}
		rep, err := f.db.Report(f.ctx, f.admin, "recycles", q)
		if err != nil {
			t.Fatal(err)
		}
		want := func(name string, rows map[string][]float64) map[string][]string {
			t.Helper()
			got, drills := table(t, rep, name)
			for label, w := range rows {
				if !slices.Equal(got[label], w) {
					t.Errorf("%s %s: %v, want %v", name, label, got[label], w)
				}
			}
			if len(got) != len(rows) {
				t.Errorf("%s has rows %v, want %v", name, got, rows)
			}
			return drills
		}
		rules := want("by_rule", map[string][]float64{"超期未跟进": {4, 2}, "合计": {4, 2}})
		reasons := want("by_reason", map[string][]float64{"客户无意向": {2}, "号码错误": {1}, "合计": {3}})
		want("by_department", map[string][]float64{"华东": {3, 2, 2}, "华北": {1, 1, 0}})
		reps := want("by_rep", map[string][]float64{"rep.a": {2, 1, 1}, "rep.b": {1, 1, 1}, "rep.n": {1, 1, 0}})
		periods := map[string][]float64{}
		for _, d := range []string{"2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-08", "2026-03-09"} {
			periods[d] = []float64{0, 0}
		}
		periods["2026-03-02"], periods["2026-03-07"] = []float64{0, 3}, []float64{4, 0}
		want("by_period", periods)
		list, _ := table(t, rep, "won_by_others")
		for _, tb := range rep.Tables {
			if tb.Name != "won_by_others" {
				continue
			}
			var rows [][]string
			for _, r := range tb.Rows {
				var texts []string
				for _, c := range r {
					texts = append(texts, c.Text)
				}
				rows = append(rows, texts)
			}
			wantRows := [][]string{
				{f.customer(h.c[1]).Company, "rep.a", "2026-03-07", "超期未跟进", "rep.b", "2026-03-09", "1.6"},
				{f.customer(h.c[3]).Company, "rep.b", "2026-03-07", "超期未跟进", "rep.a", "2026-03-09", "1.6"},
			}
			slices.SortFunc(rows, func(x, y []string) int { return strings.Compare(x[1], y[1]) })
			if len(rows) != 2 || !slices.Equal(rows[0], wantRows[0]) || !slices.Equal(rows[1], wantRows[1]) {
				t.Errorf("won by others: %q, want %q", rows, wantRows)
			}
			// 03-07 09:00 to 03-09 00:00 in Shanghai: 1 day 15 hours.
			if v := *tb.Rows[0][6].Value; v != 1.625 {
				t.Errorf("days from recycle to win %v, want 1.625", v)
			}
		}
		if len(list) != 2 {
			t.Errorf("won by others has %d rows, want 2", len(list))
		}
		if len(rep.Charts) == 0 {
			t.Error("no chart")
		}

		// The drill-downs: exactly the customers counted.
		for _, c := range []struct {
			key  string
			want []int
		}{
			{rules["超期未跟进"][0], []int{1, 2, 3, 4}},
			{rules["超期未跟进"][1], []int{1, 3}},
			{rules["合计"][1], []int{1, 3}},
			{reasons["客户无意向"][0], []int{5, 6}},
			{reasons["号码错误"][0], []int{7}},
			{reasons["合计"][0], []int{5, 6, 7}},
			{reps["rep.a"][0], []int{1, 2}},
			{reps["rep.a"][2], []int{1}},
			{reps["rep.n"][1], []int{7}},
			{"c." + h.c[3], []int{3}},
			{"c." + h.c[2], nil}, // recycled, but not won by another
		} {
			got, total := h.drilled(t, f, f.admin, q, c.key)
			if !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("drill %q: %v (%d), want %v", c.key, got, total, c.want)
			}
		}
		if reps["rep.n"][2] != "" {
			t.Errorf("a zero carries drill key %q", reps["rep.n"][2])
		}
		for _, bad := range []string{"zz.all.-", "rc", "c."} {
			if _, _, err := f.db.ReportCustomers(f.ctx, f.admin, "recycles", q, bad); gonghai.ErrorCode(err) != gonghai.EInvalid {
				t.Errorf("drill key %q: %v, want invalid", bad, err)
			}
		}

		// The manager of 华东 counts 华东's reps alone; a rep, themselves.
		rep, err = f.db.Report(f.ctx, h.east, "recycles", q)
		if err != nil {
			t.Fatal(err)
		}
		rules = want("by_rule", map[string][]float64{"超期未跟进": {3, 2}, "合计": {3, 2}})
		want("by_reason", map[string][]float64{"客户无意向": {2}, "合计": {2}})
		want("by_department", map[string][]float64{"华东": {3, 2, 2}})
		want("by_rep", map[string][]float64{"rep.a": {2, 1, 1}, "rep.b": {1, 1, 1}})
		if _, total := h.drilled(t, f, h.east, q, rules["合计"][0]); total != 3 {
			t.Errorf("manager's drill of recycled: %d, want 3", total)
		}
		rep, err = f.db.Report(f.ctx, h.a, "recycles", q)
		if err != nil {
			t.Fatal(err)
		}
		want("by_rule", map[string][]float64{"超期未跟进": {2, 1}, "合计": {2, 1}})
		want("by_reason", map[string][]float64{"客户无意向": {1}, "合计": {1}})
		want("by_rep", map[string][]float64{"rep.a": {2, 1, 1}})
		if _, total := h.drilled(t, f, h.a, q, "rc.all.-"); total != 2 {
			t.Errorf("rep's drill of recycled: %d, want 2", total)
		}
		if _, total := h.drilled(t, f, h.a, q, "rl.u."+h.n.ID); total != 0 {
			t.Errorf("rep drills another rep's releases: %d, want 0", total)
		}
	})
}
