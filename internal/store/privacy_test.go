package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/vault"
)

// TestConcurrentCreatesOfOnePhone: fifty creates of one phone, written in
// six ways, race; the blind index's unique constraint lets exactly one
// through, and the others learn which customer has it.
func TestConcurrentCreatesOfOnePhone(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		reps := make([]gonghai.User, 5)
		ids := make([]string, len(reps))
		for i := range reps {
			reps[i] = f.user(fmt.Sprintf("rep%d", i), gonghai.RoleRep, "", nil)
			ids[i] = reps[i].ID
		}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &ids})
		formats := []string{"13912345678", "139 1234 5678", "+86 139-1234-5678", "008613912345678", "(+86)13912345678", "１３９１２３４５６７８"}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var created []string
		codes := map[string]int{}
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := f.db.CreateCustomer(f.ctx, reps[i%len(reps)], gonghai.NewCustomer{PoolID: p.ID,
					CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("公司%d", i), Phone: formats[i%len(formats)]}})
				mu.Lock()
				defer mu.Unlock()
				codes[gonghai.ErrorCode(err)]++
				if err == nil {
					created = append(created, c.ID)
				}
				var ge *gonghai.Error
				if errors.As(err, &ge) && ge.Code == gonghai.EDuplicate && (ge.Match == nil || ge.Match.Field != "phone") {
					t.Errorf("a duplicate names no phone match: %+v", ge)
				}
			}()
		}
		wg.Wait()
		if len(created) != 1 || codes[gonghai.EDuplicate] != 49 {
			t.Fatalf("50 creates of one phone: %d created, outcomes %v; want 1 created and 49 duplicates", len(created), codes)
		}
		cs, _, err := f.db.PoolCustomers(f.ctx, reps[0], p.ID, gonghai.CustomerFilter{}, gonghai.Page{})
		if err != nil || len(cs) != 1 || cs[0].ID != created[0] {
			t.Fatalf("the pool holds %d customers (%v), want the one created", len(cs), err)
		}
	})
}

// TestExportAndErase: an admin exports everything held about a customer,
// with its contacts in full, and erases it: its personal fields and blind
// indexes are gone, so the same phone may be created again, its notes are
// emptied, and its ownership history still chains.
func TestExportAndErase(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		fields := gonghai.CustomerFields{Name: "李雷", Phone: "13612345678", Email: "li.lei@example.cn", WeChat: "lilei88"}
		id := f.newCustomer(f.admin, p.ID, fields).ID
		mustClaim(f, o.rep1, id)
		if _, err := f.db.AddFollowUp(f.ctx, o.rep1, id, gonghai.NewFollowUp{Kind: "call", Content: "李雷说下周再联系"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Reveal(f.ctx, o.mgr1, id); err != nil {
			t.Fatal(err)
		}

		_, err := f.db.ExportCustomer(f.ctx, o.mgr1, id)
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.ExportCustomer(f.ctx, o.rep2, id)
		wantCode(t, err, gonghai.ENotFound)
		x, err := f.db.ExportCustomer(f.ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if c := x.Customer; c.Name != fields.Name || c.Phone != fields.Phone || c.Email != fields.Email || c.WeChat != fields.WeChat {
			t.Fatalf("export holds %+v, want the contacts in full", c)
		}
		if len(x.FollowUps) != 1 || x.FollowUps[0].Content != "李雷说下周再联系" || len(x.History) != 2 {
			t.Fatalf("export holds %d follow-ups %+v and %d events, want 1 and 2", len(x.FollowUps), x.FollowUps, len(x.History))
		}
		actions := map[string]bool{}
		for _, e := range x.Audit {
			actions[e.Action] = true
		}
		if !actions[gonghai.AuditReveal] || !actions[gonghai.AuditExport] {
			t.Fatalf("export's audit entries %+v lack the reveal or the export itself", x.Audit)
		}

		_, err = f.db.EraseCustomer(f.ctx, o.rep1, id)
		wantCode(t, err, gonghai.EForbidden)
		c, err := f.db.EraseCustomer(f.ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "" || c.Phone != "" || c.Email != "" || c.WeChat != "" {
			t.Fatalf("erased customer still shows %+v", c)
		}
		if c, err = f.db.Customer(f.ctx, o.rep1, id); err != nil || c.Name != "" || c.Phone != "" || c.OwnerID != o.rep1.ID {
			t.Fatalf("the owner reads the erased customer as %+v (%v)", c, err)
		}
		fs, _, err := f.db.FollowUps(f.ctx, o.rep1, id, gonghai.Page{})
		if err != nil || len(fs) != 1 || fs[0].Content != "" {
			t.Fatalf("follow-ups after erasure: %+v (%v)", fs, err)
		}
		found, _, err := f.db.PoolCustomers(f.ctx, f.admin, p.ID, gonghai.CustomerFilter{Q: fields.Phone}, gonghai.Page{})
		if err != nil || len(found) != 0 {
			t.Fatalf("a search by the erased phone finds %+v (%v)", found, err)
		}
		again := f.newCustomer(f.admin, p.ID, fields)
		if again.ID == id {
			t.Fatal("the new customer is the erased one")
		}
		f.checkChain(id)
		log, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{TargetID: id, Action: gonghai.AuditErase}, gonghai.Page{})
		if err != nil || len(log) != 1 || log[0].ActorID != f.admin.ID {
			t.Fatalf("audit of the erasure: %+v (%v)", log, err)
		}
	})
}

// TestRotateKeys: a rotation stopped part-way leaves every row readable,
// some under each key; run again, it finishes under the new key, and a
// handle with keys that never sealed the data refuses it.
func TestRotateKeys(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		list := crypt.Generate()
		open := func(list string) *store.DB { return openWithKeys(t, dsn, list) }
		old := open(list)
		admin, err := old.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "admin", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		p, err := old.CreatePool(ctx, admin, gonghai.PoolInput{Name: ptr("公海")})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]gonghai.Customer{}
		for i := range 25 {
			c, err := old.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: admin.ID, CustomerFields: gonghai.CustomerFields{
				Name: fmt.Sprintf("客户%d", i), Phone: fmt.Sprintf("1370000%04d", i), Email: fmt.Sprintf("c%d@example.cn", i)}})
			if err != nil {
				t.Fatal(err)
			}
			want[c.ID] = c
		}
		next, id, err := crypt.WithNewPrimary(list)
		if err != nil {
			t.Fatal(err)
		}
		db := open(next)
		stop, cancel := context.WithCancel(ctx)
		_, err = db.RotateKeys(stop, 4, func(done int) {
			if done >= 8 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the stopped rotation ended with %v", err)
		}
		use, err := db.KeyUse(ctx)
		if err != nil || use["k1"] == 0 || use[id] == 0 || use["k1"]+use[id] != 25 {
			t.Fatalf("mid-rotation key use %v (%v), want some rows under each key", use, err)
		}
		check := func(db *store.DB) {
			t.Helper()
			mine, _, err := db.MyCustomers(ctx, admin, gonghai.CustomerFilter{}, gonghai.Page{})
			if err != nil || len(mine) != 25 {
				t.Fatalf("owner reads %d customers (%v)", len(mine), err)
			}
			for _, c := range mine {
				if w := want[c.ID]; c.Name != w.Name || c.Phone != w.Phone || c.Email != w.Email {
					t.Fatalf("customer %s reads %q %q %q, want %q %q %q", c.ID, c.Name, c.Phone, c.Email, w.Name, w.Phone, w.Email)
				}
			}
		}
		check(db)
		n, err := db.RotateKeys(ctx, 4, nil)
		if err != nil || n == 0 || n >= 25 {
			t.Fatalf("the rerun re-sealed %d rows (%v), want the rest", n, err)
		}
		if use, _ := db.KeyUse(ctx); use[id] != 25 || len(use) != 1 {
			t.Fatalf("after the rerun, key use %v", use)
		}
		check(db)
		if err := db.CheckKeys(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := db.RotateKeys(ctx, 4, nil); n != 0 || err != nil {
			t.Fatalf("a third run re-sealed %d (%v)", n, err)
		}
		if err := open(crypt.Generate()).CheckKeys(ctx); err == nil {
			t.Fatal("keys that never sealed the data pass the check")
		}
		log, _, err := db.Audit(ctx, admin, gonghai.AuditFilter{Action: gonghai.AuditKeyRotation}, gonghai.Page{})
		if err != nil || len(log) != 1 {
			t.Fatalf("audit holds %d rotations (%v), want the run that finished", len(log), err)
		}
	})
}

// TestContactLookupQuota: searches by phone or email, and duplicates met,
// count against a daily quota, so that nobody unmasks 138****8000 by trying
// its 10,000 forms; searches by company do not count.
func TestContactLookupQuota(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		target := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "目标公司", Phone: "13812348000"})
		search := func(q string) ([]gonghai.Customer, error) {
			cs, _, err := f.db.PoolCustomers(f.ctx, rep, p.ID, gonghai.CustomerFilter{Q: q}, gonghai.Page{})
			return cs, err
		}
		// The first try of a duplicate counts too.
		_, err := f.db.CreateCustomer(f.ctx, rep, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "重复", Phone: "13812348000"}})
		wantCode(t, err, gonghai.EDuplicate)
		found := 0
		for i := range gonghai.ContactLookupDailyQuota - 1 {
			cs, err := search(fmt.Sprintf("1381%03d8000", 134+i))
			if err != nil {
				t.Fatalf("look-up %d: %v", i+2, err)
			}
			found += len(cs)
		}
		if found != 1 {
			t.Fatalf("the tries found %d customers, want the one", found)
		}
		_, err = search("13812348000")
		wantCode(t, err, gonghai.ELookupQuota)
		_, err = f.db.CreateCustomer(f.ctx, rep, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "重复", Phone: "13812348000"}})
		wantCode(t, err, gonghai.ELookupQuota)
		if cs, err := search("目标"); err != nil || len(cs) != 1 || cs[0].ID != target.ID {
			t.Fatalf("a search by company after the quota: %+v (%v)", cs, err)
		}
		f.clock.Advance(24 * time.Hour)
		if cs, err := search("+86 138 1234 8000"); err != nil || len(cs) != 1 {
			t.Fatalf("the next day's look-up: %+v (%v)", cs, err)
		}
	})
}

// TestClaimOfTakenCustomer: a claim of a customer that has an owner answers
// already_claimed to whoever may know it is taken (its owner, the owner's
// managers, members of its open pool) and not_found to anyone else, from
// the pre-read and from inside the transaction alike.
func TestClaimOfTakenCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		// Only rep1b is a member; the admin assigns to rep1 from outside.
		p := f.pool("华北公海", gonghai.PoolInput{MemberUserIDs: &[]string{o.rep1b.ID}})
		id := f.customers(p.ID, 1)[0]
		f.assign(f.admin, o.rep1, id, "")
		for _, c := range []struct {
			who  gonghai.User
			code string
		}{
			{o.rep1, gonghai.EAlreadyClaimed},     // its owner, not a member
			{o.mgr1, gonghai.EAlreadyClaimed},     // the owner's manager, not a member
			{o.salesMgr, gonghai.EAlreadyClaimed}, // above them
			{o.rep1b, gonghai.EAlreadyClaimed},    // a member: lost a race
			{o.rep2, gonghai.ENotFound},           // none of these
			{o.mgr2, gonghai.ENotFound},
		} {
			for range 2 { // the second answer comes from the cache
				_, err := f.db.Claim(f.ctx, c.who, id, "")
				wantCode(t, err, c.code)
			}
		}
	})
}

// TestEditToDuplicate: an edit that gives a customer another's phone, in
// any format, is refused as duplicate and changes nothing; an edit that
// leaves the contacts alone is not checked against them.
func TestEditToDuplicate(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("公海", gonghai.PoolInput{})
		f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "甲", Phone: "13600000001"})
		b := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "乙", Phone: "13600000002"})
		// Contacts are changed only by someone who has seen them in full.
		if _, err := f.db.Reveal(f.ctx, f.admin, b.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.UpdateCustomer(f.ctx, f.admin, b.ID, gonghai.CustomerPatch{Phone: ptr("+86 136 0000 0001")})
		wantCode(t, err, gonghai.EDuplicate)
		if _, err := f.db.UpdateCustomer(f.ctx, f.admin, b.ID, gonghai.CustomerPatch{Company: ptr("乙公司")}); err != nil {
			t.Fatalf("an edit of the company: %v", err)
		}
		if x, err := f.db.ExportCustomer(f.ctx, f.admin, b.ID); err != nil || x.Customer.Phone != "13600000002" || x.Customer.Company != "乙公司" {
			t.Fatalf("after the refused edit: %+v (%v)", x.Customer, err)
		}
	})
}

// openWithKeys opens the store at dsn with the field keys of list.
func openWithKeys(t *testing.T, dsn, list string) *store.DB {
	t.Helper()
	v, err := vault.New(list)
	if err != nil {
		t.Fatal(err)
	}
	return storetest.Open(t, dsn, gonghai.SystemClock{}, v)
}

// TestRotateKeysContacts: a rotation re-seals contacts too, and KeyUse
// counts them, so an old key is never dropped while a contact needs it.
func TestRotateKeysContacts(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		list := crypt.Generate()
		old := openWithKeys(t, dsn, list)
		admin, err := old.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "admin", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		p, err := old.CreatePool(ctx, admin, gonghai.PoolInput{Name: ptr("公海")})
		if err != nil {
			t.Fatal(err)
		}
		c, err := old.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: admin.ID,
			CustomerFields: gonghai.CustomerFields{Company: "星辰科技"}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := old.AddContact(ctx, admin, c.ID, gonghai.Contact{Name: fmt.Sprintf("联系人%d", i),
				Phone: fmt.Sprintf("1370000%04d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		next, id, err := crypt.WithNewPrimary(list)
		if err != nil {
			t.Fatal(err)
		}
		db := openWithKeys(t, dsn, next)
		if use, err := db.KeyUse(ctx); err != nil || use["k1"] != 6 {
			t.Fatalf("key use before %v (%v), want the customer and its 5 contacts", use, err)
		}
		if n, err := db.RotateKeys(ctx, 2, nil); err != nil || n != 6 {
			t.Fatalf("rotated %d (%v), want 6", n, err)
		}
		if use, _ := db.KeyUse(ctx); use[id] != 6 || len(use) != 1 {
			t.Fatalf("key use after %v", use)
		}
		list2, err := db.Contacts(ctx, admin, c.ID)
		if err != nil || len(list2) != 6 || list2[5].Phone != "13700000004" {
			t.Fatalf("contacts after rotation %+v %v", list2, err)
		}
	})
}
