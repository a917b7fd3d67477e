package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestConvertPage: a lead's page says 线索 and where it came from, offers
// 转为客户 in a dialog (and on its own page without a script); a refused
// form shows again with the field at fault and converts nothing; the
// conversion answers with a 303 back and a flash; a second post, as from
// a second click, lands on the page saying it was converted already.
func TestConvertPage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newCustomerWorld(t, o)
		lead, err := o.db.CreateCustomer(o.ctx, o.admin, gonghai.NewCustomer{PoolID: w.pool.ID, OwnerID: w.li.ID,
			Lifecycle: gonghai.LifecycleLead, CustomerFields: gonghai.CustomerFields{Company: "苏州启明电子有限公司", Name: "王芳",
				Phone: "13700001111", Size: "medium"}})
		if err != nil {
			t.Fatal(err)
		}
		li, wang := newPage(t, o.srv.URL), newPage(t, o.srv.URL)
		li.signIn("rep.li", "li-pw")
		wang.signIn("rep.wang", "wang-pw")
		path := "/customers/" + lead.ID

		wantIn(t, "the lead", li.get(path), http.StatusOK, `data-test="lead-badge"`, `id="convert"`, `id="convert-dialog"`,
			`href="/customers/`+lead.ID+`/convert"`, "中型", "手工录入")
		wantNotIn(t, "a customer", li.get("/customers/"+w.first), `id="convert"`, `data-test="lead-badge"`)
		if r := wang.get(path + "/convert"); r.Status != http.StatusNotFound {
			t.Errorf("another rep's lead's conversion page: %d", r.Status)
		}
		// The lists mark leads and filter them from customers.
		if _, err := o.db.Claim(o.ctx, w.li, w.first, ""); err != nil {
			t.Fatal(err)
		}
		r := li.get("/mine?lifecycle=lead")
		wantIn(t, "my leads", r, http.StatusOK, "苏州启明电子有限公司", `data-test="lead-badge"`, `<option value="lead" selected>`)
		wantNotIn(t, "my leads", r, "上海恒信科技有限公司")
		r = li.get("/mine?lifecycle=customer")
		wantIn(t, "my customers", r, http.StatusOK, "上海恒信科技有限公司")
		wantNotIn(t, "my customers", r, "苏州启明电子有限公司")
		admin := newPage(t, o.srv.URL)
		admin.signIn("boss", "admin-pw")
		r = admin.get("/team?lifecycle=lead")
		wantIn(t, "the team's leads", r, http.StatusOK, "苏州启明电子有限公司", `data-test="lead-badge"`)
		wantNotIn(t, "the team's leads", r, "上海恒信科技有限公司")
		wantIn(t, "the pool's filter", li.get("/pool?pool="+w.pool.ID+"&lifecycle=lead"), http.StatusOK, `<option value="lead" selected>`)

		wantIn(t, "the page without a script", li.get(path+"/convert"), http.StatusOK, `id="convert-form"`, `id="convert-back"`, "需求确认")

		r = li.post(path+"/convert", url.Values{"title": {"年度采购"}, "amount": {"abc"}, "stage": {"需求确认"}})
		wantIn(t, "a refused conversion", r, http.StatusUnprocessableEntity, `aria-invalid="true"`, `value="年度采购"`, `id="convert-amount-err"`)
		if c, _ := o.db.Customer(o.ctx, o.admin, lead.ID); c.Lifecycle != gonghai.LifecycleLead {
			t.Fatalf("a refused form converted the lead")
		}

		r = li.post(path+"/convert", url.Values{"title": {"年度采购"}, "amount": {"12800"}, "stage": {"需求确认"}})
		if r.Status != http.StatusSeeOther || r.Location() != path+"?flash=lead.converted" {
			t.Fatalf("convert: %d to %q\n%.800s", r.Status, r.Location(), r.Body)
		}
		r = li.get(path + "?flash=lead.converted")
		wantIn(t, "the converted customer", r, http.StatusOK, "已转为客户", "年度采购", "12,800.00", `data-test="converted-at"`,
			`data-kind="converted"`)
		wantNotIn(t, "the converted customer", r, `id="convert"`, `data-test="lead-badge"`)
		// The size is edited on the page like any field; a new customer may
		// be created as a lead, with its size.
		if r := li.post(path, url.Values{"size": {"large"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("edit the size: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "the size edited", li.get(path), http.StatusOK, `<option value="large" selected>`)
		wantIn(t, "a bad size", li.post(path, url.Values{"size": {"huge"}}), http.StatusUnprocessableEntity, `id="f-size"`)
		r = li.post("/customers/new", url.Values{"company": {"常州新叶生物科技有限公司"}, "pool": {w.pool.ID}, "mine": {"1"},
			"lifecycle": {"lead"}, "size": {"small"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("a new lead: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "the new lead", li.get(r.Location()), http.StatusOK, `data-test="lead-badge"`, "小型", `id="convert"`)

		r = li.post(path+"/convert", url.Values{})
		if r.Status != http.StatusSeeOther || r.Location() != path+"?flash=lead.already_converted" {
			t.Fatalf("a second conversion: %d to %q", r.Status, r.Location())
		}
	})
}
