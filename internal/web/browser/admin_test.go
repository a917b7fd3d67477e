package browser_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestAdminEditsRule: the admin opens the pool, sees who its rules would
// take back over the next 14 days, lengthens "not contacted within 7 days"
// to 30 and watches the preview beside the form change before saving, then
// saves; at both widths, in Chinese and in English.
func TestAdminEditsRule(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "admin")
		open(t, tab, s.URL, "/admin/pools")
		there(t, tab, "/admin/pools/{id}", tab.ClickNavigate(`a[href="/admin/pools/`+s.pool.ID+`"]`))
		const total = `[data-test="preview-total"]`
		// The five customers owned since today drop in 7 days unless contacted.
		tab.WaitText(total, l.pick("未来 14 天将回收 5 个客户", "Next 14 days: 5 customers drop"))
		tab.Axe()
		tab.Screenshot("admin-pool-" + l.name)

		tab.Fill(`fieldset[data-rule="not_contacted"] [data-test="rule-days"]`, "30")
		tab.WaitText(total, l.pick("未来 14 天将回收 0 个客户", "Next 14 days: 0 customers drop"))
		tab.WaitText(total, l.pick("现行规则：5 个", "current rules: 5"))
		if days := s.notContactedDays(t); days != 7 {
			t.Fatalf("the preview saved the rule: %d days", days)
		}
		tab.Axe()
		tab.Screenshot("admin-pool-preview-" + l.name)

		tab.ClickNavigate(`[data-test="save-pool"]`)
		tab.WaitText("#flash", l.pick("公海已保存", "Pool saved"))
		tab.WaitText(total, l.pick("未来 14 天将回收 0 个客户", "Next 14 days: 0 customers drop"))
		if days := s.notContactedDays(t); days != 30 {
			t.Fatalf("after saving, the rule says %d days, want 30", days)
		}
	})
}

// notContactedDays reads the pool's "not contacted" rule from the store.
func (s *site) notContactedDays(t *testing.T) int {
	t.Helper()
	p, err := s.db.Pool(context.Background(), s.user["admin"], s.pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Recycle.Rules {
		if r.Kind == "not_contacted" {
			return r.Days
		}
	}
	t.Fatal("the pool has no rule for customers not contacted")
	return 0
}
