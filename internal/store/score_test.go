package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/score"
)

// scoredPool makes a pool whose customers are of categories cats, in
// that order of creation, scored by the rule table (A 55, B 40, "" 30,
// C 20), and returns their ids.
func (f *fixture) scoredPool(order string, members []string, cats ...string) (gonghai.Pool, []string) {
	f.t.Helper()
	p := f.pool(fmt.Sprintf("有序公海%s%d", order, f.n.Add(1)), gonghai.PoolInput{MemberUserIDs: &members, ClaimOrder: &order})
	ids := make([]string, len(cats))
	for i, cat := range cats {
		ids[i] = f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: fmt.Sprintf("评分公司%d", f.n.Add(1)), Category: cat}).ID
		f.clock.Advance(1)
	}
	if _, err := f.db.Rescore(f.ctx, score.Model{Kind: score.KindRules}, false); err != nil {
		f.t.Fatal(err)
	}
	return p, ids
}

func TestRescoreAndPoolByScore(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p, ids := f.scoredPool(gonghai.ClaimAny, nil, "C", "A", "", "B", "A")
		want := map[string]int{ids[0]: 20, ids[1]: 55, ids[2]: 30, ids[3]: 40, ids[4]: 55}
		for id, v := range want {
			c := f.customer(id)
			if c.Score == nil || c.Score.Value != v {
				t.Fatalf("customer %s score %+v, want %d", id, c.Score, v)
			}
		}
		if fs := f.customer(ids[1]).Score.Factors; len(fs) != 1 || fs[0].Feature != score.FCategory || fs[0].Points != 25 {
			t.Fatalf("factors %+v", fs)
		}
		// Best first, ties oldest first, paged in twos.
		got := f.poolPages(f.admin, p.ID, gonghai.CustomerFilter{Sort: gonghai.SortScore}, 2)
		if wantOrder := []string{ids[1], ids[4], ids[3], ids[2], ids[0]}; !slices.Equal(got, wantOrder) {
			t.Fatalf("by score %v, want %v", got, wantOrder)
		}
		// Written again with the same model, nothing changes.
		if n, err := f.db.Rescore(f.ctx, score.Model{Kind: score.KindRules}, false); err != nil || n != 0 {
			t.Fatalf("rescore again wrote %d, %v", n, err)
		}
		// An unscored new one is scored by the sweep's pass.
		late := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "新来的公司", Category: "B"})
		if late.Score != nil {
			t.Fatalf("new customer already scored %+v", late.Score)
		}
		if _, n, err := f.db.ScoreSweep(f.ctx); err != nil || n < 1 {
			t.Fatalf("score sweep rescored %d, %v", n, err)
		}
		if c := f.customer(late.ID); c.Score == nil || c.Score.Value != 40 {
			t.Fatalf("late score %+v", c.Score)
		}
	})
}

func TestRetrainOncePerDay(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p, _ := f.scoredPool(gonghai.ClaimAny, nil, "A", "B")
		m, trained, _, err := f.db.Retrain(f.ctx)
		if err != nil || !trained || m.Kind != score.KindRules {
			t.Fatalf("first retrain: %+v %v %v", m, trained, err)
		}
		if _, trained, _, err := f.db.Retrain(f.ctx); err != nil || trained {
			t.Fatalf("second retrain the same day: %v %v", trained, err)
		}
		stored, err := f.db.ScoreModel(f.ctx)
		if err != nil || stored.Kind != score.KindRules || stored.N != 0 {
			t.Fatalf("stored model %+v %v", stored, err)
		}
		// A rich enough history, a month later, gives a learned model.
		for i := range 400 {
			c := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: fmt.Sprintf("历史公司%d", i), Industry: []string{"制造", "零售"}[i%2]})
			if i%2 == 0 && i%8 != 0 {
				f.win(c.ID)
			}
		}
		f.clock.Advance(40 * 24 * 3600 * 1e9)
		m, trained, n, err := f.db.Retrain(f.ctx)
		if err != nil || !trained || m.Kind != score.KindLogistic || m.N < 400 || n == 0 {
			t.Fatalf("retrain a month later: kind %s n %d trained %v rescored %d %v", m.Kind, m.N, trained, n, err)
		}
		if m.Weights["industry=制造"] <= m.Weights["industry=零售"] {
			t.Fatalf("weights %v", m.Weights)
		}
	})
}

// win marks customer id won, as an order does.
func (f *fixture) win(id string) {
	f.t.Helper()
	if _, err := f.db.CreateOrder(f.ctx, f.admin, id, gonghai.Money(10000), f.clock.Now().Format("2006-01-02")); err != nil {
		f.t.Fatal(err)
	}
}

func TestClaimNextAndOutOfOrder(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep.a", gonghai.RoleRep, "", nil)
		p, ids := f.scoredPool(gonghai.ClaimByScore, []string{rep.ID}, "C", "A", "B")
		// Out of order: C and B while A waits.
		_, err := f.db.Claim(f.ctx, rep, ids[0], p.ID)
		wantCode(t, err, gonghai.EClaimOutOfOrder)
		_, err = f.db.Claim(f.ctx, rep, ids[2], p.ID)
		wantCode(t, err, gonghai.EClaimOutOfOrder)
		// The pool's admin is not held to the order (admin here).
		c, err := f.db.ClaimNext(f.ctx, rep, p.ID)
		if err != nil || c.ID != ids[1] || c.OwnerID != rep.ID {
			t.Fatalf("claim next: %s %v, want the A one", c.ID, err)
		}
		// B is next now, and may be claimed by name.
		if _, err := f.db.Claim(f.ctx, rep, ids[2], p.ID); err != nil {
			t.Fatal(err)
		}
		if c, err := f.db.ClaimNext(f.ctx, rep, p.ID); err != nil || c.ID != ids[0] {
			t.Fatalf("claim next: %s %v, want the C one", c.ID, err)
		}
		_, err = f.db.ClaimNext(f.ctx, rep, p.ID)
		wantCode(t, err, gonghai.ENotFound)
		for _, id := range ids {
			f.checkChain(id)
		}

		// By age: the one longest in the pool first, whatever its score.
		q, aged := f.scoredPool(gonghai.ClaimByAge, []string{rep.ID}, "C", "A")
		_, err = f.db.Claim(f.ctx, rep, aged[1], q.ID)
		wantCode(t, err, gonghai.EClaimOutOfOrder)
		if c, err := f.db.ClaimNext(f.ctx, rep, q.ID); err != nil || c.ID != aged[0] {
			t.Fatalf("claim next by age: %s %v", c.ID, err)
		}
		// An admin claims out of order.
		r, more := f.scoredPool(gonghai.ClaimByScore, nil, "C", "A")
		if _, err := f.db.Claim(f.ctx, f.admin, more[0], r.ID); err != nil {
			t.Fatalf("admin out of order: %v", err)
		}
	})
}

func TestCategoryALimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		limits := map[string]int{"junior": 1}
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{LevelALimits: &limits}); err != nil {
			t.Fatal(err)
		}
		rep := f.user("rep.a", gonghai.RoleRep, "", nil) // level junior
		p, ids := f.scoredPool(gonghai.ClaimAny, []string{rep.ID}, "A", "A", "B")
		if _, err := f.db.Claim(f.ctx, rep, ids[0], p.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Claim(f.ctx, rep, ids[1], p.ID)
		wantCode(t, err, gonghai.EHoldingLimit)
		if r, ok := gonghai.ClaimRefusalOf(err); !ok || r.Rule != gonghai.RuleCategoryA || r.Limit != 1 || r.Count != 1 {
			t.Fatalf("refusal %+v", r)
		}
		// The next one for them skips the A they may not hold.
		if c, err := f.db.ClaimNext(f.ctx, rep, p.ID); err != nil || c.ID != ids[2] {
			t.Fatalf("claim next at the A limit: %s %v", c.ID, err)
		}
		if s, _ := f.db.Settings(f.ctx); s.LevelALimits["junior"] != 1 {
			t.Fatalf("settings %+v", s.LevelALimits)
		}
	})
}

// TestClaimNextStorm: reps calling claim-next at once each get a
// different customer, the best first, every customer is claimed exactly
// once, and the callers beyond the pool's size are told it is empty.
func TestClaimNextStorm(t *testing.T) {
	forEachDBAlone(t, func(t *testing.T, f *fixture) {
		const reps, each, customers = 8, 3, 20
		var members []string
		var us []gonghai.User
		for i := range reps {
			u := f.user(fmt.Sprintf("rep.%d", i), gonghai.RoleRep, "", nil)
			us, members = append(us, u), append(members, u.ID)
		}
		cats := make([]string, customers)
		for i := range cats {
			cats[i] = []string{"A", "B", "C", ""}[i%4]
		}
		p, ids := f.scoredPool(gonghai.ClaimByScore, members, cats...)
		var mu sync.Mutex
		got := map[string]string{}
		empty := 0
		var wg sync.WaitGroup
		for _, u := range us {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					c, err := f.db.ClaimNext(f.ctx, u, p.ID)
					mu.Lock()
					switch {
					case err == nil:
						if prev, dup := got[c.ID]; dup {
							t.Errorf("customer %s claimed by %s and %s", c.ID, prev, u.Login)
						}
						got[c.ID] = u.ID
					case gonghai.ErrorCode(err) == gonghai.ENotFound:
						empty++
					default:
						t.Errorf("%s: %v", u.Login, err)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(got) != customers || empty != reps*each-customers {
			t.Fatalf("%d claimed, %d told empty; want %d and %d", len(got), empty, customers, reps*each-customers)
		}
		for _, id := range ids {
			if c := f.customer(id); c.OwnerID == "" || c.OwnerID != got[id] {
				t.Fatalf("customer %s owned by %q, claim-next said %q", id, c.OwnerID, got[id])
			}
			f.checkChain(id)
		}
	})
}
