package browser_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/browsertest"
	"github.com/gonghai/gonghai/internal/score"
)

// TestOrderedPool: the pool is claimed in score order. rep02 finds
// 领取下一个 instead of a claim button per row, each row's score and its
// factors, clicks it and lands on the best-scored customer, now theirs,
// whose page says its score and why. At both widths, in Chinese and in
// English.
func TestOrderedPool(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		ctx := context.Background()
		admin, rep02 := s.user["admin"], s.user["rep02"]
		if _, err := s.db.UpdatePool(ctx, admin, s.pool.ID, gonghai.PoolInput{ClaimOrder: ptr(gonghai.ClaimByScore)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Rescore(ctx, score.Model{Kind: score.KindRules}, false); err != nil {
			t.Fatal(err)
		}
		best, _, err := s.db.PoolCustomers(ctx, rep02, s.pool.ID, gonghai.CustomerFilter{Sort: gonghai.SortScore}, gonghai.Page{Limit: 1})
		if err != nil || len(best) != 1 {
			t.Fatalf("the best-scored customer: %v", err)
		}

		signIn(t, tab, s.URL, "rep02")
		nav(t, tab, "/pool")
		tab.WaitText("#claim-next", l.pick("领取下一个", "Claim the next one"))
		if n := tab.Count(`[data-test="claim"]`); n != 0 {
			t.Errorf("%d claim buttons on the rows of an ordered pool", n)
		}
		if n := tab.Count("#row-" + best[0].ID + ` [data-test="score"]`); n != 1 {
			t.Errorf("the best row shows %d scores", n)
		}
		tab.Axe()
		tab.Screenshot("score-pool-ordered-" + l.name)
		there(t, tab, "/customers/{id}", tab.ClickNavigate("#claim-next-button"))
		tab.WaitText("#score", l.pick("转化评分", "Conversion score"))
		tab.Axe()
		tab.Screenshot("score-customer-" + l.name)
		s.wantOwner(t, best[0].ID, rep02.ID)
	})
}
