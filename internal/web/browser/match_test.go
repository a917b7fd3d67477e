package browser_test

import (
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestRepCreatesCustomer: rep01 opens "新建客户" from the private pool and
// types rep02's company in another spelling: the check says, as they
// type, that it exists and who owns it (never its contacts). They type a
// like name instead, are shown the like company on creating, and create
// it anyway. At both widths, in Chinese and in English.
func TestRepCreatesCustomer(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "rep01")
		nav(t, tab, "/mine")
		there(t, tab, "/customers/new", tab.ClickNavigate("#new-customer"))
		tab.WaitText("h1", l.pick("新建客户", "New customer"))

		theirs := s.ownedBy02[0]
		base := strings.TrimSuffix(theirs.Company, "有限公司")
		tab.Fill("#n-company", base+" 有限公司")
		tab.WaitText(`[data-test="match-duplicate"]`, l.pick("负责人 ", "owned by ")+s.user["rep02"].Name)
		if text := tab.Text("#matches"); strings.Contains(text, theirs.Phone) || (theirs.Name != "" && strings.Contains(text, theirs.Name)) {
			t.Errorf("the check shows a contact of rep02's customer: %q", text)
		}
		tab.Axe()
		tab.Screenshot("new-customer-duplicate-" + l.name)

		// One character changed: like, not the same.
		r := []rune(base)
		r[len(r)-1] = '鑫'
		like := string(r) + "有限公司"
		tab.Fill("#n-company", like)
		tab.Fill("#n-phone", "13712345678")
		tab.WaitFor(`[data-test="match-similar"]`)
		tab.ClickNavigate("#create-customer")
		tab.WaitFor("#create-anyway")
		tab.Axe()
		tab.Screenshot("new-customer-similar-" + l.name)
		there(t, tab, "/customers/{id}", tab.ClickNavigate("#create-anyway"))
		tab.WaitText("#flash", l.pick("客户已创建", "Customer created"))
		tab.WaitText("h1", like)
	})
}
