package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestRepKeepsContacts: rep01 opens their customer's page and, in its 联系人
// section, adds the purchasing manager; tries a second person with rep02's
// customer's phone and is told at the field that it is someone else's
// (never whose contact, nor the phone); changes the first one's title;
// deletes them. At both widths, in Chinese and in English.
func TestRepKeepsContacts(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		signIn(t, tab, s.URL, "rep01")
		mine := s.ownedBy01[0]
		path := "/customers/" + mine.ID
		open(t, tab, s.URL, path)
		tab.WaitText("#contacts-h", l.pick("联系人", "Contacts"))
		tab.WaitFor(`[data-test="no-contacts"]`)

		tab.Click("#contact-add-open")
		tab.Fill("#k-new-name", "王强")
		tab.Fill("#k-new-title", l.pick("采购经理", "Purchasing manager"))
		tab.Fill("#k-new-phone", "13698765432")
		tab.Fill("#k-new-email", "wangqiang@example.cn")
		there(t, tab, path, tab.ClickNavigate("#contact-add"))
		tab.WaitText("#flash", l.pick("已添加联系人", "Contact added"))
		tab.WaitText(`[data-test="contact"]`, "13698765432")
		tab.WaitText(`[data-test="contact-title"]`, l.pick("采购经理", "Purchasing manager"))

		// rep02's customer's phone is another person's: refused at the field.
		theirs, err := s.db.Customer(context.Background(), s.user["rep02"], s.ownedBy02[0].ID) // in full: its owner's view
		if err != nil {
			t.Fatal(err)
		}
		if theirs.Phone != "" {
			tab.Click("#contact-add-open")
			tab.Fill("#k-new-name", "李四")
			tab.Fill("#k-new-phone", theirs.Phone)
			if status := tab.ClickNavigate("#contact-add"); status != 409 {
				t.Errorf("a taken phone answers %d, want 409", status)
			}
			tab.WaitText("#k-new-phone-err", l.pick("已是其他联系人的联系方式", "Already someone else's"))
			if text := tab.Text("#contacts"); strings.Contains(text, theirs.Company) {
				t.Errorf("the refusal names rep02's customer in the contacts: %q", text)
			}
			tab.Axe()
			tab.Screenshot("customer-contact-taken-" + l.name)
			open(t, tab, s.URL, path)
		}
		tab.Axe()
		tab.Screenshot("customer-contacts-" + l.name)

		tab.Click(`[data-test="contact-edit"]`)
		tab.Fill(`[data-test="contact"] input[name="title"]`, l.pick("采购总监", "Head of purchasing"))
		there(t, tab, path, tab.ClickNavigate(`[data-test="contact-save"]`))
		tab.WaitText("#flash", l.pick("联系人已保存", "Contact saved"))
		tab.WaitText(`[data-test="contact-title"]`, l.pick("采购总监", "Head of purchasing"))

		tab.Click(`[data-test="contact-edit"]`)
		there(t, tab, path, tab.ClickNavigate(`[data-test="contact-delete"]`))
		tab.WaitText("#flash", l.pick("联系人已删除", "Contact deleted"))
		tab.WaitFor(`[data-test="no-contacts"]`)
	})
}
