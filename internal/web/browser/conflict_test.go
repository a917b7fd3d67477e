package browser_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/browsertest"
)

// TestManagerMergesConflict: rep02 created a customer although rep01
// already held the company (a similar override), and tried another of
// rep01's (a refused create). The manager opens the conflicts from the
// navigation, with the open count and the month's rate, opens the first,
// sees both customers side by side, takes the new customer's phone and
// merges them with a confirmation; at both widths, in both languages.
func TestManagerMergesConflict(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		ctx := context.Background()
		admin, rep02 := s.user["admin"], s.user["rep02"]
		matched := s.ownedBy01[0]
		created, err := s.db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: s.pool.ID, OwnerID: rep02.ID,
			CustomerFields: gonghai.CustomerFields{Company: "新" + matched.Company, Name: "赵磊", Phone: "13600001234"}, AllowSimilar: true})
		if err != nil {
			t.Fatal(err)
		}
		k, err := s.db.SeedConflict(ctx, gonghai.Conflict{Kind: gonghai.ConflictSimilar, ActorID: rep02.ID, Field: "similar",
			Company: created.Company, MatchedID: matched.ID, MatchedOwnerID: matched.OwnerID, NewID: created.ID})
		if err != nil {
			t.Fatal(err)
		}
		refused := s.ownedBy01[1]
		if _, err := s.db.SeedConflict(ctx, gonghai.Conflict{Kind: gonghai.ConflictRefused, ActorID: rep02.ID, Field: "phone",
			Company: refused.Company, MatchedID: refused.ID, MatchedOwnerID: refused.OwnerID}); err != nil {
			t.Fatal(err)
		}

		signIn(t, tab, s.URL, "mgr.east")
		nav(t, tab, "/conflicts")
		tab.WaitText("h1", l.pick("撞单仲裁", "Conflicts"))
		tab.WaitText("#conflict-open", "2")
		tab.Axe()
		tab.Screenshot("conflicts-" + l.name)

		there(t, tab, "/conflicts/"+k.ID, tab.ClickNavigate(`[data-id="`+k.ID+`"] a`))
		tab.WaitFor("#conflict-fields")
		tab.Axe()
		tab.Screenshot("conflict-" + l.name)

		tab.Click("#f-phone-n")
		tab.Click("#act-merge summary")
		tab.WaitFor("#do-merge")
		tab.ClickNavigate("#do-merge")
		tab.WaitText("#flash", l.pick("两个客户已合并", "The two customers were merged"))
		tab.WaitFor("#conflict-resolution")
		tab.Axe()
		tab.Screenshot("conflict-merged-" + l.name)

		if _, err := s.db.Customer(ctx, admin, created.ID); gonghai.ErrorCode(err) != gonghai.EMerged {
			t.Fatalf("the created customer after the merge: %v", err)
		}
		got, err := s.db.Customer(ctx, s.user["rep01"], matched.ID)
		if err != nil || got.Phone != "13600001234" || got.OwnerID != matched.OwnerID {
			t.Fatalf("the survivor: %+v, %v", got, err)
		}
	})
}
