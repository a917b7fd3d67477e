package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestMinePage: the rep's customers, the most urgent first, each with the
// rule that takes it back and when; a search; a release refused without a
// reason, changing nothing, then made with one.
func TestMinePage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newPoolWorld(t, o, gonghai.PoolInput{})
		other, err := o.db.CreatePool(o.ctx, o.admin, gonghai.PoolInput{Name: ptr("华东公海"), MemberUserIDs: &[]string{w.rep.ID}})
		if err != nil {
			t.Fatal(err)
		}
		old := w.customer("深圳星辰科技有限公司", "广东省/深圳市/南山区", "13812340001")
		if _, err := o.db.Claim(o.ctx, w.rep, old.ID, ""); err != nil {
			t.Fatal(err)
		}
		o.clock.Advance(2 * 24 * time.Hour)
		fresh := w.customer("广州天河贸易商行", "广东省/广州市/天河区", "13812340002")
		if _, err := o.db.Claim(o.ctx, w.rep, fresh.ID, ""); err != nil {
			t.Fatal(err)
		}
		theirs := w.customer("杭州恒信科技有限公司", "", "13812340003")
		if _, err := o.db.Claim(o.ctx, w.rival, theirs.ID, ""); err != nil {
			t.Fatal(err)
		}
		p := newPage(t, o.srv.URL)
		p.signIn("rep.zhang", "rep-pw")

		r := p.get("/mine")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "共 2 条") || strings.Contains(r.Body, "杭州恒信科技有限公司") {
			t.Fatalf("the private pool: %d\n%.1500s", r.Status, r.Body)
		}
		// Claimed two days before the other, it drops two days sooner.
		if i, j := strings.Index(r.Body, "深圳星辰科技有限公司"), strings.Index(r.Body, "广州天河贸易商行"); i < 0 || j < 0 || i > j {
			t.Errorf("the most urgent is not first")
		}
		// Due at the start of the day after its 30 days: claimed on March 2,
		// back on April 2; read on March 4.
		for id, want := range map[string]string{old.ID: "还剩 29 天|超期未跟进 · 4月2日 退回公海", fresh.ID: "还剩 31 天|超期未跟进 · 4月4日 退回公海"} {
			row := rowOf(r.Body, id)
			for _, part := range strings.Split(want, "|") {
				if !strings.Contains(row, part) {
					t.Errorf("the countdown of %s does not say %q:\n%s", id, part, row)
				}
			}
		}
		if !strings.Contains(r.Body, "13812340001") || !strings.Contains(r.Body, `href="/customers/`+old.ID+`"`) {
			t.Error("the owner does not see their customer's phone, or no link to the customer page")
		}
		if r := p.get("/mine?sort=created"); strings.Index(r.Body, "深圳星辰科技有限公司") < strings.Index(r.Body, "广州天河贸易商行") {
			t.Error("newest first is not newest first")
		}
		if r := p.get("/mine?q=" + url.QueryEscape("天河")); !strings.Contains(r.Body, "共 1 条") || strings.Contains(r.Body, "深圳星辰科技有限公司") {
			t.Errorf("a search:\n%.1500s", r.Body)
		}

		// The release form offers the pools; without a reason nothing moves.
		r = p.get("/mine/release?id=" + old.ID)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "华南公海（默认）") || !strings.Contains(r.Body, `value="`+other.ID+`"`) {
			t.Fatalf("the release form: %d\n%.1500s", r.Status, r.Body)
		}
		before := customerOf(t, o, old.ID)
		r = p.post("/mine/release", url.Values{"id": {old.ID}, "reason": {"  "}, "pool": {""}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "请写明退回原因") {
			t.Fatalf("a release without a reason: %d\n%.1500s", r.Status, r.Body)
		}
		if after := customerOf(t, o, old.ID); after.OwnerID != w.rep.ID || after.Updated != before.Updated {
			t.Fatalf("a refused release changed the customer: %+v", after)
		}
		r = p.post("/mine/release", url.Values{"id": {old.ID}, "reason": {"客户已选了别家"}, "pool": {other.ID}})
		if r.Status != http.StatusSeeOther || r.Location() != "/mine?flash=mine.flash.released" {
			t.Fatalf("a release: %d to %q\n%.600s", r.Status, r.Location(), r.Body)
		}
		if after := customerOf(t, o, old.ID); after.OwnerID != "" || after.PoolID != other.ID {
			t.Errorf("after the release: owner %q, pool %q", after.OwnerID, after.PoolID)
		}
		r = p.get(r.Location())
		if !strings.Contains(r.Body, "已退回公海。") || !strings.Contains(r.Body, "共 1 条") || rowOf(r.Body, old.ID) != "" {
			t.Errorf("back on the list:\n%.1500s", r.Body)
		}
		// Another rep's customer has no release form.
		if r := p.get("/mine/release?id=" + theirs.ID); r.Status != http.StatusNotFound {
			t.Errorf("the release form of another rep's customer: %d", r.Status)
		}
	})
}
