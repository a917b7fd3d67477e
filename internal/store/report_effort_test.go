package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// effortCells reads table name of rep as text rows: each row's cells keyed
// by column, "text|drill".
func effortCells(t *testing.T, rep gonghai.Report, name string) []map[string]gonghai.ReportCell {
	t.Helper()
	for _, tb := range rep.Tables {
		if tb.Name != name {
			continue
		}
		var out []map[string]gonghai.ReportCell
		for _, row := range tb.Rows {
			m := map[string]gonghai.ReportCell{}
			for i, c := range tb.Columns {
				m[c.Key] = row[i]
			}
			out = append(out, m)
		}
		return out
	}
	t.Fatalf("report %s has no table %s", rep.Name, name)
	return nil
}

// effortTexts lists cols of every row of table name, joined by "/".
func effortTexts(t *testing.T, rep gonghai.Report, name string, cols ...string) []string {
	t.Helper()
	var out []string
	for _, row := range effortCells(t, rep, name) {
		s := ""
		for i, c := range cols {
			if i > 0 {
				s += "/"
			}
			s += row[c].Text
		}
		out = append(out, s)
	}
	return out
}

func TestReportEffort(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		east := f.dept("华东", "")
		east1 := f.dept("华东一组", east.ID)
		west := f.dept("华西", "")
		mgr := f.user("mgr", gonghai.RoleManager, east.ID, nil)
		r1 := f.user("r1", gonghai.RoleRep, east1.ID, nil)
		r2 := f.user("r2", gonghai.RoleRep, west.ID, nil)
		p := f.pool("公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{east.ID, west.ID}})
		ids := f.customers(p.ID, 3)
		claim := func(u gonghai.User, id string) {
			t.Helper()
			if _, err := f.db.Claim(f.ctx, u, id, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		follow := func(u gonghai.User, id, kind string) {
			t.Helper()
			if _, err := f.db.AddFollowUp(f.ctx, u, id, gonghai.NewFollowUp{Kind: kind, Content: "跟进"}); err != nil {
				t.Fatal(err)
			}
		}
		// Week of Monday 2 March: r1 holds c0 and c1, r2 holds c2.
		claim(r1, ids[0])
		claim(r1, ids[1])
		claim(r2, ids[2])
		follow(r1, ids[0], "call")
		follow(r1, ids[0], "visit")
		follow(r2, ids[2], "call")
		f.clock.Advance(24 * time.Hour)
		follow(r1, ids[1], "wechat")
		// Week of Monday 9 March.
		f.clock.Advance(6 * 24 * time.Hour)
		follow(r1, ids[0], "call")
		follow(r2, ids[2], "email")
		if _, err := f.db.Release(f.ctx, r1, ids[1], "不需要", ""); err != nil {
			t.Fatal(err)
		}
		// Monday 16 March: outside the period.
		f.clock.Advance(7 * 24 * time.Hour)
		follow(r1, ids[0], "note")

		q := gonghai.ReportQuery{From: "2026-03-02", To: "2026-03-15", Grain: gonghai.GrainWeek}
		report := func(viewer gonghai.User, q gonghai.ReportQuery) gonghai.Report {
			t.Helper()
			rep, err := f.db.Report(f.ctx, viewer, "effort", q)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		rep := report(f.admin, q)
		if rep.Name != "effort" || rep.Scope != "全部" || rep.Grain != "week" || len(rep.Charts) == 0 {
			t.Fatalf("report head = %+v", rep)
		}
		kinds := []string{"bucket", "call", "visit", "wechat", "email", "meeting", "note", "total"}
		if got, want := effortTexts(t, rep, "by_period", kinds...), []string{
			"2026-03-02/2/1/1/0/0/0/4", "2026-03-09/1/0/0/1/0/0/2"}; !slices.Equal(got, want) {
			t.Errorf("by_period = %q, want %q", got, want)
		}
		if got, want := effortTexts(t, rep, "by_rep_period", append([]string{"rep"}, kinds...)...), []string{
			"r1/2026-03-02/1/1/1/0/0/0/3", "r1/2026-03-09/1/0/0/0/0/0/1",
			"r2/2026-03-02/1/0/0/0/0/0/1", "r2/2026-03-09/0/0/0/1/0/0/1"}; !slices.Equal(got, want) {
			t.Errorf("by_rep_period = %q, want %q", got, want)
		}
		perCustomer := []string{"rep", "followups", "customers_held", "per_customer"}
		if got, want := effortTexts(t, rep, "per_customer", perCustomer...), []string{"r1/4/2/2.00", "r2/2/1/2.00"}; !slices.Equal(got, want) {
			t.Errorf("per_customer = %q, want %q", got, want)
		}

		// Scope: a manager counts their subtree only, a rep themselves,
		// an admin the department asked for.
		for _, tc := range []struct {
			name   string
			viewer gonghai.User
			q      gonghai.ReportQuery
			want   []string
			week1  string
		}{
			{"manager", mgr, q, []string{"r1/4/2/2.00"}, "2026-03-02/1/1/1/0/0/0/3"},
			{"rep", r2, q, []string{"r2/2/1/2.00"}, "2026-03-02/1/0/0/0/0/0/1"},
			{"rep asking for everyone", r2, gonghai.ReportQuery{From: q.From, To: q.To, Grain: q.Grain, UserID: r2.ID}, []string{"r2/2/1/2.00"}, "2026-03-02/1/0/0/0/0/0/1"},
			{"admin by department", f.admin, gonghai.ReportQuery{From: q.From, To: q.To, Grain: q.Grain, DepartmentID: west.ID}, []string{"r2/2/1/2.00"}, "2026-03-02/1/0/0/0/0/0/1"},
		} {
			rep := report(tc.viewer, tc.q)
			if got := effortTexts(t, rep, "per_customer", perCustomer...); !slices.Equal(got, tc.want) {
				t.Errorf("%s: per_customer = %q, want %q", tc.name, got, tc.want)
			}
			if got := effortTexts(t, rep, "by_period", kinds...)[0]; got != tc.week1 {
				t.Errorf("%s: first week = %q, want %q", tc.name, got, tc.week1)
			}
		}
		if _, err := f.db.Report(f.ctx, mgr, "effort", gonghai.ReportQuery{From: q.From, To: q.To, DepartmentID: west.ID}); gonghai.ErrorCode(err) != gonghai.EInvalid {
			t.Errorf("manager asking for another subtree: %v, want invalid", err)
		}

		// Drill-down: the customers behind each number.
		drill := func(viewer gonghai.User, key string) []string {
			t.Helper()
			cs, total, err := f.db.ReportCustomers(f.ctx, viewer, "effort", q, key)
			if err != nil {
				t.Fatalf("drill %s: %v", key, err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.ID)
			}
			slices.Sort(got)
			if total != len(got) {
				t.Errorf("drill %s: total %d, listed %d", key, total, len(got))
			}
			return got
		}
		sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
		week1 := effortCells(t, rep, "by_period")[0]
		rows := effortCells(t, rep, "per_customer")
		for _, tc := range []struct {
			name string
			key  string
			want []string
		}{
			{"calls in week 1", week1["call"].Drill, sorted(ids[0], ids[2])},
			{"all in week 1", week1["total"].Drill, sorted(ids...)},
			{"r1's follow-ups", rows[0]["followups"].Drill, sorted(ids[0], ids[1])},
			{"r1's held", rows[0]["customers_held"].Drill, sorted(ids[0], ids[1])},
			{"r2's held", rows[1]["customers_held"].Drill, sorted(ids[2])},
		} {
			if got := drill(f.admin, tc.key); !slices.Equal(got, tc.want) {
				t.Errorf("%s (%s) = %v, want %v", tc.name, tc.key, got, tc.want)
			}
		}
		if week1["meeting"].Drill != "" {
			t.Errorf("a zero carries a drill key %q", week1["meeting"].Drill)
		}
		// The manager's drill of everyone's calls keeps to their subtree.
		if got := drill(mgr, week1["call"].Drill); !slices.Equal(got, []string{ids[0]}) {
			t.Errorf("manager's calls in week 1 = %v, want [%s]", got, ids[0])
		}
		for _, bad := range []string{"fu.sms.-.-", "fu.call.-.2026-03-03", "held.", "x", "fu.call.-"} {
			if _, _, err := f.db.ReportCustomers(f.ctx, f.admin, "effort", q, bad); gonghai.ErrorCode(err) != gonghai.EInvalid {
				t.Errorf("drill %q: %v, want invalid", bad, err)
			}
		}
	})
}
