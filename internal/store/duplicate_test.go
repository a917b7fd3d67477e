package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestCompanyDuplicate: one company, however it is spelt, is one customer,
// whatever pool or owner it is in. The refusal names the owner by name and
// department to anyone, so that the two can talk, and never a contact; it
// is recorded as a conflict, and changes nothing else.
func TestCompanyDuplicate(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		east := f.dept("华东一部", "")
		west := f.dept("华西二部", "")
		owner := f.user("zhangwei", gonghai.RoleRep, east.ID, nil)
		rival := f.user("lina", gonghai.RoleRep, west.ID, nil)
		p := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{east.ID, west.ID}})
		mine, err := f.db.CreateCustomer(f.ctx, owner, gonghai.NewCustomer{PoolID: p.ID, OwnerID: owner.ID,
			CustomerFields: gonghai.CustomerFields{Company: "北京星辰科技有限公司", Name: "陈静", Phone: "13812348000"}})
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.poolIDs(f.admin, p.ID, gonghai.CustomerFilter{}))
		for _, spelling := range []string{"星辰科技（北京）有限公司", "星辰科技", "北京市 星辰科技 有限公司", "ＸＸ"[:0] + "星辰科技集团"} {
			_, err := f.db.CreateCustomer(f.ctx, rival, gonghai.NewCustomer{PoolID: p.ID, OwnerID: rival.ID,
				CustomerFields: gonghai.CustomerFields{Company: spelling, Phone: "13900001111"}})
			wantCode(t, err, gonghai.EDuplicate)
			var ge *gonghai.Error
			if !errors.As(err, &ge) || ge.Match == nil {
				t.Fatalf("%s: no match in %v", spelling, err)
			}
			m := ge.Match
			if m.Field != "company" || m.CustomerID != mine.ID || m.OwnerName != owner.Name || m.OwnerDept != "华东一部" ||
				m.OwnerID != "" || m.Display != "北京星辰科技有限公司" || !m.Owned {
				t.Errorf("%s: match %+v, want the company of %s's customer (华东一部), without the owner's id", spelling, m, owner.Name)
			}
			if strings.Contains(ge.Message, "13812348000") || strings.Contains(ge.Message, "陈静") {
				t.Errorf("the refusal tells a contact: %q", ge.Message)
			}
		}
		if got := len(f.poolIDs(f.admin, p.ID, gonghai.CustomerFilter{})); got != before {
			t.Fatalf("refused creates left customers: %d, was %d", got, before)
		}
		if mineNow, _, _ := f.db.DuplicateOf(f.ctx, mine.ID); mineNow != "" {
			t.Fatalf("the existing customer changed")
		}
		ks, err := f.db.ConflictsOf(f.ctx, mine.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ks) != 4 {
			t.Fatalf("%d conflicts recorded, want one per refusal: %+v", len(ks), ks)
		}
		if k := ks[0]; k.Kind != gonghai.ConflictRefused || k.ActorID != rival.ID || k.Field != "company" ||
			k.Company != "星辰科技（北京）有限公司" || k.MatchedOwnerID != owner.ID || k.NewID != "" {
			t.Fatalf("conflict %+v", k)
		}
		// A contact matched is a refused duplicate too, named by its field.
		_, err = f.db.CreateCustomer(f.ctx, rival, gonghai.NewCustomer{PoolID: p.ID,
			CustomerFields: gonghai.CustomerFields{Company: "完全不同的公司", Phone: "+86 138-1234-8000"}})
		wantCode(t, err, gonghai.EDuplicate)
		if ks, _ = f.db.ConflictsOf(f.ctx, mine.ID); len(ks) != 5 || ks[4].Field != "phone" || ks[4].Company != "完全不同的公司" {
			t.Fatalf("conflicts %+v, want a fifth for the phone", ks)
		}
		// An edit to another's company is a duplicate; to its own spelling not.
		other := f.customers(p.ID, 1)[0]
		_, err = f.db.UpdateCustomer(f.ctx, f.admin, other, gonghai.CustomerPatch{Company: ptr("星辰科技股份有限公司")})
		wantCode(t, err, gonghai.EDuplicate)
		if _, err := f.db.UpdateCustomer(f.ctx, owner, mine.ID, gonghai.CustomerPatch{Company: ptr("星辰科技（北京）有限公司")}); err != nil {
			t.Fatalf("the owner respells their company: %v", err)
		}
		if _, key, _ := f.db.DuplicateOf(f.ctx, mine.ID); key != "星辰科技" {
			t.Fatalf("company_key %q after the edit", key)
		}
	})
}

// TestNoSidestep: a rep in re-claim cooldown for a customer, or at the
// day's claim limit, cannot own it by creating it again: the create is a
// duplicate, whatever pool it names.
func TestNoSidestep(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("华南销售部", "")
		members := &[]string{team.ID}
		cool := f.pool("广州公海", gonghai.PoolInput{MemberDepartmentIDs: members, ReclaimCooldownDays: ptr(7)})
		daily := f.pool("深圳公海", gonghai.PoolInput{MemberDepartmentIDs: members, DailyClaimLimit: ptr(1)})
		rep := f.user("rep", gonghai.RoleRep, team.ID, nil)
		phones := map[string]string{}
		add := func(poolID string) string {
			phone := fmt.Sprintf("137%08d", f.n.Add(1))
			c, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: poolID,
				CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("顺德家电%d", f.n.Load()), Phone: phone}})
			if err != nil {
				t.Fatal(err)
			}
			phones[c.ID] = phone
			return c.ID
		}
		released := add(cool.ID)
		mustClaim(f, rep, released)
		if _, err := f.db.Release(f.ctx, rep, released, "客户暂无需求", ""); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Claim(f.ctx, rep, released, "")
		wantCode(t, err, gonghai.EReclaimCooldown)
		inDaily := []string{add(daily.ID), add(daily.ID)}
		mustClaim(f, rep, inDaily[0])
		_, err = f.db.Claim(f.ctx, rep, inDaily[1], "")
		wantCode(t, err, gonghai.EDailyClaimLimit)
		for n, id := range []string{released, inDaily[1]} {
			c := f.customer(id)
			for k, into := range []string{cool.ID, daily.ID} {
				_, err := f.db.CreateCustomer(f.ctx, rep, gonghai.NewCustomer{PoolID: into, OwnerID: rep.ID,
					CustomerFields: gonghai.CustomerFields{Company: "（广东）" + c.Company + "有限公司"}})
				wantCode(t, err, gonghai.EDuplicate)
				_, err = f.db.CreateCustomer(f.ctx, rep, gonghai.NewCustomer{PoolID: into, OwnerID: rep.ID,
					CustomerFields: gonghai.CustomerFields{Company: "另一家公司" + "甲乙丙丁"[3*(2*n+k):3*(2*n+k)+3], Phone: " " + phones[id]}})
				wantCode(t, err, gonghai.EDuplicate)
			}
		}
		if mine := f.myIDs(rep); len(mine) != 1 || mine[0] != inDaily[0] {
			t.Fatalf("rep owns %v, want only %s", mine, inDaily[0])
		}
	})
}

// TestSimilarCompany: a company like an existing one is refused as similar,
// naming the like ones as the caller may know them; created anyway, each
// like one is a conflict, in the create's transaction.
func TestSimilarCompany(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("华东一部", "")
		owner := f.user("zhangwei", gonghai.RoleRep, team.ID, nil)
		rep := f.user("lina", gonghai.RoleRep, team.ID, nil)
		p := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		star, err := f.db.CreateCustomer(f.ctx, owner, gonghai.NewCustomer{PoolID: p.ID, OwnerID: owner.ID,
			CustomerFields: gonghai.CustomerFields{Company: "北京星辰科技有限公司", Phone: "13812348000"}})
		if err != nil {
			t.Fatal(err)
		}
		f.customers(p.ID, 3)
		in := gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "星晨科技有限公司", Phone: "13900002222"}}
		_, err = f.db.CreateCustomer(f.ctx, rep, in)
		wantCode(t, err, gonghai.ESimilar)
		var ge *gonghai.Error
		if !errors.As(err, &ge) || len(ge.Similar) != 1 {
			t.Fatalf("similar %v", err)
		}
		if m := ge.Similar[0]; m.CustomerID != star.ID || m.Field != "similar" || m.OwnerName != owner.Name || m.OwnerDept != "华东一部" ||
			m.Score < 0.6 || m.Score >= 1 {
			t.Fatalf("similar match %+v", m)
		}
		if ks, _ := f.db.ConflictsOf(f.ctx, star.ID); len(ks) != 0 {
			t.Fatalf("a refusal as similar recorded %+v: only a create that goes on is a conflict", ks)
		}
		in.AllowSimilar = true
		c, err := f.db.CreateCustomer(f.ctx, rep, in)
		if err != nil {
			t.Fatal(err)
		}
		ks, err := f.db.ConflictsOf(f.ctx, star.ID)
		if err != nil || len(ks) != 1 || ks[0].Kind != gonghai.ConflictSimilar || ks[0].NewID != c.ID || ks[0].MatchedOwnerID != owner.ID ||
			ks[0].Company != "星晨科技有限公司" {
			t.Fatalf("conflicts %+v %v, want one similar, naming the new customer", ks, err)
		}
		// The check a form asks while its user types: no change, no record.
		m, err := f.db.Matches(f.ctx, rep, gonghai.CustomerFields{Company: "星辰科技", Phone: "13900002222"})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Duplicates) != 2 || m.Duplicates[0].Field != "phone" || m.Duplicates[0].CustomerID != c.ID ||
			m.Duplicates[1].Field != "company" || m.Duplicates[1].CustomerID != star.ID || len(m.Similar) != 0 {
			t.Fatalf("matches %+v", m)
		}
		m, err = f.db.Matches(f.ctx, rep, gonghai.CustomerFields{Company: "星辰晨科技"})
		if err != nil || len(m.Duplicates) != 0 || len(m.Similar) != 2 {
			t.Fatalf("matches %+v %v, want the two like companies", m, err)
		}
		if ks, _ := f.db.ConflictsOf(f.ctx, star.ID); len(ks) != 1 {
			t.Fatalf("a check recorded a conflict: %+v", ks)
		}
	})
}

// TestCompanyKeyBackfill: customers from before company keys get theirs
// on open; of two of one company the first keeps the key's place and the
// later one is marked its duplicate.
func TestCompanyKeyBackfill(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("公海", gonghai.PoolInput{})
		a := f.customers(p.ID, 1)[0]
		b, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID,
			CustomerFields: gonghai.CustomerFields{Company: "上海恒信科技有限公司"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.ClearCompanyKeys(f.ctx); err != nil {
			t.Fatal(err)
		}
		// Written before the check: the same company again.
		c, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID,
			CustomerFields: gonghai.CustomerFields{Company: "恒信科技（上海）有限公司"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.ClearCompanyKeys(f.ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := f.db.KeyCompanies(f.ctx); err != nil || n != 3 {
			t.Fatalf("keyed %d, %v", n, err)
		}
		for id, want := range map[string][2]string{a: {"", f.customer(a).Company}, b.ID: {"", "恒信科技"}, c.ID: {b.ID, "恒信科技"}} {
			dup, key, err := f.db.DuplicateOf(f.ctx, id)
			if err != nil || dup != want[0] || (key != want[1] && id != a) {
				t.Errorf("%s: duplicate_of %q, key %q (%v); want %q, %q", id, dup, key, err, want[0], want[1])
			}
		}
		if n, err := f.db.KeyCompanies(f.ctx); err != nil || n != 0 {
			t.Fatalf("keyed %d again, %v", n, err)
		}
	})
}

// TestConcurrentCompanyCreates: creates of one company in different
// spellings at once give one customer; every other is a duplicate.
func TestConcurrentCompanyCreates(t *testing.T) {
	forEachDBAlone(t, func(t *testing.T, f *fixture) {
		team := f.dept("华东一部", "")
		p := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		spellings := []string{"北京星辰科技有限公司", "星辰科技（北京）有限公司", "星辰科技", "北京市星辰科技有限公司", "星辰科技有限责任公司",
			"星辰 科技", "星辰科技集团", "星辰科技【北京】有限公司"}
		reps := make([]gonghai.User, len(spellings))
		for i := range reps {
			reps[i] = f.user(fmt.Sprintf("rep%d", i), gonghai.RoleRep, team.ID, nil)
		}
		var wg sync.WaitGroup
		codes := make([]string, len(spellings))
		for i, s := range spellings {
			wg.Go(func() {
				_, err := f.db.CreateCustomer(f.ctx, reps[i], gonghai.NewCustomer{PoolID: p.ID, OwnerID: reps[i].ID,
					CustomerFields: gonghai.CustomerFields{Company: s, Phone: fmt.Sprintf("1390000%04d", i)}})
				codes[i] = gonghai.ErrorCode(err)
			})
		}
		wg.Wait()
		counts := map[string]int{}
		for _, c := range codes {
			counts[c]++
		}
		if counts[""] != 1 || counts[gonghai.EDuplicate] != len(spellings)-1 {
			t.Fatalf("outcomes %v, want 1 created and %d duplicates", counts, len(spellings)-1)
		}
		var won []string
		for i, r := range reps {
			if mine := f.myIDs(r); len(mine) != map[bool]int{true: 1}[codes[i] == ""] {
				t.Fatalf("%s owns %v after %q", r.Login, mine, codes[i])
			} else if codes[i] == "" {
				won = mine
			}
		}
		if ks, err := f.db.ConflictsOf(f.ctx, won[0]); err != nil || len(ks) != len(spellings)-1 {
			t.Fatalf("%d conflicts (%v), want one per refused create", len(ks), err)
		}
	})
}
