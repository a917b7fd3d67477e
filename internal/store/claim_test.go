package store_test

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/stormtest"
)

// TestClaimStorm: 200 claimers for 40 reps all try to claim the same 50
// customers at once, round after round. Each customer must go to exactly one
// rep, every loser must hear already_claimed, and nothing else may fail.
func TestClaimStorm(t *testing.T) {
	forEachDBAlone(t, func(t *testing.T, f *fixture) {
		const goroutines, reps, customers = 200, 40, 50
		rounds := stormtest.Rounds(20)
		team := f.dept("华东销售部", "")
		p := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		users := make([]gonghai.User, reps)
		for i := range users {
			users[i] = f.user(fmtLogin("rep", i), gonghai.RoleRep, team.ID, nil)
		}
		for round := 0; round < rounds; round++ {
			ids := f.customers(p.ID, customers)
			var wins, lost atomic.Int64
			winner := make([]atomic.Value, customers)
			errs := make(chan error, goroutines*customers)
			var ready, done sync.WaitGroup
			ready.Add(1)
			for g := 0; g < goroutines; g++ {
				done.Add(1)
				go func(rep gonghai.User, seed uint64) {
					defer done.Done()
					order := rand.New(rand.NewPCG(seed, 7)).Perm(customers)
					ready.Wait()
					for _, i := range order {
						c, err := f.db.Claim(f.ctx, rep, ids[i], p.ID)
						switch gonghai.ErrorCode(err) {
						case "":
							wins.Add(1)
							if c.OwnerID != rep.ID {
								errs <- errorf("claim returned owner %s, want %s", c.OwnerID, rep.ID)
							}
							if winner[i].Swap(rep.ID) != nil {
								errs <- errorf("customer %s won twice", ids[i])
							}
						case gonghai.EAlreadyClaimed:
							lost.Add(1)
						default:
							errs <- err
						}
					}
				}(users[g%reps], uint64(round*goroutines+g))
			}
			ready.Done()
			done.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("round %d: unexpected outcome: %v", round, err)
			}
			if wins.Load() != customers || lost.Load() != goroutines*customers-customers {
				t.Fatalf("round %d: %d wins and %d already_claimed, want %d and %d", round, wins.Load(), lost.Load(),
					customers, goroutines*customers-customers)
			}
			for i, id := range ids {
				c, h := f.customer(id), f.history(id)
				if c.OwnerID == "" || c.OwnerID != winner[i].Load() {
					t.Fatalf("round %d: customer %s owned by %q, winner was %v", round, id, c.OwnerID, winner[i].Load())
				}
				if len(h) != 2 || h[1].Kind != gonghai.EventClaimed || h[1].ToOwnerID != c.OwnerID {
					t.Fatalf("round %d: customer %s has events %+v, want created then one claim", round, id, h)
				}
			}
		}
	})
}

// TestCapStorm: a rep one below their holding limit fires 30 claims at once
// on 30 different customers; exactly one may succeed.
func TestCapStorm(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			name       string
			personal   *int
			poolLimit  int
			levelLimit int
		}{
			{name: "personal limit", personal: ptr(5)},
			{name: "pool limit", poolLimit: 5},
			{name: "level limit", levelLimit: 5},
			{name: "stricter of pool and personal", personal: ptr(9), poolLimit: 5},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.levelLimit > 0 {
					if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{LevelHoldingLimits: &map[string]int{"junior": tc.levelLimit}}); err != nil {
						t.Fatal(err)
					}
					defer f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{LevelHoldingLimits: &map[string]int{}})
				}
				rep := f.user(fmtLogin("cap", int(f.n.Add(1))), gonghai.RoleRep, "", tc.personal)
				p := f.pool("cap "+tc.name, gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, HoldingLimit: &tc.poolLimit})
				for _, id := range f.customers(p.ID, 4) {
					if _, err := f.db.Claim(f.ctx, rep, id, ""); err != nil {
						t.Fatal(err)
					}
				}
				counts := burst(f, rep, f.customers(p.ID, 30))
				if counts[""] != 1 || counts[gonghai.EHoldingLimit] != 29 {
					t.Fatalf("outcomes %v, want 1 success and 29 %s", counts, gonghai.EHoldingLimit)
				}
				mine, _, err := f.db.MyCustomers(f.ctx, rep, gonghai.CustomerFilter{}, gonghai.Page{})
				if err != nil || len(mine) != 5 {
					t.Fatalf("rep owns %d customers (%v), want 5", len(mine), err)
				}
			})
		}
	})
}

// burst claims every id at once for rep and counts the outcomes by code.
func burst(f *fixture, rep gonghai.User, ids []string) map[string]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counts := map[string]int{}
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.db.Claim(f.ctx, rep, id, "")
			mu.Lock()
			counts[gonghai.ErrorCode(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

// TestDailyLimit: a burst of claims stops exactly at the pool's daily limit,
// which resets at midnight in the organisation's time zone, not UTC's.
func TestDailyLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("线索池", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, DailyClaimLimit: ptr(5)})
		f.clock.Set(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)) // 23:00 in Shanghai
		counts := burst(f, rep, f.customers(p.ID, 20))
		if counts[""] != 5 || counts[gonghai.EDailyClaimLimit] != 15 {
			t.Fatalf("outcomes %v, want 5 successes and 15 %s", counts, gonghai.EDailyClaimLimit)
		}
		more := f.customers(p.ID, 2)
		f.clock.Set(time.Date(2026, 3, 2, 15, 59, 59, 0, time.UTC)) // 23:59:59, still the same day
		_, err := f.db.Claim(f.ctx, rep, more[0], "")
		wantCode(t, err, gonghai.EDailyClaimLimit)
		f.clock.Set(time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)) // midnight in Shanghai
		if _, err := f.db.Claim(f.ctx, rep, more[0], ""); err != nil {
			t.Fatalf("claim after midnight: %v", err)
		}
	})
}

// TestReclaimCooldown: a previous owner waits the pool's cooldown, counted
// from when the customer last left them, whether they released it or it was
// transferred away; others are not held back.
func TestReclaimCooldown(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.user("rep.a", gonghai.RoleRep, "", nil)
		b := f.user("rep.b", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{a.ID, b.ID}, ReclaimCooldownDays: ptr(3)})
		ids := f.customers(p.ID, 2)
		mustClaim(f, a, ids[0])
		if _, err := f.db.Release(f.ctx, a, ids[0], "客户暂无需求", ""); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Claim(f.ctx, a, ids[0], "")
		wantCode(t, err, gonghai.EReclaimCooldown)
		f.clock.Advance(2 * 24 * time.Hour)
		_, err = f.db.Claim(f.ctx, a, ids[0], "")
		wantCode(t, err, gonghai.EReclaimCooldown)
		f.clock.Advance(24 * time.Hour) // three calendar days later
		mustClaim(f, a, ids[0])

		// Transferred away counts as leaving too.
		mustClaim(f, a, ids[1])
		if _, err := f.db.Transfer(f.ctx, f.admin, ids[1], b.ID, "调岗", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Release(f.ctx, b, ids[1], "不在负责区域", ""); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Claim(f.ctx, a, ids[1], "")
		wantCode(t, err, gonghai.EReclaimCooldown)
		f.checkChain(ids[0])
		f.checkChain(ids[1])
	})
}

// TestReleaseWait: a just-released customer cannot be claimed by anyone
// until the wait has passed.
func TestReleaseWait(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.user("rep.a", gonghai.RoleRep, "", nil)
		b := f.user("rep.b", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{a.ID, b.ID}, ReleaseWaitHours: ptr(24)})
		id := f.customers(p.ID, 1)[0]
		mustClaim(f, a, id)
		if _, err := f.db.Release(f.ctx, a, id, "联系不上", ""); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(23 * time.Hour)
		_, err := f.db.Claim(f.ctx, b, id, "")
		wantCode(t, err, gonghai.EReleaseWait)
		f.clock.Advance(time.Hour)
		mustClaim(f, b, id)
		f.checkChain(id)
	})
}

// TestBatchClaim reports an outcome for each id, keeps what succeeded when a
// limit is reached midway, and refuses malformed batches whole.
func TestBatchClaim(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.user("rep.a", gonghai.RoleRep, "", ptr(4))
		b := f.user("rep.b", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{a.ID, b.ID}})
		other := f.pool("别的公海", gonghai.PoolInput{MemberUserIDs: &[]string{a.ID}})
		ids := f.customers(p.ID, 4)
		elsewhere := f.customers(other.ID, 1)[0]
		mustClaim(f, b, ids[0])
		res, err := f.db.ClaimBatch(f.ctx, a, p.ID, []string{ids[0], ids[1], elsewhere, "no-such-id", ids[2], ids[3]})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{gonghai.EAlreadyClaimed, "", gonghai.ENotFound, gonghai.ENotFound, "", ""}
		for i, r := range res {
			if got := gonghai.ErrorCode(r.Err); got != want[i] || r.CustomerID == "" || (got == "") != (r.Customer != nil) {
				t.Errorf("result %d = %+v (%q), want code %q", i, r, got, want[i])
			}
		}
		res, err = f.db.ClaimBatch(f.ctx, a, p.ID, f.customers(p.ID, 2))
		if err != nil || gonghai.ErrorCode(res[0].Err) != "" || gonghai.ErrorCode(res[1].Err) != gonghai.EHoldingLimit {
			t.Fatalf("claim at the limit: %v %+v", err, res)
		}
		_, err = f.db.ClaimBatch(f.ctx, a, p.ID, make([]string, 51))
		wantCode(t, err, gonghai.EInvalid)
		_, err = f.db.ClaimBatch(f.ctx, a, p.ID, []string{ids[1], ids[1]})
		wantCode(t, err, gonghai.EInvalid)
		_, err = f.db.ClaimBatch(f.ctx, b, other.ID, []string{elsewhere})
		wantCode(t, err, gonghai.ENotFound)
	})
}

func mustClaim(f *fixture, u gonghai.User, id string) {
	f.t.Helper()
	if _, err := f.db.Claim(f.ctx, u, id, ""); err != nil {
		f.t.Fatalf("%s claims %s: %v", u.Login, id, err)
	}
}

func fmtLogin(prefix string, i int) string {
	return prefix + "." + string(rune('a'+i/26)) + string(rune('a'+i%26))
}

func errorf(format string, args ...any) error { return gonghai.Errorf("test", format, args...) }
