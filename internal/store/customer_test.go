package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// TestCreateCustomer: a rep creates into a pool they belong to or straight
// to themselves within their limits; never to someone else; bad input is
// refused whole.
func TestCreateCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		limited := f.user("rep.limited", gonghai.RoleRep, o.north1.ID, ptr(1))
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}})
		count := func() int {
			t.Helper()
			return len(f.poolIDs(f.admin, p.ID, gonghai.CustomerFilter{}))
		}
		refuse := func(actor gonghai.User, in gonghai.NewCustomer, code string) error {
			t.Helper()
			inPool, mine, theirs := count(), f.myIDs(actor), f.myIDs(o.rep1b)
			_, err := f.db.CreateCustomer(f.ctx, actor, in)
			wantCode(t, err, code)
			if count() != inPool || !slices.Equal(f.myIDs(actor), mine) || !slices.Equal(f.myIDs(o.rep1b), theirs) {
				t.Fatalf("a refused create left a customer behind")
			}
			return err
		}
		// Each create has a company and a phone of its own: a repeated one
		// is a duplicate.
		phones := 0
		next := func() gonghai.CustomerFields {
			phones++
			return gonghai.CustomerFields{Company: fmt.Sprintf("北京新客户%d", phones), Phone: fmt.Sprintf("139%08d", phones), Category: "B"}
		}
		fields := next()

		// Straight to themselves.
		f.clock.Advance(time.Minute)
		c, err := f.db.CreateCustomer(f.ctx, limited, gonghai.NewCustomer{PoolID: p.ID, OwnerID: limited.ID, CustomerFields: fields})
		if err != nil {
			t.Fatalf("rep creates a customer for themselves: %v", err)
		}
		if c.OwnerID != limited.ID || c.PoolID != p.ID || c.OwnedSince == nil || c.Phone != fields.Phone || c.Company != fields.Company {
			t.Fatalf("created %+v", c)
		}
		f.checkChain(c.ID)
		f.wantLastEvent(c.ID, gonghai.Event{Kind: gonghai.EventCreated, ToOwnerID: limited.ID, ToPoolID: p.ID, ActorID: limited.ID})
		sameIDs(t, "creator's customers", f.myIDs(limited), []string{c.ID})
		refuse(limited, gonghai.NewCustomer{PoolID: p.ID, OwnerID: limited.ID, CustomerFields: next()}, gonghai.EHoldingLimit)
		// The same customer again is a duplicate first, whatever the limit.
		refuse(limited, gonghai.NewCustomer{PoolID: p.ID, OwnerID: limited.ID, CustomerFields: fields}, gonghai.EDuplicate)

		// Into the pool.
		before := count()
		c = f.newCustomer(o.rep1, p.ID, next())
		if c.OwnerID != "" || count() != before+1 {
			t.Fatalf("rep's new pool customer %+v; pool went from %d to %d", c, before, count())
		}
		f.checkChain(c.ID)
		f.wantLastEvent(c.ID, gonghai.Event{Kind: gonghai.EventCreated, ToPoolID: p.ID, ActorID: o.rep1.ID})

		// Never to someone else, nor into a pool they do not belong to.
		refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, OwnerID: o.rep1b.ID, CustomerFields: next()}, gonghai.EForbidden)
		// A pool one may not see is answered as an unknown one: it does not
		// tell its name, nor that it exists.
		for _, id := range []string{p.ID, "no-such-pool"} {
			err = refuse(o.rep2, gonghai.NewCustomer{PoolID: id, CustomerFields: next()}, gonghai.EInvalid)
			wantField(t, err, "pool_id")
			if strings.Contains(err.Error(), p.Name) {
				t.Fatalf("the refusal names the pool: %v", err)
			}
		}
		// The same phone in another format is a duplicate, named with its
		// owner's name and department to anyone (so that they can talk), and
		// with the owner's id to whoever may see the customer.
		dup := fields
		dup.Phone = "+86 " + fields.Phone[:3] + "-" + fields.Phone[3:7] + "-" + fields.Phone[7:]
		err = refuse(o.mgr1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: dup}, gonghai.EDuplicate)
		var ge *gonghai.Error
		if !errors.As(err, &ge) || ge.Match == nil || ge.Match.Field != "phone" || ge.Match.OwnerID != limited.ID || !ge.Match.Owned {
			t.Fatalf("duplicate for the owner's manager names %+v, want the phone of %s's customer", ge.Match, limited.Login)
		}
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: dup}, gonghai.EDuplicate)
		if !errors.As(err, &ge) || ge.Match == nil || ge.Match.OwnerID != "" || ge.Match.OwnerName != limited.Name ||
			ge.Match.OwnerDept != o.north1.Name || !ge.Match.Owned || strings.Contains(ge.Message, fields.Phone) {
			t.Fatalf("duplicate for another rep names %+v (%q): not the owner by name and department, or the phone", ge.Match, ge.Message)
		}
		// The manager gives to their team; the admin to anyone.
		f.clock.Advance(time.Minute)
		c, err = f.db.CreateCustomer(f.ctx, o.mgr1, gonghai.NewCustomer{PoolID: p.ID, OwnerID: o.rep1b.ID, CustomerFields: next()})
		if err != nil || c.OwnerID != o.rep1b.ID {
			t.Fatalf("manager creates for their rep: %+v %v", c, err)
		}
		f.wantLastEvent(c.ID, gonghai.Event{Kind: gonghai.EventCreated, ToOwnerID: o.rep1b.ID, ToPoolID: p.ID, ActorID: o.mgr1.ID})

		// Bad input.
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "坏分类", Category: "D"}}, gonghai.EInvalid)
		wantField(t, err, "category")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Name: " ", Company: "\t", Phone: "13900001111"}}, gonghai.EInvalid)
		wantField(t, err, "name")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "坏电话", Phone: "call me"}}, gonghai.EInvalid)
		wantField(t, err, "phone")
		// A masked value sent back as it was shown.
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "回填", Email: "z***@example.cn"}}, gonghai.EInvalid)
		wantField(t, err, "email")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "回填", WeChat: "wx***"}}, gonghai.EInvalid)
		wantField(t, err, "wechat")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: "no-such-pool", CustomerFields: fields}, gonghai.EInvalid)
		wantField(t, err, "pool_id")
		// The request names the owner owner_id (as the API does), so the error must too.
		err = refuse(f.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: "no-such-user", CustomerFields: next()}, gonghai.EInvalid)
		wantField(t, err, "owner_id")
	})
}

// TestUpdateCustomer: the owner edits; other reps do not, and a pool
// customer is claimed before it is edited.
func TestUpdateCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		ids := f.customers(p.ID, 2)
		mustClaim(f, o.rep1, ids[0])

		f.clock.Advance(time.Hour)
		c, err := f.db.UpdateCustomer(f.ctx, o.rep1, ids[0], gonghai.CustomerPatch{Stage: ptr("需求确认"), Category: ptr("A"),
			Region: ptr(" 北京市/海淀区 "), Email: ptr("li.lei@example.cn")})
		if err != nil {
			t.Fatalf("owner edits: %v", err)
		}
		stored, err := f.db.Customer(f.ctx, o.rep1, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(stored, c); diff != "" {
			t.Fatalf("update result differs from the stored customer (-stored +result):\n%s", diff)
		}
		if c.Stage != "需求确认" || c.Category != "A" || c.Region != "北京市/海淀区" || c.Email != "li.lei@example.cn" ||
			c.OwnerID != o.rep1.ID || !c.Updated.Equal(f.clock.Now()) {
			t.Fatalf("after the owner's edit: %+v", c)
		}
		if h := f.history(ids[0]); len(h) != 2 {
			t.Fatalf("editing fields wrote ownership events: %+v", h)
		}

		refuse := func(actor gonghai.User, id string, patch gonghai.CustomerPatch, codes ...string) {
			t.Helper()
			before := f.snap(id)
			_, err := f.db.UpdateCustomer(f.ctx, actor, id, patch)
			wantRefused(t, err, codes...)
			f.unchanged(id, before)
		}
		refuse(o.rep1b, ids[0], gonghai.CustomerPatch{Stage: ptr("已流失")}, gonghai.ENotFound, gonghai.EForbidden)
		refuse(o.rep2, ids[0], gonghai.CustomerPatch{Stage: ptr("已流失")}, gonghai.ENotFound, gonghai.EForbidden)
		refuse(o.mgr2, ids[0], gonghai.CustomerPatch{Stage: ptr("已流失")}, gonghai.ENotFound, gonghai.EForbidden)
		refuse(o.rep1, ids[1], gonghai.CustomerPatch{Stage: ptr("跟进中")}, gonghai.EForbidden)
		refuse(o.mgr1, ids[1], gonghai.CustomerPatch{Stage: ptr("跟进中")}, gonghai.EForbidden)
		refuse(o.rep1, ids[0], gonghai.CustomerPatch{Category: ptr("Z"), Stage: ptr("跟进中")}, gonghai.EInvalid)
		refuse(o.rep1, ids[0], gonghai.CustomerPatch{Name: ptr(""), Company: ptr("")}, gonghai.EInvalid)

		// The owner's manager edits too.
		if _, err := f.db.UpdateCustomer(f.ctx, o.mgr1, ids[0], gonghai.CustomerPatch{Stage: ptr("谈判")}); err != nil {
			t.Fatalf("owner's manager edits: %v", err)
		}
		if got := f.customer(ids[0]).Stage; got != "谈判" {
			t.Fatalf("stage = %q after the manager's edit", got)
		}
	})
}

// TestHistory: events come in order, and only to those who may see the
// customer.
func TestHistory(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}})
		id := f.customers(p.ID, 1)[0]
		times := []time.Time{f.clock.Now()}
		step := func(do func()) {
			t.Helper()
			f.clock.Advance(time.Hour)
			times = append(times, f.clock.Now())
			do()
		}
		step(func() { mustClaim(f, o.rep1, id) })
		step(func() { f.release(o.rep1, id, "暂无需求", "", p.ID) })
		step(func() { mustClaim(f, o.rep1b, id) })
		step(func() { f.transfer(o.mgr1, o.rep1, id, "交接") })
		f.checkChain(id)

		h, err := f.db.History(f.ctx, o.rep1, id)
		if err != nil {
			t.Fatalf("owner reads the history: %v", err)
		}
		if diff := cmp.Diff(f.history(id), h); diff != "" {
			t.Fatalf("owner's and admin's history differ (-admin +owner):\n%s", diff)
		}
		want := []gonghai.EventKind{gonghai.EventCreated, gonghai.EventClaimed, gonghai.EventReleased, gonghai.EventClaimed, gonghai.EventTransferred}
		if len(h) != len(want) {
			t.Fatalf("history has %d events, want %d: %+v", len(h), len(want), h)
		}
		for i, e := range h {
			if e.Seq != i+1 || e.Kind != want[i] || !e.At.Equal(times[i]) || e.CustomerID != id {
				t.Fatalf("event %d = %+v, want seq %d kind %s at %s", i, e, i+1, want[i], times[i])
			}
		}
		if _, err := f.db.History(f.ctx, o.mgr1, id); err != nil {
			t.Fatalf("owner's manager reads the history: %v", err)
		}
		for _, u := range []gonghai.User{o.rep1b, o.rep2, o.mgr2} {
			_, err := f.db.History(f.ctx, u, id)
			wantCode(t, err, gonghai.ENotFound)
		}
		_, err = f.db.History(f.ctx, f.admin, "no-such-customer")
		wantCode(t, err, gonghai.ENotFound)
	})
}
