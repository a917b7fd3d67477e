package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// customerWorld is a pool with a 30-day follow-up rule, two reps in it, and
// two customers in it whose contacts the reps may not see unclaimed.
type customerWorld struct {
	*signIn
	li, wang   gonghai.User
	pool       gonghai.Pool
	first, two string
}

func newCustomerWorld(t *testing.T, o *signIn) *customerWorld {
	t.Helper()
	w := &customerWorld{signIn: o}
	w.li, w.wang = o.person("rep.li", "li-pw", gonghai.RoleRep), o.person("rep.wang", "wang-pw", gonghai.RoleRep)
	name := "华东公海"
	var err error
	w.pool, err = o.db.CreatePool(o.ctx, o.admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &[]string{w.li.ID, w.wang.ID},
		Recycle: &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30}}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []*string{&w.first, &w.two} {
		c, err := o.db.CreateCustomer(o.ctx, o.admin, gonghai.NewCustomer{PoolID: w.pool.ID, CustomerFields: gonghai.CustomerFields{
			Company: []string{"上海恒信科技有限公司", "杭州云栖网络有限公司"}[i], Name: "张伟",
			Phone: []string{"13812348000", "13912347000"}[i], Email: []string{"zhang.wei@hengxin.cn", "li.na@yunqi.cn"}[i],
			WeChat: []string{"zhangwei_sh", "lina_hz"}[i]}})
		if err != nil {
			t.Fatal(err)
		}
		*id = c.ID
	}
	return w
}

// day is the date n days after the test clock's first day, in Shanghai.
func (w *customerWorld) day(n int) string {
	return time.Date(2026, 3, 2+n, 0, 0, 0, 0, shanghai).Format(time.DateOnly)
}

// at sets the clock to 10:00 on day n, Shanghai time.
func (w *customerWorld) at(n int) {
	w.clock.Set(time.Date(2026, 3, 2+n, 10, 0, 0, 0, shanghai))
}

func wantIn(t *testing.T, what string, r pageResult, status int, texts ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d, want %d\n%.1500s", what, r.Status, status, r.Body)
	}
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			t.Errorf("%s: the page does not say %q", what, s)
		}
	}
}

func wantNotIn(t *testing.T, what string, r pageResult, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.Body, s) {
			t.Errorf("%s: the page shows %q", what, s)
		}
	}
}

// TestCustomerPage: a rep claims a customer from its page, sees its
// contacts, edits a field, logs a follow-up and watches the countdown
// move, plans the next follow-up and clears it, opens and wins an
// opportunity, records an order; every form answers with a 303 back.
func TestCustomerPage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newCustomerWorld(t, o)
		li := newPage(t, o.srv.URL)
		li.signIn("rep.li", "li-pw")
		path := "/customers/" + w.first

		r := li.get(path)
		wantIn(t, "the pool customer", r, http.StatusOK, "上海恒信科技有限公司", `id="claim"`, "138****8000", "领取后开始计时")
		wantNotIn(t, "the pool customer", r, "13812348000", `id="followup-add"`, `id="plan-save"`, `id="release-submit"`)

		r = li.post(path+"/claim", url.Values{})
		if r.Status != http.StatusSeeOther || r.Location() != path+"?flash=customer.claimed" {
			t.Fatalf("claim: %d to %q", r.Status, r.Location())
		}
		// Claimed at 09:00 on day 0 under 30 days: due at the start of day 31.
		r = li.get(path + "?flash=customer.claimed")
		wantIn(t, "the claimed customer", r, http.StatusOK, "领取成功", "13812348000", "zhang.wei@hengxin.cn", "还剩 31 天", "超期未跟进",
			`id="followup-add"`, `id="plan-save"`, `id="release-submit"`, `data-kind="claimed"`)
		wantNotIn(t, "the claimed customer", r, `id="claim"`, `id="reveal"`, `id="lock"`)

		r = li.post(path, url.Values{"industry": {"制造业"}, "stage": {"需求确认"}, "company": {"上海恒信科技有限公司"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "after the edit", li.get(path), http.StatusOK, `value="制造业"`, `<option value="需求确认" selected>`, "13812348000")
		r = li.post(path, url.Values{"category": {"Z"}, "industry": {"坏\x00值"}})
		wantIn(t, "a refused edit", r, http.StatusUnprocessableEntity, "填写的内容有误", "must be A, B or C", "control character", `aria-invalid="true"`)

		// Five days on, the countdown says 26; a call restarts it.
		w.at(5)
		li.signIn("rep.li", "li-pw") // the session has ended meanwhile
		wantIn(t, "day 5", li.get(path), http.StatusOK, "还剩 26 天")
		r = li.post(path+"/followups", url.Values{"kind": {"call"}, "content": {"电话沟通，客户有意向"}, "at": {""}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("follow-up: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "after the call", li.get(path), http.StatusOK, "还剩 31 天", "电话沟通，客户有意向", "电话")
		r = li.post(path+"/followups", url.Values{"kind": {"call"}, "content": {"补记"}, "at": {"2026-03-20T10:00"}})
		wantIn(t, "a follow-up in the future", r, http.StatusUnprocessableEntity, "cannot be in the future", "补记")

		r = li.post(path+"/plan", url.Values{"date": {w.day(6)}, "note": {"带报价单"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("plan: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "the plan", li.get(path), http.StatusOK, "2026年3月8日", "带报价单", `value="`+w.day(6)+`"`, `id="plan-clear"`)
		wantIn(t, "a plan in the past", li.post(path+"/plan", url.Values{"date": {w.day(1)}}), http.StatusUnprocessableEntity, "today or later")
		if r := li.post(path+"/plan/clear", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("clear the plan: %d", r.Status)
		}
		wantIn(t, "no plan", li.get(path), http.StatusOK, "还没有跟进计划")

		if r := li.post(path+"/opportunities", url.Values{"title": {"年度采购"}, "amount": {"12800.50"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("opportunity: %d\n%.800s", r.Status, r.Body)
		}
		r = li.get(path)
		wantIn(t, "the opportunity", r, http.StatusOK, "年度采购", "12,800.50", "进行中")
		opp := between(r.Body, `/opportunities/`, `/close"`)
		if r := li.post(path+"/opportunities/"+opp+"/close", url.Values{"status": {"won"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("win: %d\n%.800s", r.Status, r.Body)
		}
		if r := li.post(path+"/orders", url.Values{"amount": {"9800"}, "ordered_on": {w.day(5)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("order: %d\n%.800s", r.Status, r.Body)
		}
		wantIn(t, "won and ordered", li.get(path), http.StatusOK, "赢单", "9,800.00", w.day(5), "已成交")

		r = li.post(path+"/release", url.Values{"reason": {""}})
		wantIn(t, "a release without a reason", r, http.StatusUnprocessableEntity, "say why")
		r = li.post(path+"/release", url.Values{"reason": {"客户暂无需求"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/mine") {
			t.Fatalf("release: %d to %q", r.Status, r.Location())
		}

		li.lang = "en"
		li.get("/?lang=en")
		wantIn(t, "in English", li.get("/customers/"+w.two), http.StatusOK, "Claim", "The customer is in a pool")
	})
}

// between is the text of s between the first from and the to after it.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}

// TestCustomerPageRefusals: whom a decision refuses sees no button for
// it, and their POST is refused anyway; no page shows a full contact of a
// customer its viewer does not own, until an entitled viewer reveals it.
func TestCustomerPageRefusals(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newCustomerWorld(t, o)
		o.person("admin2", "admin2-pw", gonghai.RoleAdmin)
		if _, err := o.db.Claim(o.ctx, w.li, w.first, ""); err != nil {
			t.Fatal(err)
		}
		wang := newPage(t, o.srv.URL)
		wang.signIn("rep.wang", "wang-pw")
		mine := "/customers/" + w.first

		// Another rep's customer does not exist for wang.
		wantIn(t, "li's customer as wang", wang.get(mine), http.StatusNotFound)
		for _, p := range []string{"/followups", "/plan", "/release", "/reveal", "/lock", ""} {
			r := wang.post(mine+p, url.Values{"kind": {"call"}, "content": {"x"}, "date": {w.day(1)}, "reason": {"x"}, "industry": {"x"}})
			if r.Status != http.StatusNotFound {
				t.Errorf("wang POSTs %s%s: %d, want 404", mine, p, r.Status)
			}
		}
		// A pool customer: wang may claim it, not work it.
		pool := "/customers/" + w.two
		r := wang.get(pool)
		wantIn(t, "a pool customer as wang", r, http.StatusOK, `id="claim"`, "139****7000")
		wantNotIn(t, "a pool customer as wang", r, "13912347000", "li.na@yunqi.cn", "lina_hz", `id="reveal"`, `id="followup-add"`,
			`id="edit-save"`, `id="plan-save"`, `id="lock"`)
		for _, p := range []string{"/followups", "/plan", "/lock"} {
			r := wang.post(pool+p, url.Values{"kind": {"call"}, "content": {"x"}, "date": {w.day(1)}, "locked": {"true"}})
			if r.Status != http.StatusForbidden {
				t.Errorf("wang POSTs %s%s: %d, want 403", pool, p, r.Status)
			}
		}
		if r := wang.post(pool+"/reveal", url.Values{}); r.Status != http.StatusForbidden || strings.Contains(r.Body, "13912347000") {
			t.Errorf("wang reveals a pool customer: %d", r.Status)
		}

		// An admin sees li's customer masked, may reveal and lock it, and
		// may not claim what is owned.
		admin := newPage(t, o.srv.URL)
		admin.signIn("admin2", "admin2-pw")
		r = admin.get(mine)
		wantIn(t, "li's customer as an admin", r, http.StatusOK, `id="reveal"`, `id="lock"`, "138****8000")
		wantNotIn(t, "li's customer as an admin", r, "13812348000", "zhang.wei@hengxin.cn", "zhangwei_sh", `id="claim"`)
		r = admin.post(mine+"/reveal", url.Values{})
		wantIn(t, "the reveal", r, http.StatusOK, "13812348000", "zhang.wei@hengxin.cn", "已记录")
		if r := admin.post(mine+"/claim", url.Values{}); r.Status != http.StatusConflict {
			t.Errorf("an admin claims an owned customer: %d, want 409", r.Status)
		}
		if r := admin.post(mine+"/lock", url.Values{"locked": {"true"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("lock: %d", r.Status)
		}
		r = admin.get(mine)
		wantIn(t, "locked", r, http.StatusOK, "已锁定", "解除锁定")
		wantNotIn(t, "locked", r, "还剩")
		// The owner may not lock their own customer: no button, and refused.
		li := newPage(t, o.srv.URL)
		li.signIn("rep.li", "li-pw")
		wantNotIn(t, "li's own customer", li.get(mine), `id="lock"`)
		if r := li.post(mine+"/lock", url.Values{"locked": {"false"}}); r.Status != http.StatusForbidden {
			t.Errorf("the owner unlocks: %d, want 403", r.Status)
		}
	})
}
