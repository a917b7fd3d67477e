package browser_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestPoolHygiene: rep02 flags a pool customer invalid from the pool's
// row, with a reason; the admin sees the flag count on the row, reads who
// flagged it and why on the form, marks it invalid (停业), finds it gone
// from the pool and waiting in the archive with its reason and the days
// until it is purged, restores it, and previews and saves a pool's
// hygiene rule. At both widths, in Chinese and in English.
func TestPoolHygiene(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		target := s.free[1]
		row := "#row-" + target.ID

		signIn(t, tab, s.URL, "rep02")
		nav(t, tab, "/pool")
		there(t, tab, "/customers/{id}/invalid", tab.ClickNavigate(row+` [data-test="flag-invalid"]`))
		tab.WaitText("h1", l.pick("报告无效客户", "Flag an invalid customer"))
		tab.Click("#reason-empty_number")
		tab.Axe()
		tab.Screenshot("hygiene-flag-" + l.name)
		there(t, tab, "/pool", tab.ClickNavigate("#invalid-submit"))
		tab.WaitText("#flash", l.pick("已报告", "Flagged"))
		tab.WaitText(row+` [data-test="flagged"]`, l.pick("已报告无效", "Flagged"))

		// The admin signs in in the same tab: the flows share two tabs.
		signOut(t, tab)
		admin := tab
		signIn(t, admin, s.URL, "admin")
		open(t, admin, s.URL, "/pool?pool="+s.pool.ID)
		admin.WaitText(row+` [data-test="flag-count"]`, l.pick("1 人报告", "Flags: 1"))
		admin.Screenshot("hygiene-pool-" + l.name)
		there(t, admin, "/customers/{id}/invalid", admin.ClickNavigate(row+` [data-test="mark-invalid"]`))
		admin.WaitText(`[data-test="flag"]`, l.pick("张伟 · 空号", "张伟 · Number not in service"))
		admin.Click("#reason-closed")
		admin.Fill("#invalid-note", l.pick("工商信息显示已注销", "Deregistered"))
		admin.Axe()
		admin.Screenshot("hygiene-mark-" + l.name)
		there(t, admin, "/pool", admin.ClickNavigate("#invalid-submit"))
		admin.WaitText("#flash", l.pick("已标记无效", "Marked invalid"))
		if n := admin.Count(row); n != 0 {
			t.Errorf("the marked customer is still listed in the pool")
		}

		there(t, admin, "/admin/archive", admin.ClickNavigate("#archive-link"))
		archived := "#archived-" + target.ID
		admin.WaitText(archived, l.pick("停业", "Out of business"))
		admin.WaitText(archived+` [data-test="days-left"]`, l.pick("30 天后清除", "in 30 days"))
		admin.Axe()
		admin.Screenshot("hygiene-archive-" + l.name)
		there(t, admin, "/admin/archive", admin.ClickNavigate(archived+` [data-test="restore"]`))
		admin.WaitText("#flash", l.pick("已恢复到原公海", "Restored to its pool"))
		s.wantPool(t, target.ID, s.pool.ID)

		there(t, admin, "/admin/hygiene", admin.ClickNavigate("#rules-link"))
		form := "#rules-" + s.pool.ID
		admin.Fill(form+` [data-test="unclaimed-days"]`, "5")
		there(t, admin, "/admin/hygiene/{id}", admin.ClickNavigate(form+` [data-test="preview-button"]`))
		// Nine customers have waited in the pool since ten days ago and the
		// cooling one since five; the restored one came back today.
		admin.WaitText(form+` [data-test="preview"]`, l.pick("无人领取 10 个", "10 unclaimed"))
		admin.Axe()
		admin.Screenshot("hygiene-rules-" + l.name)
		there(t, admin, "/admin/hygiene", admin.ClickNavigate(form+` [data-test="save-rules"]`))
		admin.WaitText("#flash", l.pick("已保存", "Saved"))
	})
}

// wantPool fails t unless customer id is unowned in pool poolID.
func (s *site) wantPool(t *testing.T, id, poolID string) {
	t.Helper()
	c, err := s.db.Customer(context.Background(), s.user["admin"], id)
	if err != nil || c.PoolID != poolID || c.OwnerID != "" {
		t.Fatalf("customer %s is in pool %q owned by %q (%v), want unowned in %q", id, c.PoolID, c.OwnerID, err, poolID)
	}
}

// signOut signs the tab's user out through the user menu.
func signOut(t *testing.T, tab *browsertest.Tab) {
	t.Helper()
	tab.Click(".usermenu summary")
	if status := tab.ClickNavigate("#logout"); status != 200 {
		t.Fatalf("signing out ends on status %d at %s", status, tab.Location())
	}
	tab.WaitFor("body.signed-out")
}
