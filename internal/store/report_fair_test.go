package store_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// report runs report name for viewer and fails the test on an error.
func (f *fixture) report(viewer gonghai.User, name string, q gonghai.ReportQuery) gonghai.Report {
	f.t.Helper()
	rep, err := f.db.Report(f.ctx, viewer, name, q)
	if err != nil {
		f.t.Fatalf("report %s for %s: %v", name, viewer.Login, err)
	}
	return rep
}

// drilled lists the ids of the customers behind drill key for viewer,
// sorted, and checks the total matches.
func (f *fixture) drilled(viewer gonghai.User, name string, q gonghai.ReportQuery, key string) []string {
	f.t.Helper()
	cs, total, err := f.db.ReportCustomers(f.ctx, viewer, name, q, key)
	if err != nil {
		f.t.Fatalf("report %s customers %s for %s: %v", name, key, viewer.Login, err)
	}
	ids := []string{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	if total != len(ids) {
		f.t.Errorf("report %s drill %s: total %d, listed %d", name, key, total, len(ids))
	}
	slices.Sort(ids)
	return ids
}

// reportTable finds table name of rep.
func reportTable(t testing.TB, rep gonghai.Report, name string) gonghai.ReportTable {
	t.Helper()
	for _, tb := range rep.Tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("report %s has no table %s", rep.Name, name)
	return gonghai.ReportTable{}
}

// cellsByKey maps the column keys of a row to its cells.
func cellsByKey(tb gonghai.ReportTable, row []gonghai.ReportCell) map[string]gonghai.ReportCell {
	out := map[string]gonghai.ReportCell{}
	for i, c := range tb.Columns {
		out[c.Key] = row[i]
	}
	return out
}

// tableRows maps a table's rows by the text of their first cell.
func tableRows(tb gonghai.ReportTable) map[string]map[string]gonghai.ReportCell {
	out := map[string]map[string]gonghai.ReportCell{}
	for _, row := range tb.Rows {
		out[row[0].Text] = cellsByKey(tb, row)
	}
	return out
}

// num is a cell's value, NaN for none.
func num(c gonghai.ReportCell) float64 {
	if c.Value == nil {
		return math.NaN()
	}
	return *c.Value
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// TestFairnessReport builds a month of assignments, claims and relays and
// checks the counts, the Gini coefficients, the relays and the drill-down,
// for an admin, a manager and a rep.
func TestFairnessReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		south := f.dept("华南组", "")
		rep3 := f.user("rep.south", gonghai.RoleRep, south.ID, nil)
		f.user("rep.north2b", gonghai.RoleRep, o.north2.ID, nil) // gets nothing
		p := f.pool("公平公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID, south.ID}, ReclaimCooldownDays: ptr(0)})
		ids := f.customers(p.ID, 8)

		// 2026-03-02: handed out and claimed.
		for _, id := range ids[:3] {
			f.assign(f.admin, o.rep1, id, "")
		}
		f.assign(f.admin, o.rep2, ids[3], "")
		mustClaim(f, o.rep1b, ids[4])
		mustClaim(f, rep3, ids[5])
		f.assign(f.admin, rep3, ids[6], "")

		// 03-03: rep1 lets two go, rep2 claims both; 03-05 rep1 takes the
		// first back (a relay, 2 days); the second comes back after 40 days.
		f.clock.Advance(24 * time.Hour)
		f.release(o.rep1, ids[0], "跟不动", "", p.ID)
		f.release(o.rep1, ids[1], "跟不动", "", p.ID)
		f.clock.Advance(time.Hour)
		mustClaim(f, o.rep2, ids[0])
		mustClaim(f, o.rep2, ids[1])
		f.clock.Advance(47 * time.Hour)
		f.release(o.rep2, ids[0], "跟不动", "", p.ID)
		mustClaim(f, o.rep1, ids[0])
		// 03-06: the south rep relays through rep1b, back on 03-16.
		f.clock.Advance(24 * time.Hour)
		f.release(rep3, ids[5], "跟不动", "", p.ID)
		mustClaim(f, o.rep1b, ids[5])
		f.clock.Advance(10 * 24 * time.Hour)
		f.release(o.rep1b, ids[5], "跟不动", "", p.ID)
		mustClaim(f, rep3, ids[5])
		// 04-12: too late for a relay, and outside March.
		f.clock.Advance(27 * 24 * time.Hour)
		f.release(o.rep2, ids[1], "跟不动", "", p.ID)
		mustClaim(f, o.rep1, ids[1])

		q := gonghai.ReportQuery{From: "2026-03-01", To: "2026-03-31"}
		rep := f.report(f.admin, "fairness", q)
		perRep := reportTable(t, rep, "per_rep")
		var order []string
		for _, row := range perRep.Rows {
			order = append(order, row[0].Text)
		}
		if want := []string{"rep.north1", "rep.north2", "rep.south", "rep.north1b", "rep.north2b"}; !slices.Equal(order, want) {
			t.Errorf("reps in order %v, want %v", order, want)
		}
		rows := tableRows(perRep)
		for _, w := range []struct {
			rep                              string
			assigned, claimed, total, relays float64
		}{{"rep.north1", 3, 1, 4, 1}, {"rep.north2", 1, 2, 3, 0}, {"rep.south", 1, 2, 3, 1}, {"rep.north1b", 0, 2, 2, 0}, {"rep.north2b", 0, 0, 0, 0}} {
			r := rows[w.rep]
			if num(r["assigned"]) != w.assigned || num(r["claimed"]) != w.claimed || num(r["total"]) != w.total || num(r["relays"]) != w.relays {
				t.Errorf("%s: assigned %s claimed %s total %s relays %s, want %v %v %v %v", w.rep, r["assigned"].Text,
					r["claimed"].Text, r["total"].Text, r["relays"].Text, w.assigned, w.claimed, w.total, w.relays)
			}
		}
		gini := tableRows(reportTable(t, rep, "gini"))
		for kind, want := range map[string]float64{"分配": 0.56, "领取": 2.0 / 7, "分配与领取": 0.3} {
			if got := num(gini[kind]["gini"]); math.Abs(got-want) > 1e-9 || num(gini[kind]["reps"]) != 5 {
				t.Errorf("Gini of %s = %v over %s reps, want %v over 5", kind, got, gini[kind]["reps"].Text, want)
			}
		}
		relays := reportTable(t, rep, "relays")
		if len(relays.Rows) != 2 {
			t.Fatalf("relays: %d rows, want 2", len(relays.Rows))
		}
		first, second := cellsByKey(relays, relays.Rows[0]), cellsByKey(relays, relays.Rows[1])
		if first["chain"].Text != "rep.north1 → rep.north2 → rep.north1" || first["released_on"].Text != "2026-03-03" ||
			first["claimed_on"].Text != "2026-03-03" || first["back_on"].Text != "2026-03-05" || num(first["days"]) != 2 ||
			first["let_go"].Text != "释放" {
			t.Errorf("first relay %+v", first)
		}
		if second["chain"].Text != "rep.south → rep.north1b → rep.south" || second["released_on"].Text != "2026-03-06" ||
			second["back_on"].Text != "2026-03-16" || num(second["days"]) != 10 {
			t.Errorf("second relay %+v", second)
		}
		for key, want := range map[string][]string{
			rows["rep.north1"]["assigned"].Drill: sorted(ids[0], ids[1], ids[2]),
			rows["rep.north1"]["claimed"].Drill:  {ids[0]},
			rows["rep.north2"]["total"].Drill:    sorted(ids[0], ids[1], ids[3]),
			rows["rep.north1b"]["claimed"].Drill: sorted(ids[4], ids[5]),
			rows["rep.south"]["relays"].Drill:    {ids[5]},
			first["days"].Drill:                  {ids[0]},
		} {
			if got := f.drilled(f.admin, "fairness", q, key); !slices.Equal(got, want) {
				t.Errorf("drill %s = %v, want %v", key, got, want)
			}
		}
		if rows["rep.north2b"]["total"].Drill != "" {
			t.Errorf("a zero carries drill %q", rows["rep.north2b"]["total"].Drill)
		}
		for _, bad := range []string{"u=x", "k=claimed", "u=a.k=nope", "u=a.k=claimed.k=claimed", "zz"} {
			_, _, err := f.db.ReportCustomers(f.ctx, f.admin, "fairness", q, bad)
			wantCode(t, err, gonghai.EInvalid)
		}

		// A longer window catches the late return too.
		long := q
		long.Days = 60
		if n := len(reportTable(t, f.report(f.admin, "fairness", long), "relays").Rows); n != 3 {
			t.Errorf("relays within 60 days: %d, want 3", n)
		}

		// The sales manager counts their subtree only: no south rep, no
		// south relay; a drill outside the subtree finds nothing.
		mgr := f.report(o.salesMgr, "fairness", q)
		mrows := tableRows(reportTable(t, mgr, "per_rep"))
		if len(mrows) != 4 || mrows["rep.south"] != nil || num(mrows["rep.north1b"]["claimed"]) != 2 {
			t.Errorf("manager's reps %v", mrows)
		}
		if got := tableRows(reportTable(t, mgr, "gini"))["分配"]; math.Abs(num(got["gini"])-gonghai.Gini([]float64{3, 1, 0, 0})) > 1e-9 {
			t.Errorf("manager's Gini of assignments %s", got["gini"].Text)
		}
		if n := len(reportTable(t, mgr, "relays").Rows); n != 1 {
			t.Errorf("manager's relays: %d, want 1", n)
		}
		if got := f.drilled(o.salesMgr, "fairness", q, rows["rep.south"]["claimed"].Drill); len(got) != 0 {
			t.Errorf("manager drills into the south rep: %v", got)
		}

		// A rep sees themselves.
		own := tableRows(reportTable(t, f.report(o.rep1, "fairness", q), "per_rep"))
		if len(own) != 1 || num(own["rep.north1"]["total"]) != 4 || num(own["rep.north1"]["relays"]) != 1 {
			t.Errorf("rep's own report %v", own)
		}
		if got := f.drilled(o.rep1, "fairness", q, own["rep.north1"]["assigned"].Drill); !slices.Equal(got, sorted(ids[0], ids[1], ids[2])) {
			t.Errorf("rep's own assignments = %v", got)
		}
		if got := f.drilled(o.rep1, "fairness", q, rows["rep.north2"]["total"].Drill); len(got) != 0 {
			t.Errorf("a rep drills into a colleague's claims: %v", got)
		}

		// Another pool's report counts nothing here.
		other := f.pool("别的公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		byPool := q
		byPool.PoolID = other.ID
		for _, row := range reportTable(t, f.report(f.admin, "fairness", byPool), "per_rep").Rows {
			if m := cellsByKey(perRep, row); num(m["total"]) != 0 || num(m["relays"]) != 0 {
				t.Errorf("pool %s: %s got %s, %s relays", other.Name, m["rep"].Text, m["total"].Text, m["relays"].Text)
			}
		}

		// April: the late return counts as a claim in its month.
		apr := tableRows(reportTable(t, f.report(f.admin, "fairness", gonghai.ReportQuery{From: "2026-04-01", To: "2026-04-30"}), "per_rep"))
		if num(apr["rep.north1"]["claimed"]) != 1 || num(apr["rep.north2"]["claimed"]) != 0 {
			t.Errorf("April: %v", apr)
		}
	})
}

// TestFairnessRelayAfterRecycle: a customer recycled from A by a rule,
// claimed by B and released, then claimed by A again is a relay too.
func TestFairnessRelayAfterRecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("接力组", "")
		a := f.user("rep.a", gonghai.RoleRep, team.ID, nil)
		b := f.user("rep.b", gonghai.RoleRep, team.ID, nil)
		p := f.pool("回收公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}, ReclaimCooldownDays: ptr(0),
			Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10})})
		x := f.customers(p.ID, 1)[0]
		mustClaim(f, a, x)
		f.clock.Advance(11 * 24 * time.Hour)
		if got := sweepIDs(f); !slices.Equal(got, []string{x}) {
			t.Fatalf("sweep recycled %v, want %s", got, x)
		}
		f.clock.Advance(time.Hour)
		mustClaim(f, b, x)
		f.clock.Advance(3 * 24 * time.Hour)
		f.release(b, x, "不合适", "", p.ID)
		mustClaim(f, a, x)

		q := gonghai.ReportQuery{From: "2026-03-01", To: "2026-03-31", Days: 7}
		relays := reportTable(t, f.report(f.admin, "fairness", q), "relays")
		if len(relays.Rows) != 1 {
			t.Fatalf("relays: %d rows, want 1", len(relays.Rows))
		}
		r := cellsByKey(relays, relays.Rows[0])
		// Recycled at the sweep on 03-13 09:00, back 73 hours later.
		if r["let_go"].Text != "回收" || r["chain"].Text != "rep.a → rep.b → rep.a" || r["released_on"].Text != "2026-03-13" ||
			r["claimed_on"].Text != "2026-03-13" || r["back_on"].Text != "2026-03-16" || math.Abs(num(r["days"])-73.0/24) > 1e-9 {
			t.Errorf("relay after a recycle: %+v", r)
		}
		q.Days = 2
		if n := len(reportTable(t, f.report(f.admin, "fairness", q), "relays").Rows); n != 0 {
			t.Errorf("relays within 2 days: %d, want 0", n)
		}
	})
}
