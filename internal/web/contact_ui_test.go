package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestContactsSection: on the customer page the owner adds a contact,
// changes and deletes it, each form answering with a 303 back; a bad or
// taken phone shows the form again with the field at fault and nothing
// saved; another rep who sees the pool customer sees its contacts masked
// and no forms, and in full right after a reveal.
func TestContactsSection(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newCustomerWorld(t, o)
		li := newPage(t, o.srv.URL)
		li.signIn("rep.li", "li-pw")
		path := "/customers/" + w.first
		if r := li.post(path+"/claim", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("claim: %d", r.Status)
		}
		wantIn(t, "no contacts", li.get(path), http.StatusOK, "联系人", `data-test="no-contacts"`, `id="contact-add"`)

		r := li.post(path+"/contacts", url.Values{"name": {"王强"}, "title": {"采购经理"}, "phone": {"13698765432"}, "email": {"wq@hengxin.cn"}})
		if r.Status != http.StatusSeeOther || r.Location() != path+"?flash=contact.added" {
			t.Fatalf("add: %d to %q\n%.800s", r.Status, r.Location(), r.Body)
		}
		r = li.get(path + "?flash=contact.added")
		wantIn(t, "the contact", r, http.StatusOK, "已添加联系人", "王强", "采购经理", `href="tel:13698765432"`, "wq@hengxin.cn")
		contact := between(r.Body, `id="contact-`, `"`)

		// The other customer's phone is someone else's: refused at the field.
		r = li.post(path+"/contacts", url.Values{"name": {"李四"}, "phone": {"13912347000"}})
		wantIn(t, "a taken phone", r, http.StatusConflict, "已是其他联系人的联系方式", `aria-invalid="true"`, `value="李四"`)
		r = li.post(path+"/contacts", url.Values{"name": {"李四"}, "phone": {"12"}})
		wantIn(t, "a bad phone", r, http.StatusUnprocessableEntity, `aria-invalid="true"`, "not a phone number")
		wantNotIn(t, "after the refusals", li.get(path), "李四")

		// Another rep sees the pool customer only once it is back in the pool.
		if r := li.post(path+"/release", url.Values{"reason": {"客户暂无需求"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("release: %d", r.Status)
		}
		wang := newPage(t, o.srv.URL)
		wang.signIn("rep.wang", "wang-pw")
		r = wang.get(path)
		wantIn(t, "the masked contact", r, http.StatusOK, "王强", "136****5432")
		wantNotIn(t, "the masked contact", r, "13698765432", "wq@hengxin.cn", `data-test="contact-edit"`, `id="contact-add"`)

		// The admin reveals: every contact in full.
		admin := newPage(t, o.srv.URL)
		admin.signIn("boss", "admin-pw")
		wantIn(t, "the revealed contacts", admin.post(path+"/reveal", url.Values{}), http.StatusOK, `href="tel:13698765432"`, "wq@hengxin.cn")

		// The admin changes its title (the masked phone sent back as shown
		// stays), and deletes it after the reveal.
		r = admin.post(path+"/contacts/"+contact, url.Values{"name": {"王强"}, "title": {"采购总监"}, "phone": {"136****5432"}})
		if r.Status != http.StatusSeeOther || r.Location() != path+"?flash=contact.saved" {
			t.Fatalf("edit: %d to %q\n%.800s", r.Status, r.Location(), r.Body)
		}
		wantIn(t, "the changed contact", admin.get(path), http.StatusOK, "采购总监")
		if r := admin.post(path+"/contacts/"+contact+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "no contacts again", admin.get(path), http.StatusOK, `data-test="no-contacts"`)
	})
}
