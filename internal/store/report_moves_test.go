package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestReportMoves: the reports' tables follow the ownership events in the
// transactions that write them — a tenure per owner, closed by the move
// that ends it, with the owner's follow-ups and first order; a pool's flow
// by day, kind and the rep it was about — and replaying the events of a
// database from before them builds the same tables.
func TestReportMoves(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		east := f.dept("华东", "")
		a := f.user("rep.a", gonghai.RoleRep, east.ID, nil)
		b := f.user("rep.b", gonghai.RoleRep, east.ID, nil)
		p := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{east.ID}})
		ids := f.customers(p.ID, 3) // Monday 2 March, 09:00 Shanghai
		t0 := f.clock.Now()
		must := func(_ any, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(time.Hour)
		must(f.db.Claim(f.ctx, a, ids[0], p.ID))
		f.clock.Advance(time.Hour)
		must(f.db.AddFollowUp(f.ctx, a, ids[0], gonghai.NewFollowUp{Kind: "call", Content: "聊了报价"}))
		f.clock.Advance(time.Hour)
		must(f.db.AddFollowUp(f.ctx, a, ids[0], gonghai.NewFollowUp{Kind: "visit", Content: "上门"}))
		f.clock.Advance(20 * time.Hour) // Tuesday 3 March, 08:00
		must(f.db.Release(f.ctx, a, ids[0], "暂无需求", ""))
		must(f.db.Claim(f.ctx, b, ids[0], p.ID))
		must(f.db.CreateOrder(f.ctx, b, ids[0], gonghai.Money(120000), "2026-03-03"))
		must(f.db.Assign(f.ctx, f.admin, ids[1], a.ID, "", false))
		f.clock.Advance(24 * time.Hour) // Wednesday
		if n, err := f.db.ImportCustomers(f.ctx, f.admin, []gonghai.NewCustomer{
			{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "导入一"}},
			{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "导入二"}}}); err != nil || n != 2 {
			t.Fatal(n, err)
		}

		tenures, flows, err := f.db.ReportRowsForTest(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		us := func(d time.Duration) int64 { return t0.Add(d).UnixMicro() }
		wantTenures := []string{
			fmt.Sprint(ids[0], " 2 ", a.ID, " claimed→released 2 ", us(2*time.Hour), " 0"),
			fmt.Sprint(ids[0], " 4 ", b.ID, " claimed→ 0 0 ", us(23*time.Hour)),
			fmt.Sprint(ids[1], " 2 ", a.ID, " assigned→ 0 0 0"),
		}
		slices.Sort(wantTenures)
		if strings.Join(tenures, "\n") != strings.Join(wantTenures, "\n") {
			t.Fatalf("tenures:\n%s\nwant:\n%s", strings.Join(tenures, "\n"), strings.Join(wantTenures, "\n"))
		}
		wantFlows := []string{
			fmt.Sprint("2026-03-02 ", p.ID, " ", f.admin.ID, " created 1 3"),
			fmt.Sprint("2026-03-02 ", p.ID, " ", a.ID, " claimed -1 1"),
			fmt.Sprint("2026-03-03 ", p.ID, " ", a.ID, " assigned -1 1"),
			fmt.Sprint("2026-03-03 ", p.ID, " ", a.ID, " released 1 1"),
			fmt.Sprint("2026-03-03 ", p.ID, " ", b.ID, " claimed -1 1"),
			fmt.Sprint("2026-03-04 ", p.ID, " ", f.admin.ID, " created 1 2"),
		}
		slices.Sort(wantFlows)
		if strings.Join(flows, "\n") != strings.Join(wantFlows, "\n") {
			t.Fatalf("flows:\n%s\nwant:\n%s", strings.Join(flows, "\n"), strings.Join(wantFlows, "\n"))
		}

		if off, err := f.db.PoolDaysOffForTest(f.ctx); err != nil || off != 0 {
			t.Fatalf("%d pool days whose net flow is not their flow's sum (%v)", off, err)
		}

		// A database from before the tables: the events replayed build
		// them again.
		if err := f.db.RebuildReportsForTest(f.ctx); err != nil {
			t.Fatal(err)
		}
		rebuiltT, rebuiltF, err := f.db.ReportRowsForTest(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rebuiltT, "\n") != strings.Join(tenures, "\n") {
			t.Fatalf("replayed tenures:\n%s\nwant:\n%s", strings.Join(rebuiltT, "\n"), strings.Join(tenures, "\n"))
		}
		if off, err := f.db.PoolDaysOffForTest(f.ctx); err != nil || off != 0 {
			t.Fatalf("replayed: %d pool days whose net flow is not their flow's sum (%v)", off, err)
		}
		if strings.Join(rebuiltF, "\n") != strings.Join(flows, "\n") {
			t.Fatalf("replayed flows:\n%s\nwant:\n%s", strings.Join(rebuiltF, "\n"), strings.Join(flows, "\n"))
		}
	})
}
