package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
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

// TestFollowUps: a counting follow-up moves the deadline later, a note does
// not, one in the future is refused whole; the list is latest first.
func TestFollowUps(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		path := cust(r.c1) + "/followups"
		r.clock.Advance(48 * time.Hour) // Wednesday 09:00
		now := r.clock.Now()

		note := r.want("rep.a", "POST", path, `{"kind":"note","content":"客户说下周再联系"}`, 201)
		if note["kind"] != "note" || note["customer_id"] != r.c1 || note["user_id"] != r.a.ID || note["content"] != "客户说下周再联系" {
			t.Fatalf("logged note: %v", note)
		}
		wantAt(t, "an omitted at", note["at"], now)
		c := r.get("rep.a", r.c1)
		wantDeadline(t, c, day(8), 6, day(5))
		if c["last_follow_up_at"] != nil {
			t.Fatalf("a note counted as a follow-up: last_follow_up_at %v", c["last_follow_up_at"])
		}

		call := r.want("rep.a", "POST", path, `{"kind":"call","content":"电话沟通，客户下月有采购计划"}`, 201)
		c = r.get("rep.a", r.c1)
		wantDeadline(t, c, day(10), 8, day(7))
		wantAt(t, "last_follow_up_at", c["last_follow_up_at"], now)

		before := jsonOf(r.want("admin", "GET", path, "", 200))
		future := now.Add(time.Hour).Format(time.RFC3339)
		r.refused("rep.a", "POST", path, `{"kind":"call","content":"明天的电话","at":"`+future+`"}`, 422, "invalid", "at")
		r.refused("rep.a", "POST", path, `{"kind":"fax","content":"传真"}`, 422, "invalid", "kind")
		r.refused("rep.a", "POST", path, `{"kind":"call","content":""}`, 422, "invalid", "content")
		if after := jsonOf(r.want("admin", "GET", path, "", 200)); after != before {
			t.Fatalf("a refused follow-up was written:\nbefore %s\nafter  %s", before, after)
		}
		wantDeadline(t, r.get("rep.a", r.c1), day(10), 8, day(7))

		items := r.items("rep.a", path)
		if len(items) != 2 || items[0].(map[string]any)["id"] != call["id"] || items[1].(map[string]any)["id"] != note["id"] {
			t.Fatalf("follow-ups, want the call then the note: %s", jsonOf(items))
		}
		page := r.want("rep.a", "GET", path+"?limit=1", "", 200)
		first, _ := page["items"].([]any)
		if len(first) != 1 || first[0].(map[string]any)["id"] != call["id"] || page["next_cursor"] == "" {
			t.Fatalf("first page of one: %v", page)
		}
		page = r.want("rep.a", "GET", path+"?limit=1&cursor="+url.QueryEscape(page["next_cursor"].(string)), "", 200)
		second, _ := page["items"].([]any)
		if len(second) != 1 || second[0].(map[string]any)["id"] != note["id"] || page["next_cursor"] != "" {
			t.Fatalf("second and last page of one: %v", page)
		}

		// A counting follow-up logged late, for Monday, does not pull the
		// deadline back before the call's.
		r.want("rep.a", "POST", path, `{"kind":"visit","content":"上门拜访","at":"`+monday.Add(time.Hour).Format(time.RFC3339)+`"}`, 201)
		c = r.get("rep.a", r.c1)
		wantDeadline(t, c, day(10), 8, day(7))
		wantAt(t, "last_follow_up_at after a late entry", c["last_follow_up_at"], now)

		// Only those who may work on the customer log follow-ups.
		r.refused("rep.b", "POST", path, `{"kind":"call","content":"抢着打电话"}`, 404, "not_found", "")
		r.refused("rep.b", "GET", path, "", 404, "not_found", "")
		r.refused("rep.a", "POST", cust(r.cA)+"/followups", `{"kind":"call","content":"还没领取"}`, 403, "forbidden", "")
		if n := len(r.items("admin", path)); n != 3 {
			t.Fatalf("%d follow-ups, want 3", n)
		}
	})
}

// TestOpportunitiesAndOrders: opportunities open and close once; the first
// order marks the customer won; bad amounts and future days are refused.
func TestOpportunitiesAndOrders(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		opps, orders := cust(r.c1)+"/opportunities", cust(r.c1)+"/orders"

		opp := r.want("rep.a", "POST", opps, `{"title":"年度软件采购","amount":"12800"}`, 201)
		if opp["status"] != "open" || opp["amount"] != "12800.00" || opp["customer_id"] != r.c1 || opp["created_by"] != r.a.ID ||
			opp["closed_at"] != nil || opp["title"] != "年度软件采购" {
			t.Fatalf("opened opportunity: %v", opp)
		}
		c := r.get("rep.a", r.c1)
		if c["open_opportunities"] != 1.0 {
			t.Fatalf("open_opportunities = %v, want 1", c["open_opportunities"])
		}
		wantAt(t, "last_opportunity_at", c["last_opportunity_at"], monday)

		oppPath := "/api/v1/opportunities/" + opp["id"].(string)
		r.refused("rep.b", "PATCH", oppPath, `{"status":"won"}`, 404, "not_found", "")
		r.refused("rep.a", "PATCH", oppPath, `{"status":"open"}`, 422, "invalid", "status")
		won := r.want("rep.a", "PATCH", oppPath, `{"status":"won"}`, 200)
		if won["status"] != "won" || won["closed_at"] == nil {
			t.Fatalf("won opportunity: %v", won)
		}
		r.refused("rep.a", "PATCH", oppPath, `{"status":"won"}`, 409, "conflict", "")
		r.refused("rep.a", "PATCH", oppPath, `{"status":"lost"}`, 409, "conflict", "")
		if c := r.get("rep.a", r.c1); c["open_opportunities"] != 0.0 {
			t.Fatalf("open_opportunities after closing = %v, want 0", c["open_opportunities"])
		}
		r.refused("rep.a", "POST", opps, `{"title":"二期","amount":"abc"}`, 422, "invalid", "amount")
		if items := r.items("rep.a", opps); len(items) != 1 || items[0].(map[string]any)["status"] != "won" {
			t.Fatalf("opportunities: %s", jsonOf(items))
		}

		if c := r.get("rep.a", r.c1); c["won"] != false || c["won_at"] != nil {
			t.Fatalf("won before any order: %v %v", c["won"], c["won_at"])
		}
		today := r.clock.Now().In(shanghai).Format(time.DateOnly)
		order := r.want("rep.a", "POST", orders, `{"amount":"12800.50","ordered_on":"`+today+`"}`, 201)
		if order["amount"] != "12800.50" || order["ordered_on"] != today || order["customer_id"] != r.c1 || order["created_by"] != r.a.ID {
			t.Fatalf("recorded order: %v", order)
		}
		c = r.get("rep.a", r.c1)
		if c["won"] != true {
			t.Fatalf("won after the first order = %v", c["won"])
		}
		wantAt(t, "won_at", c["won_at"], day(0))
		wantAt(t, "last_order_at", c["last_order_at"], day(0))

		tomorrow := r.clock.Now().In(shanghai).AddDate(0, 0, 1).Format(time.DateOnly)
		r.refused("rep.a", "POST", orders, `{"amount":"abc","ordered_on":"`+today+`"}`, 422, "invalid", "amount")
		r.refused("rep.a", "POST", orders, `{"amount":"1.234","ordered_on":"`+today+`"}`, 422, "invalid", "amount")
		r.refused("rep.a", "POST", orders, `{"amount":"100","ordered_on":"`+tomorrow+`"}`, 422, "invalid", "ordered_on")
		r.refused("rep.a", "POST", orders, `{"amount":"100","ordered_on":"2026-02-30"}`, 422, "invalid", "ordered_on")
		if items := r.items("rep.a", orders); len(items) != 1 || items[0].(map[string]any)["id"] != order["id"] {
			t.Fatalf("a refused order was written: %s", jsonOf(items))
		}

		// An order for an earlier day moves won_at back, not last_order_at.
		r.want("rep.a", "POST", orders, `{"amount":"500","ordered_on":"`+date(-1)+`"}`, 201)
		c = r.get("rep.a", r.c1)
		wantAt(t, "won_at after an earlier order", c["won_at"], day(-1))
		wantAt(t, "last_order_at after an earlier order", c["last_order_at"], day(0))
		if items := r.items("rep.a", orders); len(items) != 2 || items[0].(map[string]any)["id"] != order["id"] {
			t.Fatalf("orders, latest first: %s", jsonOf(items))
		}
		// no_follow_up does not exempt won customers: the clock still runs.
		wantDeadline(t, c, day(8), 8, day(5))
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

// previewDays reads a preview's days.
func previewDays(t *testing.T, v map[string]any) []map[string]any {
	t.Helper()
	raw, ok := v["days"].([]any)
	if !ok {
		t.Fatalf("no days in preview %v", v)
	}
	out := make([]map[string]any, len(raw))
	for i, d := range raw {
		out[i] = d.(map[string]any)
	}
	return out
}

// previewed returns, for each customer id in a preview, the index of its
// day and its entry.
func previewed(t *testing.T, days []map[string]any) map[string]int {
	t.Helper()
	at := map[string]int{}
	for i, d := range days {
		n := 0
		for _, o := range d["owners"].([]any) {
			owner := o.(map[string]any)
			cs := owner["customers"].([]any)
			if owner["count"] != float64(len(cs)) {
				t.Fatalf("owner %v on %v counts %v of %d customers", owner["owner_name"], d["date"], owner["count"], len(cs))
			}
			for _, c := range cs {
				at[c.(map[string]any)["id"].(string)] = i
				n++
			}
		}
		if d["total"] != float64(n) {
			t.Fatalf("day %v: total %v, customers %d", d["date"], d["total"], n)
		}
	}
	return at
}

// TestRecyclePreview: the preview lists who goes back on each day ahead,
// under the pool's rules or proposed ones, and changes nothing.
func TestRecyclePreview(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		pool := r.setRules(sevenDays)
		r.claim("rep.a", r.c1) // due day 8
		r.claim("rep.b", r.cA) // category A: due day 15
		preview := r.poolPath() + "/recycle-preview"

		days := previewDays(t, r.want("admin", "GET", preview+"?days=7", "", 200))
		if len(days) != 7 {
			t.Fatalf("%d days, want 7", len(days))
		}
		for i, d := range days {
			if d["date"] != date(i) || d["total"] != 0.0 || len(d["owners"].([]any)) != 0 {
				t.Fatalf("day %d: %v, want %s with nobody", i, d, date(i))
			}
		}
		if days := previewDays(t, r.want("admin", "GET", preview, "", 200)); len(days) != 7 {
			t.Fatalf("default preview: %d days, want 7", len(days))
		}

		r.clock.Set(day(3).Add(9 * time.Hour)) // Thursday 09:00
		current := r.want("admin", "GET", preview+"?days=7", "", 200)
		days = previewDays(t, current)
		for i, d := range days {
			if d["date"] != date(3+i) {
				t.Fatalf("day %d is %v, want %s", i, d["date"], date(3+i))
			}
		}
		at := previewed(t, days)
		if len(at) != 1 || at[r.c1] != 5 {
			t.Fatalf("under the pool's rules, want only c1 on %s: %s", date(8), jsonOf(days))
		}
		owner := days[5]["owners"].([]any)[0].(map[string]any)
		pc := owner["customers"].([]any)[0].(map[string]any)
		if owner["owner_id"] != r.a.ID || owner["owner_name"] != "rep.a" || pc["rule"] != "no_follow_up" ||
			pc["company"] != "上海恒信科技有限公司" || pc["name"] != "张伟" {
			t.Fatalf("preview entry: %v", owner)
		}
		wantAt(t, "previewed deadline", pc["deadline"], day(8))
		if j := jsonOf(current); strings.Contains(j, "1381234") || strings.Contains(j, "@") {
			t.Fatalf("the preview carries contacts: %s", j)
		}

		// Shorter days: c1 would go on day 4, cA (5 days for A) on day 6.
		shorter := `{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":3,"category_days":{"A":5}}],"warn_days":3}}`
		days = previewDays(t, r.want("admin", "POST", preview+"?days=7", shorter, 200))
		if at := previewed(t, days); len(at) != 2 || at[r.c1] != 1 || at[r.cA] != 3 || days[1]["date"] != date(4) {
			t.Fatalf("under 3 days (A: 5), want c1 on %s and cA on %s: %s", date(4), date(6), jsonOf(days))
		}
		// Overdue under a proposal: both show today, owners by name.
		days = previewDays(t, r.want("admin", "POST", preview+"?days=7",
			`{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":1}]}}`, 200))
		if at := previewed(t, days); len(at) != 2 || at[r.c1] != 0 || at[r.cA] != 0 {
			t.Fatalf("under 1 day, want both today: %s", jsonOf(days))
		}
		if owners := days[0]["owners"].([]any); len(owners) != 2 || owners[0].(map[string]any)["owner_name"] != "rep.a" ||
			owners[1].(map[string]any)["owner_name"] != "rep.b" {
			t.Fatalf("owners of today: %s", jsonOf(owners))
		}

		// Nothing changed.
		wantDeadline(t, r.get("admin", r.c1), day(8), 5, day(5))
		if got := r.want("admin", "GET", r.poolPath(), "", 200)["recycle"]; jsonOf(got) != jsonOf(pool["recycle"]) {
			t.Fatalf("a preview changed the pool's rules: %s, want %s", jsonOf(got), jsonOf(pool["recycle"]))
		}
		if again := r.want("admin", "GET", preview+"?days=7", "", 200); jsonOf(again) != jsonOf(current) {
			t.Fatalf("preview after proposals %s, before %s", jsonOf(again), jsonOf(current))
		}

		if days := previewDays(t, r.want("admin", "GET", preview+"?days=90", "", 200)); len(days) != 90 || days[89]["date"] != date(3+89) {
			t.Fatalf("90 days: %d, last %v", len(days), days[len(days)-1]["date"])
		}
		r.refused("rep.a", "GET", preview+"?days=7", "", 403, "forbidden", "")
		r.refused("rep.a", "POST", preview+"?days=7", shorter, 403, "forbidden", "")
		r.refused("mgr.east", "GET", preview, "", 403, "forbidden", "")
		for _, q := range []string{"0", "91", "-1"} {
			r.refused("admin", "GET", preview+"?days="+q, "", 422, "invalid", "days")
			r.refused("admin", "POST", preview+"?days="+q, shorter, 422, "invalid", "days")
		}
		r.refused("admin", "POST", preview, `{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":0}]}}`, 422, "invalid", "")
		r.refused("admin", "POST", preview, `{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":3},{"kind":"no_follow_up","enabled":true,"days":4}]}}`,
			422, "invalid", "recycle.rules[1].kind")
		r.refused("admin", "GET", "/api/v1/pools/nope/recycle-preview", "", 404, "not_found", "")
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

// TestHandOver: an admin hands a rep's whole private pool to another rep;
// each customer moves with a fresh deadline under the new owner.
func TestHandOver(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		r.claim("rep.a", r.cA)
		r.clock.Set(day(3).Add(9 * time.Hour)) // Thursday 09:00
		now := r.clock.Now()
		path := "/api/v1/users/" + r.a.ID + "/handover"
		body := `{"to_user_id":"` + r.b.ID + `","reason":"离职交接"}`

		r.refused("rep.a", "POST", path, body, 403, "forbidden", "")
		r.refused("admin", "POST", path, `{"to_user_id":"`+r.b.ID+`","reason":""}`, 422, "invalid", "reason")
		r.refused("admin", "POST", path, `{"to_user_id":"`+r.a.ID+`","reason":"离职交接"}`, 422, "invalid", "to_user_id")
		if n := len(r.items("rep.a", "/api/v1/me/customers")); n != 2 {
			t.Fatalf("refused hand-overs moved customers: rep.a owns %d", n)
		}

		if out := r.want("admin", "POST", path, body, 200); out["count"] != 2.0 {
			t.Fatalf("hand-over answered %v, want count 2", out)
		}
		for _, sc := range []struct {
			id   string
			days int
		}{{r.c1, 7}, {r.cA, 14}} {
			c := r.get("rep.b", sc.id)
			if c["owner_id"] != r.b.ID {
				t.Fatalf("customer %s after the hand-over: owner %v", sc.id, c["owner_id"])
			}
			wantAt(t, "owned_since", c["owned_since"], now)
			wantDeadline(t, c, gonghai.AddDays(now, sc.days+1, shanghai), sc.days+1, gonghai.AddDays(now, sc.days-2, shanghai))
			hist := r.items("admin", cust(sc.id)+"/history")
			last := hist[len(hist)-1].(map[string]any)
			if last["kind"] != "transferred" || last["from_owner_id"] != r.a.ID || last["to_owner_id"] != r.b.ID ||
				last["reason"] != "离职交接" || last["actor_id"] != r.admin.ID {
				t.Fatalf("the hand-over's event: %v", last)
			}
		}
		if n := len(r.items("rep.a", "/api/v1/me/customers")); n != 0 {
			t.Fatalf("rep.a still owns %d customers", n)
		}
		if n := len(r.items("rep.b", "/api/v1/me/customers")); n != 2 {
			t.Fatalf("rep.b owns %d customers, want 2", n)
		}
		if out := r.want("admin", "POST", path, body, 200); out["count"] != 0.0 {
			t.Fatalf("a second hand-over answered %v, want count 0", out)
		}
	})
}

// TestSettingsStagesAndWebhook: the admin sets the stages and the webhook;
// others read the stages but never the webhook's URL; a customer's stage
// must be one of the list.
func TestSettingsStagesAndWebhook(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		const secret = "robot-access-token-8d2f"
		hook := "https://oapi.dingtalk.com/robot/send?access_token=" + secret
		stages := `["初步接触","需求确认","方案报价","赢单"]`
		put := `{"time_zone":"Asia/Shanghai","level_holding_limits":{},"exclude_won_from_holding":false,"stages":` + stages +
			`,"webhook_url":"` + hook + `","webhook_format":"robot_text"}`
		for _, got := range []map[string]any{r.want("admin", "PATCH", "/api/v1/settings", put, 200), r.want("admin", "GET", "/api/v1/settings", "", 200)} {
			if jsonOf(got["stages"]) != stages || got["webhook_url"] != hook || got["webhook_format"] != "robot_text" || got["time_zone"] != "Asia/Shanghai" {
				t.Fatalf("settings as the admin reads them: %v", got)
			}
		}
		for _, as := range []string{"rep.a", "mgr.east"} {
			got := r.want(as, "GET", "/api/v1/settings", "", 200)
			if j := jsonOf(got); strings.Contains(j, secret) || strings.Contains(j, "dingtalk") || (got["webhook_url"] != nil && got["webhook_url"] != "") {
				t.Fatalf("%s reads the webhook's URL: %s", as, j)
			}
			if jsonOf(got["stages"]) != stages {
				t.Fatalf("%s reads stages %v", as, got["stages"])
			}
		}

		// Omitted stages and webhook stay as they are.
		r.want("admin", "PATCH", "/api/v1/settings", `{"time_zone":"Asia/Shanghai","level_holding_limits":{"junior":30},"exclude_won_from_holding":true}`, 200)
		got := r.want("admin", "GET", "/api/v1/settings", "", 200)
		if jsonOf(got["stages"]) != stages || got["webhook_url"] != hook || got["webhook_format"] != "robot_text" ||
			got["exclude_won_from_holding"] != true || jsonOf(got["level_holding_limits"]) != `{"junior":30}` {
			t.Fatalf("settings after a PATCH without stages or webhook: %v", got)
		}
		before := jsonOf(got)
		base := `{"time_zone":"Asia/Shanghai","level_holding_limits":{},"exclude_won_from_holding":false,`
		for _, sc := range []struct{ body, field string }{
			{base + `"webhook_url":"ftp://example.com/hook"}`, "webhook_url"},
			{base + `"webhook_url":"not a url"}`, "webhook_url"},
			{base + `"webhook_format":"xml"}`, "webhook_format"},
			{base + `"stages":["初步接触","初步接触"]}`, "stages"},
			{base + `"stages":[""]}`, "stages"},
		} {
			r.refused("admin", "PATCH", "/api/v1/settings", sc.body, 422, "invalid", sc.field)
			if after := jsonOf(r.want("admin", "GET", "/api/v1/settings", "", 200)); after != before {
				t.Fatalf("refused settings %s were written:\nbefore %s\nafter  %s", sc.body, before, after)
			}
		}
		r.refused("rep.a", "PATCH", "/api/v1/settings", put, 403, "forbidden", "")

		r.claim("rep.a", r.c1)
		r.refused("rep.a", "PATCH", cust(r.c1), `{"stage":"谈判"}`, 422, "invalid", "stage")
		if c := r.get("rep.a", r.c1); c["stage"] != "" || c["last_stage_change_at"] != nil {
			t.Fatalf("a refused stage was written: %v %v", c["stage"], c["last_stage_change_at"])
		}
		r.clock.Advance(time.Hour)
		c := r.want("rep.a", "PATCH", cust(r.c1), `{"stage":"需求确认"}`, 200)
		if c["stage"] != "需求确认" {
			t.Fatalf("stage after PATCH: %v", c["stage"])
		}
		wantAt(t, "last_stage_change_at", c["last_stage_change_at"], r.clock.Now())

		// An empty URL turns the webhook off.
		r.want("admin", "PATCH", "/api/v1/settings", base+`"webhook_url":"","webhook_format":"json"}`, 200)
		if got := r.want("admin", "GET", "/api/v1/settings", "", 200); got["webhook_url"] != "" || got["webhook_format"] != "json" {
			t.Fatalf("settings after clearing the webhook: %v", got)
		}
	})
}

// TestNotifications: the sweep reminds owners before the deadline and
// tells them when a customer went back; owners list and mark them read.
func TestNotifications(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		ctx := context.Background()
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1) // due day 8, reminded day 5 and day 7
		sweep := func(want recycle.Report) {
			t.Helper()
			got, err := r.sweeper.Once(ctx)
			if err != nil || got != want {
				t.Fatalf("sweep at %v: %+v %v, want %+v", r.clock.Now(), got, err, want)
			}
		}
		sweep(recycle.Report{})
		if n := r.items("rep.a", "/api/v1/me/notifications"); len(n) != 0 {
			t.Fatalf("notifications before any reminder: %s", jsonOf(n))
		}

		r.clock.Set(day(5).Add(time.Hour))
		sweep(recycle.Report{Reminded: 1})
		sweep(recycle.Report{})
		items := r.items("rep.a", "/api/v1/me/notifications")
		if len(items) != 1 {
			t.Fatalf("after the first reminder: %s", jsonOf(items))
		}
		first := items[0].(map[string]any)
		if first["kind"] != "recycle_warning" || first["customer_id"] != r.c1 || first["rule"] != "no_follow_up" ||
			first["days_left"] != 3.0 || first["read_at"] != nil || first["customer_name"] != "上海恒信科技有限公司" ||
			!strings.Contains(first["text"].(string), "【回收提醒】") || !strings.Contains(first["text"].(string), "还剩 3 天") {
			t.Fatalf("first reminder: %v", first)
		}
		wantAt(t, "reminder deadline", first["deadline"], day(8))
		wantDeadline(t, r.get("rep.a", r.c1), day(8), 3, day(7))

		r.clock.Set(day(7).Add(time.Hour))
		sweep(recycle.Report{Reminded: 1})
		r.clock.Set(day(8).Add(time.Hour))
		sweep(recycle.Report{Recycled: 1})
		sweep(recycle.Report{})
		if c := r.get("admin", r.c1); c["owner_id"] != nil || c["recycle"] != nil {
			t.Fatalf("after the deadline: owner %v, recycle %v", c["owner_id"], c["recycle"])
		}

		items = r.items("rep.a", "/api/v1/me/notifications")
		if len(items) != 3 {
			t.Fatalf("notifications: %s", jsonOf(items))
		}
		var kinds []string
		for _, it := range items {
			n := it.(map[string]any)
			kinds = append(kinds, fmt.Sprintf("%v/%v", n["kind"], n["days_left"]))
			if n["customer_id"] != r.c1 || n["read_at"] != nil {
				t.Fatalf("notification %v", n)
			}
			if j := jsonOf(n); strings.Contains(j, "13812348000") || strings.Contains(j, "zhang.wei@") {
				t.Fatalf("a notification carries contacts: %s", j)
			}
		}
		if want := []string{"recycled/0", "recycle_warning/1", "recycle_warning/3"}; !reflect.DeepEqual(kinds, want) {
			t.Fatalf("notifications newest first: %v, want %v", kinds, want)
		}
		if text := items[0].(map[string]any)["text"].(string); !strings.Contains(text, "【公海回收】") || !strings.Contains(text, "超期未跟进") {
			t.Fatalf("recycle notice text %q", text)
		}
		for _, as := range []string{"rep.b", "mgr.east", "admin"} {
			if n := r.items(as, "/api/v1/me/notifications"); len(n) != 0 {
				t.Fatalf("%s sees rep.a's notifications: %s", as, jsonOf(n))
			}
		}
		page := r.want("rep.a", "GET", "/api/v1/me/notifications?limit=2", "", 200)
		if got, _ := page["items"].([]any); len(got) != 2 || page["next_cursor"] == "" {
			t.Fatalf("first page of two: %v", page)
		}

		// Read up to the middle one: it and the older one.
		middle := items[1].(map[string]any)["id"].(string)
		if out := r.want("rep.b", "POST", "/api/v1/me/notifications/read", `{}`, 200); out["count"] != 0.0 {
			t.Fatalf("rep.b marked %v of rep.a's notifications read", out["count"])
		}
		if out := r.want("rep.a", "POST", "/api/v1/me/notifications/read", `{"up_to":"`+middle+`"}`, 200); out["count"] != 2.0 {
			t.Fatalf("read up to the middle one: %v, want count 2", out)
		}
		items = r.items("rep.a", "/api/v1/me/notifications")
		if items[0].(map[string]any)["read_at"] != nil || items[1].(map[string]any)["read_at"] == nil || items[2].(map[string]any)["read_at"] == nil {
			t.Fatalf("after reading up to the middle one: %s", jsonOf(items))
		}
		if out := r.want("rep.a", "POST", "/api/v1/me/notifications/read", `{}`, 200); out["count"] != 1.0 {
			t.Fatalf("read all: %v, want count 1", out)
		}
		for _, it := range r.items("rep.a", "/api/v1/me/notifications") {
			wantAt(t, "read_at", it.(map[string]any)["read_at"], r.clock.Now())
		}
		if out := r.want("rep.a", "POST", "/api/v1/me/notifications/read", `{}`, 200); out["count"] != 0.0 {
			t.Fatalf("read all again: %v, want count 0", out)
		}
		r.refused("", "GET", "/api/v1/me/notifications", "", 401, "unauthenticated", "")
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
