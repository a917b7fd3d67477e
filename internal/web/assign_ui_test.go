package web_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// assignOrg is an organisation with a pool of two reps and a manager.
type assignOrg struct {
	*adminOrg
	dsn     string
	rep2    gonghai.User
	manager gonghai.User
}

func eachAssignOrg(t *testing.T, test func(t *testing.T, a *assignOrg)) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		o := newSignIn(t, dsn)
		a := &assignOrg{adminOrg: newAdminOrg(t, o), dsn: dsn}
		var err error
		a.rep2 = o.person("rep.wang", "rep-pw-456", gonghai.RoleRep)
		if a.rep2, err = o.db.UpdateUser(o.ctx, o.admin, a.rep2.ID, gonghai.UserPatch{DepartmentID: &a.dept.ID}); err != nil {
			t.Fatal(err)
		}
		a.manager = o.person("mgr.zhao", "mgr-pw-789", gonghai.RoleManager)
		if a.manager, err = o.db.UpdateUser(o.ctx, o.admin, a.manager.ID, gonghai.UserPatch{DepartmentID: &a.dept.ID}); err != nil {
			t.Fatal(err)
		}
		test(t, a)
	})
}

// poolCustomers creates n customers nobody owns in the org's pool.
func (a *assignOrg) poolCustomers(t *testing.T, n int) []string {
	t.Helper()
	names := []string{"星河物流有限公司", "远航建材有限公司", "青松医疗器械有限公司", "北辰软件有限公司", "金穗食品有限公司", "海鸥电子有限公司"}
	var ids []string
	for i := range n {
		c, err := a.db.CreateCustomer(a.ctx, a.admin, gonghai.NewCustomer{PoolID: a.pool.ID,
			CustomerFields: gonghai.CustomerFields{Company: names[i%len(names)]}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

// enqueue puts customers in the unassigned queue as intake does, straight
// into the table: nothing but intake queues a customer.
func (a *assignOrg) enqueue(t *testing.T, ids ...string) {
	t.Helper()
	driver, dsn := "pgx", a.dsn
	if path, ok := strings.CutPrefix(a.dsn, "sqlite:"); ok {
		driver, dsn = "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, id := range ids {
		q := `INSERT INTO unassigned (customer_id, pool_id, since) VALUES ($1, $2, $3)`
		if driver == "sqlite" {
			q = strings.NewReplacer("$1", "?", "$2", "?", "$3", "?").Replace(q)
		}
		if _, err := raw.Exec(q, id, a.pool.ID, a.clock.Now().UnixMicro()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAssignmentPage(t *testing.T) {
	eachAssignOrg(t, func(t *testing.T, a *assignOrg) {
		admin := a.signedIn(t, "boss", "admin-pw")
		page := "/admin/pools/" + a.pool.ID + "/assignment"
		r := admin.get(page)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="st-round_robin"`) || !strings.Contains(r.Body, `data-id="`+a.rep.ID+`"`) ||
			!strings.Contains(r.Body, `data-test="preview-claim"`) {
			t.Fatalf("the page: %d\n%s", r.Status, mainOf(r.Body))
		}
		if r := admin.get("/admin/pools"); !strings.Contains(r.Body, `href="`+page+`"`) || !strings.Contains(r.Body, "自由领取") {
			t.Fatalf("the pools list links the page with the strategy:\n%s", mainOf(r.Body))
		}

		// The rules' buttons add, move and remove without saving.
		form := url.Values{"strategy": {"rules"}, "rules": {"0"}, "op": {"add"}}
		r = admin.post(page, form)
		if r.Status != http.StatusOK || strings.Count(r.Body, `data-test="rule"`) != 1 || !strings.Contains(r.Body, `data-test="assign-unsaved"`) {
			t.Fatalf("add a rule: %d\n%s", r.Status, mainOf(r.Body))
		}
		form = url.Values{"strategy": {"rules"}, "rules": {"2"}, "op": {"up.1"},
			"rule.0.name": {"华东"}, "rule.1.name": {"华南"}}
		r = admin.post(page, form)
		if i, j := strings.Index(r.Body, `value="华南"`), strings.Index(r.Body, `value="华东"`); i < 0 || j < 0 || i > j {
			t.Fatalf("move a rule up: 华南 at %d, 华东 at %d", i, j)
		}
		form.Set("op", "remove.0")
		if r := admin.post(page, form); strings.Count(r.Body, `data-test="rule"`) != 1 || strings.Contains(r.Body, `value="华东"`) {
			t.Fatalf("remove a rule:\n%s", mainOf(r.Body))
		}
		if p, _ := a.db.Pool(a.ctx, a.admin, a.pool.ID); p.Assignment.Strategy != gonghai.StrategyClaim {
			t.Fatalf("the buttons saved: %+v", p.Assignment)
		}

		// A rule without a target, and a weight in words, are refused
		// with their problems where they belong; nothing is saved.
		bad := url.Values{"strategy": {"rules"}, "rules": {"1"}, "rule.0.name": {"华东"}, "rule.0.target": {"users"},
			"rule.0.regions": {"上海市、浙江省"}, "op": {"save"}}
		r = admin.post(page, bad)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `data-test="rule-error"`) ||
			!strings.Contains(r.Body, "请选择一个部门") || !strings.Contains(r.Body, `value="上海市、浙江省"`) {
			t.Fatalf("a rule without a target: %d\n%s", r.Status, mainOf(r.Body))
		}
		bad.Set("weight."+a.rep.ID, "很多")
		if r := admin.post(page, bad); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "权重须为 1 或以上的整数") {
			t.Fatalf("a weight in words: %d\n%s", r.Status, mainOf(r.Body))
		}

		// Saved: a rule sending 上海 to the department, the rest by
		// weights 2:1.
		good := url.Values{"strategy": {"rules"}, "fallback": {"weighted"}, "rules": {"1"}, "rule.0.name": {"华东"},
			"rule.0.target": {"department"}, "rule.0.department_id": {a.dept.ID}, "rule.0.strategy": {"round_robin"},
			"rule.0.regions": {"上海市、浙江省"}, "rule.0.categories": {"A"}, "weight." + a.rep.ID: {"2"}, "weight." + a.rep2.ID: {""}}
		r = admin.post(page, good)
		if r.Status != http.StatusSeeOther || r.Location() != page+"?flash=assign.flash.saved" {
			t.Fatalf("save: %d %q\n%s", r.Status, r.Location(), mainOf(r.Body))
		}
		p, err := a.db.Pool(a.ctx, a.admin, a.pool.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := p.Assignment
		if got.Strategy != gonghai.StrategyRules || got.Fallback != gonghai.StrategyWeighted || len(got.Rules) != 1 ||
			got.Rules[0].DepartmentID != a.dept.ID || strings.Join(got.Rules[0].Regions, "|") != "上海市|浙江省" ||
			strings.Join(got.Rules[0].Categories, "") != "A" || got.Weights[a.rep.ID] != 2 || len(got.Weights) != 1 {
			t.Fatalf("saved: %+v", got)
		}
		r = admin.get(page)
		if !strings.Contains(r.Body, `value="上海市、浙江省"`) || !strings.Contains(r.Body, `id="st-rules" name="strategy" value="rules" checked`) {
			t.Fatalf("the saved settings shown:\n%s", mainOf(r.Body))
		}

		// The preview places the next customers: none matches the rule
		// yet, so the weights decide.
		if r := admin.get(page); strings.Count(r.Body, `data-test="pick"`) != 10 || !strings.Contains(r.Body, `data-test="pick-name"`) {
			t.Fatalf("the preview:\n%s", mainOf(r.Body))
		}

		// A rep is refused the page.
		rep := a.signedIn(t, "rep.li", "rep-pw-123")
		if r := rep.get(page); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Fatalf("a rep opens the page: %d", r.Status)
		}
	})
}

func TestAwaySwitch(t *testing.T) {
	eachAssignOrg(t, func(t *testing.T, a *assignOrg) {
		rep := a.signedIn(t, "rep.li", "rep-pw-123")
		if r := rep.get("/"); !strings.Contains(r.Body, `id="away-strip"`) || !strings.Contains(r.Body, "正常接单") {
			t.Fatalf("the desk shows the status:\n%s", mainOf(r.Body))
		}
		r := rep.get("/me/status")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "正常接单") {
			t.Fatalf("my status: %d\n%s", r.Status, mainOf(r.Body))
		}
		// The org's zone is Asia/Shanghai: away through 3 March there.
		zone, _ := time.LoadLocation("Asia/Shanghai")
		if r := rep.post("/me/status", url.Values{"away_until": {"2026-03-01"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "不能早于今天") {
			t.Fatalf("a past day: %d\n%s", r.Status, mainOf(r.Body))
		}
		r = rep.post("/me/status", url.Values{"away_until": {"2026-03-05"}, "paused": {""}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("set away: %d\n%s", r.Status, mainOf(r.Body))
		}
		u, _ := a.db.User(a.ctx, a.admin, a.rep.ID)
		if want := time.Date(2026, 3, 6, 0, 0, 0, 0, zone); u.AwayUntil == nil || !u.AwayUntil.Equal(want) || u.AssignPaused {
			t.Fatalf("away until %v paused %v, want %v", u.AwayUntil, u.AssignPaused, want)
		}
		if r := rep.get("/"); !strings.Contains(r.Body, "休假至 2026年3月5日") {
			t.Fatalf("the desk says away:\n%s", mainOf(r.Body))
		}
		if r := rep.get("/me/status"); !strings.Contains(r.Body, `value="2026-03-05"`) || !strings.Contains(r.Body, `id="away-back"`) {
			t.Fatalf("the switch shows the day:\n%s", mainOf(r.Body))
		}
		rep.post("/me/status", url.Values{"away_until": {""}, "paused": {"on"}})
		if u, _ = a.db.User(a.ctx, a.admin, a.rep.ID); u.AwayUntil != nil || !u.AssignPaused {
			t.Fatalf("paused: %+v", u)
		}
		rep.post("/me/status", url.Values{"op": {"back"}})
		if u, _ = a.db.User(a.ctx, a.admin, a.rep.ID); u.AwayUntil != nil || u.AssignPaused {
			t.Fatalf("back: %+v", u)
		}

		// The admin's counterpart sets the cap too; the pool's
		// assignment page shows who is out.
		admin := a.signedIn(t, "boss", "admin-pw")
		if r := admin.post("/admin/users/"+a.rep.ID+"/away", url.Values{"daily_assign_cap": {"-1"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "上限须为 0 或以上的整数") {
			t.Fatalf("a negative cap: %d\n%s", r.Status, mainOf(r.Body))
		}
		r = admin.post("/admin/users/"+a.rep.ID+"/away", url.Values{"daily_assign_cap": {"5"}, "paused": {"on"}, "away_until": {"2026-03-04"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("the admin's switch: %d\n%s", r.Status, mainOf(r.Body))
		}
		if u, _ = a.db.User(a.ctx, a.admin, a.rep.ID); u.DailyAssignCap != 5 || !u.AssignPaused || u.AwayUntil == nil {
			t.Fatalf("after the admin's switch: %+v", u)
		}
		if r := admin.get("/admin/users/" + a.rep.ID); !strings.Contains(r.Body, `data-test="user-away-status"`) || !strings.Contains(r.Body, `value="5"`) {
			t.Fatalf("the user's editor:\n%s", mainOf(r.Body))
		}
		if r := admin.get("/admin/users"); !strings.Contains(r.Body, `data-test="user-away"`) {
			t.Fatalf("the users list marks who is away:\n%s", mainOf(r.Body))
		}
		if r := admin.get("/admin/pools/" + a.pool.ID + "/assignment"); !strings.Contains(r.Body, "休假至 2026年3月4日") {
			t.Fatalf("the assignment page shows who is away:\n%s", mainOf(r.Body))
		}
	})
}

func TestUnassignedPage(t *testing.T) {
	eachAssignOrg(t, func(t *testing.T, a *assignOrg) {
		if _, err := a.db.SetAssignment(a.ctx, a.admin, a.pool.ID, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin,
			UserIDs: []string{a.rep.ID}}); err != nil {
			t.Fatal(err)
		}
		paused := true
		if _, err := a.db.SetAway(a.ctx, a.admin, a.rep.ID, gonghai.Away{Paused: &paused}); err != nil {
			t.Fatal(err)
		}
		ids := a.poolCustomers(t, 2)
		a.enqueue(t, ids...)

		mgr := a.signedIn(t, "mgr.zhao", "mgr-pw-789")
		r := mgr.get("/unassigned")
		if r.Status != http.StatusOK || strings.Count(r.Body, `data-test="unassigned-row"`) != 2 || !strings.Contains(r.Body, "等待首次分配") {
			t.Fatalf("the queue: %d\n%s", r.Status, mainOf(r.Body))
		}
		// Retried while the only rep is paused: both wait, saying why.
		r = mgr.post("/unassigned/retry", nil)
		if r.Status != http.StatusSeeOther || r.Location() != "/unassigned?retried=0" {
			t.Fatalf("retry: %d %q", r.Status, r.Location())
		}
		if r := mgr.get(r.Location()); !strings.Contains(r.Body, "仍没有可接单的人") || strings.Count(r.Body, "暂停接单") < 2 {
			t.Fatalf("after the retry:\n%s", mainOf(r.Body))
		}
		// Back at work: the retry hands both to them.
		back := false
		if _, err := a.db.SetAway(a.ctx, a.admin, a.rep.ID, gonghai.Away{Paused: &back}); err != nil {
			t.Fatal(err)
		}
		if r := mgr.post("/unassigned/retry", nil); r.Location() != "/unassigned?retried=2" {
			t.Fatalf("retry after the rep is back: %q", r.Location())
		}
		if r := mgr.get("/unassigned"); !strings.Contains(r.Body, `id="unassigned-empty"`) {
			t.Fatalf("the queue emptied:\n%s", mainOf(r.Body))
		}
		// A rep who administers no pool is refused.
		rep := a.signedIn(t, "rep.wang", "rep-pw-456")
		if r := rep.get("/unassigned"); r.Status != http.StatusForbidden {
			t.Fatalf("a rep opens the queue: %d", r.Status)
		}
	})
}

// mainOf is the page's main part, for a failure's message.
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 4000 {
		body = body[:4000]
	}
	return body
}

func TestDistributePage(t *testing.T) {
	eachAssignOrg(t, func(t *testing.T, a *assignOrg) {
		ids := a.poolCustomers(t, 3)
		mgr := a.signedIn(t, "mgr.zhao", "mgr-pw-789")
		list := "/team?holder=pool&pool=" + a.pool.ID
		if r := mgr.get(list); !strings.Contains(r.Body, `id="distribute-selected"`) {
			t.Fatalf("the team's pool list offers distribute:\n%s", mainOf(r.Body))
		}
		if r := mgr.get("/pool?pool=" + a.pool.ID); !strings.Contains(r.Body, `id="distribute-selected"`) {
			t.Fatalf("the pool page offers distribute:\n%s", mainOf(r.Body))
		}
		// The ticked customers, and one owned already, to split.
		chosen := append(ids, a.customer.ID)
		q := url.Values{"pool": {a.pool.ID}, "id": chosen, "back": {list}}
		r := mgr.get("/distribute?" + q.Encode())
		if r.Status != http.StatusOK || strings.Count(r.Body, `data-test="distribute-row"`) != 4 || !strings.Contains(r.Body, `id="rep-`+a.rep2.ID+`"`) {
			t.Fatalf("the distribute page: %d\n%s", r.Status, mainOf(r.Body))
		}
		if r := mgr.post("/distribute", url.Values{"pool": {a.pool.ID}, "id": chosen}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "请至少选择一位销售") {
			t.Fatalf("no reps chosen: %d\n%s", r.Status, mainOf(r.Body))
		}
		r = mgr.post("/distribute", url.Values{"pool": {a.pool.ID}, "id": chosen, "rep": {a.rep.ID, a.rep2.ID}, "back": {list}})
		if r.Status != http.StatusOK || strings.Count(r.Body, `data-test="to"`) != 3 || strings.Count(r.Body, `data-test="why"`) != 1 ||
			!strings.Contains(r.Body, "已分配 3 个，1 个未分配") || !strings.Contains(r.Body, `href="`+strings.ReplaceAll(list, "&", "&amp;")+`"`) {
			t.Fatalf("distributed: %d\n%s", r.Status, mainOf(r.Body))
		}
		count := map[string]int{}
		for _, id := range ids {
			c, err := a.db.Customer(a.ctx, a.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			count[c.OwnerID]++
		}
		if len(count) != 2 || count[a.rep.ID]+count[a.rep2.ID] != 3 || count[a.rep.ID] < 1 || count[a.rep2.ID] < 1 {
			t.Fatalf("owners after distribute: %v", count)
		}
		// A rep is refused.
		rep := a.signedIn(t, "rep.li", "rep-pw-123")
		if r := rep.get("/distribute?" + q.Encode()); r.Status != http.StatusForbidden {
			t.Fatalf("a rep opens distribute: %d", r.Status)
		}
	})
}
