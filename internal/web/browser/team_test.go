package browser_test

import (
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestManagerAssignsAndTransfers: the manager opens the team page from the
// navigation, lists a pool's unowned customers and gives one to rep01 (an
// assignment), then lists rep02's and moves one of them to rep01 with a
// reason (a transfer); at both widths, in Chinese and in English.
func TestManagerAssignsAndTransfers(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "mgr.east")
		nav(t, tab, "/team")
		tab.WaitText("h1", l.pick("团队", "Team"))
		tab.Axe()
		tab.Screenshot("team-" + l.name)

		rep01, rep02 := s.user["rep01"].ID, s.user["rep02"].ID
		tab.Select("#f-holder", "pool")
		tab.Select("#f-pool", s.pool.ID)
		tab.ClickNavigate("#team-filter")
		free := s.free[0].ID
		tab.WaitFor("#row-" + free)
		tab.Select("#give-to", rep01)
		tab.ClickNavigate(`#row-` + free + ` [data-test="give-one"]`)
		tab.WaitText("#flash", l.pick("已完成分配/转移", "the customers have their new owner"))
		s.wantOwner(t, free, rep01)

		tab.Select("#f-holder", "")
		tab.Select("#f-pool", "")
		tab.Select("#f-rep", rep02)
		tab.ClickNavigate("#team-filter")
		owned := s.ownedBy02[0].ID
		tab.WaitFor("#row-" + owned)
		tab.Select("#give-to", rep01)
		tab.Fill("#give-reason", l.pick("客户要求换人跟进", "the customer asked for another rep"))
		tab.ClickNavigate(`#row-` + owned + ` [data-test="give-one"]`)
		tab.WaitText("#flash", l.pick("已完成分配/转移", "the customers have their new owner"))
		s.wantOwner(t, owned, rep01)
		tab.Axe()
		tab.Screenshot("team-transferred-" + l.name)
	})
}
