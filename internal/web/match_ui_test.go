package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestNewCustomerPage: a rep creates a customer from the page; another,
// typing the same company in another spelling, is told it exists and who
// owns it (never its contacts) and is refused; a like company is refused
// until they choose to create it anyway.
func TestNewCustomerPage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newCustomerWorld(t, o)
		li := newPage(t, o.srv.URL)
		li.signIn("rep.li", "li-pw")
		wantIn(t, "my customers", li.get("/mine"), http.StatusOK, `href="/customers/new"`, "新建客户")
		wantIn(t, "the pool", li.get("/pool"), http.StatusOK, `/customers/new?pool=`+w.pool.ID)
		wantIn(t, "the form", li.get("/customers/new"), http.StatusOK, `id="new-customer-form"`, `hx-get="/customers/new/check"`, w.pool.Name)

		form := url.Values{"company": {"北京星辰科技有限公司"}, "name": {"陈静"}, "phone": {"13700001234"}, "pool": {w.pool.ID}, "mine": {"1"}}
		r := li.post("/customers/new", form)
		if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location(), "?flash=match.flash.created") {
			t.Fatalf("create: %d to %q\n%.800s", r.Status, r.Location(), r.Body)
		}
		wantIn(t, "the new customer", li.get(r.Location()), http.StatusOK, "客户已创建", "北京星辰科技有限公司", "13700001234")

		wang := newPage(t, o.srv.URL)
		wang.signIn("rep.wang", "wang-pw")
		r = wang.get("/customers/new/check?" + url.Values{"company": {"星辰科技（北京）有限公司"}}.Encode())
		wantIn(t, "the check", r, http.StatusOK, `data-test="match-duplicate"`, "已存在：北京星辰科技有限公司", "负责人 王芳", "公司相同")
		wantNotIn(t, "the check", r, "13700001234", "陈静", "<html")
		r = wang.get("/customers/new/check?" + url.Values{"phone": {"137 0000 1234"}}.Encode())
		wantIn(t, "the check by phone", r, http.StatusOK, "手机号相同", "负责人 王芳")

		r = wang.post("/customers/new", url.Values{"company": {"星辰科技"}, "pool": {w.pool.ID}, "mine": {"1"}})
		wantIn(t, "a duplicate", r, http.StatusConflict, "已存在：北京星辰科技有限公司", `value="星辰科技"`)
		wantNotIn(t, "a duplicate", r, "13700001234", `id="create-anyway"`)

		like := url.Values{"company": {"星晨科技有限公司"}, "pool": {w.pool.ID}}
		r = wang.post("/customers/new", like)
		wantIn(t, "a like company", r, http.StatusConflict, `data-test="match-similar"`, "北京星辰科技有限公司", `id="create-anyway"`, "仍然创建")
		like.Set("allow_similar", "1")
		if r = wang.post("/customers/new", like); r.Status != http.StatusSeeOther {
			t.Fatalf("create anyway: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "bad input", wang.post("/customers/new", url.Values{"company": {"坏电话"}, "phone": {"call me"}, "pool": {w.pool.ID}}),
			http.StatusUnprocessableEntity, "not a phone number", `value="call me"`)
	})
}

// TestCustomerMatchesAPI: the check route answers duplicates and like
// companies, and the create answers similar until allow_similar.
func TestCustomerMatchesAPI(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newCustomerWorld(t, o)
		auth := map[string]string{"Authorization": "Bearer " + o.token}
		a := o.do(req{method: http.MethodGet, path: "/api/v1/customers/matches?" + url.Values{"company": {"恒信科技（上海）有限公司"},
			"email": {"LI.NA@yunqi.cn"}}.Encode(), header: auth})
		dups, _ := a.body["duplicates"].([]any)
		if a.status != http.StatusOK || len(dups) != 2 {
			t.Fatalf("matches: %d %v", a.status, a.body)
		}
		if d := dups[0].(map[string]any); d["field"] != "email" || d["customer_id"] != w.two {
			t.Fatalf("first match %v", d)
		}
		if d := dups[1].(map[string]any); d["field"] != "company" || d["customer_id"] != w.first {
			t.Fatalf("second match %v", d)
		}
		body := `{"company": "上海恒心科技有限公司", "pool_id": "` + w.pool.ID + `"}`
		a = o.do(req{method: http.MethodPost, path: "/api/v1/customers", body: body, header: auth})
		sim, _ := a.body["similar"].([]any)
		if a.status != http.StatusConflict || a.body["code"] != gonghai.ESimilar || len(sim) != 1 || sim[0].(map[string]any)["customer_id"] != w.first {
			t.Fatalf("similar create: %d %v", a.status, a.body)
		}
		a = o.do(req{method: http.MethodPost, path: "/api/v1/customers", body: strings.TrimSuffix(body, "}") + `, "allow_similar": true}`, header: auth})
		if a.status != http.StatusCreated {
			t.Fatalf("create anyway: %d %v", a.status, a.body)
		}
		a = o.do(req{method: http.MethodPost, path: "/api/v1/customers", body: `{"company": "恒信科技", "pool_id": "` + w.pool.ID + `"}`, header: auth})
		if m, _ := a.body["match"].(map[string]any); a.status != http.StatusConflict || a.body["code"] != gonghai.EDuplicate || m["field"] != "company" {
			t.Fatalf("duplicate create: %d %v", a.status, a.body)
		}
	})
}
