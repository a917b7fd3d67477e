package store_test

import (
	"fmt"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// TestBulkInsertCustomers: a customer written by the bulk path is the
// customer CreateCustomer writes: the same fields, sealed and found again
// by their blind indexes, the same created event, the same deadline and
// reminder; a backdated one is due when its rules say; and a load is all or
// nothing.
func TestBulkInsertCustomers(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("华东销售部", "")
		rep := f.user("rep", gonghai.RoleRep, team.ID, nil)
		rules := gonghai.RecycleRules{WarnDays: 3, Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30}}}
		// A rule counts from when it was turned on: this one, a year ago.
		f.clock.Set(start.AddDate(-1, 0, 0))
		p := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}, Recycle: &rules})
		f.clock.Set(start)
		fields := func(n int) gonghai.CustomerFields {
			return gonghai.CustomerFields{Name: fmt.Sprintf("王%d", n), Company: fmt.Sprintf("华东贸易%d有限公司", n), Category: "A",
				Industry: "制造业", Region: "浙江省/杭州市", Source: "展会", Stage: "初步接触",
				Phone: fmt.Sprintf("139%08d", n), Email: fmt.Sprintf("wang%d@example.com", n), WeChat: fmt.Sprintf("wang_%d", n)}
		}
		created, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: rep.ID, CustomerFields: fields(1)})
		if err != nil {
			t.Fatal(err)
		}
		past := start.AddDate(0, 0, -40)
		in := []store.BulkCustomer{
			{NewCustomer: gonghai.NewCustomer{PoolID: p.ID, OwnerID: rep.ID, CustomerFields: fields(2)}},
			{NewCustomer: gonghai.NewCustomer{PoolID: p.ID, CustomerFields: fields(3)}},
			{NewCustomer: gonghai.NewCustomer{PoolID: p.ID, OwnerID: rep.ID, CustomerFields: fields(4)}, At: past},
		}
		ids, err := f.db.BulkInsertCustomers(f.ctx, f.admin, in)
		if err != nil || len(ids) != len(in) {
			t.Fatalf("bulk insert: %v, %v", ids, err)
		}

		// The owner sees every field in full, opened.
		bulk, err := f.db.Customer(f.ctx, rep, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if got := (gonghai.CustomerFields{Name: bulk.Name, Company: bulk.Company, Category: bulk.Category, Industry: bulk.Industry,
			Region: bulk.Region, Source: bulk.Source, Stage: bulk.Stage, Phone: bulk.Phone, Email: bulk.Email, WeChat: bulk.WeChat}); got != fields(2) || bulk.OwnerID != rep.ID {
			t.Fatalf("bulk customer %+v owned by %s, want %+v owned by %s", got, bulk.OwnerID, fields(2), rep.ID)
		}
		if bulk.Recycle == nil || created.Recycle == nil || !bulk.Recycle.At.Equal(created.Recycle.At) || bulk.Recycle.Rule != created.Recycle.Rule ||
			bulk.Reminder == nil || !bulk.Reminder.Equal(*created.Reminder) || !bulk.OwnedSince.Equal(*created.OwnedSince) {
			t.Fatalf("bulk customer's schedule %+v %v since %v, CreateCustomer's %+v %v since %v", bulk.Recycle, bulk.Reminder, bulk.OwnedSince,
				created.Recycle, created.Reminder, created.OwnedSince)
		}
		for i, id := range ids {
			f.checkChain(id)
			h := f.history(id)
			if len(h) != 1 || h[0].Kind != gonghai.EventCreated || h[0].ActorID != f.admin.ID || !h[0].At.Equal(f.customer(id).Created) {
				t.Fatalf("row %d: history %+v, want one created event by the admin when it was created", i+1, h)
			}
		}
		if pooled := f.customer(ids[1]); pooled.OwnerID != "" || pooled.Recycle != nil || pooled.OwnedSince != nil {
			t.Fatalf("unowned bulk customer %+v has an owner or a deadline", pooled)
		}
		old := f.customer(ids[2])
		if !old.Created.Equal(past) || !old.OwnedSince.Equal(past) || old.Recycle == nil || old.Recycle.At.After(start) {
			t.Fatalf("backdated customer created %v, owned since %v, due %+v; want %v and due by %v", old.Created, old.OwnedSince, old.Recycle, past, start)
		}
		due, err := f.db.DueRecycles(f.ctx, nil, 10)
		if err != nil || len(due) != 1 || due[0].CustomerID != ids[2] {
			t.Fatalf("due %+v (%v), want the backdated customer", due, err)
		}

		// The blind indexes: a duplicate is refused, a contact is found.
		_, err = f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{
			Company: "别的公司", Phone: fields(3).Phone}})
		wantCode(t, err, gonghai.EDuplicate)
		found, _, err := f.db.PoolCustomers(f.ctx, f.admin, p.ID, gonghai.CustomerFilter{Q: fields(3).Email}, gonghai.Page{})
		if err != nil || len(found) != 1 || found[0].ID != ids[1] {
			t.Fatalf("search by a bulk customer's email found %d (%v)", len(found), err)
		}

		// All or none.
		count := func() int {
			n, err := f.db.CustomerCount(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		many := make([]store.BulkCustomer, 1201)
		for i := range many {
			many[i] = store.BulkCustomer{NewCustomer: gonghai.NewCustomer{PoolID: p.ID, CustomerFields: fields(100 + i)}}
		}
		many[1100].Phone = many[5].Phone
		_, err = f.db.BulkInsertCustomers(f.ctx, f.admin, many)
		wantCode(t, err, gonghai.EConflict)
		many[1100].Phone = ""
		for _, bad := range []struct {
			in   []store.BulkCustomer
			code string
		}{
			{[]store.BulkCustomer{many[0], {NewCustomer: gonghai.NewCustomer{PoolID: p.ID}}}, gonghai.EInvalid},
			{[]store.BulkCustomer{many[0], {NewCustomer: gonghai.NewCustomer{PoolID: "no-such-pool", CustomerFields: fields(99)}}}, gonghai.EInvalid},
			{[]store.BulkCustomer{many[0], {NewCustomer: gonghai.NewCustomer{PoolID: p.ID, OwnerID: "no-such-user", CustomerFields: fields(99)}}}, gonghai.EInvalid},
		} {
			_, err := f.db.BulkInsertCustomers(f.ctx, f.admin, bad.in)
			wantCode(t, err, bad.code)
		}
		_, err = f.db.BulkInsertCustomers(f.ctx, rep, many[:1])
		wantCode(t, err, gonghai.EForbidden)
		if n := count(); n != before {
			t.Fatalf("refused loads left %d customers behind", n-before)
		}

		// Loads larger than one statement.
		ids, err = f.db.BulkInsertCustomers(f.ctx, f.admin, many)
		if err != nil || len(ids) != len(many) || count() != before+len(many) {
			t.Fatalf("bulk insert of %d: %d ids, %v", len(many), len(ids), err)
		}
		for _, i := range []int{0, 499, 500, 1200} {
			x, err := f.db.ExportCustomer(f.ctx, f.admin, ids[i])
			if err != nil || x.Customer.Company != many[i].Company || x.Customer.Phone != many[i].Phone {
				t.Fatalf("row %d holds %s %s (%v), want %s %s", i+1, x.Customer.Company, x.Customer.Phone, err, many[i].Company, many[i].Phone)
			}
		}
	})
}
