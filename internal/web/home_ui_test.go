package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/recycle"
)

// TestHomePage: a rep's 工作台 says what to do when there is nothing;
// then lists a customer given to them today, one that drops within three
// days, and, on its day, a follow-up they planned, with the reminder the
// sweep sent in the notifications; each row leads to its customer.
func TestHomePage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newCustomerWorld(t, o)
		li := newPage(t, o.srv.URL)
		li.signIn("rep.li", "li-pw")
		r := li.get("/")
		wantIn(t, "an empty home", li.get("/"), http.StatusOK, "<title>工作台 · 公海 CRM</title>", "今天还没有新分配给您的客户",
			"今天没有计划跟进的客户", "3 天内没有客户会被回收", `href="/pool"`)
		wantNotIn(t, "an empty home", r, `data-test="dropping-row"`, `data-test="planned-row"`, `data-test="received-row"`)

		if _, err := o.db.Assign(o.ctx, o.admin, w.two, w.li.ID, "新线索请跟进", false); err != nil {
			t.Fatal(err)
		}
		if r := li.post("/customers/"+w.first+"/claim", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("claim: %d", r.Status)
		}
		if r := li.post("/customers/"+w.first+"/plan", url.Values{"date": {w.day(28)}, "note": {"确认合同"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("plan: %d\n%.600s", r.Status, r.Body)
		}
		r = li.get("/")
		wantIn(t, "home on day 0", r, http.StatusOK, `data-test="received-row" data-id="`+w.two+`"`, "新线索请跟进", "分配",
			`href="/customers/`+w.two+`"`)
		wantNotIn(t, "home on day 0", r, `data-test="dropping-row"`, `data-test="planned-row"`)

		// Day 28: both customers, claimed or assigned on day 0, are due at
		// the start of day 31; the plan's day has come and the sweep sent
		// its reminder.
		w.at(28)
		sweeper := &recycle.Sweeper{Store: o.db}
		if rep, err := sweeper.Once(o.ctx); err != nil || rep.Planned != 1 {
			t.Fatalf("sweep on day 28: %+v %v, want one plan reminder", rep, err)
		}
		li.signIn("rep.li", "li-pw")
		r = li.get("/")
		wantIn(t, "home on day 28", r, http.StatusOK, `data-test="dropping-row" data-id="`+w.first+`"`, `data-test="dropping-row" data-id="`+w.two+`"`,
			"剩余", "3 天", "超期未跟进", `data-test="planned-row" data-id="`+w.first+`"`, "确认合同", "今天",
			"计划跟进客户「上海恒信科技有限公司」")
		wantNotIn(t, "home on day 28", r, `data-test="received-row"`, "13812348000", "13912347000")
		if n := strings.Count(r.Body, `data-test="dropping-row"`); n != 2 {
			t.Errorf("home on day 28 lists %d dropping, want 2", n)
		}
		if rep, err := sweeper.Once(o.ctx); err != nil || rep.Planned != 0 {
			t.Errorf("a second sweep: %+v %v, want no plan reminder again", rep, err)
		}

		// A call meets the plan and restarts the clock: both leave the lists.
		if r := li.post("/customers/"+w.first+"/followups", url.Values{"kind": {"call"}, "content": {"已确认合同"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("follow-up: %d", r.Status)
		}
		r = li.get("/")
		wantNotIn(t, "home after the call", r, `data-test="planned-row"`, `data-test="dropping-row" data-id="`+w.first+`"`)

		li.get("/?lang=en")
		wantIn(t, "home in English", li.get("/"), http.StatusOK, "<title>Home · Gonghai CRM</title>", "Back to the pool within 3 days",
			"Today (")
	})
}
