package store_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestMerge: a merge keeps every follow-up, opportunity and order and both
// histories, takes the fields chosen, moves the merged customer to the
// archive with one event, answers its id with a pointer to the survivor,
// finds the survivor's contacts by their blind indexes and the merged
// one's no more, recomputes the deadline, and is audited.
func TestMerge(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		s, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{AllowSimilar: true, PoolID: w.pool.ID, OwnerID: w.repA.ID,
			CustomerFields: gonghai.CustomerFields{Company: "星辰科技", Phone: "13800000001", Industry: "软件"}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{AllowSimilar: true, PoolID: w.pool.ID, OwnerID: w.repB.ID,
			CustomerFields: gonghai.CustomerFields{Company: "北京月光软件有限公司", Name: "张伟", Phone: "13900000002",
				Email: "zw@xingchen.cn", Industry: "制造"}})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(dayAt(1, 10))
		f.logFollowUp(w.repA, s.ID, "call")
		f.clock.Set(dayAt(3, 10))
		f.logFollowUp(w.repB, m.ID, "visit")
		if _, err := f.db.CreateOpportunity(f.ctx, w.repB, m.ID, "年度采购", 100); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.CreateOrder(f.ctx, w.repB, m.ID, 500, dateOf(2)); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(dayAt(5, 10))
		// By hand, an admin's: a manager who sees the customer is forbidden,
		// one who does not is told it does not exist.
		_, err = f.db.Merge(f.ctx, w.mgrB, gonghai.Merge{SurvivorID: s.ID, MergedID: m.ID})
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.Merge(f.ctx, w.mgrA, gonghai.Merge{SurvivorID: s.ID, MergedID: m.ID})
		wantCode(t, err, gonghai.ENotFound)
		got, err := f.db.Merge(f.ctx, f.admin, gonghai.Merge{SurvivorID: s.ID, MergedID: m.ID, Note: "同一家公司",
			Fields: map[string]gonghai.MergeSide{"company": gonghai.SideMerged, "phone": gonghai.SideMerged}})
		if err != nil {
			t.Fatal(err)
		}
		// Its owner sees the contacts in full: the merged customer's.
		full, err := f.db.Customer(f.ctx, w.repA, s.ID)
		if err != nil || full.Phone != "13900000002" || full.Email != "zw@xingchen.cn" || full.Name != "张伟" {
			t.Errorf("survivor's contacts %+v, %v", full, err)
		}
		if got.Company != m.Company || got.Phone != m.Phone || got.Email != m.Email || got.Name != m.Name ||
			got.Industry != "软件" || got.OwnerID != w.repA.ID || !got.Won || got.OpenOpportunities != 1 {
			t.Errorf("survivor %+v", got)
		}
		if got.LastFollowUp == nil || !got.LastFollowUp.Equal(dayAt(3, 10)) {
			t.Errorf("last follow-up %v, want the merged one's", got.LastFollowUp)
		}
		f.wantDeadline(s.ID, dayStart(14), gonghai.RuleNoFollowUp)
		fs, _, err := f.db.FollowUps(f.ctx, f.admin, s.ID, gonghai.Page{})
		if err != nil || len(fs) != 2 {
			t.Errorf("follow-ups %d, %v; want both", len(fs), err)
		}
		if os, err := f.db.Opportunities(f.ctx, f.admin, s.ID); err != nil || len(os) != 1 {
			t.Errorf("opportunities %d, %v", len(os), err)
		}
		if os, err := f.db.Orders(f.ctx, f.admin, s.ID); err != nil || len(os) != 1 {
			t.Errorf("orders %d, %v", len(os), err)
		}
		// The merged id points at the survivor for those who see it.
		f.mergedTo(f.admin, m.ID, s.ID)
		f.mergedTo(w.repA, m.ID, s.ID)
		_, err = f.db.Customer(f.ctx, w.repB, m.ID)
		wantCode(t, err, gonghai.ENotFound)
		_, err = f.db.Claim(f.ctx, w.repB, m.ID, "")
		wantCode(t, err, gonghai.ENotFound)
		// Histories: the survivor's unchanged (its owner stayed), the
		// merged one's kept and ended in the archive.
		f.checkChain(s.ID)
		mh, err := f.db.MergedHistory(f.ctx, f.admin, s.ID)
		if err != nil || len(mh) != 2 || mh[1].Kind != gonghai.EventMerged || mh[1].FromOwnerID != w.repB.ID ||
			mh[1].ToOwnerID != "" || mh[1].FromPoolID != w.pool.ID || mh[1].ToPoolID == w.pool.ID || mh[1].Seq != 2 {
			t.Errorf("merged history %+v, %v", mh, err)
		}
		if mine, _, err := f.db.MyCustomers(f.ctx, w.repB, gonghai.CustomerFilter{}, gonghai.Page{}); err != nil || len(mine) != 0 {
			t.Errorf("repB still holds %d", len(mine))
		}
		// Blind indexes: the survivor's new phone finds it; the merged
		// customer's contacts find nothing but the survivor.
		for _, q := range []string{"13900000002", "zw@xingchen.cn"} {
			pg, err := f.db.Customers(f.ctx, f.admin, gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Q: q}}, gonghai.Page{})
			if err != nil || len(pg.Customers) != 1 || pg.Customers[0].ID != s.ID {
				t.Errorf("search %s: %+v, %v", q, pg.Customers, err)
			}
		}
		_, err = f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{AllowSimilar: true, PoolID: w.pool.ID,
			CustomerFields: gonghai.CustomerFields{Company: "另一家", Phone: "13900000002"}})
		var e *gonghai.Error
		if gonghai.ErrorCode(err) != gonghai.EDuplicate || !errors.As(err, &e) || e.Match.CustomerID != s.ID {
			t.Errorf("the merged phone is the survivor's: %v", err)
		}
		// The survivor's old phone was not chosen: it is free again.
		if _, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{AllowSimilar: true, PoolID: w.pool.ID,
			CustomerFields: gonghai.CustomerFields{Company: "第三家", Phone: "13800000001"}}); err != nil {
			t.Errorf("the survivor's old phone: %v", err)
		}
		if es := f.auditOf(gonghai.AuditMerge); len(es) != 1 || es[0].TargetID != s.ID || es[0].Detail["merged"] != m.ID ||
			es[0].Detail["phone"] != "merged" || es[0].Detail["industry"] != "survivor" {
			t.Errorf("audit %+v", es)
		}
		// Merged once: again, the merged id points at the survivor.
		_, err = f.db.Merge(f.ctx, f.admin, gonghai.Merge{SurvivorID: s.ID, MergedID: m.ID})
		wantCode(t, err, gonghai.EMerged)
	})
}

// TestMergeTakesOwner: a pool customer merged with an owned one goes to
// that owner, by one merged event on the survivor, with a deadline.
func TestMergeTakesOwner(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		s := f.newCustomer(f.admin, w.pool.ID, gonghai.CustomerFields{Company: "星辰科技"})
		m := w.owned(w.repB, "南京远航物流有限公司", "13900000002")
		f.clock.Set(dayAt(2, 10))
		got, err := f.db.Merge(f.ctx, f.admin, gonghai.Merge{SurvivorID: s.ID, MergedID: m.ID})
		if err != nil {
			t.Fatal(err)
		}
		h := f.history(s.ID)
		if got.OwnerID != w.repB.ID || got.Company != s.Company || got.Phone != m.Phone || len(h) != 2 ||
			h[1].Kind != gonghai.EventMerged || h[1].ToOwnerID != w.repB.ID {
			t.Errorf("survivor %+v, history %+v", got, h)
		}
		f.checkChain(s.ID)
		f.wantDeadline(s.ID, dayStart(13), gonghai.RuleNoFollowUp)
	})
}

// TestResolveByMerge: resolving a conflict whose customer was created
// anyway merges the two; every other open conflict naming the merged
// customer names the survivor, and one about the two is closed.
func TestResolveByMerge(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		matched := w.owned(w.repB, "北京星辰科技有限公司", "13800000001")
		created := w.owned(w.repA, "杭州海潮贸易有限公司", "13900000002")
		k := w.conflict(w.repA, matched, created.ID)
		twin := w.conflict(w.repB, matched, created.ID)
		third := w.owned(w.repA, "深圳山谷电子有限公司", "13700000003")
		other := w.conflict(w.repA, created, third.ID)
		_, err := f.db.ResolveConflict(f.ctx, w.boss, k.ID, gonghai.Resolution{Action: gonghai.ActionMerge, SurvivorID: third.ID})
		wantCode(t, err, gonghai.EInvalid)
		v, err := f.db.ResolveConflict(f.ctx, w.boss, k.ID, gonghai.Resolution{Action: gonghai.ActionMerge, SurvivorID: created.ID,
			Fields: map[string]gonghai.MergeSide{"owner": gonghai.SideMerged}})
		if err != nil || v.Status != gonghai.ConflictMerged {
			t.Fatalf("%+v, %v", v, err)
		}
		if c := f.customer(created.ID); c.OwnerID != w.repB.ID || c.Company != created.Company {
			t.Errorf("survivor %+v", c)
		}
		f.mergedTo(f.admin, matched.ID, created.ID)
		if d, err := f.db.Conflict(f.ctx, f.admin, twin.ID); err != nil || d.Status != gonghai.ConflictMerged {
			t.Errorf("the twin conflict: %+v, %v", d.Conflict, err)
		}
		if d, err := f.db.Conflict(f.ctx, f.admin, other.ID); err != nil || d.Status != gonghai.ConflictOpen ||
			d.MatchedID != created.ID || d.NewID != third.ID {
			t.Errorf("the other conflict: %+v, %v", d.Conflict, err)
		}
		// Keep: the created customer merges into the matched one, whose owner stays.
		v, err = f.db.ResolveConflict(f.ctx, w.boss, other.ID, gonghai.Resolution{Action: gonghai.ActionKeep,
			Fields: map[string]gonghai.MergeSide{"owner": gonghai.SideMerged}})
		if err != nil || v.Status != gonghai.ConflictKept {
			t.Fatalf("keep: %+v, %v", v, err)
		}
		f.mergedTo(f.admin, third.ID, created.ID)
		if c := f.customer(created.ID); c.OwnerID != w.repB.ID {
			t.Errorf("kept owner %s", c.OwnerID)
		}
		f.checkChain(created.ID)
	})
}

// TestMergeRaces: a merge racing a claim of the merged customer, or a
// merge of the same two customers the other way round: exactly one wins.
func TestMergeRaces(t *testing.T) {
	forEachDBAlone(t, func(t *testing.T, f *fixture) {
		w := newConflictWorld(f)
		const rounds = 8
		claims, merges := 0, 0
		for i := range rounds {
			s := w.owned(w.repA, "幸存公司"+string(rune('甲'+i)), "")
			x := f.newCustomer(f.admin, w.pool.ID, gonghai.CustomerFields{Company: "池中公司" + string(rune('甲'+i))})
			k := w.conflict(w.repA, s, x.ID)
			d, err := f.db.Conflict(f.ctx, f.admin, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var claimErr, mergeErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, claimErr = f.db.Claim(f.ctx, w.repB, x.ID, "")
			}()
			go func() {
				defer wg.Done()
				_, mergeErr = f.db.Merge(f.ctx, f.admin, gonghai.Merge{SurvivorID: s.ID, MergedID: x.ID,
					SurvivorSeq: d.MatchedSeq, MergedSeq: d.NewSeq})
			}()
			wg.Wait()
			if (claimErr == nil) == (mergeErr == nil) {
				t.Fatalf("round %d: claim %v, merge %v: want exactly one to win", i, claimErr, mergeErr)
			}
			if claimErr == nil {
				claims++
				wantCode(t, mergeErr, gonghai.EConflict)
				f.checkChain(x.ID)
			} else {
				merges++
				f.mergedTo(f.admin, x.ID, s.ID)
			}
			f.checkChain(s.ID)
		}
		t.Logf("claim against merge: %d claims won, %d merges won", claims, merges)

		wins := 0
		for i := range rounds {
			a := w.owned(w.repA, "甲方"+string(rune('甲'+i)), "")
			b := w.owned(w.repB, "乙方"+string(rune('甲'+i)), "")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for j, pair := range [][2]string{{a.ID, b.ID}, {b.ID, a.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[j] = f.db.Merge(f.ctx, f.admin, gonghai.Merge{SurvivorID: pair[0], MergedID: pair[1]})
				}()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: merges %v, %v: want exactly one to win", i, errs[0], errs[1])
			}
			for _, err := range errs {
				// The loser finds the pair merged: in its transaction (conflict),
				// or before it, its customer answering merged.
				if c := gonghai.ErrorCode(err); c == gonghai.EConflict || c == gonghai.EMerged {
					continue
				} else if err != nil {
					t.Errorf("round %d: the losing merge: %v", i, err)
				} else {
					wins++
				}
			}
		}
		if wins != rounds {
			t.Errorf("%d merges won of %d rounds", wins, rounds)
		}
	})
}
