package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// poolWorld is a pool with rules, a rep and a rival who are its members,
// and customers in it: what the pool and private pool pages show.
type poolWorld struct {
	*signIn
	pool       gonghai.Pool
	rep, rival gonghai.User
}

func newPoolWorld(t *testing.T, o *signIn, in gonghai.PoolInput) *poolWorld {
	t.Helper()
	w := &poolWorld{signIn: o}
	w.rep = o.person("rep.zhang", "rep-pw", gonghai.RoleRep)
	w.rival = o.person("rep.li", "rival-pw", gonghai.RoleRep)
	name := "华南公海"
	in.Name, in.MemberUserIDs = &name, &[]string{w.rep.ID, w.rival.ID}
	if in.Recycle == nil {
		in.Recycle = &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30}}}
	}
	var err error
	if w.pool, err = o.db.CreatePool(o.ctx, o.admin, in); err != nil {
		t.Fatal(err)
	}
	return w
}

// customer puts a customer into pool p (the world's when nil) and
// returns it.
func (w *poolWorld) customer(company, region, phone string) gonghai.Customer {
	w.t.Helper()
	c, err := w.db.CreateCustomer(w.ctx, w.admin, gonghai.NewCustomer{PoolID: w.pool.ID, CustomerFields: gonghai.CustomerFields{
		Company: company, Name: "陈静", Region: region, Category: "A", Phone: phone}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// hx sends a form as htmx does.
func hx(p *page, path string, form url.Values) pageResult {
	p.t.Helper()
	return p.do(http.MethodPost, path, form, map[string]string{"HX-Request": "true"})
}

// rowOf is the table row of customer id in a page, "" when it has none.
func rowOf(body, id string) string {
	m := regexp.MustCompile(`(?s)<tr id="row-` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
	return m
}

func TestPoolPage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newPoolWorld(t, o, gonghai.PoolInput{DailyClaimLimit: ptr(2), ReclaimCooldownDays: ptr(7)})
		a := w.customer("深圳星辰科技有限公司", "广东省/深圳市/南山区", "13812340001")
		b := w.customer("广州天河贸易商行", "广东省/广州市/天河区", "13812340002")
		c := w.customer("杭州恒信科技有限公司", "浙江省/杭州市/西湖区", "13812340003")
		d := w.customer("深圳鼎盛建筑工程有限公司", "广东省/深圳市/福田区", "13812340004")
		p := newPage(t, o.srv.URL)
		p.signIn("rep.zhang", "rep-pw")

		r := p.get("/pool")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "共 4 条") || !strings.Contains(r.Body, "<title>公海 · 华南公海 · 公海 CRM</title>") {
			t.Fatalf("the pool page: %d\n%.1500s", r.Status, r.Body)
		}
		for _, want := range []string{"深圳星辰科技有限公司", "138****0001", "领取后 30 天未跟进将退回公海", "每人每天最多领取 2 个",
			"新线索，从未被领取", "广东省/深圳市/南山区"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the pool page does not say %q", want)
			}
		}
		if strings.Contains(r.Body, "13812340001") {
			t.Error("the pool page shows a full phone of a customer the rep does not own")
		}
		if n := strings.Count(r.Body, `data-test="claim"`); n != 4 {
			t.Errorf("%d claim buttons, want 4", n)
		}
		// The region cascade: a province, then a city in it.
		r = p.get("/pool?province=" + url.QueryEscape("广东省") + "&city=" + url.QueryEscape("深圳市"))
		if !strings.Contains(r.Body, "共 2 条") || strings.Contains(r.Body, "广州天河贸易商行") || !strings.Contains(r.Body, "<option selected>南山区") &&
			!strings.Contains(r.Body, ">南山区</option>") {
			t.Errorf("filtered by 广东省/深圳市:\n%.3000s", r.Body)
		}
		if r := p.get("/pool?region=" + url.QueryEscape("广东省/深圳市")); !strings.Contains(r.Body, "共 2 条") {
			t.Errorf("filtered by the API's region path:\n%.1000s", r.Body)
		}
		if r := p.get("/pool/regions?province=" + url.QueryEscape("广东省")); r.Status != http.StatusOK ||
			!strings.Contains(r.Body, ">深圳市</option>") || strings.Contains(r.Body, "<html") {
			t.Errorf("the cascade's fragment: %d\n%.600s", r.Status, r.Body)
		}

		// Without a script: a confirmation that names the rules, then the claim.
		r = p.get("/pool/claim?" + url.Values{"pool": {w.pool.ID}, "claim": {a.ID}}.Encode())
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "领取后 30 天未跟进将退回公海") || !strings.Contains(r.Body, "深圳星辰科技有限公司") {
			t.Fatalf("the claim's confirmation: %d\n%.1500s", r.Status, r.Body)
		}
		r = p.post("/pool/claim", url.Values{"pool": {w.pool.ID}, "claim": {a.ID}, "back": {"/pool?pool=" + w.pool.ID}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "flash=pool.flash.claimed") {
			t.Fatalf("claim: %d to %q\n%.600s", r.Status, r.Location(), r.Body)
		}
		if got := customerOf(t, o, a.ID).OwnerID; got != w.rep.ID {
			t.Fatalf("after the claim the owner is %q", got)
		}
		// Released again: back in the pool, in cooldown for the rep, who
		// reads why it came back and from when they may claim it.
		if _, err := o.db.Release(o.ctx, w.rep, a.ID, "客户暂无预算", ""); err != nil {
			t.Fatal(err)
		}
		o.clock.Advance(time.Hour)
		p.signIn("rep.zhang", "rep-pw") // the session idled out meanwhile
		r = p.get("/pool?pool=" + w.pool.ID)
		row := rowOf(r.Body, a.ID)
		for _, want := range []string{"冷却中，3月9日起可领", "王芳 主动退回", "原因：客户暂无预算", "0 天"} {
			if !strings.Contains(row, want) {
				t.Errorf("the released row does not say %q:\n%s", want, row)
			}
		}
		if strings.Contains(row, `data-test="claim"`) {
			t.Error("a row in cooldown has a claim button")
		}
		en := newPage(t, o.srv.URL)
		en.lang = "en"
		en.signIn("rep.zhang", "rep-pw")
		if r := en.get("/pool?pool=" + w.pool.ID); !strings.Contains(rowOf(r.Body, a.ID), "Cooldown: claimable from Mar 9") ||
			!strings.Contains(rowOf(r.Body, a.ID), "Released by 王芳") {
			t.Errorf("in English:\n%s", rowOf(r.Body, a.ID))
		}

		// A claim with htmx answers the row; a second uses the day's claims.
		r = hx(p, "/pool/claim", url.Values{"pool": {w.pool.ID}, "claim": {b.ID}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "已领取「广州天河贸易商行」") || strings.Contains(r.Body, "<html") {
			t.Fatalf("an htmx claim: %d\n%.600s", r.Status, r.Body)
		}
		r = p.get("/pool?pool=" + w.pool.ID)
		if row := rowOf(r.Body, c.ID); !strings.Contains(row, "今日已领 2/2") {
			t.Errorf("at the daily limit the row says:\n%s", row)
		}
		if r := en.get("/pool?pool=" + w.pool.ID); !strings.Contains(rowOf(r.Body, c.ID), "Claimed today: 2/2") {
			t.Errorf("in English:\n%s", rowOf(r.Body, c.ID))
		}

		// The next day, a holding limit of one: 保有量 1/1.
		o.clock.Advance(24 * time.Hour)
		p.signIn("rep.zhang", "rep-pw")
		if _, err := o.db.UpdatePool(o.ctx, o.admin, w.pool.ID, gonghai.PoolInput{HoldingLimit: ptr(1)}); err != nil {
			t.Fatal(err)
		}
		r = p.get("/pool?pool=" + w.pool.ID)
		if row := rowOf(r.Body, c.ID); !strings.Contains(row, "保有量 1/1") {
			t.Errorf("at the holding limit the row says:\n%s", row)
		}
		if _, err := o.db.UpdatePool(o.ctx, o.admin, w.pool.ID, gonghai.PoolInput{HoldingLimit: ptr(0)}); err != nil {
			t.Fatal(err)
		}

		// A race lost: the rival claims what the rep's page still shows.
		if _, err := o.db.Claim(o.ctx, w.rival, c.ID, ""); err != nil {
			t.Fatal(err)
		}
		r = hx(p, "/pool/claim", url.Values{"pool": {w.pool.ID}, "claim": {c.ID}})
		if row := rowOf(r.Body, c.ID); r.Status != http.StatusOK || !strings.Contains(row, "已被他人领取") || strings.Contains(row, "data-test") {
			t.Fatalf("a lost race with htmx: %d\n%.600s", r.Status, r.Body)
		}
		r = p.post("/pool/claim", url.Values{"pool": {w.pool.ID}, "id": {c.ID}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "flash=pool.flash.lost") {
			t.Fatalf("a lost race without a script: %d to %q", r.Status, r.Location())
		}
		if r := p.get(r.Location()); !strings.Contains(r.Body, "已被他人领取。") || rowOf(r.Body, c.ID) != "" {
			t.Errorf("after a lost race the page still lists the row, or does not say why")
		}

		// A batch: one result per customer, in the order ticked.
		r = hx(p, "/pool/claim-batch", url.Values{"pool": {w.pool.ID}, "id": {d.ID, c.ID}})
		results := regexp.MustCompile(`(?s)<li>.*?</li>`).FindAllString(r.Body, -1)
		if r.Status != http.StatusOK || len(results) != 2 || !strings.Contains(results[0], "已领取") || !strings.Contains(results[0], "深圳鼎盛建筑工程有限公司") ||
			!strings.Contains(results[1], "已被他人领取") {
			t.Fatalf("a batch claim: %d\n%.1500s", r.Status, r.Body)
		}
		if !strings.Contains(r.Body, `id="row-`+d.ID+`" class="pool-done" hx-swap-oob="true"`) {
			t.Errorf("the batch does not update the rows in place:\n%.1500s", r.Body)
		}
		if got := customerOf(t, o, d.ID).OwnerID; got != w.rep.ID {
			t.Errorf("the batch's claimed customer is owned by %q", got)
		}
	})
}

// TestPoolPages: real pages over a pool larger than one, with its total,
// and a way back.
func TestPoolPages(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newPoolWorld(t, o, gonghai.PoolInput{})
		ids := map[string]bool{}
		for i := range 61 {
			ids[w.customer(fmt.Sprintf("测试公司%02d", i), "", fmt.Sprintf("139%08d", i)).ID] = true
		}
		p := newPage(t, o.srv.URL)
		p.signIn("rep.zhang", "rep-pw")
		seen := map[string]bool{}
		rowID := regexp.MustCompile(`<tr id="row-([^"]+)"`)
		href := func(body, id string) string {
			m := regexp.MustCompile(`href="([^"]+)" rel="` + id + `"`).FindStringSubmatch(body)
			if m == nil {
				return ""
			}
			return strings.ReplaceAll(m[1], "&amp;", "&")
		}
		r := p.get("/pool")
		var first string
		for n, want := range []int{50, 11} {
			if !strings.Contains(r.Body, "共 61 条") || !strings.Contains(r.Body, fmt.Sprintf("第 %d 页", n+1)) {
				t.Fatalf("page %d:\n%.2000s", n+1, r.Body)
			}
			rows := rowID.FindAllStringSubmatch(r.Body, -1)
			if len(rows) != want {
				t.Fatalf("page %d holds %d rows, want %d", n+1, len(rows), want)
			}
			for _, m := range rows {
				if seen[m[1]] || !ids[m[1]] {
					t.Fatalf("row %s twice, or not the pool's", m[1])
				}
				seen[m[1]] = true
			}
			if n == 0 {
				first = rows[0][1]
				r = p.get(href(r.Body, "next"))
			}
		}
		if href(r.Body, "next") != "" {
			t.Error("the last page links to a next one")
		}
		r = p.get(href(r.Body, "prev"))
		if !strings.Contains(r.Body, "第 1 页") || rowID.FindStringSubmatch(r.Body)[1] != first {
			t.Errorf("back from page 2 is not page 1")
		}
		if r := p.get("/pool?after=made-up"); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
			t.Errorf("a made-up cursor: %d", r.Status)
		}
	})
}

// customerOf reads customer id as the admin sees it.
func customerOf(t *testing.T, o *signIn, id string) gonghai.Customer {
	t.Helper()
	c, err := o.db.Customer(o.ctx, o.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
