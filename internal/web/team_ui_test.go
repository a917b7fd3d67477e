package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// teamOrg is the API tests' organisation whose people also sign in with
// passwords, with a customer of 华北组 that 华东组's manager must never see.
type teamOrg struct {
	*org
	northC string // owned by rep.north
}

func eachTeamOrg(t *testing.T, test func(t *testing.T, o *teamOrg)) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		o := &teamOrg{org: newOrg(t, dsn)}
		ctx := context.Background()
		for _, login := range []string{"admin", "mgr.east", "rep.a", "rep.north"} {
			if err := o.db.SetPassword(ctx, nil, login, cheapHash("pw-"+login)); err != nil {
				t.Fatal(err)
			}
		}
		o.northC = o.create(o.northPool, o.north.ID, "华北独有重工", "13955558888")
		test(t, o)
	})
}

// create makes a customer of pool p for owner ("" for the pool).
func (o *teamOrg) create(p gonghai.Pool, owner, company, phone string) string {
	o.t.Helper()
	c, err := o.db.CreateCustomer(context.Background(), o.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: owner, AllowSimilar: true,
		CustomerFields: gonghai.CustomerFields{Company: company, Phone: phone}})
	if err != nil {
		o.t.Fatal(err)
	}
	return c.ID
}

// as signs in login on a fresh browser.
func (o *teamOrg) as(login string) *page {
	o.t.Helper()
	p := newPage(o.t, o.srv.URL)
	p.signIn(login, "pw-"+login)
	return p
}

// ownerOf is who owns customer id now.
func (o *teamOrg) ownerOf(id string) string {
	o.t.Helper()
	c, err := o.db.Customer(context.Background(), o.admin, id)
	if err != nil {
		o.t.Fatal(err)
	}
	return c.OwnerID
}

// TestTeamPageScope: reps are refused the team page; a manager sees their
// subtree's customers, masked, and never another subtree's, even when the
// URL names its rep; an admin sees everyone's.
func TestTeamPageScope(t *testing.T) {
	eachTeamOrg(t, func(t *testing.T, o *teamOrg) {
		if r := o.as("rep.a").get("/team"); r.Status != http.StatusForbidden || strings.Contains(r.Body, "上海恒信") {
			t.Fatalf("a rep opens the team page: %d\n%.400s", r.Status, r.Body)
		}
		mgr := o.as("mgr.east")
		r := mgr.get("/team")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="row-`+o.ownedByA+`"`) || !strings.Contains(r.Body, "<title>团队 · 公海 CRM</title>") {
			t.Fatalf("the manager's team page: %d\n%.800s", r.Status, r.Body)
		}
		for _, leak := range []string{o.northC, "华北独有重工", "13955558888", "13812348000", o.inPool, o.hiddenC} {
			if strings.Contains(r.Body, leak) {
				t.Errorf("the manager's team page holds %q", leak)
			}
		}
		if !strings.Contains(r.Body, "138****8000") || !strings.Contains(r.Body, `href="/team"`) {
			t.Error("the team page shows no masked contact, or the nav lacks the team page")
		}
		// Naming another subtree's rep is refused, not answered.
		r = mgr.get("/team?rep=" + o.north.ID)
		if r.Status != http.StatusUnprocessableEntity || strings.Contains(r.Body, "华北独有重工") {
			t.Errorf("the manager names another team's rep: %d", r.Status)
		}
		// The pool's unowned customers, to assign, by pool.
		r = mgr.get("/team?holder=pool")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="team-need-pool"`) {
			t.Errorf("unowned without a pool: %d", r.Status)
		}
		r = mgr.get("/team?holder=pool&pool=" + o.pool.ID)
		if !strings.Contains(r.Body, `id="row-`+o.inPool+`"`) || strings.Contains(r.Body, `id="row-`+o.ownedByA+`"`) {
			t.Errorf("the pool's unowned customers are not what the page lists\n%.600s", r.Body)
		}
		admin := o.as("admin")
		if r := admin.get("/team"); !strings.Contains(r.Body, `id="row-`+o.northC+`"`) || !strings.Contains(r.Body, `id="row-`+o.inPool+`"`) {
			t.Errorf("the admin's team page lacks customers\n%.600s", r.Body)
		}
		admin.get("/team?lang=en")
		if r := admin.get("/team"); !strings.Contains(r.Body, "<title>Team · Gonghai CRM</title>") || !strings.Contains(r.Body, "Hand over a leaver") {
			t.Errorf("the English team page\n%.600s", r.Body)
		}
	})
}

// TestTeamGive: a manager assigns pool customers and transfers owned ones,
// one row or a batch; a refused row is shown with why and changes nothing.
func TestTeamGive(t *testing.T) {
	eachTeamOrg(t, func(t *testing.T, o *teamOrg) {
		c1, c2 := o.create(o.pool, "", "甲乙科技", ""), o.create(o.pool, "", "丙丁贸易", "")
		mgr := o.as("mgr.east")
		back := "/team?holder=pool&pool=" + o.pool.ID
		r := mgr.post("/team/give", url.Values{"id": {c1, c2}, "to": {o.b.ID}, "reason": {"区域调整"}, "back": {back}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/team?") || !strings.Contains(r.Location(), "flash=team.give.done") {
			t.Fatalf("batch assign: %d to %q\n%.600s", r.Status, r.Location(), r.Body)
		}
		if o.ownerOf(c1) != o.b.ID || o.ownerOf(c2) != o.b.ID {
			t.Fatal("batch assign did not give both to rep.b")
		}
		if r := mgr.get(r.Location()); !strings.Contains(r.Body, "已完成分配/转移") {
			t.Error("no flash after the batch")
		}
		// One row's button: that row alone, though others are ticked.
		r = mgr.post("/team/give", url.Values{"one": {c1}, "id": {c1, c2}, "to": {o.a.ID}, "back": {"/team"}})
		if r.Status != http.StatusSeeOther || o.ownerOf(c1) != o.a.ID || o.ownerOf(c2) != o.b.ID {
			t.Fatalf("single transfer: %d; owners %s %s", r.Status, o.ownerOf(c1), o.ownerOf(c2))
		}
		// A batch of two owners' customers, to the manager himself.
		r = mgr.post("/team/give", url.Values{"id": {c1, c2}, "to": {o.east.ID}, "back": {"/team"}})
		if r.Status != http.StatusSeeOther || o.ownerOf(c1) != o.east.ID || o.ownerOf(c2) != o.east.ID {
			t.Fatalf("batch transfer: %d\n%.600s", r.Status, r.Body)
		}

		// Refusals: another team's rep as receiver; force, which is an
		// admin's; a customer the manager may not see. Each row says why,
		// and nothing changes.
		before := o.snapshot()
		for _, sc := range []struct {
			form url.Values
			want []string
		}{
			{url.Values{"id": {o.ownedByA, c1}, "to": {o.north.ID}}, []string{"您无权把该客户交给此人", "已分配/转移 0 个，2 个未完成"}},
			{url.Values{"one": {o.ownedByA}, "to": {o.b.ID}, "force": {"1"}}, []string{`data-id="` + o.ownedByA + `"`, "上海恒信科技有限公司2 — 您无权"}},
			{url.Values{"id": {o.northC}, "to": {o.b.ID}}, []string{"一位您无权查看的客户"}},
			{url.Values{"id": {o.ownedByA}, "to": {o.a.ID}}, []string{"接收人已是该客户的负责人"}},
			{url.Values{"to": {o.b.ID}}, []string{"请先勾选客户"}},
			{url.Values{"id": {o.ownedByA}}, []string{"请选择接收人"}},
		} {
			sc.form.Set("back", "/team")
			r := mgr.post("/team/give", sc.form)
			if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="give-outcome"`) {
				t.Fatalf("refused %v: %d\n%.600s", sc.form, r.Status, r.Body)
			}
			for _, w := range sc.want {
				if !strings.Contains(r.Body, w) {
					t.Errorf("refused %v: the page lacks %q", sc.form, w)
				}
			}
			if strings.Contains(r.Body, "华北独有重工") {
				t.Error("a refusal names a customer the manager may not see")
			}
		}
		if after := o.snapshot(); after != before || o.ownerOf(o.northC) != o.north.ID || o.ownerOf(c1) != o.east.ID {
			t.Error("a refused give changed data")
		}
		// A rep may not post the form either.
		if r := o.as("rep.a").post("/team/give", url.Values{"id": {o.ownedByA}, "to": {o.b.ID}}); r.Status != http.StatusForbidden || o.ownerOf(o.ownedByA) != o.a.ID {
			t.Errorf("a rep's give: %d", r.Status)
		}
	})
}

// TestTeamHandOver: a manager hands a leaver's customers to another rep;
// the page says how many moved and which stayed and why.
func TestTeamHandOver(t *testing.T) {
	eachTeamOrg(t, func(t *testing.T, o *teamOrg) {
		second := o.create(o.pool, o.a.ID, "戊己实业", "")
		// The hidden pool is assign-only: its customers are moved by its
		// admins, not by a manager.
		stays := o.create(o.hidden, o.a.ID, "庚辛集团", "")
		mgr := o.as("mgr.east")
		before := o.snapshot()
		for _, sc := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"from": {o.a.ID}, "to": {o.b.ID}}, "请填写原因"},
			{url.Values{"from": {o.a.ID}, "to": {o.a.ID}, "reason": {"离职"}}, "交出人和接收人不能是同一人"},
			{url.Values{"from": {o.north.ID}, "to": {o.b.ID}, "reason": {"离职"}}, "您要找的内容不存在"},
			{url.Values{"from": {o.a.ID}, "reason": {"离职"}}, "请选择交出人和接收人"},
		} {
			r := mgr.post("/team/handover", sc.form)
			if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="handover-outcome"`) || !strings.Contains(r.Body, sc.want) {
				t.Errorf("hand-over %v: %d, want %q\n%.600s", sc.form, r.Status, sc.want, r.Body)
			}
		}
		if o.snapshot() != before {
			t.Fatal("a refused hand-over changed data")
		}
		r := mgr.post("/team/handover", url.Values{"from": {o.a.ID}, "to": {o.b.ID}, "reason": {"离职交接"}, "back": {"/team?rep=" + o.b.ID}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "已交接 2 个客户") || !strings.Contains(r.Body, "1 个客户仍留在原负责人名下") ||
			!strings.Contains(r.Body, `data-id="`+stays+`"`) || !strings.Contains(r.Body, "庚辛集团 — 您无权") {
			t.Fatalf("hand-over: %d\n%.1200s", r.Status, r.Body)
		}
		if o.ownerOf(o.ownedByA) != o.b.ID || o.ownerOf(second) != o.b.ID || o.ownerOf(stays) != o.a.ID {
			t.Error("the hand-over moved the wrong customers")
		}
		if !strings.Contains(r.Body, `id="row-`+second+`"`) {
			t.Error("after the hand-over the page does not list the receiver's customers it came from")
		}
	})
}

// TestTeamWeekAndDay: who drops this week and today's follow-ups, each by
// rep, within the viewer's subtree.
func TestTeamWeekAndDay(t *testing.T) {
	eachTeamOrg(t, func(t *testing.T, o *teamOrg) {
		ctx := context.Background()
		rules := &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 2}}}
		name := "限期公海"
		p, err := o.db.CreatePool(ctx, o.admin, gonghai.PoolInput{Name: &name, MemberDepartmentIDs: &[]string{o.a.DepartmentID, o.north.DepartmentID}, Recycle: rules})
		if err != nil {
			t.Fatal(err)
		}
		o.create(p, o.a.ID, "快到期的东方公司", "")
		o.create(p, o.north.ID, "快到期的北方公司", "")
		if _, err := o.db.AddFollowUp(ctx, o.a, o.ownedByA, gonghai.NewFollowUp{Kind: "call", Content: "约了下周拜访"}); err != nil {
			t.Fatal(err)
		}
		if _, err := o.db.AddFollowUp(ctx, o.north, o.northC, gonghai.NewFollowUp{Kind: "visit", Content: "北方的拜访"}); err != nil {
			t.Fatal(err)
		}
		r := o.as("mgr.east").get("/team")
		drops, day := section(r.Body, "team-drops"), section(r.Body, "team-day")
		if !strings.Contains(drops, "快到期的东方公司") || !strings.Contains(drops, "rep.a") || strings.Contains(drops, "北方") {
			t.Errorf("the manager's drops:\n%s", drops)
		}
		if !strings.Contains(day, "约了下周拜访") || !strings.Contains(day, "rep.a") || strings.Contains(day, "北方") {
			t.Errorf("the manager's day:\n%s", day)
		}
		r = o.as("admin").get("/team")
		if !strings.Contains(section(r.Body, "team-drops"), "快到期的北方公司") || !strings.Contains(section(r.Body, "team-day"), "北方的拜访") {
			t.Error("the admin's week and day lack another team's")
		}
	})
}

// section is the HTML of the element with id, up to the next section.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest[1:], "<section"); j >= 0 {
		return rest[:j+1]
	}
	return rest
}
