package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// salesTable reads report table name as rows keyed by their text cells
// (joined with "/"), each the values of its number cells, and the drill
// keys of the same cells.
func salesTable(t testing.TB, rep gonghai.Report, name string) (map[string][]float64, map[string][]string) {
	t.Helper()
	for _, tb := range rep.Tables {
		if tb.Name != name {
			continue
		}
		vals, drills := map[string][]float64{}, map[string][]string{}
		for _, row := range tb.Rows {
			var label []string
			var vs []float64
			var ds []string
			for i, cell := range row {
				switch {
				case tb.Columns[i].Kind == gonghai.ColText:
					label = append(label, cell.Text)
				case cell.Value == nil:
					vs, ds = append(vs, -1), append(ds, "")
				default:
					vs, ds = append(vs, *cell.Value), append(ds, cell.Drill)
				}
			}
			k := strings.Join(label, "/")
			if _, dup := vals[k]; dup {
				t.Fatalf("table %s has row %s twice", name, k)
			}
			vals[k], drills[k] = vs, ds
		}
		return vals, drills
	}
	t.Fatalf("report %s has no table %s", rep.Name, name)
	return nil, nil
}

// salesWant compares a table's values with want, row by row.
func salesWant(t testing.TB, who, table string, got, want map[string][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s %s: rows %v, want %v", who, table, got, want)
	}
	for k, w := range want {
		if !slices.EqualFunc(got[k], w, func(a, b float64) bool { return fmt.Sprintf("%.4f", a) == fmt.Sprintf("%.4f", b) }) {
			t.Errorf("%s %s row %s = %v, want %v", who, table, k, got[k], w)
		}
	}
}

// salesDrill asserts the customers behind drill key are exactly ids.
func salesDrill(t testing.TB, f *fixture, viewer gonghai.User, name string, q gonghai.ReportQuery, key string, ids ...string) {
	t.Helper()
	cs, n, err := f.db.ReportCustomers(f.ctx, viewer, name, q, key)
	if err != nil {
		t.Fatalf("drill %s: %v", key, err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.ID)
	}
	slices.Sort(got)
	ids = slices.Clone(ids)
	slices.Sort(ids)
	if !slices.Equal(got, ids) || n != len(ids) {
		t.Errorf("%s drill %s = %v (%d), want %v", viewer.Login, key, got, n, ids)
	}
}

func salesReport(t testing.TB, f *fixture, viewer gonghai.User, name string, q gonghai.ReportQuery) gonghai.Report {
	t.Helper()
	rep, err := f.db.Report(f.ctx, viewer, name, q)
	if err != nil {
		t.Fatalf("%s report %s: %v", viewer.Login, name, err)
	}
	return rep
}

// TestReportChannelConversion: leads that came in through two channels in
// the period, claimed, converted, won with orders and touched again
// through the other channel, counted by first and latest touch; a lead of
// the day before is not; a manager counts their team's records only, a
// rep their own; every count drills to its records.
func TestReportChannelConversion(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a, b := f.dept("华东", ""), f.dept("华南", "")
		repA, repB := f.user("repa", gonghai.RoleRep, a.ID, nil), f.user("repb", gonghai.RoleRep, b.ID, nil)
		mgrA := f.user("mgra", gonghai.RoleManager, a.ID, nil)
		p := f.pool("线索池", gonghai.PoolInput{MemberUserIDs: &[]string{repA.ID, repB.ID}})
		web, fair := f.channel("官网表单", p, gonghai.ChannelInput{}), f.channel("展会", p, gonghai.ChannelInput{})
		n := 0
		lead := func(ch gonghai.Channel, campaign string, owner *gonghai.User) string {
			n++
			res := f.intake(ch, gonghai.IntakeInput{Name: "王五", Phone: fmt.Sprintf("1390000%04d", n), Campaign: campaign},
				fmt.Sprintf("203.0.113.%d", n))
			if owner != nil {
				if _, err := f.db.Claim(f.ctx, *owner, res.ID, p.ID); err != nil {
					t.Fatal(err)
				}
			}
			return res.ID
		}
		convert := func(u gonghai.User, id string) {
			if _, err := f.db.Convert(f.ctx, u, id, gonghai.ConvertInput{}); err != nil {
				t.Fatal(err)
			}
		}
		order := func(u gonghai.User, id string, fen gonghai.Money) {
			if _, err := f.db.CreateOrder(f.ctx, u, id, fen, f.clock.Now().In(shanghai).Format(time.DateOnly)); err != nil {
				t.Fatal(err)
			}
		}
		l0 := lead(web, "春季", &repA) // the day before the period
		convert(repA, l0)
		order(repA, l0, 99900)
		f.clock.Advance(24 * time.Hour)
		l1, l2, l3 := lead(web, "春季", &repA), lead(web, "春季", &repA), lead(web, "", &repB)
		l4, l5, l6 := lead(fair, "展会A", nil), lead(fair, "展会A", &repB), lead(web, "春季", &repA)
		convert(repA, l1)
		convert(repA, l2)
		convert(repB, l3)
		order(repA, l1, 100000)
		f.clock.Advance(2 * time.Hour)
		order(repA, l1, 50000)
		order(repB, l3, 20000)
		// l6 comes in again through the fair: its latest touch.
		if res := f.intake(fair, gonghai.IntakeInput{Name: "王五", Phone: "13900000007", Campaign: "复访"}, "198.51.100.1"); !res.Joined || res.ID != l6 {
			t.Fatalf("again: %+v, want joined to %s", res, l6)
		}
		// l7 was a customer of repA's all along: converted, it joins that
		// customer, which then orders; the lead counts as won through it.
		existing, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: repA.ID,
			CustomerFields: gonghai.CustomerFields{Company: "北京星辰科技有限公司", Phone: "13900009999"}})
		if err != nil {
			t.Fatal(err)
		}
		l7 := lead(web, "春季", &repA)
		if err := f.db.MakeDuplicateOf(f.ctx, l7, existing.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := f.db.Convert(f.ctx, repA, l7, gonghai.ConvertInput{}); err != nil || !got.Joined {
			t.Fatalf("convert l7: %+v %v", got, err)
		}
		order(repA, existing.ID, 30000)
		q := gonghai.ReportQuery{From: "2026-03-03", To: "2026-03-31"}
		const name = "channel-conversion"

		rep := salesReport(t, f, f.admin, name, q)
		if rep.Scope != "全部" || len(rep.Charts) != 2 || rep.Charts[0].Kind != gonghai.ChartFunnel {
			t.Fatalf("report: scope %q charts %+v", rep.Scope, rep.Charts)
		}
		funnel, fd := salesTable(t, rep, "funnel")
		salesWant(t, "admin", "funnel", funnel, map[string][]float64{"线索": {7, 100}, "客户": {4, 400.0 / 7}, "成交": {3, 300.0 / 7}})
		first, firstDrill := salesTable(t, rep, "first_touch")
		// leads, customers, won, conversion %, win %, won yuan
		salesWant(t, "admin", "first_touch", first, map[string][]float64{
			"官网表单/春季":    {4, 3, 2, 75, 50, 1800},
			"官网表单/（无活动）": {1, 1, 1, 100, 100, 200},
			"展会/展会A":     {2, 0, 0, 0, 0, 0}})
		byChannel, _ := salesTable(t, rep, "by_channel")
		salesWant(t, "admin", "by_channel", byChannel, map[string][]float64{
			"官网表单": {5, 4, 3, 80, 60, 2000}, "展会": {2, 0, 0, 0, 0, 0}})
		latest, latestDrill := salesTable(t, rep, "latest_touch")
		salesWant(t, "admin", "latest_touch", latest, map[string][]float64{
			"官网表单/春季":    {3, 3, 2, 100, 200.0 / 3, 1800},
			"官网表单/（无活动）": {1, 1, 1, 100, 100, 200},
			"展会/展会A":     {2, 0, 0, 0, 0, 0},
			"展会/复访":      {1, 0, 0, 0, 0, 0}})
		salesDrill(t, f, f.admin, name, q, fd["线索"][0], l1, l2, l3, l4, l5, l6, existing.ID)
		salesDrill(t, f, f.admin, name, q, fd["客户"][0], l1, l2, l3, existing.ID)
		salesDrill(t, f, f.admin, name, q, fd["成交"][0], l1, l3, existing.ID)
		salesDrill(t, f, f.admin, name, q, firstDrill["官网表单/春季"][0], l1, l2, l6, existing.ID)
		salesDrill(t, f, f.admin, name, q, firstDrill["官网表单/春季"][1], l1, l2, existing.ID)
		salesDrill(t, f, f.admin, name, q, firstDrill["官网表单/春季"][5], l1, existing.ID)
		salesDrill(t, f, f.admin, name, q, firstDrill["官网表单/（无活动）"][0], l3)
		salesDrill(t, f, f.admin, name, q, latestDrill["展会/复访"][0], l6)
		salesDrill(t, f, f.admin, name, q, latestDrill["展会/展会A"][0], l4, l5)

		// The fair's channel alone: by its attribution in each table.
		qf := q
		qf.ChannelID = fair.ID
		rep = salesReport(t, f, f.admin, name, qf)
		first, _ = salesTable(t, rep, "first_touch")
		salesWant(t, "admin fair", "first_touch", first, map[string][]float64{"展会/展会A": {2, 0, 0, 0, 0, 0}})
		latest, _ = salesTable(t, rep, "latest_touch")
		salesWant(t, "admin fair", "latest_touch", latest, map[string][]float64{"展会/展会A": {2, 0, 0, 0, 0, 0}, "展会/复访": {1, 0, 0, 0, 0, 0}})

		// The manager of 华东 counts repA's records (l7 through the customer
		// it joined): not the pool's l4.
		rep = salesReport(t, f, mgrA, name, q)
		if rep.Scope != "华东" {
			t.Errorf("manager scope %q", rep.Scope)
		}
		funnel, fd = salesTable(t, rep, "funnel")
		salesWant(t, "mgrA", "funnel", funnel, map[string][]float64{"线索": {4, 100}, "客户": {3, 75}, "成交": {2, 50}})
		first, _ = salesTable(t, rep, "first_touch")
		salesWant(t, "mgrA", "first_touch", first, map[string][]float64{"官网表单/春季": {4, 3, 2, 75, 50, 1800}})
		latest, _ = salesTable(t, rep, "latest_touch")
		salesWant(t, "mgrA", "latest_touch", latest, map[string][]float64{"官网表单/春季": {3, 3, 2, 100, 200.0 / 3, 1800}, "展会/复访": {1, 0, 0, 0, 0, 0}})
		salesDrill(t, f, mgrA, name, q, fd["线索"][0], l1, l2, l6, existing.ID)

		// repB counts their own; so does an admin asking for 华南.
		for _, c := range []struct {
			who gonghai.User
			q   gonghai.ReportQuery
		}{{repB, q}, {f.admin, gonghai.ReportQuery{From: q.From, To: q.To, DepartmentID: b.ID}}} {
			rep = salesReport(t, f, c.who, name, c.q)
			first, firstDrill = salesTable(t, rep, "first_touch")
			salesWant(t, c.who.Login, "first_touch", first, map[string][]float64{
				"官网表单/（无活动）": {1, 1, 1, 100, 100, 200}, "展会/展会A": {1, 0, 0, 0, 0, 0}})
			salesDrill(t, f, c.who, name, c.q, firstDrill["展会/展会A"][0], l5)
			funnel, fd = salesTable(t, rep, "funnel")
			salesWant(t, c.who.Login, "funnel", funnel, map[string][]float64{"线索": {2, 100}, "客户": {1, 50}, "成交": {1, 50}})
			salesDrill(t, f, c.who, name, c.q, fd["线索"][0], l3, l5)
		}

		// The day before holds l0 alone.
		rep = salesReport(t, f, f.admin, name, gonghai.ReportQuery{From: "2026-03-02", To: "2026-03-02"})
		funnel, _ = salesTable(t, rep, "funnel")
		salesWant(t, "admin day before", "funnel", funnel, map[string][]float64{"线索": {1, 100}, "客户": {1, 100}, "成交": {1, 100}})

		for _, key := range []string{"x.-.*.leads", "f.*.*.lost", "f.*.leads"} {
			_, _, err := f.db.ReportCustomers(f.ctx, f.admin, name, q, key)
			wantCode(t, err, gonghai.EInvalid)
		}
	})
}
