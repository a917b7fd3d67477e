package browser_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestReportPages: the manager opens the reports from the navigation,
// sees the catalogue, and every report that has an implementation draws
// its chart (an SVG) and its table, at both widths, with the page no
// wider than the screen; a number of the effort report leads to the
// customers behind it.
func TestReportPages(t *testing.T) {
	for _, vp := range browsertest.Viewports {
		t.Run(vp.Name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			ctx := context.Background()
			rep01 := s.user["rep01"]
			for i, kind := range []string{"call", "visit", "wechat"} {
				if _, err := s.db.AddFollowUp(ctx, rep01, s.ownedBy01[i%len(s.ownedBy01)].ID,
					gonghai.NewFollowUp{Kind: kind, Content: "跟进"}); err != nil {
					t.Fatal(err)
				}
			}
			tab := browsertest.NewTab(t, vp, chinese.accept)
			signIn(t, tab, s.URL, "mgr.east")
			if tab.View.Phone {
				tab.Click(".usermenu summary")
				there(t, tab, "/reports", tab.ClickNavigate("#menu-reports"))
			} else {
				nav(t, tab, "/reports")
			}
			tab.WaitText("h1", "报表")
			if n := tab.Count(`[data-test="report-card"]`); n != len(gonghai.Reports) {
				t.Fatalf("%d report cards, want %d", n, len(gonghai.Reports))
			}
			tab.Axe()
			tab.Screenshot("reports")

			for _, info := range gonghai.Reports {
				status := tab.Navigate(s.URL + "/reports/" + info.Name)
				if status == 404 {
					t.Logf("report %s has no implementation on this branch", info.Name)
					continue
				}
				there(t, tab, "/reports/"+info.Name, status)
				tab.WaitFor(`[data-test="report-table"]`)
				if tab.Count(`.report-chart svg[role]`) == 0 {
					t.Errorf("report %s draws no chart", info.Name)
				}
				if tab.Count(`.report-table, [data-test="report-table"] .empty`) == 0 {
					t.Errorf("report %s shows no table", info.Name)
				}
				if marks := tab.Count(`.report-chart svg .bar, .report-chart svg .point`); marks == 0 {
					t.Logf("report %s: no bars or points over this site's data", info.Name)
				} else if info.Name == "effort" && marks < 2 {
					t.Errorf("the effort report draws %d marks", marks)
				}
				if wide := browsertest.Eval[bool](tab, `document.documentElement.scrollWidth > document.documentElement.clientWidth`); wide {
					t.Errorf("report %s is wider than the screen at %s", info.Name, vp.Name)
				}
				tab.Axe()
				tab.Screenshot("report-" + info.Name)
			}

			// The effort report's count of rep01's follow-ups opens the
			// customers behind it.
			open(t, tab, s.URL, "/reports/effort")
			tab.WaitText(`#table-per_customer`, "李娜")
			there(t, tab, "/reports/effort/customers", tab.ClickNavigate(`#table-per_customer tbody tr td:nth-child(2) a`))
			tab.WaitFor("#drill-customers")
			if n := tab.Count(`[data-test="drill-row"]`); n != 3 {
				t.Errorf("the drill-down lists %d customers, want 3", n)
			}
			tab.WaitText("#drill-total", "共 3 个客户")
			tab.Axe()
			tab.Screenshot("report-effort-customers")
		})
	}
}
