package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/score"
)

// TestPoolPageOrdered: a pool claimed by score shows 领取下一个 instead of
// a claim per row, lists its customers best-scored first with their
// scores and factors, and the button claims the best one and opens it;
// the customer page says the score and why.
func TestPoolPageOrdered(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		w := newPoolWorld(t, o, gonghai.PoolInput{ClaimOrder: ptr(gonghai.ClaimByScore)})
		low := w.customer("深圳普通贸易商行", "广东省/深圳市/南山区", "13812340001")
		high := w.customer("深圳星辰科技有限公司", "广东省/深圳市/福田区", "13812340002")
		if _, err := o.db.UpdateCustomer(o.ctx, o.admin, low.ID, gonghai.CustomerPatch{Category: ptr("C")}); err != nil {
			t.Fatal(err)
		}
		if _, err := o.db.Rescore(o.ctx, score.Model{Kind: score.KindRules}, false); err != nil {
			t.Fatal(err)
		}
		p := newPage(t, o.srv.URL)
		p.signIn("rep.zhang", "rep-pw")
		r := p.get("/pool?pool=" + w.pool.ID)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="claim-next-button"`) || !strings.Contains(r.Body, "领取下一个") {
			t.Fatalf("the ordered pool page: %d\n%.2000s", r.Status, r.Body)
		}
		if n := strings.Count(r.Body, `data-test="claim"`); n != 0 {
			t.Errorf("%d claim buttons on an ordered pool's rows", n)
		}
		if strings.Index(r.Body, "深圳星辰科技有限公司") > strings.Index(r.Body, "深圳普通贸易商行") {
			t.Error("the best-scored customer is not listed first")
		}
		row := rowOf(r.Body, high.ID)
		for _, want := range []string{`data-test="score">55<`, "分类 A 类 &#43;25"} {
			if !strings.Contains(row, want) {
				t.Errorf("the row does not say %q:\n%s", want, row)
			}
		}
		if !strings.Contains(rowOf(r.Body, low.ID), "分类 C 类 -10") {
			t.Errorf("the low row:\n%s", rowOf(r.Body, low.ID))
		}
		// The newest order stays at hand.
		if r := p.get("/pool?pool=" + w.pool.ID + "&sort=created"); strings.Index(r.Body, "深圳星辰科技有限公司") > strings.Index(r.Body, "深圳普通贸易商行") {
			t.Error("newest first lists the older one first")
		}
		r = p.post("/pool/claim-next", url.Values{"pool": {w.pool.ID}, "back": {"/pool?pool=" + w.pool.ID}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/customers/"+high.ID) {
			t.Fatalf("claim next: %d to %q\n%.600s", r.Status, r.Location(), r.Body)
		}
		if got := customerOf(t, o, high.ID).OwnerID; got != w.rep.ID {
			t.Fatalf("claim next gave the best one to %q", got)
		}
		r = p.get("/customers/" + low.ID)
		if !strings.Contains(r.Body, "转化评分") || !strings.Contains(r.Body, `data-test="score">20<`) || !strings.Contains(r.Body, "分类 C 类 -10") {
			t.Errorf("the customer page's score:\n%.3000s", r.Body)
		}
		// The last one, then none left: back to the pool, saying so.
		if r := p.post("/pool/claim-next", url.Values{"pool": {w.pool.ID}}); r.Status != http.StatusSeeOther {
			t.Fatalf("claim next: %d", r.Status)
		}
		r = p.post("/pool/claim-next", url.Values{"pool": {w.pool.ID}, "back": {"/pool?pool=" + w.pool.ID}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "flash=score.flash.none_left") {
			t.Fatalf("claim next of an empty pool: %d to %q", r.Status, r.Location())
		}
	})
}
