package store_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
)

// leadWorld is a pool with two reps of two departments and their
// managers, for conversions.
type leadWorld struct {
	*fixture
	pool                   gonghai.Pool
	repA, repB, mgrA, mgrB gonghai.User
}

func newLeadWorld(f *fixture) *leadWorld {
	f.t.Helper()
	a, b := f.dept("华东", ""), f.dept("华南", "")
	w := &leadWorld{fixture: f, repA: f.user("repa", gonghai.RoleRep, a.ID, nil), repB: f.user("repb", gonghai.RoleRep, b.ID, nil),
		mgrA: f.user("mgra", gonghai.RoleManager, a.ID, nil), mgrB: f.user("mgrb", gonghai.RoleManager, b.ID, nil)}
	w.pool = f.pool("线索池", gonghai.PoolInput{MemberUserIDs: &[]string{w.repA.ID, w.repB.ID}, Recycle: &gonghai.RecycleRules{
		Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10}}}})
	return w
}

// lead creates a lead owned by u ("" in the pool).
func (w *leadWorld) lead(owner, company, phone string) gonghai.Customer {
	w.t.Helper()
	c, err := w.db.CreateCustomer(w.ctx, w.admin, gonghai.NewCustomer{AllowSimilar: true, PoolID: w.pool.ID, OwnerID: owner,
		Lifecycle: gonghai.LifecycleLead, CustomerFields: gonghai.CustomerFields{Company: company, Name: "王芳", Phone: phone}})
	if err != nil {
		w.t.Fatal(err)
	}
	if c.Lifecycle != gonghai.LifecycleLead || c.ConvertedAt != nil {
		w.t.Fatalf("created %+v, want a lead", c)
	}
	return c
}

// converted counts the converted events in lead id's history, its own or,
// once it joined customer into, as kept under the customer.
func (w *leadWorld) converted(id, into string) int {
	w.t.Helper()
	h, err := w.db.MergedHistory(w.ctx, w.admin, into)
	if err != nil {
		w.t.Fatal(err)
	}
	if into == id {
		h = w.history(id)
	}
	n := 0
	for _, e := range h {
		if e.Kind == gonghai.EventConverted && e.CustomerID == id {
			n++
		}
	}
	return n
}

// TestConvert: a lead's owner converts it in place, with an opportunity
// and a stage, in one go: lifecycle customer, converted_at, one converted
// event with owner and pool unchanged, the contacts kept; who may not work
// on it may not convert it, a bad opportunity changes nothing, and a
// second conversion is already_converted.
func TestConvert(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newLeadWorld(f)
		l := w.lead(w.repA.ID, "启明星电子", "13800001111")
		in := gonghai.ConvertInput{Opportunity: &gonghai.ConvertOpportunity{Title: "年度采购", Amount: 1280000, Stage: "需求确认"}}

		_, err := f.db.Convert(f.ctx, w.repB, l.ID, in)
		wantCode(t, err, gonghai.ENotFound)
		_, err = f.db.Convert(f.ctx, w.mgrB, l.ID, in)
		wantCode(t, err, gonghai.ENotFound)
		bad := gonghai.ConvertInput{Opportunity: &gonghai.ConvertOpportunity{Title: " ", Stage: "不存在的阶段"}}
		_, err = f.db.Convert(f.ctx, w.repA, l.ID, bad)
		wantCode(t, err, gonghai.EInvalid)
		var ge *gonghai.Error
		if errors.As(err, &ge) && (ge.Fields["opportunity.title"] == "" || ge.Fields["opportunity.stage"] == "") {
			t.Errorf("fields %v, want title and stage", ge.Fields)
		}
		if c := f.customer(l.ID); c.Lifecycle != gonghai.LifecycleLead || w.converted(l.ID, l.ID) != 0 {
			t.Fatalf("a refused conversion changed the lead: %+v", c)
		}

		f.clock.Advance(3600e9)
		got, err := f.db.Convert(f.ctx, w.repA, l.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		c := got.Customer
		if got.Joined || c.ID != l.ID || c.Lifecycle != gonghai.LifecycleCustomer || c.ConvertedAt == nil ||
			!c.ConvertedAt.Equal(f.clock.Now()) || c.OwnerID != w.repA.ID || c.PoolID != w.pool.ID || c.Phone != "13800001111" ||
			c.Name != "王芳" || c.Stage != "需求确认" || c.OpenOpportunities != 1 {
			t.Errorf("converted %+v", c)
		}
		if got.Opportunity == nil || got.Opportunity.Title != "年度采购" || got.Opportunity.Amount != 1280000 {
			t.Errorf("opportunity %+v", got.Opportunity)
		}
		if os, err := f.db.Opportunities(f.ctx, w.repA, l.ID); err != nil || len(os) != 1 {
			t.Errorf("opportunities %d, %v", len(os), err)
		}
		h := f.history(l.ID)
		e := h[len(h)-1]
		if e.Kind != gonghai.EventConverted || e.FromOwnerID != w.repA.ID || e.ToOwnerID != w.repA.ID ||
			e.FromPoolID != w.pool.ID || e.ToPoolID != w.pool.ID || e.ActorID != w.repA.ID || e.Reason == "" {
			t.Errorf("last event %+v, want one converted event", e)
		}
		f.checkChain(l.ID)
		_, err = f.db.Convert(f.ctx, w.repA, l.ID, gonghai.ConvertInput{})
		wantCode(t, err, gonghai.EAlreadyConverted)
		if n := w.converted(l.ID, l.ID); n != 1 {
			t.Errorf("%d converted events, want 1", n)
		}

		// A manager over the owner converts; a lead in the pool is
		// claimed first by a rep, while an admin converts it where it is.
		l2 := w.lead(w.repA.ID, "启明星二号", "13800002222")
		if _, err := f.db.Convert(f.ctx, w.mgrA, l2.ID, gonghai.ConvertInput{}); err != nil {
			t.Fatal(err)
		}
		l3 := w.lead("", "启明星三号", "13800003333")
		_, err = f.db.Convert(f.ctx, w.repA, l3.ID, gonghai.ConvertInput{})
		wantCode(t, err, gonghai.EForbidden)
		if got, err := f.db.Convert(f.ctx, f.admin, l3.ID, gonghai.ConvertInput{}); err != nil || got.Customer.OwnerID != "" {
			t.Fatalf("admin converts in the pool: %+v, %v", got.Customer, err)
		}
		// A customer is not a lead.
		cs := f.customers(w.pool.ID, 1)
		_, err = f.db.Convert(f.ctx, f.admin, cs[0], gonghai.ConvertInput{})
		wantCode(t, err, gonghai.EAlreadyConverted)
	})
}

// TestConvertJoins: a lead created beside an existing customer (the same
// company and phone) joins it on conversion instead of becoming a second
// customer: its follow-ups and the new opportunity land on the existing
// one, which keeps its owner; the lead goes to the archive, merged, with
// one converted event; converting it again names the customer joined.
func TestConvertJoins(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newLeadWorld(f)
		existing, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: w.pool.ID, OwnerID: w.repB.ID,
			CustomerFields: gonghai.CustomerFields{Company: "北京星辰科技有限公司", Phone: "13900009999"}})
		if err != nil {
			t.Fatal(err)
		}
		l := w.lead(w.repA.ID, "星辰科技（线索）", "13811112222")
		if err := f.db.MakeDuplicateOf(f.ctx, l.ID, existing.ID); err != nil {
			t.Fatal(err)
		}
		f.logFollowUp(w.repA, l.ID, "call")
		got, err := f.db.Convert(f.ctx, w.repA, l.ID, gonghai.ConvertInput{Opportunity: &gonghai.ConvertOpportunity{Title: "试用", Amount: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Joined || got.Customer.ID != existing.ID || got.Opportunity == nil || got.Opportunity.CustomerID != existing.ID {
			t.Fatalf("joined %+v, opportunity %+v", got, got.Opportunity)
		}
		c := f.customer(existing.ID)
		if c.OwnerID != w.repB.ID || c.Lifecycle != gonghai.LifecycleCustomer || c.OpenOpportunities != 1 || c.LastFollowUp == nil {
			t.Errorf("existing customer after the join %+v", c)
		}
		if fs, _, err := f.db.FollowUps(f.ctx, f.admin, existing.ID, gonghai.Page{}); err != nil || len(fs) != 1 {
			t.Errorf("follow-ups %d, %v: want the lead's", len(fs), err)
		}
		f.mergedTo(f.admin, l.ID, existing.ID)
		if n := w.converted(l.ID, existing.ID); n != 1 {
			t.Errorf("%d converted events on the lead, want 1", n)
		}
		_, err = f.db.Convert(f.ctx, f.admin, l.ID, gonghai.ConvertInput{})
		wantCode(t, err, gonghai.EAlreadyConverted)
		var ge *gonghai.Error
		if !errors.As(err, &ge) || ge.MergedInto != existing.ID {
			t.Errorf("second conversion %v, want it to name %s", err, existing.ID)
		}
	})
}

// TestConvertRace: many clicks on 转为客户 at once, for a lead converting
// in place and for one joining a customer: exactly one succeeds, every
// other is already_converted, and one converted event and one opportunity
// are written.
func TestConvertRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		w := newLeadWorld(f)
		existing, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: w.pool.ID, OwnerID: w.repB.ID,
			CustomerFields: gonghai.CustomerFields{Company: "星辰科技", Phone: "13900009999"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, join := range []bool{false, true} {
			for round := range 3 {
				l := w.lead(w.repA.ID, "赛跑公司"+string(rune('A'+round))+map[bool]string{true: "J"}[join], "1380000"+string(rune('0'+round))+map[bool]string{false: "111", true: "222"}[join])
				target := l.ID
				if join {
					if err := f.db.MakeDuplicateOf(f.ctx, l.ID, existing.ID); err != nil {
						t.Fatal(err)
					}
					target = existing.ID
				}
				before, err := f.db.Opportunities(f.ctx, f.admin, target)
				if err != nil {
					t.Fatal(err)
				}
				const n = 8
				var wg sync.WaitGroup
				codes := make([]string, n)
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := f.db.Convert(f.ctx, w.repA, l.ID, gonghai.ConvertInput{Opportunity: &gonghai.ConvertOpportunity{Title: "抢单"}})
						codes[i] = gonghai.ErrorCode(err)
						if codes[i] != "" && codes[i] != gonghai.EAlreadyConverted {
							t.Errorf("conversion: %v", err)
						}
					}()
				}
				wg.Wait()
				won, lost := 0, 0
				for _, c := range codes {
					switch c {
					case "":
						won++
					case gonghai.EAlreadyConverted:
						lost++
					}
				}
				after, err := f.db.Opportunities(f.ctx, f.admin, target)
				if err != nil {
					t.Fatal(err)
				}
				if won != 1 || lost != n-1 || w.converted(l.ID, target) != 1 || len(after) != len(before)+1 {
					t.Errorf("join %v round %d: %d won, %d already converted, %d converted events, %d new opportunities; want 1, %d, 1, 1",
						join, round, won, lost, w.converted(l.ID, target), len(after)-len(before), n-1)
				}
			}
		}
	})
}
