package browser_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestRepWorksThePool: rep01 opens the pool from the navigation and reads,
// before any click, why the customer they gave back five days ago is not
// theirs to claim again; filters the pool down to one company; claims it,
// confirming in the dialog that names the pool's rules; logs a call on the
// customer's page and watches its countdown move from the rule "contact
// within 7 days" to "follow up within 30" (45 for category A); then gives it back from the
// private pool with a reason. At both widths, in Chinese and in English.
func TestRepWorksThePool(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "rep01")
		nav(t, tab, "/pool")
		tab.WaitText("h1", l.pick("公海", "Pool"))
		cooling := "#row-" + s.cooling[0].ID
		tab.WaitText(cooling+` [data-test="verdict"]`, l.pick("冷却中", "Cooldown"))
		if n := tab.Count(cooling + ` [data-test="claim"]`); n != 0 {
			t.Errorf("the cooling customer offers %d claim buttons", n)
		}
		tab.Axe()
		tab.Screenshot("pool-" + l.name)

		target := s.free[0]
		row := "#row-" + target.ID
		tab.Fill("#f-q", target.Company)
		there(t, tab, "/pool?q=…", tab.ClickNavigate("#filter"))
		tab.WaitFor(row)
		if n := tab.Count(`tbody tr[id^="row-"]`); n != 1 {
			t.Errorf("searching for %s lists %d rows, want 1", target.Company, n)
		}

		tab.Click(row + ` [data-test="claim"]`)
		tab.WaitText("#confirm-dialog", l.pick("领取后 7 天内未联系将退回公海", "Goes back unless contacted within 7 days of the claim"))
		tab.Axe()
		tab.Click("#confirm-ok")
		tab.WaitText(row, l.pick("已领取", "Claimed"))
		s.wantOwner(t, target.ID, s.user["rep01"].ID)

		there(t, tab, "/customers/{id}", tab.ClickNavigate(row+` a[href="/customers/`+target.ID+`"]`))
		tab.WaitText("#countdown", l.pick("领取后未联系", "Not contacted after claim"))
		before := daysLeft(t, tab)
		tab.Axe()
		tab.Screenshot("customer-" + l.name)
		note := l.pick("电话沟通，客户下月采购", "Called: they buy next month")
		tab.Select("#fu-kind", "call")
		tab.Fill("#fu-content", note)
		there(t, tab, "/customers/{id}", tab.ClickNavigate("#followup-add"))
		tab.WaitText(`[data-test="followup"]`, note)
		tab.WaitText("#countdown", l.pick("超期未跟进", "No follow-up"))
		if after := daysLeft(t, tab); after < before+20 {
			t.Errorf("after the call the countdown says %d days, before it %d: want the 30 of the follow-up rule", after, before)
		}

		nav(t, tab, "/mine")
		tab.WaitFor(row + ` [data-test="countdown"]`)
		tab.Axe()
		tab.Screenshot("mine-" + l.name)
		there(t, tab, "/mine/release", tab.ClickNavigate(row+` [data-test="release"]`))
		tab.Fill("#r-reason", l.pick("客户暂无需求", "No need for now"))
		tab.Axe()
		there(t, tab, "/mine", tab.ClickNavigate("#release"))
		tab.WaitText("#flash", l.pick("已退回公海", "Released to the pool"))
		tab.WaitGone(row)
		s.wantOwner(t, target.ID, "")
	})
}

// daysLeft reads the number of days the customer page's countdown shows.
func daysLeft(t *testing.T, tab *browsertest.Tab) int {
	t.Helper()
	text := tab.Text(`[data-test="days-left"]`)
	n, err := strconv.Atoi(regexp.MustCompile(`[0-9]+`).FindString(text))
	if err != nil {
		t.Fatalf("the countdown %q has no number of days", text)
	}
	return n
}
