package browser_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/browsertest"
)

// fits fails t when the page is wider than the window: nothing may be
// cut off or need sideways scrolling, on a phone least of all.
func fits(t *testing.T, tab *browsertest.Tab, what string) {
	t.Helper()
	if wide := browsertest.Eval[int](tab, `document.documentElement.scrollWidth - window.innerWidth`); wide > 0 {
		t.Fatalf("%s is %d px wider than the %s px window", what, wide, tab.View.Name)
	}
}

// TestAdminSetsAssignment: the admin opens a pool's 分配策略 from the
// pools list, chooses routing rules, adds a rule sending 上海 to 华东一组
// (the rest by round robin), saves, and reads who gets the next ten; at
// both widths, in Chinese and in English.
func TestAdminSetsAssignment(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "admin")
		open(t, tab, s.URL, "/admin/pools")
		page := "/admin/pools/" + s.pool.ID + "/assignment"
		there(t, tab, page, tab.ClickNavigate(`a[href="`+page+`"]`))
		tab.WaitFor(`[data-test="preview-claim"]`)

		tab.Click("#st-rules")
		tab.Select("#as-fallback", "round_robin")
		there(t, tab, page, tab.ClickNavigate(`[data-test="add-rule"]`))
		tab.WaitFor(`[data-test="assign-unsaved"]`)
		tab.Fill("#r0-name", l.pick("上海大客户", "Shanghai key accounts"))
		tab.Fill("#r0-regions", "上海市")
		tab.Click("#r0-cat-A")
		tab.Select("#r0-dept", s.user["rep01"].DepartmentID)
		fits(t, tab, "the editor")
		tab.Axe()
		tab.Screenshot("assign-rules-" + l.name)

		there(t, tab, page, tab.ClickNavigate(`[data-test="save-assignment"]`))
		tab.WaitText("#flash", l.pick("分配策略已保存", "Assignment settings saved"))
		if n := tab.Count(`[data-test="pick"]`); n != 10 {
			t.Fatalf("the preview places %d customers, want 10", n)
		}
		tab.WaitText(`[data-test="assign-preview"]`, l.pick("轮询", "Round robin"))
		p, err := s.db.Pool(context.Background(), s.user["admin"], s.pool.ID)
		if err != nil || p.Assignment.Strategy != gonghai.StrategyRules || len(p.Assignment.Rules) != 1 ||
			p.Assignment.Rules[0].Regions[0] != "上海市" {
			t.Fatalf("saved: %+v, %v", p.Assignment, err)
		}
		fits(t, tab, "the saved page")
		tab.Axe()
		tab.Screenshot("assign-preview-" + l.name)
	})
}

// TestRepGoesAway: a rep reads on the desk that they take new customers,
// opens 我的状态, says they are away until Friday, sees it on the desk,
// and comes back; at both widths, in Chinese and in English.
func TestRepGoesAway(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "rep01")
		tab.WaitText("#away-strip", l.pick("正常接单", "Taking new customers"))
		there(t, tab, "/me/status", tab.ClickNavigate("#away-strip a"))
		browsertest.Eval[bool](tab, `(() => { document.querySelector("#away-until").value = "2026-12-04"; return true })()`)
		there(t, tab, "/me/status", tab.ClickNavigate("#away-save"))
		tab.WaitText("#flash", l.pick("接单状态已更新", "Your status is saved"))
		tab.WaitText(`[data-test="away-state"]`, l.pick("休假至 2026年12月4日", "Away until Dec 4, 2026"))
		fits(t, tab, "my status")
		tab.Axe()
		tab.Screenshot("away-" + l.name)

		open(t, tab, s.URL, "/")
		tab.WaitText("#away-strip", l.pick("休假至 2026年12月4日", "Away until Dec 4, 2026"))
		fits(t, tab, "the desk")
		tab.Screenshot("away-home-" + l.name)
		if u, _ := s.db.User(context.Background(), s.user["admin"], s.user["rep01"].ID); u.AwayUntil == nil {
			t.Fatal("rep01 is not away")
		}

		there(t, tab, "/me/status", tab.ClickNavigate("#away-strip a"))
		there(t, tab, "/me/status", tab.ClickNavigate("#away-back"))
		tab.WaitText(`[data-test="away-state"]`, l.pick("正常接单", "Taking new customers"))
	})
}

// TestManagerDistributes: the manager lists the pool's unowned customers
// on the team page, ticks three, chooses 平均分配…, picks both reps and
// reads where each went; at both widths, in Chinese and in English.
func TestManagerDistributes(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "mgr.east")
		open(t, tab, s.URL, "/team?holder=pool&pool="+s.pool.ID)
		for _, c := range s.free[:3] {
			tab.Click("#pick-" + c.ID)
		}
		there(t, tab, "/distribute", tab.ClickNavigate("#distribute-selected"))
		if n := tab.Count(`[data-test="distribute-row"]`); n != 3 {
			t.Fatalf("%d customers to distribute, want 3", n)
		}
		tab.Click("#rep-" + s.user["rep01"].ID)
		tab.Click("#rep-" + s.user["rep02"].ID)
		fits(t, tab, "the distribute page")
		tab.Axe()
		tab.Screenshot("distribute-" + l.name)

		there(t, tab, "/distribute", tab.ClickNavigate("#distribute-submit"))
		tab.WaitText("#distribute-outcome", l.pick("已分配 3 个，0 个未分配", "3 given, 0 not given"))
		if n := tab.Count(`[data-test="to"]`); n != 3 {
			t.Fatalf("%d rows say where they went, want 3", n)
		}
		fits(t, tab, "the outcome")
		tab.Axe()
		tab.Screenshot("distribute-done-" + l.name)
		there(t, tab, "/team", tab.ClickNavigate("#distribute-back"))
	})
}

// TestManagerRetriesQueue: three new customers wait in the queue while
// the pool's only rep is paused; the manager opens 待分配, retries, reads
// why they still wait; the rep resumes and the retry places them; at both
// widths, in Chinese and in English.
func TestManagerRetriesQueue(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		ctx, admin, rep01 := context.Background(), s.user["admin"], s.user["rep01"]
		if _, err := s.db.SetAssignment(ctx, admin, s.pool.ID, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin,
			UserIDs: []string{rep01.ID}}); err != nil {
			t.Fatal(err)
		}
		paused, back := true, false
		if _, err := s.db.SetAway(ctx, admin, rep01.ID, gonghai.Away{Paused: &paused}); err != nil {
			t.Fatal(err)
		}
		s.enqueue(t, s.free[:3]...)

		signIn(t, tab, s.URL, "mgr.east")
		if !tab.View.Phone {
			nav(t, tab, "/unassigned")
		} else {
			open(t, tab, s.URL, "/unassigned")
		}
		if n := tab.Count(`[data-test="unassigned-row"]`); n != 3 {
			t.Fatalf("%d customers wait, want 3", n)
		}
		there(t, tab, "/unassigned", tab.ClickNavigate("#retry"))
		tab.WaitText(`[data-test="retried"]`, l.pick("仍没有可接单的人", "still nobody eligible"))
		tab.WaitText(`[data-test="reason"]`, l.pick("暂停接单", "paused"))
		fits(t, tab, "the queue")
		tab.Axe()
		tab.Screenshot("unassigned-" + l.name)

		if _, err := s.db.SetAway(ctx, admin, rep01.ID, gonghai.Away{Paused: &back}); err != nil {
			t.Fatal(err)
		}
		there(t, tab, "/unassigned", tab.ClickNavigate("#retry"))
		tab.WaitText(`[data-test="retried"]`, l.pick("3 个客户分配成功", "3 customers assigned"))
		tab.WaitFor("#unassigned-empty")
		s.wantOwner(t, s.free[0].ID, rep01.ID)
	})
}

// enqueue puts customers in the unassigned queue as intake does, straight
// into the site's table: only intake queues a customer.
func (s *site) enqueue(t *testing.T, cs ...gonghai.Customer) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, c := range cs {
		if _, err := raw.Exec(`INSERT INTO unassigned (customer_id, pool_id, since) VALUES (?, ?, ?)`,
			c.ID, s.pool.ID, s.clock.Now().UnixMicro()); err != nil {
			t.Fatal(err)
		}
	}
}
