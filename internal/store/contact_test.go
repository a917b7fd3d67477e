package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
)

// contactFixture is a pool of one department with its owner rep and a
// rival rep, and the owner's customer 星辰科技 whose own contact is 陈静.
type contactFixture struct {
	*fixture
	p            gonghai.Pool
	owner, rival gonghai.User
	cust         gonghai.Customer
}

func newContactFixture(t *testing.T, f *fixture) contactFixture {
	t.Helper()
	team := f.dept("华东一部", "")
	cf := contactFixture{fixture: f}
	cf.owner = f.user("zhangwei", gonghai.RoleRep, team.ID, nil)
	cf.rival = f.user("lina", gonghai.RoleRep, team.ID, nil)
	cf.p = f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
	var err error
	cf.cust, err = f.db.CreateCustomer(f.ctx, cf.owner, gonghai.NewCustomer{PoolID: cf.p.ID, OwnerID: cf.owner.ID,
		CustomerFields: gonghai.CustomerFields{Company: "北京星辰科技有限公司", Name: "陈静", Phone: "13812348000"}})
	if err != nil {
		t.Fatal(err)
	}
	return cf
}

// TestContacts: a customer's own fields are its primary contact, listed
// first with its id; further contacts are added, edited and deleted by
// who may edit the customer, masked for others as its own fields are, and
// a bad contact changes nothing.
func TestContacts(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		cf := newContactFixture(t, f)
		k, err := f.db.AddContact(f.ctx, cf.owner, cf.cust.ID, gonghai.Contact{Name: " 王强 ", Title: "采购经理",
			Phone: "139 1234 5678", Email: "Wang@Example.com", WeChat: "wangqiang_88"})
		if err != nil {
			t.Fatal(err)
		}
		if k.ID == "" || k.Primary || k.Name != "王强" || k.Phone != "139 1234 5678" || k.CustomerID != cf.cust.ID {
			t.Fatalf("added %+v", k)
		}
		for _, bad := range []gonghai.Contact{{}, {Name: "x", Phone: "12"}, {Name: "x", Email: "nope"}, {Name: "x", Title: "call 13900001111"}} {
			_, err := f.db.AddContact(f.ctx, cf.owner, cf.cust.ID, bad)
			wantCode(t, err, gonghai.EInvalid)
		}
		list, err := f.db.Contacts(f.ctx, cf.owner, cf.cust.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || !list[0].Primary || list[0].ID != cf.cust.ID || list[0].Name != "陈静" || list[1].ID != k.ID ||
			list[1].Email != "Wang@Example.com" {
			t.Fatalf("owner's list %+v", list)
		}
		// The admin sees the pool's mask; the rival, who may not see an
		// owned customer, nothing at all.
		list, err = f.db.Contacts(f.ctx, f.admin, cf.cust.ID)
		if err != nil {
			t.Fatal(err)
		}
		if list[0].Phone != "138****8000" || !strings.HasSuffix(list[1].Phone, "5678") || strings.Contains(list[1].Phone, "1234") || list[1].Name != "王强" ||
			strings.Contains(list[1].Email, "Wang@") {
			t.Fatalf("admin's list not masked: %+v", list)
		}
		_, err = f.db.Contacts(f.ctx, cf.rival, cf.cust.ID)
		wantCode(t, err, gonghai.ENotFound)
		_, err = f.db.AddContact(f.ctx, cf.rival, cf.cust.ID, gonghai.Contact{Name: "李四"})
		wantCode(t, err, gonghai.ENotFound)

		// The admin may not overwrite a phone shown masked, but may send it
		// back as shown and change the title.
		_, err = f.db.UpdateContact(f.ctx, f.admin, cf.cust.ID, k.ID, gonghai.ContactPatch{Phone: ptr("13700000000")})
		wantCode(t, err, gonghai.EForbidden)
		got, err := f.db.UpdateContact(f.ctx, f.admin, cf.cust.ID, k.ID, gonghai.ContactPatch{Phone: ptr(list[1].Phone), Title: ptr("总监")})
		if err != nil || got.Title != "总监" || got.Phone != list[1].Phone {
			t.Fatalf("admin's title change: %+v %v", got, err)
		}
		err = f.db.DeleteContact(f.ctx, f.admin, cf.cust.ID, k.ID)
		wantCode(t, err, gonghai.EForbidden)
		got, err = f.db.UpdateContact(f.ctx, cf.owner, cf.cust.ID, k.ID, gonghai.ContactPatch{Phone: ptr("13700000000")})
		if err != nil || got.Phone != "13700000000" || got.Title != "总监" {
			t.Fatalf("owner's change: %+v %v", got, err)
		}
		// A contact of another customer is no contact of this one.
		other := f.customers(cf.p.ID, 1)[0]
		_, err = f.db.UpdateContact(f.ctx, f.admin, other, k.ID, gonghai.ContactPatch{Title: ptr("x")})
		wantCode(t, err, gonghai.ENotFound)
		if err := f.db.DeleteContact(f.ctx, cf.owner, cf.cust.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.db.Contacts(f.ctx, cf.owner, cf.cust.ID); len(list) != 1 {
			t.Fatalf("after delete: %+v", list)
		}
	})
}

// TestContactDuplicates: a phone, email or WeChat id is one person's,
// whichever customer and table holds it: a contact refuses a customer's
// own, a customer (created or edited) refuses a contact's, and a contact
// refuses another contact's; the refusal names the customer, never the
// contact.
func TestContactDuplicates(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		cf := newContactFixture(t, f)
		other, err := f.db.CreateCustomer(f.ctx, cf.rival, gonghai.NewCustomer{PoolID: cf.p.ID, OwnerID: cf.rival.ID,
			CustomerFields: gonghai.CustomerFields{Company: "上海明月贸易有限公司", Name: "周明"}})
		if err != nil {
			t.Fatal(err)
		}
		// A contact may not take another customer's own phone.
		_, err = f.db.AddContact(f.ctx, cf.rival, other.ID, gonghai.Contact{Name: "陈静", Phone: "+86 138 1234 8000"})
		wantDuplicate(t, err, "phone", cf.cust.ID)
		k, err := f.db.AddContact(f.ctx, cf.owner, cf.cust.ID, gonghai.Contact{Name: "王强", Email: "wang@example.com", WeChat: "wq88"})
		if err != nil {
			t.Fatal(err)
		}
		// Nor another customer's contact's.
		_, err = f.db.AddContact(f.ctx, cf.rival, other.ID, gonghai.Contact{Name: "王强", WeChat: "WQ88"})
		wantDuplicate(t, err, "wechat", cf.cust.ID)
		// A customer created or edited may not take a contact's.
		_, err = f.db.CreateCustomer(f.ctx, cf.rival, gonghai.NewCustomer{PoolID: cf.p.ID, OwnerID: cf.rival.ID,
			CustomerFields: gonghai.CustomerFields{Company: "广州新公司", Email: "WANG@example.com"}})
		wantDuplicate(t, err, "email", cf.cust.ID)
		_, err = f.db.UpdateCustomer(f.ctx, cf.rival, other.ID, gonghai.CustomerPatch{WeChat: ptr("wq88")})
		wantDuplicate(t, err, "wechat", cf.cust.ID)
		// Within one customer too: two people do not share a phone.
		_, err = f.db.AddContact(f.ctx, cf.owner, cf.cust.ID, gonghai.Contact{Name: "陈静二", Phone: "13812348000"})
		wantDuplicate(t, err, "phone", cf.cust.ID)
		// A contact edited keeps its own values.
		if _, err := f.db.UpdateContact(f.ctx, cf.owner, cf.cust.ID, k.ID, gonghai.ContactPatch{Email: ptr("wang@example.com"), Name: ptr("王强强")}); err != nil {
			t.Fatal(err)
		}
		// Matches (the new-customer form's check) finds contacts too.
		m, err := f.db.Matches(f.ctx, cf.rival, gonghai.CustomerFields{Company: "无关公司", WeChat: "wq88"})
		if err != nil || len(m.Duplicates) != 1 || m.Duplicates[0].CustomerID != cf.cust.ID {
			t.Fatalf("matches %+v %v", m, err)
		}
		// Deleted, a contact's phone is free again.
		if err := f.db.DeleteContact(f.ctx, cf.owner, cf.cust.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UpdateCustomer(f.ctx, cf.rival, other.ID, gonghai.CustomerPatch{WeChat: ptr("wq88")}); err != nil {
			t.Fatal(err)
		}
	})
}

func wantDuplicate(t testing.TB, err error, field, customerID string) {
	t.Helper()
	wantCode(t, err, gonghai.EDuplicate)
	var e *gonghai.Error
	if !errors.As(err, &e) || e.Match == nil || e.Match.Field != field || e.Match.CustomerID != customerID {
		t.Fatalf("duplicate %v, want %s of %s", err, field, customerID)
	}
}

// TestConcurrentContactAndCustomer: a customer's create and a contact's
// add of one phone at once, many times over: exactly one of each pair
// wins, on both databases (PostgreSQL serialises the two tables' writers
// of one key; SQLite has one writer).
func TestConcurrentContactAndCustomer(t *testing.T) {
	forEachDBAlone(t, func(t *testing.T, f *fixture) {
		cf := newContactFixture(t, f)
		const rounds = 20
		wins := map[string]int{}
		for i := range rounds {
			phone := fmt.Sprintf("1371111%04d", i)
			var wg sync.WaitGroup
			var created, added error
			wg.Go(func() {
				_, created = f.db.CreateCustomer(f.ctx, cf.rival, gonghai.NewCustomer{PoolID: cf.p.ID, OwnerID: cf.rival.ID,
					CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("并发公司%d", i), Phone: phone}})
			})
			wg.Go(func() {
				_, added = f.db.AddContact(f.ctx, cf.owner, cf.cust.ID, gonghai.Contact{Name: fmt.Sprintf("联系人%d", i), Phone: phone})
			})
			wg.Wait()
			switch {
			case created == nil && gonghai.ErrorCode(added) == gonghai.EDuplicate:
				wins["customer"]++
			case added == nil && gonghai.ErrorCode(created) == gonghai.EDuplicate:
				wins["contact"]++
			default:
				t.Fatalf("round %d: create %v, add %v: want exactly one to win, the other a duplicate", i, created, added)
			}
		}
		t.Logf("of %d races: %v", rounds, wins)
	})
}

// TestContactsMergeAndErase: a merge gives the survivor the merged
// customer's contacts, which match the survivor's id from then on; an
// erase removes a customer's contacts, whose phones are free again.
func TestContactsMergeAndErase(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		cf := newContactFixture(t, f)
		other, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: cf.p.ID, AllowSimilar: true,
			CustomerFields: gonghai.CustomerFields{Company: "星辰科技北京分公司"}})
		if err != nil {
			t.Fatal(err)
		}
		mine, err := f.db.AddContact(f.ctx, f.admin, cf.cust.ID, gonghai.Contact{Name: "王强", WeChat: "wq88"})
		if err != nil {
			t.Fatal(err)
		}
		moved, err := f.db.AddContact(f.ctx, f.admin, other.ID, gonghai.Contact{Name: "赵敏", Phone: "13655556666"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Merge(f.ctx, f.admin, gonghai.Merge{SurvivorID: cf.cust.ID, MergedID: other.ID}); err != nil {
			t.Fatal(err)
		}
		list, err := f.db.Contacts(f.ctx, cf.owner, cf.cust.ID)
		if err != nil || len(list) != 3 || list[1].ID != mine.ID || list[2].ID != moved.ID || list[2].Phone != "13655556666" {
			t.Fatalf("survivor's contacts %+v %v", list, err)
		}
		_, err = f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: cf.p.ID,
			CustomerFields: gonghai.CustomerFields{Company: "另一家", Phone: "13655556666"}})
		wantDuplicate(t, err, "phone", cf.cust.ID)
		if _, err := f.db.EraseCustomer(f.ctx, f.admin, cf.cust.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.db.Contacts(f.ctx, f.admin, cf.cust.ID); len(list) != 1 || list[0].Phone != "" {
			t.Fatalf("erased customer's contacts %+v", list)
		}
		if _, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: cf.p.ID,
			CustomerFields: gonghai.CustomerFields{Company: "另一家", Phone: "13655556666", WeChat: "wq88"}}); err != nil {
			t.Fatalf("an erased contact's phone: %v", err)
		}
	})
}
