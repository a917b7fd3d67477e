package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestReportConflictRate: two months of customers created by two teams
// and an admin, duplicates refused (conflicts) and resolved; the rate per
// 100 new customers and the resolutions by month and department, for an
// admin, the manager over both teams (not the admin's), one team's
// manager and a rep (their own conflicts and creates); drills to the
// customers created and to those the conflicts matched.
func TestReportConflictRate(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		n, phones := 0, map[string]string{}
		named := func(u gonghai.User, company string) string {
			n++
			in := gonghai.NewCustomer{PoolID: w.pool.ID, OwnerID: u.ID, AllowSimilar: true,
				CustomerFields: gonghai.CustomerFields{Company: company, Phone: fmt.Sprintf("1370000%04d", n)}}
			if u.Role == gonghai.RoleAdmin {
				in.OwnerID = ""
			}
			c, err := f.db.CreateCustomer(f.ctx, u, in)
			if err != nil {
				t.Fatal(err)
			}
			phones[c.ID] = in.Phone
			return c.ID
		}
		create := func(u gonghai.User) string { return named(u, fmt.Sprintf("撞单测试%d号公司", n+1)) }
		// dup has u try matched's phone again: refused, recorded.
		dup := func(u gonghai.User, matched string) string {
			n++
			_, err := f.db.CreateCustomer(f.ctx, u, gonghai.NewCustomer{PoolID: w.pool.ID, OwnerID: u.ID,
				CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("另一家%d号公司", n), Phone: phones[matched]}})
			wantCode(t, err, gonghai.EDuplicate)
			pg, err := f.db.Conflicts(f.ctx, f.admin, gonghai.ConflictFilter{Status: gonghai.ConflictOpen}, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range pg.Conflicts {
				if k.MatchedID == matched && k.ActorID == u.ID {
					return k.ID
				}
			}
			t.Fatalf("no open conflict of %s on %s", u.Login, matched)
			return ""
		}
		resolve := func(id string, a gonghai.ConflictAction) {
			if _, err := f.db.ResolveConflict(f.ctx, f.admin, id, gonghai.Resolution{Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		// March.
		a1, a2, a3, a4 := create(w.repA), create(w.repA), create(w.repA), create(w.repA)
		b1, b2 := create(w.repB), create(w.repB)
		own := create(f.admin)
		dup(w.repB, a1)
		resolve(dup(w.repB, a2), gonghai.ActionDismiss)
		resolve(dup(w.repA, b1), gonghai.ActionKeep)
		// April.
		f.clock.Advance(31 * 24 * time.Hour)
		a5, a6 := create(w.repA), named(w.repA, "北京星辰科技有限公司")
		resolve(dup(w.repA, b2), gonghai.ActionGive)
		dup(w.repB, a5)
		// repB creates a company like a6's anyway: a conflict, merged.
		like := named(w.repB, "星晨科技有限公司")
		pg, err := f.db.Conflicts(f.ctx, f.admin, gonghai.ConflictFilter{Kind: gonghai.ConflictSimilar}, gonghai.Page{})
		if err != nil || len(pg.Conflicts) != 1 || pg.Conflicts[0].MatchedID != a6 || pg.Conflicts[0].NewID != like {
			t.Fatalf("similar conflicts %+v %v", pg.Conflicts, err)
		}
		resolve(pg.Conflicts[0].ID, gonghai.ActionMerge)

		q := gonghai.ReportQuery{From: "2026-03-01", To: "2026-04-30", Grain: gonghai.GrainMonth}
		const name = "conflict-rate"
		// new, conflicts, rate (-1: none), open, kept, given, merged, dismissed
		rep := salesReport(t, f, f.admin, name, q)
		if len(rep.Charts) != 2 || rep.Charts[0].Kind != gonghai.ChartLine {
			t.Fatalf("charts %+v", rep.Charts)
		}
		months, md := salesTable(t, rep, "by_month")
		salesWant(t, "admin", "by_month", months, map[string][]float64{
			"2026-03": {7, 3, 300.0 / 7, 1, 1, 0, 0, 1}, "2026-04": {3, 3, 100, 1, 0, 1, 1, 0}})
		depts, dd := salesTable(t, rep, "by_department")
		salesWant(t, "admin", "by_department", depts, map[string][]float64{
			"2026-03/华东": {4, 1, 25, 0, 1, 0, 0, 0}, "2026-03/华南": {2, 2, 100, 1, 0, 0, 0, 1},
			"2026-03/未分部门": {1, 0, 0, 0, 0, 0, 0, 0},
			"2026-04/华东":   {2, 1, 50, 0, 0, 1, 0, 0}, "2026-04/华南": {1, 2, 200, 1, 0, 0, 1, 0}})
		salesDrill(t, f, f.admin, name, q, dd["2026-03/华南"][1], a1, a2)
		salesDrill(t, f, f.admin, name, q, dd["2026-03/华南"][7], a2)
		salesDrill(t, f, f.admin, name, q, dd["2026-03/未分部门"][0], own)
		salesDrill(t, f, f.admin, name, q, dd["2026-04/华东"][0], a5, a6)
		salesDrill(t, f, f.admin, name, q, md["2026-03"][1], a1, a2, b1)
		salesDrill(t, f, f.admin, name, q, md["2026-04"][5], b2)
		// The customer merged away is the one it was merged into now.
		salesDrill(t, f, f.admin, name, q, dd["2026-04/华南"][0], a6)
		salesDrill(t, f, f.admin, name, q, dd["2026-04/华南"][6], a6)

		// The manager over both teams: not the admin's creates.
		rep = salesReport(t, f, w.boss, name, q)
		months, md = salesTable(t, rep, "by_month")
		salesWant(t, "boss", "by_month", months, map[string][]float64{
			"2026-03": {6, 3, 50, 1, 1, 0, 0, 1}, "2026-04": {3, 3, 100, 1, 0, 1, 1, 0}})
		salesDrill(t, f, w.boss, name, q, md["2026-03"][0], a1, a2, a3, a4, b1, b2)

		// 华东's manager: 华东 alone; the customer given to repA drills.
		rep = salesReport(t, f, w.mgrA, name, q)
		depts, dd = salesTable(t, rep, "by_department")
		salesWant(t, "mgrA", "by_department", depts, map[string][]float64{
			"2026-03/华东": {4, 1, 25, 0, 1, 0, 0, 0}, "2026-04/华东": {2, 1, 50, 0, 0, 1, 0, 0}})
		salesDrill(t, f, w.mgrA, name, q, dd["2026-04/华东"][5], b2)

		// repB: their own creates and conflicts, under their department.
		for _, c := range []struct {
			who gonghai.User
			q   gonghai.ReportQuery
		}{{w.repB, q}, {f.admin, gonghai.ReportQuery{From: q.From, To: q.To, UserID: w.repB.ID}}} {
			rep = salesReport(t, f, c.who, name, c.q)
			if rep.Scope != "repb" {
				t.Errorf("%s scope %q", c.who.Login, rep.Scope)
			}
			months, md = salesTable(t, rep, "by_month")
			salesWant(t, c.who.Login, "by_month", months, map[string][]float64{
				"2026-03": {2, 2, 100, 1, 0, 0, 0, 1}, "2026-04": {1, 2, 200, 1, 0, 0, 1, 0}})
			depts, _ = salesTable(t, rep, "by_department")
			salesWant(t, c.who.Login, "by_department", depts, map[string][]float64{
				"2026-03/华南": {2, 2, 100, 1, 0, 0, 0, 1}, "2026-04/华南": {1, 2, 200, 1, 0, 0, 1, 0}})
			if c.who.Role == gonghai.RoleAdmin {
				salesDrill(t, f, c.who, name, c.q, md["2026-03"][0], b1, b2)
			} else {
				// b2 was given to repA since: counted, no longer shown.
				cs, total, err := f.db.ReportCustomers(f.ctx, c.who, name, c.q, md["2026-03"][0])
				if err != nil || total != 2 || len(cs) != 1 || cs[0].ID != b1 {
					t.Errorf("repb created drill: %v of %d, %v", cs, total, err)
				}
			}
			// The customers repB ran into are repA's: counted, not shown
			// to repB.
			cs, total, err := f.db.ReportCustomers(f.ctx, c.who, name, c.q, md["2026-03"][1])
			if err != nil || total != 2 || (c.who.Role == gonghai.RoleRep && len(cs) != 0) || (c.who.Role == gonghai.RoleAdmin && len(cs) != 2) {
				t.Errorf("%s conflicts drill: %d of %d, %v", c.who.Login, len(cs), total, err)
			}
		}

		// A month the period only touches counts whole.
		rep = salesReport(t, f, f.admin, name, gonghai.ReportQuery{From: "2026-04-30", To: "2026-04-30"})
		months, _ = salesTable(t, rep, "by_month")
		salesWant(t, "admin one day", "by_month", months, map[string][]float64{"2026-04": {3, 3, 100, 1, 0, 1, 1, 0}})

		for _, key := range []string{"2026-13.*.created", "2026-03.*.lost", "2026-03.created", "2026-03.*.conflicts.x"} {
			_, _, err := f.db.ReportCustomers(f.ctx, f.admin, name, q, key)
			wantCode(t, err, gonghai.EInvalid)
		}
	})
}
