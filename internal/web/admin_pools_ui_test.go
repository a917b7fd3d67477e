package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// adminOrg is a small organisation for the admin pages: a department with
// a rep, a pool of that department whose rule takes customers back after
// 30 days without follow-up, and one customer the rep owns, gained today.
type adminOrg struct {
	*signIn
	dept     gonghai.Department
	rep      gonghai.User
	pool     gonghai.Pool
	customer gonghai.Customer
}

func newAdminOrg(t *testing.T, o *signIn) *adminOrg {
	t.Helper()
	a := &adminOrg{signIn: o}
	var err error
	if a.dept, err = o.db.CreateDepartment(o.ctx, o.admin, "华东组", ""); err != nil {
		t.Fatal(err)
	}
	a.rep = o.person("rep.li", "rep-pw-123", gonghai.RoleRep)
	if a.rep, err = o.db.UpdateUser(o.ctx, o.admin, a.rep.ID, gonghai.UserPatch{DepartmentID: &a.dept.ID}); err != nil {
		t.Fatal(err)
	}
	name := "华东公海"
	rules := gonghai.RecycleRules{WarnDays: 3, Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30}}}
	if a.pool, err = o.db.CreatePool(o.ctx, o.admin, gonghai.PoolInput{Name: &name, MemberDepartmentIDs: &[]string{a.dept.ID},
		Recycle: &rules}); err != nil {
		t.Fatal(err)
	}
	a.customer, err = o.db.CreateCustomer(o.ctx, o.admin, gonghai.NewCustomer{PoolID: a.pool.ID, OwnerID: a.rep.ID,
		CustomerFields: gonghai.CustomerFields{Name: "张伟", Company: "上海恒信科技有限公司", Phone: "13812348000"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signedIn returns a browser signed in as login.
func (a *adminOrg) signedIn(t *testing.T, login, pw string) *page {
	p := newPage(t, a.srv.URL)
	p.signIn(login, pw)
	return p
}

// poolForm is the editor's form as a browser sends it for pool p, with
// the rule of no follow-up at days.
func poolForm(p gonghai.Pool, days string) url.Values {
	v := url.Values{"name": {p.Name}, "contact_mask": {p.ContactMask}, "daily_claim_limit": {"0"}, "holding_limit": {"0"},
		"reclaim_cooldown_days": {"0"}, "release_wait_hours": {"0"}, "warn_days": {"3"}, "preview_days": {"14"},
		"member_department_ids": p.MemberDepartmentIDs, "counting_kinds": gonghai.DefaultCountingKinds,
		"rule.no_follow_up.enabled": {"on"}, "rule.no_follow_up.days": {days}}
	return v
}

var previewTotal = regexp.MustCompile(`data-test="preview-total">([^<]*)`)

func TestAdminPoolEditor(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		admin := a.signedIn(t, "boss", "admin-pw")

		r := admin.get("/admin/pools")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "华东公海") || !strings.Contains(r.Body, "超期未跟进") {
			t.Fatalf("pool list: %d\n%.800s", r.Status, r.Body)
		}

		// Create a pool with rules of two kinds, members by department.
		form := url.Values{"name": {"华南公海"}, "contact_mask": {"hidden"}, "daily_claim_limit": {"5"}, "holding_limit": {"50"},
			"reclaim_cooldown_days": {"7"}, "release_wait_hours": {"24"}, "warn_days": {"2"}, "member_department_ids": {a.dept.ID},
			"admin_user_ids": {a.rep.ID}, "counting_kinds": {"call", "visit"},
			"rule.not_contacted.enabled": {"on"}, "rule.not_contacted.days": {"3"},
			"rule.protection.enabled": {"on"}, "rule.protection.days": {"15"}, "rule.protection.days.A": {"30"},
			"rule.protection.extend_days": {"7"}, "rule.protection.max_days": {"60"}}
		r = admin.post("/admin/pools/new", form)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/admin/pools/") {
			t.Fatalf("create pool: %d to %q\n%.800s", r.Status, r.Location(), r.Body)
		}
		id := strings.TrimPrefix(strings.Split(r.Location(), "?")[0], "/admin/pools/")
		p, err := o.db.Pool(o.ctx, o.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		want := []gonghai.RecycleRule{
			{Kind: gonghai.RuleNotContacted, Enabled: true, Days: 3},
			{Kind: gonghai.RuleProtection, Enabled: true, Days: 15, CategoryDays: map[string]int{"A": 30}, ExtendDays: 7, MaxDays: 60},
		}
		for i := range p.Recycle.Rules {
			p.Recycle.Rules[i].Since = want[i].Since // when they start is the store's
		}
		if diff := cmp.Diff(want, p.Recycle.Rules); diff != "" || p.ContactMask != gonghai.MaskHidden || p.DailyClaimLimit != 5 ||
			p.HoldingLimit != 50 || !p.IsAdmin(a.rep.ID) || len(p.MemberDepartmentIDs) != 1 {
			t.Fatalf("the pool created: %+v\nrules (-want +got):\n%s", p, diff)
		}
		if r := admin.get(r.Location()); r.Status != http.StatusOK || !strings.Contains(r.Body, "公海已保存") ||
			!strings.Contains(r.Body, `value="华南公海"`) {
			t.Fatalf("the new pool's editor: %d\n%.600s", r.Status, r.Body)
		}

		// The preview follows the form's rules as htmx sends them, and
		// nothing is saved: 30 days leave the customer alone for two
		// weeks, 1 day takes it back the day after tomorrow.
		before, _ := o.db.Pool(o.ctx, o.admin, a.pool.ID)
		hx := map[string]string{"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
		preview := func(days string) string {
			t.Helper()
			r := admin.do(http.MethodPost, "/admin/pools/"+a.pool.ID+"/preview", poolForm(a.pool, days), hx)
			if r.Status != http.StatusOK || strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `id="pool-preview"`) {
				t.Fatalf("preview at %s days: %d\n%.600s", days, r.Status, r.Body)
			}
			return r.Body
		}
		at30, at1 := preview("30"), preview("1")
		if m := previewTotal.FindStringSubmatch(at30); m == nil || !strings.Contains(m[1], "将回收 0 个客户") {
			t.Errorf("under 30 days the preview says %q, want no customer", m)
		}
		if m := previewTotal.FindStringSubmatch(at1); m == nil || !strings.Contains(m[1], "将回收 1 个客户") {
			t.Errorf("under 1 day the preview says %q, want one customer", m)
		}
		day := gonghai.AddDays(o.clock.Now(), 2, gonghai.Settings{}.Location()).In(gonghai.Settings{}.Location()).Format("2006-01-02")
		if !strings.Contains(at1, `data-date="`+day+`" data-total="1"`) || !strings.Contains(at1, "上海恒信科技有限公司") ||
			!strings.Contains(at1, "王芳") {
			t.Errorf("under 1 day the customer does not drop on %s under its owner:\n%s", day, at1)
		}
		if strings.Contains(at1, "13812348000") {
			t.Error("the preview shows a customer's phone")
		}
		// Without htmx the editor comes back whole, the form as sent.
		if r := admin.post("/admin/pools/"+a.pool.ID+"/preview", poolForm(a.pool, "1")); r.Status != http.StatusOK ||
			!strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `name="rule.no_follow_up.days" value="1"`) {
			t.Fatalf("preview without htmx: %d\n%.600s", r.Status, r.Body)
		}
		// A rule being typed shows what is wrong in the preview, not an error page.
		if r := admin.do(http.MethodPost, "/admin/pools/"+a.pool.ID+"/preview", poolForm(a.pool, "0"), hx); r.Status != http.StatusOK ||
			!strings.Contains(r.Body, `data-test="preview-problems"`) || !strings.Contains(r.Body, "1 到 10000 天") {
			t.Fatalf("preview of an invalid rule: %d\n%.600s", r.Status, r.Body)
		}
		after, _ := o.db.Pool(o.ctx, o.admin, a.pool.ID)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Fatalf("previews changed the pool (-before +after):\n%s", diff)
		}

		// Invalid input shows the form again with the field's problem and
		// changes nothing.
		bad := poolForm(a.pool, "0")
		bad.Set("daily_claim_limit", "许多")
		r = admin.post("/admin/pools/"+a.pool.ID, bad)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "请填写整数") ||
			!strings.Contains(r.Body, `value="许多"`) || !strings.Contains(r.Body, `id="pool-preview"`) {
			t.Fatalf("an invalid save: %d\n%.800s", r.Status, r.Body)
		}
		r = admin.post("/admin/pools/"+a.pool.ID, poolForm(a.pool, "0"))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "1 到 10000 天") {
			t.Fatalf("an invalid rule: %d\n%.800s", r.Status, r.Body)
		}
		if r := admin.post("/admin/pools/new", url.Values{"name": {""}, "contact_mask": {"masked"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "1 到 100 个字符") {
			t.Fatalf("a pool without a name: %d\n%.800s", r.Status, r.Body)
		}
		if after, _ := o.db.Pool(o.ctx, o.admin, a.pool.ID); !cmp.Equal(before, after) {
			t.Fatal("a refused save changed the pool")
		}
		if pools, _ := o.db.Pools(o.ctx, o.admin); len(pools) != 2 {
			t.Fatalf("%d pools after a refused create, want 2", len(pools))
		}

		// Saving applies the rule the preview showed.
		r = admin.post("/admin/pools/"+a.pool.ID, poolForm(a.pool, "1"))
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.800s", r.Status, r.Body)
		}
		if after, _ := o.db.Pool(o.ctx, o.admin, a.pool.ID); after.Recycle.Rules[0].Days != 1 {
			t.Fatalf("saved rules: %+v", after.Recycle.Rules)
		}
	})
}

// TestAdminPoolRulesOnly: a pool's admin edits its claim and recycle rules
// and nothing else; English works the same.
func TestAdminPoolRulesOnly(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		if _, err := o.db.UpdatePool(o.ctx, o.admin, a.pool.ID, gonghai.PoolInput{AdminUserIDs: &[]string{a.rep.ID}}); err != nil {
			t.Fatal(err)
		}
		rep := a.signedIn(t, "rep.li", "rep-pw-123")
		rep.lang = "en"
		r := rep.get("/admin/pools")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Rules only") || strings.Contains(r.Body, `href="/admin/pools/new"`) {
			t.Fatalf("a pool admin's pool list: %d\n%.800s", r.Status, r.Body)
		}
		r = rep.get("/admin/pools/" + a.pool.ID)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="pool-name" name="name" value="华东公海" maxlength="100" required disabled`) ||
			strings.Contains(r.Body, `name="member_user_ids"`) || !strings.Contains(r.Body, "Recycle preview") {
			t.Fatalf("a pool admin's editor: %d\n%.1200s", r.Status, r.Body)
		}
		form := poolForm(a.pool, "45")
		form.Set("name", "改名") // not theirs to change: ignored
		form.Set("daily_claim_limit", "9")
		if r := rep.post("/admin/pools/"+a.pool.ID, form); r.Status != http.StatusSeeOther {
			t.Fatalf("a pool admin saves rules: %d\n%.800s", r.Status, r.Body)
		}
		p, _ := o.db.Pool(o.ctx, o.admin, a.pool.ID)
		if p.Name != "华东公海" || p.DailyClaimLimit != 9 || p.Recycle.Rules[0].Days != 45 || len(p.MemberDepartmentIDs) != 1 {
			t.Fatalf("after a pool admin's save: %+v", p)
		}
	})
}
