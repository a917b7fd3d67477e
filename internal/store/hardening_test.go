package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// as reads customer id as viewer sees it.
func (f *fixture) as(viewer gonghai.User, id string) gonghai.Customer {
	f.t.Helper()
	c, err := f.db.Customer(f.ctx, viewer, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// contactAudit lists the contact changes audited for customer id, newest
// first.
func (f *fixture) contactAudit(id string) []gonghai.AuditEntry {
	f.t.Helper()
	var out []gonghai.AuditEntry
	for _, e := range f.auditOf(gonghai.AuditContactChange) {
		if e.TargetID == id {
			out = append([]gonghai.AuditEntry{e}, out...)
		}
	}
	return out
}

// TestHiddenContactRoundTrip: a manager who is shown a customer's contacts
// hidden (or masked) and saves the body back with one other field changed
// changes that field only; he can never overwrite or clear a contact he
// was not shown in full, until he reveals it; a clear by the owner is
// audited.
func TestHiddenContactRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("华东组", "")
		mgr := f.user("mgr", gonghai.RoleManager, team.ID, nil)
		rep := f.user("rep", gonghai.RoleRep, team.ID, nil)
		hidden := f.pool("重点公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}, ContactMask: ptr(gonghai.MaskHidden)})
		masked := f.pool("普通公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		full := gonghai.CustomerFields{Company: "杭州恒信科技有限公司", Phone: "13812348000", Email: "zhang.wei@hengxin.cn", WeChat: "zhangwei_hx"}
		mk := func(p gonghai.Pool, n int) string {
			fields := full
			fields.Company += string(rune('0' + n))
			fields.Phone, fields.Email, fields.WeChat = "1381234800"+string(rune('0'+n)), string(rune('a'+n))+full.Email, full.WeChat+string(rune('a'+n))
			c, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: rep.ID, CustomerFields: fields})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		for i, p := range []gonghai.Pool{hidden, masked} {
			id := mk(p, i)
			own := f.as(rep, id)
			shown := f.as(mgr, id)
			if p.ID == hidden.ID && (shown.Phone != "" || shown.Email != "" || shown.WeChat != "") {
				t.Fatalf("a hidden pool shows the manager %q %q %q", shown.Phone, shown.Email, shown.WeChat)
			}
			// The manager saves back what he was shown, with the industry changed.
			back := gonghai.CustomerPatch{Phone: &shown.Phone, Email: &shown.Email, WeChat: &shown.WeChat, Industry: ptr("软件")}
			got, err := f.db.UpdateCustomer(f.ctx, mgr, id, back)
			if err != nil {
				t.Fatalf("%s: saving back what was shown: %v", p.Name, err)
			}
			if got.Industry != "软件" {
				t.Fatalf("%s: industry = %q", p.Name, got.Industry)
			}
			after := f.as(rep, id)
			if after.Phone != own.Phone || after.Email != own.Email || after.WeChat != own.WeChat {
				t.Fatalf("%s: the owner's contacts changed to %q %q %q", p.Name, after.Phone, after.Email, after.WeChat)
			}
			if n := len(f.contactAudit(id)); n != 0 {
				t.Fatalf("%s: an unchanged contact was audited %d times", p.Name, n)
			}

			// Overwriting or clearing what he was not shown in full is
			// refused, whole. (In a hidden pool an empty value is what he
			// was shown: it leaves the contact as it is, as above.)
			before := f.snap(id)
			refused := []gonghai.CustomerPatch{{Email: ptr("new@hengxin.cn"), Industry: ptr("制造")}, {Phone: ptr("13900001111")}}
			if p.ID == masked.ID {
				refused = append(refused, gonghai.CustomerPatch{Phone: ptr(""), Industry: ptr("制造")}, gonghai.CustomerPatch{WeChat: ptr("")})
			}
			for _, patch := range refused {
				_, err := f.db.UpdateCustomer(f.ctx, mgr, id, patch)
				wantCode(t, err, gonghai.EForbidden)
				f.unchanged(id, before)
			}
			// Once he has revealed them, he has seen them: he may correct one, and it is audited.
			if _, err := f.db.Reveal(f.ctx, mgr, id); err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.UpdateCustomer(f.ctx, mgr, id, gonghai.CustomerPatch{Phone: ptr("1390000111" + string(rune('0'+i)))}); err != nil {
				t.Fatalf("%s: a correction after a reveal: %v", p.Name, err)
			}
			if log := f.contactAudit(id); len(log) != 1 || log[0].Detail["phone"] != "changed" || log[0].ActorID != mgr.ID {
				t.Fatalf("%s: audit of the correction: %+v", p.Name, log)
			}
			// ... but not after the window.
			f.clock.Advance(gonghai.RevealEditWindow + time.Minute)
			_, err = f.db.UpdateCustomer(f.ctx, mgr, id, gonghai.CustomerPatch{Email: ptr("late@hengxin.cn")})
			wantCode(t, err, gonghai.EForbidden)
			// The owner clears a contact: allowed, and audited.
			if _, err := f.db.UpdateCustomer(f.ctx, rep, id, gonghai.CustomerPatch{Email: ptr("")}); err != nil {
				t.Fatal(err)
			}
			if c := f.as(rep, id); c.Email != "" {
				t.Fatalf("the owner's clear left %q", c.Email)
			}
			if log := f.contactAudit(id); len(log) != 2 || log[0].Detail["email"] != "cleared" || log[0].ActorID != rep.ID {
				t.Fatalf("%s: audit of the owner's clear: %+v", p.Name, log)
			}
			// Where there is nothing to lose, a manager may add one.
			if _, err := f.db.UpdateCustomer(f.ctx, mgr, id, gonghai.CustomerPatch{Email: ptr("sales" + string(rune('a'+i)) + "@hengxin.cn")}); err != nil {
				t.Fatalf("%s: adding an email where there was none: %v", p.Name, err)
			}
		}
	})
}

// TestPoolAdminGivesOnlyToMembers: a manager who is a pool's admin assigns
// from the pool only to its members (and his own team), creates for them
// only, and never transfers to someone he has no authority over.
func TestPoolAdminGivesOnlyToMembers(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		north := f.dept("华北组", "")
		south := f.dept("华南组", "")
		mgr := f.user("mgr.north", gonghai.RoleManager, north.ID, nil)
		member := f.user("rep.north", gonghai.RoleRep, north.ID, nil)
		stranger := f.user("rep29", gonghai.RoleRep, south.ID, nil)
		named := f.user("rep.named", gonghai.RoleRep, south.ID, nil)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{north.ID}, MemberUserIDs: &[]string{named.ID},
			AdminUserIDs: &[]string{mgr.ID}})
		ids := f.customers(p.ID, 3)

		before := f.snap(ids[0])
		_, err := f.db.Assign(f.ctx, mgr, ids[0], stranger.ID, "", false)
		wantCode(t, err, gonghai.EForbidden)
		f.unchanged(ids[0], before)
		_, err = f.db.CreateCustomer(f.ctx, mgr, gonghai.NewCustomer{PoolID: p.ID, OwnerID: stranger.ID,
			CustomerFields: gonghai.CustomerFields{Company: "新建客户", Phone: "13700001111"}})
		wantCode(t, err, gonghai.EForbidden)

		// A named member outside his team is a member: the pool admin may.
		if _, err := f.db.Assign(f.ctx, mgr, ids[0], named.ID, "", false); err != nil {
			t.Fatalf("pool admin assigns to a named member: %v", err)
		}
		if _, err := f.db.Assign(f.ctx, mgr, ids[1], member.ID, "", false); err != nil {
			t.Fatalf("pool admin assigns to a member of his team: %v", err)
		}
		// He manages member, not stranger: no transfer to stranger, nor of named's customer.
		for _, tc := range []struct {
			id string
			to gonghai.User
		}{{ids[1], stranger}, {ids[0], member}} {
			before := f.snap(tc.id)
			_, err := f.db.Transfer(f.ctx, mgr, tc.id, tc.to.ID, "", false)
			wantRefused(t, err, gonghai.EForbidden, gonghai.ENotFound)
			f.unchanged(tc.id, before)
		}
		sameIDs(t, "the stranger's customers", f.myIDs(stranger), nil)
	})
}

// TestTokensEndForGood: deactivating a user or setting their password ends
// their tokens, and reactivating brings none back; a token may expire; a
// holder and admins revoke tokens, others are told they do not exist.
func TestTokensEndForGood(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		other := f.user("other", gonghai.RoleRep, "", nil)
		works := func(token string, want bool) {
			t.Helper()
			u, err := f.db.Authenticate(f.ctx, token)
			if want && (err != nil || u.ID != rep.ID) {
				t.Fatalf("a live token: %v %v", u.ID, err)
			}
			if !want {
				wantCode(t, err, gonghai.EUnauthenticated)
			}
		}
		issue := func(in gonghai.NewToken) (gonghai.Token, string) {
			t.Helper()
			tok, secret, err := f.db.IssueToken(f.ctx, nil, rep.Login, "", in)
			if err != nil {
				t.Fatal(err)
			}
			return tok, secret
		}

		_, old := issue(gonghai.NewToken{Name: "脚本"})
		works(old, true)
		if _, err := f.db.UpdateUser(f.ctx, f.admin, rep.ID, gonghai.UserPatch{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		works(old, false)
		if _, err := f.db.UpdateUser(f.ctx, f.admin, rep.ID, gonghai.UserPatch{Active: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		works(old, false) // reactivated: the old token stays ended

		_, beforePassword := issue(gonghai.NewToken{})
		works(beforePassword, true)
		if err := f.db.SetPassword(f.ctx, nil, rep.Login, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"); err != nil {
			t.Fatal(err)
		}
		works(beforePassword, false)

		week, weekly := issue(gonghai.NewToken{ExpiresInDays: 7})
		if week.Expires == nil || !week.Expires.Equal(f.clock.Now().UTC().Truncate(time.Microsecond).AddDate(0, 0, 7)) {
			t.Fatalf("a 7-day token expires %v", week.Expires)
		}
		f.clock.Advance(7*24*time.Hour - time.Minute)
		works(weekly, true)
		f.clock.Advance(2 * time.Minute)
		works(weekly, false)

		keep, kept := issue(gonghai.NewToken{Name: "保留"})
		gone, goneSecret := issue(gonghai.NewToken{})
		wantCode(t, f.db.RevokeToken(f.ctx, &other, gone.ID), gonghai.ENotFound)
		works(goneSecret, true)
		if err := f.db.RevokeToken(f.ctx, &rep, gone.ID); err != nil {
			t.Fatal(err)
		}
		works(goneSecret, false)
		works(kept, true)
		wantCode(t, f.db.RevokeToken(f.ctx, &f.admin, gone.ID), gonghai.ENotFound) // gone already

		list, err := f.db.Tokens(f.ctx, rep, rep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != keep.ID || list[1].ID != week.ID {
			t.Fatalf("rep's tokens: %+v, want the kept and the expired one, newest first", list)
		}
		_, err = f.db.Tokens(f.ctx, other, rep.ID)
		wantCode(t, err, gonghai.ENotFound)
		if _, _, err := f.db.IssueToken(f.ctx, &other, rep.Login, "", gonghai.NewToken{}); gonghai.ErrorCode(err) != gonghai.EForbidden {
			t.Fatalf("a token made for someone else: %v", err)
		}
		for _, bad := range []gonghai.NewToken{{ExpiresInDays: -1}, {ExpiresInDays: gonghai.MaxTokenDays + 1}} {
			_, _, err := f.db.IssueToken(f.ctx, nil, rep.Login, "", bad)
			wantField(t, err, "expires_in_days")
		}
		n, err := f.db.RevokeTokens(f.ctx, rep.Login)
		if err != nil || n != 2 {
			t.Fatalf("revoke all: %d %v", n, err)
		}
		works(kept, false)
	})
}

// TestFollowUpAndOrderChecks: a follow-up dated before the day the
// customer was created, and an order of nothing, are refused and change
// nothing; a follow-up earlier on the day of creation is fine.
func TestFollowUpAndOrderChecks(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID},
			Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNotWon, Enabled: true, Days: 30})})
		id := f.claimed(rep, p.ID, "", 1)[0]
		before := f.snap(id)
		for _, at := range []time.Time{start.AddDate(-1, 0, 0), gonghai.StartOfDay(start, rulesLoc).Add(-time.Second)} {
			_, err := f.db.AddFollowUp(f.ctx, rep, id, gonghai.NewFollowUp{Kind: "call", Content: "电话沟通", At: &at})
			wantField(t, err, "at")
		}
		for _, amount := range []gonghai.Money{0, -100} {
			_, err := f.db.CreateOrder(f.ctx, rep, id, amount, start.In(rulesLoc).Format(time.DateOnly))
			wantField(t, err, "amount")
		}
		f.unchanged(id, before)
		if c := f.customer(id); c.Won || c.Recycle == nil {
			t.Fatalf("after refused orders: won %v, deadline %v", c.Won, c.Recycle)
		}
		earlier := gonghai.StartOfDay(start, rulesLoc).Add(time.Minute)
		if _, err := f.db.AddFollowUp(f.ctx, rep, id, gonghai.NewFollowUp{Kind: "call", Content: "先打的电话", At: &earlier}); err != nil {
			t.Fatalf("a call earlier on the day of creation: %v", err)
		}
	})
}

// TestMyCustomersFilters: a rep's private pool takes the pool listing's
// filters, and sort=recycle_at puts the nearest deadline first, customers
// no rule takes back last, across pages.
func TestMyCustomersFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		ruled := f.pool("有规则", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID},
			Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10})})
		free := f.pool("无规则", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		var urgent []string // in the order they fall due
		for range 4 {
			f.clock.Advance(24 * time.Hour)
			urgent = append(urgent, f.claimed(rep, ruled.ID, "", 1)[0])
		}
		// A follow-up pushes the first one last: not the order of claiming.
		f.clock.Advance(24 * time.Hour)
		f.logFollowUp(rep, urgent[0], "call")
		urgent = append(urgent[1:], urgent[0])
		never := f.claimed(rep, free.ID, "", 2)
		f.clock.Advance(time.Hour)
		c, err := f.db.CreateCustomer(f.ctx, rep, gonghai.NewCustomer{PoolID: free.ID, OwnerID: rep.ID,
			CustomerFields: gonghai.CustomerFields{Company: "深圳星辰科技有限公司", Category: "A", Industry: "软件", Region: "广东省/深圳市/南山区",
				Phone: "13712345678"}})
		if err != nil {
			t.Fatal(err)
		}
		list := func(fl gonghai.CustomerFilter, size int) []string { return f.myFiltered(rep, fl, size) }
		for _, fl := range []gonghai.CustomerFilter{{Q: "星辰"}, {Q: "137 1234 5678"}, {Category: "A"}, {Industry: "软件"},
			{Region: "广东省"}, {Region: "广东省/深圳市"}, {Q: "星辰", Sort: gonghai.SortUrgent}} {
			if got := list(fl, 50); len(got) != 1 || got[0] != c.ID {
				t.Errorf("filter %+v finds %v, want the one customer", fl, got)
			}
		}
		if got := list(gonghai.CustomerFilter{Region: "广东"}, 50); len(got) != 0 {
			t.Errorf("a region prefix that is not a whole place matches %v", got)
		}
		want := append(urgent, never[0], never[1], c.ID) // no deadline: last, in the order they came
		for _, size := range []int{1, 2, 50} {
			got := list(gonghai.CustomerFilter{Sort: gonghai.SortUrgent}, size)
			if !slices.Equal(got, want) {
				t.Fatalf("most urgent first, pages of %d: %v, want %v", size, got, want)
			}
		}
		_, _, err = f.db.MyCustomers(f.ctx, rep, gonghai.CustomerFilter{Sort: "name"}, gonghai.Page{})
		wantField(t, err, "sort")
		_, _, err = f.db.MyCustomers(f.ctx, rep, gonghai.CustomerFilter{Sort: gonghai.SortUrgent}, gonghai.Page{After: "garbage"})
		wantField(t, err, "cursor")
	})
}

// TestExportCountsDaysLeft: the admin export of a customer counts down to
// its deadline as its GET does.
func TestExportCountsDaysLeft(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID},
			Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10})})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.clock.Advance(2 * 24 * time.Hour)
		x, err := f.db.ExportCustomer(f.ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.customer(id); got.DaysLeft == 0 || x.Customer.DaysLeft != got.DaysLeft {
			t.Fatalf("export says %d days left, GET %d", x.Customer.DaysLeft, got.DaysLeft)
		}
	})
}

// TestManagerHandOverMovesWhatHeMay: a manager hands over a leaver's
// customers; one of a pool he does not see stays, reported, and the rest
// move.
func TestManagerHandOverMovesWhatHeMay(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("华东组", "")
		mgr := f.user("mgr", gonghai.RoleManager, team.ID, nil)
		leaver := f.user("leaver", gonghai.RoleRep, team.ID, nil)
		heir := f.user("heir", gonghai.RoleRep, team.ID, nil)
		outsider := f.user("outsider", gonghai.RoleRep, "", nil)
		ours := f.pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{team.ID}})
		// A pool that serves nobody of his: the admin gave the leaver one of its customers.
		theirs := f.pool("总部公海", gonghai.PoolInput{MemberUserIDs: &[]string{outsider.ID}})
		moved := f.claimed(leaver, ours.ID, "", 2)
		kept := f.customers(theirs.ID, 1)[0]
		if _, err := f.db.Assign(f.ctx, f.admin, kept, leaver.ID, "", false); err != nil {
			t.Fatal(err)
		}
		before := f.snap(kept)

		_, err := f.db.HandOver(f.ctx, mgr, leaver.ID, outsider.ID, "离职交接", false)
		wantField(t, err, "to_user_id") // someone he cannot see is no one to him
		_, err = f.db.HandOver(f.ctx, mgr, leaver.ID, heir.ID, "离职交接", true)
		wantCode(t, err, gonghai.EForbidden) // only an admin forces: refused whole, nothing moved
		res, err := f.db.HandOver(f.ctx, mgr, leaver.ID, heir.ID, "离职交接", false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Moved != 2 || len(res.Left) != 1 || res.Left[0].CustomerID != kept {
			t.Fatalf("hand-over: %+v, want 2 moved and %s left", res, kept)
		}
		wantRefused(t, res.Left[0].Err, gonghai.ENotFound, gonghai.EForbidden)
		if msg := gonghai.ErrorMessage(res.Left[0].Err); strings.Contains(msg, theirs.Name) {
			t.Fatalf("the refusal names a pool the manager may not see: %q", msg)
		}
		sameIDs(t, "the heir's customers", f.myIDs(heir), moved)
		sameIDs(t, "the leaver's customers", f.myIDs(leaver), []string{kept})
		f.unchanged(kept, before)
		for _, id := range moved {
			f.checkChain(id)
		}
	})
}
