package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/web"
	"github.com/gonghai/gonghai/internal/webtest"
)

// The recycle rules over real HTTP: countdowns, the activity that moves
// them, locks, previews, hand-overs, settings and notifications. Time is a
// ManualClock shared by the store behind the server and the sweeper, so a
// test moves days instead of waiting for them.

// shanghai is where the organisation's days begin and end (the default).
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation(gonghai.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

// monday is a fixed Monday morning in Shanghai, 2026-03-02 09:00 CST.
var monday = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// day returns the start of the Shanghai calendar day n days after monday.
func day(n int) time.Time { return gonghai.AddDays(monday, n, shanghai) }

// date is day n as the API writes dates.
func date(n int) string { return day(n).In(shanghai).Format(time.DateOnly) }

// sevenDays are the rules most tests run under: 7 days without a counting
// follow-up (14 for category A), reminders 3 days ahead.
const sevenDays = `{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":7,"category_days":{"A":14}}],"warn_days":3}}`

// rig is the organisation of api_test.go's org, behind a real HTTP server,
// on a store whose clock moves only when told: 销售部 ⊃ 华东组 (manager
// east, reps a and b), one pool 华东公海 for 华东组 with two unowned
// customers, c1 (no category) and cA (category A).
type rig struct {
	*org
	clock   *gonghai.ManualClock
	sweeper *recycle.Sweeper
	c1, cA  string
}

func forEachRig(t *testing.T, test func(t *testing.T, r *rig)) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) { test(t, newRig(t, dsn)) })
}

func newRig(t *testing.T, dsn string) *rig {
	t.Helper()
	ctx := context.Background()
	clock := gonghai.NewManualClock(monday)
	db := storetest.Open(t, dsn, clock, nil)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	o := &org{t: t, db: db, tokens: map[string]string{}, ids: map[string]string{}}
	user := func(login string, role gonghai.Role, dept string) gonghai.User {
		u, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: role, DepartmentID: dept})
		must(err)
		o.tokens[login], err = db.CreateToken(ctx, login)
		must(err)
		return u
	}
	o.admin = user("admin", gonghai.RoleAdmin, "")
	sales, err := db.CreateDepartment(ctx, o.admin, "销售部", "")
	must(err)
	east, err := db.CreateDepartment(ctx, o.admin, "华东组", sales.ID)
	must(err)
	o.east, o.a, o.b = user("mgr.east", gonghai.RoleManager, east.ID), user("rep.a", gonghai.RoleRep, east.ID), user("rep.b", gonghai.RoleRep, east.ID)
	name := "华东公海"
	o.pool, err = db.CreatePool(ctx, o.admin, gonghai.PoolInput{Name: &name, MemberDepartmentIDs: &[]string{east.ID}})
	must(err)
	customer := func(category, company, phone, email string) string {
		c, err := db.CreateCustomer(ctx, o.admin, gonghai.NewCustomer{PoolID: o.pool.ID, CustomerFields: gonghai.CustomerFields{
			Name: "张伟", Company: company, Category: category, Phone: phone, Email: email}})
		must(err)
		return c.ID
	}
	r := &rig{org: o, clock: clock}
	r.c1 = customer("", "上海恒信科技有限公司", "13812348000", "zhang.wei@hengxin.cn")
	r.cA = customer("A", "杭州云帆网络有限公司", "13912345678", "li.na@yunfan.cn")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	o.srv = webtest.Serve(t, web.NewServer(db, logger))
	r.sweeper = &recycle.Sweeper{Store: db, Log: logger}
	return r
}

// want sends one request and fails the test unless it answers status.
func (r *rig) want(as, method, path, body string, status int) map[string]any {
	r.t.Helper()
	got, v, _ := r.call(as, method, path, body)
	if got != status {
		r.t.Fatalf("%s %s %s as %s: %d %v, want %d", method, path, body, as, got, v, status)
	}
	return v
}

// refused sends one request and fails the test unless it is refused with
// status and code, naming field (when not "") among the fields at fault.
func (r *rig) refused(as, method, path, body string, status int, code, field string) map[string]any {
	r.t.Helper()
	got, v, h := r.call(as, method, path, body)
	if got != status || v["code"] != code {
		r.t.Fatalf("%s %s %s as %s: %d %v, want %d %s", method, path, body, as, got, v, status, code)
	}
	if ct := h.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Errorf("%s %s: content type %q, want application/problem+json", method, path, ct)
	}
	if field != "" {
		if fields, _ := v["fields"].(map[string]any); fields[field] == nil {
			r.t.Fatalf("%s %s %s: problem %v does not name field %q", method, path, body, v, field)
		}
	}
	return v
}

func cust(id string) string { return "/api/v1/customers/" + id }

func (r *rig) poolPath() string { return "/api/v1/pools/" + r.pool.ID }

// get reads a customer as login.
func (r *rig) get(as, id string) map[string]any {
	r.t.Helper()
	return r.want(as, "GET", cust(id), "", 200)
}

// items reads a listing as login.
func (r *rig) items(as, path string) []any {
	r.t.Helper()
	v := r.want(as, "GET", path, "", 200)
	items, ok := v["items"].([]any)
	if !ok {
		r.t.Fatalf("GET %s: no items in %v", path, v)
	}
	return items
}

// setRules gives the pool rules and fails unless the admin may.
func (r *rig) setRules(body string) map[string]any {
	r.t.Helper()
	return r.want("admin", "PATCH", r.poolPath(), body, 200)
}

// claim has login claim customer id.
func (r *rig) claim(as, id string) map[string]any {
	r.t.Helper()
	return r.want(as, "POST", cust(id)+"/claim", "", 200)
}

// countdown returns a customer's "recycle" object, failing when it is null.
func countdown(t *testing.T, c map[string]any) map[string]any {
	t.Helper()
	rc, ok := c["recycle"].(map[string]any)
	if !ok {
		t.Fatalf("customer %v has no recycle countdown", c["id"])
	}
	return rc
}

// instant reads an RFC 3339 instant of a JSON body; nil stays the zero time.
func instant(t *testing.T, v any) time.Time {
	t.Helper()
	if v == nil {
		return time.Time{}
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v (%T) is not an instant", v, v)
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("instant %q: %v", s, err)
	}
	return at
}

// wantAt fails unless JSON value v is the instant want.
func wantAt(t *testing.T, what string, v any, want time.Time) {
	t.Helper()
	if got := instant(t, v); !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, v, want.UTC().Format(time.RFC3339))
	}
}

// wantDeadline checks a customer's countdown.
func wantDeadline(t *testing.T, c map[string]any, deadline time.Time, daysLeft int, reminder time.Time) {
	t.Helper()
	rc := countdown(t, c)
	wantAt(t, "recycle.deadline", rc["deadline"], deadline)
	if rc["rule"] != "no_follow_up" || rc["rule_label"] != "超期未跟进" {
		t.Fatalf("recycle rule %v (%v), want no_follow_up (超期未跟进)", rc["rule"], rc["rule_label"])
	}
	if rc["days_left"] != float64(daysLeft) {
		t.Fatalf("recycle.days_left = %v, want %d", rc["days_left"], daysLeft)
	}
	wantAt(t, "recycle.next_reminder_at", rc["next_reminder_at"], reminder)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestRecycleCountdown: rules on a pool give every claimed customer a
// deadline, rule, label, days left and next reminder; nobody else in the
// pool sees the owned customer's contacts.
func TestRecycleCountdown(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		if c := r.get("admin", r.c1); c["recycle"] != nil {
			t.Fatalf("a customer in a pool counts down: %v", c["recycle"])
		}
		pool := r.setRules(sevenDays)
		rules := pool["recycle"].(map[string]any)
		rule := rules["rules"].([]any)[0].(map[string]any)
		if rules["warn_days"] != 3.0 || rule["kind"] != "no_follow_up" || rule["enabled"] != true || rule["days"] != 7.0 ||
			jsonOf(rule["category_days"]) != `{"A":14}` {
			t.Fatalf("pool rules as saved: %s", jsonOf(rules))
		}
		wantAt(t, "the rule's since", rule["since"], monday)
		if got := jsonOf(r.want("rep.a", "GET", r.poolPath(), "", 200)["recycle"]); got != jsonOf(rules) {
			t.Fatalf("GET pool rules %s, PATCH answered %s", got, jsonOf(rules))
		}

		claimed := r.claim("rep.a", r.c1)
		// Claimed Monday 09:00, 7 days: due at the start of the 8th day after.
		wantDeadline(t, claimed, day(8), 8, day(5))
		c := r.get("rep.a", r.c1)
		wantDeadline(t, c, day(8), 8, day(5))
		if c["owner_id"] != r.a.ID || c["phone"] != "13812348000" || c["email"] != "zhang.wei@hengxin.cn" {
			t.Fatalf("the owner's view: %v", c)
		}
		r.claim("rep.a", r.cA)
		wantDeadline(t, r.get("rep.a", r.cA), day(15), 15, day(12))

		r.clock.Advance(24 * time.Hour)
		wantDeadline(t, r.get("rep.a", r.c1), day(8), 7, day(5))
		r.clock.Set(day(7).Add(10 * time.Hour)) // the last day, 10:00
		wantDeadline(t, r.get("rep.a", r.c1), day(8), 1, day(5))
		r.clock.Set(monday)

		// The owner's manager sees the countdown; the contacts masked.
		if c := r.get("mgr.east", r.c1); c["phone"] != "138****8000" || c["recycle"] == nil {
			t.Fatalf("the owner's manager: %v", c)
		}
		// Another member of the pool sees neither the owned customer nor
		// its contacts, anywhere.
		status, body, _ := r.call("rep.b", "GET", cust(r.c1), "")
		if status != 404 || body["code"] != "not_found" {
			t.Fatalf("another rep reads an owned customer: %d %v", status, body)
		}
		for _, path := range []string{cust(r.c1), cust(r.cA), r.poolPath() + "/customers", "/api/v1/me/customers", cust(r.c1) + "/followups"} {
			_, v, _ := r.call("rep.b", "GET", path, "")
			if j := jsonOf(v); strings.Contains(j, "13812348000") || strings.Contains(j, "zhang.wei@") ||
				strings.Contains(j, "13912345678") || strings.Contains(j, "li.na@") {
				t.Errorf("rep.b GET %s shows a contact of rep.a's customer: %s", path, j)
			}
		}
		if items := r.items("rep.b", r.poolPath()+"/customers"); len(items) != 0 {
			t.Errorf("the pool still lists claimed customers to members: %s", jsonOf(items))
		}
	})
}

// TestLock: a protected customer has no countdown and is not recycled;
// owners cannot protect their own; unlocking brings the deadline back.
func TestLock(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		r.refused("rep.a", "POST", cust(r.c1)+"/lock", "", 403, "forbidden", "")
		r.refused("rep.b", "POST", cust(r.c1)+"/lock", "", 404, "not_found", "")
		c := r.get("rep.a", r.c1)
		if c["locked"] != false {
			t.Fatalf("a refused lock locked: %v", c)
		}
		wantDeadline(t, c, day(8), 8, day(5))

		locked := r.want("admin", "POST", cust(r.c1)+"/lock", "", 200)
		if locked["locked"] != true || locked["recycle"] != nil {
			t.Fatalf("locked by the admin: locked %v, recycle %v", locked["locked"], locked["recycle"])
		}
		if c := r.get("rep.a", r.c1); c["locked"] != true || c["recycle"] != nil {
			t.Fatalf("the owner's view of a locked customer: locked %v, recycle %v", c["locked"], c["recycle"])
		}
		r.refused("rep.a", "POST", cust(r.c1)+"/unlock", "", 403, "forbidden", "")

		unlocked := r.want("admin", "POST", cust(r.c1)+"/unlock", "", 200)
		if unlocked["locked"] != false {
			t.Fatalf("unlocked: %v", unlocked)
		}
		wantDeadline(t, unlocked, day(8), 8, day(5))
		wantDeadline(t, r.get("rep.a", r.c1), day(8), 8, day(5))

		// The owner's manager may lock too; a locked customer stays put past
		// its old deadline.
		if c := r.want("mgr.east", "POST", cust(r.c1)+"/lock", "", 200); c["locked"] != true {
			t.Fatalf("locked by the owner's manager: %v", c)
		}
		r.clock.Set(day(9))
		rep, err := r.sweeper.Once(context.Background())
		if err != nil || rep.Recycled != 0 || rep.Reminded != 0 {
			t.Fatalf("sweep over a locked customer: %+v %v", rep, err)
		}
		if c := r.get("admin", r.c1); c["owner_id"] != r.a.ID || c["recycle"] != nil {
			t.Fatalf("a locked customer after its old deadline: owner %v, recycle %v", c["owner_id"], c["recycle"])
		}
	})
}

// TestInvalidRecycleRules: rules that do not make sense are refused with
// the fields at fault, and the pool and its deadlines stay as they were.
func TestInvalidRecycleRules(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		before := jsonOf(r.want("admin", "GET", r.poolPath(), "", 200))
		rule := func(fields string) string { return `{"kind":"no_follow_up","enabled":true,` + fields + `}` }
		for _, sc := range []struct{ name, body, field string }{
			{"days 0", `{"recycle":{"rules":[` + rule(`"days":0`) + `]}}`, "recycle.rules[0].days"},
			{"days too many", `{"recycle":{"rules":[` + rule(`"days":10001`) + `]}}`, "recycle.rules[0].days"},
			{"unknown kind", `{"recycle":{"rules":[{"kind":"no_visit","enabled":true,"days":7}]}}`, "recycle.rules[0].kind"},
			{"duplicate kind", `{"recycle":{"rules":[` + rule(`"days":7`) + `,` + rule(`"days":30`) + `]}}`, "recycle.rules[1].kind"},
			{"category D", `{"recycle":{"rules":[` + rule(`"days":7,"category_days":{"D":3}`) + `]}}`, "recycle.rules[0].category_days"},
			{"category days 0", `{"recycle":{"rules":[` + rule(`"days":7,"category_days":{"A":0}`) + `]}}`, "recycle.rules[0].category_days"},
			{"extension outside protection", `{"recycle":{"rules":[` + rule(`"days":7,"extend_days":5`) + `]}}`, "recycle.rules[0].extend_days"},
			{"protection without extension", `{"recycle":{"rules":[{"kind":"protection","enabled":true,"days":30}]}}`, "recycle.rules[0].extend_days"},
			{"unknown counting kind", `{"recycle":{"rules":[` + rule(`"days":7`) + `],"counting_kinds":["fax"]}}`, "recycle.counting_kinds"},
			{"warn days", `{"recycle":{"rules":[` + rule(`"days":7`) + `],"warn_days":400}}`, "recycle.warn_days"},
			{"good name, bad rules", `{"name":"改名公海","recycle":{"rules":[` + rule(`"days":0`) + `]}}`, "recycle.rules[0].days"},
		} {
			t.Run(sc.name, func(t *testing.T) {
				r.refused("admin", "PATCH", r.poolPath(), sc.body, 422, "invalid", sc.field)
				if after := jsonOf(r.want("admin", "GET", r.poolPath(), "", 200)); after != before {
					t.Fatalf("refused rules changed the pool:\nbefore %s\nafter  %s", before, after)
				}
				wantDeadline(t, r.get("admin", r.c1), day(8), 8, day(5))
			})
		}
		// Members change no rules at all.
		r.refused("rep.a", "PATCH", r.poolPath(), `{"recycle":{"rules":[`+rule(`"days":700`)+`]}}`, 403, "forbidden", "")
		if after := jsonOf(r.want("admin", "GET", r.poolPath(), "", 200)); after != before {
			t.Fatalf("a member's rules changed the pool:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestOpenAPIRecycleRoutes: the document lists every route of the recycle
// rules and the activity they read, and the countdown's fields.
func TestOpenAPIRecycleRoutes(t *testing.T) {
	r := newRig(t, "sqlite:"+filepath.Join(t.TempDir(), "gonghai.db"))
	res, err := http.Get(r.srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi document: %v %q", err, doc.OpenAPI)
	}
	for _, route := range []string{
		"get /api/v1/me/notifications", "post /api/v1/me/notifications/read",
		"get /api/v1/settings", "patch /api/v1/settings",
		"post /api/v1/users/{id}/handover",
		"get /api/v1/pools/{id}/recycle-preview", "post /api/v1/pools/{id}/recycle-preview",
		"post /api/v1/customers/{id}/followups", "get /api/v1/customers/{id}/followups",
		"post /api/v1/customers/{id}/opportunities", "get /api/v1/customers/{id}/opportunities",
		"patch /api/v1/opportunities/{id}",
		"post /api/v1/customers/{id}/orders", "get /api/v1/customers/{id}/orders",
		"post /api/v1/customers/{id}/lock", "post /api/v1/customers/{id}/unlock",
	} {
		method, path, _ := strings.Cut(route, " ")
		op := doc.Paths[path][method]
		if op == nil {
			t.Errorf("the document lacks %s", route)
			continue
		}
		if op["security"] == nil {
			t.Errorf("%s asks for no bearer token", route)
		}
	}
	for _, field := range []string{`"next_reminder_at"`, `"rule_label"`, `"days_left"`, `"warn_days"`, `"category_days"`, `"webhook_format"`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("the document has no field %s", field)
		}
	}
}
