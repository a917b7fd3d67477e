package browser_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestRepConvertsLead: rep01 finds their lead with the 类型 filter on the
// private pool, opens it, reads where it came from, converts it in the
// dialog with an opportunity and a stage, and lands on the customer it is
// now; a second lead converts through the page a browser without scripts
// gets. At both widths, in Chinese and in English.
func TestRepConvertsLead(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		lead := s.lead(t, "苏州启明星电子有限公司", "13700001111", "medium")
		other := s.lead(t, "无锡远航物流有限公司", "13700002222", "")

		signIn(t, tab, s.URL, "rep01")
		open(t, tab, s.URL, "/mine?lifecycle=lead")
		tab.WaitText("#row-"+lead.ID+` [data-test="lead-badge"]`, l.pick("线索", "Lead"))
		if n := tab.Count(`[data-test="lead-badge"]`); n != 2 {
			t.Errorf("%d leads listed, want 2", n)
		}
		tab.Axe()
		tab.Screenshot("lead-mine-" + l.name)

		open(t, tab, s.URL, "/customers/"+lead.ID)
		tab.WaitText(`[data-test="size"]`, l.pick("中型", "Medium"))
		tab.Click("#convert")
		tab.WaitFor("#convert-dialog[open]")
		tab.Fill("#convert-title", l.pick("年度软件采购", "Annual licence"))
		tab.Fill("#convert-amount", "128000")
		tab.Select("#convert-stage", "需求确认")
		tab.Axe()
		tab.Screenshot("lead-convert-dialog-" + l.name)
		there(t, tab, "/customers/{id}", tab.ClickNavigate("#convert-submit"))
		tab.WaitText("#flash", l.pick("已转为客户", "Converted to a customer"))
		tab.WaitFor(`[data-test="converted-at"]`)
		tab.WaitText(`[data-test="opportunity"]`, "128,000.00")
		if n := tab.Count("#convert"); n != 0 {
			t.Errorf("the converted customer still offers 转为客户")
		}
		tab.Screenshot("lead-converted-" + l.name)

		open(t, tab, s.URL, "/customers/"+other.ID+"/convert")
		tab.WaitFor("#convert-form")
		tab.Axe()
		tab.Screenshot("lead-convert-page-" + l.name)
		there(t, tab, "/customers/{id}", tab.ClickNavigate("#convert-submit"))
		tab.WaitText("#flash", l.pick("已转为客户", "Converted to a customer"))
		c, err := s.db.Customer(context.Background(), s.user["admin"], other.ID)
		if err != nil || c.Lifecycle != gonghai.LifecycleCustomer || c.OpenOpportunities != 0 {
			t.Errorf("the second lead %+v, %v: want a customer without an opportunity", c, err)
		}
	})
}

// lead adds a lead of rep01's, entered by hand (no channel).
func (s *site) lead(t *testing.T, company, phone, size string) gonghai.Customer {
	t.Helper()
	c, err := s.db.CreateCustomer(context.Background(), s.user["admin"], gonghai.NewCustomer{PoolID: s.pool.ID,
		OwnerID: s.user["rep01"].ID, Lifecycle: gonghai.LifecycleLead, AllowSimilar: true,
		CustomerFields: gonghai.CustomerFields{Company: company, Name: "王芳", Phone: phone, Size: size}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
