package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/web"
	"github.com/gonghai/gonghai/internal/webtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// org is a small organisation behind a real HTTP server:
// 销售部 ⊃ 华东组 (manager east, reps a and b) and 华北组 (rep north).
type org struct {
	t                         *testing.T
	db                        *store.DB
	srv                       *httptest.Server
	tokens                    map[string]string
	ids                       map[string]string
	admin, east, a, b, north  gonghai.User
	pool, hidden, northPool   gonghai.Pool
	inPool, ownedByA, hiddenC string
}

func forEachDB(t *testing.T, test func(t *testing.T, o *org)) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) { test(t, newOrg(t, dsn)) })
}

func newOrg(t *testing.T, dsn string) *org {
	ctx := context.Background()
	db := storetest.Open(t, dsn, gonghai.SystemClock{}, nil)
	o := &org{t: t, db: db, tokens: map[string]string{}, ids: map[string]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
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
	north, err := db.CreateDepartment(ctx, o.admin, "华北组", sales.ID)
	must(err)
	o.east, o.a, o.b = user("mgr.east", gonghai.RoleManager, east.ID), user("rep.a", gonghai.RoleRep, east.ID), user("rep.b", gonghai.RoleRep, east.ID)
	o.north = user("rep.north", gonghai.RoleRep, north.ID)
	pool := func(name string, in gonghai.PoolInput) gonghai.Pool {
		in.Name = &name
		p, err := db.CreatePool(ctx, o.admin, in)
		must(err)
		return p
	}
	o.pool = pool("华东公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{east.ID}, DailyClaimLimit: ptr(3)})
	o.northPool = pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{north.ID}})
	o.hidden = pool("重点客户池", gonghai.PoolInput{Hidden: ptr(true), MemberDepartmentIDs: &[]string{east.ID}})
	n := 0
	customer := func(p gonghai.Pool, owner string) string {
		// Contacts differ in their middle, so they mask alike: 138****8000,
		// z***@hengxin.cn. Each is a company of its own (numbered).
		n++
		c, err := db.CreateCustomer(ctx, o.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: owner,
			CustomerFields: gonghai.CustomerFields{Name: "张伟", Company: fmt.Sprintf("上海恒信科技有限公司%d", n), Phone: fmt.Sprintf("138123%d8000", 3+n),
				Email: fmt.Sprintf("zhang.wei.%d@hengxin.cn", n), WeChat: fmt.Sprintf("zhangwei_%d", n)}})
		must(err)
		return c.ID
	}
	o.inPool, o.ownedByA, o.hiddenC = customer(o.pool, ""), customer(o.pool, o.a.ID), customer(o.hidden, "")
	o.srv = webtest.Serve(t, web.NewServer(db, slog.New(slog.NewTextHandler(io.Discard, nil))))
	return o
}

func ptr[T any](v T) *T { return &v }

// call sends one request as login ("" for none), its body as JSON, and
// decodes the answer.
func (o *org) call(login, method, path, body string) (int, map[string]any, http.Header) {
	o.t.Helper()
	var header map[string]string
	if body != "" {
		header = map[string]string{"Content-Type": "application/json"}
	}
	return o.raw(login, method, path, []byte(body), header)
}

// TestScenarios drives the API as its users do and checks status and code.
func TestScenarios(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		p, hp, np := o.pool.ID, o.hidden.ID, o.northPool.ID
		for _, sc := range []struct {
			name, as, method, path, body string
			status                       int
			code                         string
			field                        string // a field named in the problem
		}{
			{"no token", "", "GET", "/api/v1/pools", "", 401, "unauthenticated", ""},
			{"bad token", "nobody", "GET", "/api/v1/pools", "", 401, "unauthenticated", ""},
			{"health is public", "", "GET", "/healthz", "", 200, "", ""},
			{"unknown route", "admin", "GET", "/api/v1/nothing", "", 404, "not_found", ""},
			{"unknown customer", "admin", "GET", "/api/v1/customers/nope", "", 404, "not_found", ""},
			{"member lists pool", "rep.a", "GET", "/api/v1/pools/" + p + "/customers", "", 200, "", ""},
			{"non-member cannot list", "rep.north", "GET", "/api/v1/pools/" + p + "/customers", "", 404, "not_found", ""},
			{"non-member cannot claim", "rep.north", "POST", "/api/v1/customers/" + o.inPool + "/claim", "", 404, "not_found", ""},
			{"non-member cannot batch claim", "rep.north", "POST", "/api/v1/pools/" + p + "/claim", `{"customer_ids":["` + o.inPool + `"]}`, 404, "not_found", ""},
			{"hidden pool is not listed to members", "rep.a", "GET", "/api/v1/pools/" + hp + "/customers", "", 404, "not_found", ""},
			{"hidden pool customers are unseen by members", "rep.a", "POST", "/api/v1/customers/" + o.hiddenC + "/claim", "", 404, "not_found", ""},
			{"rep cannot assign", "rep.a", "POST", "/api/v1/customers/" + o.inPool + "/assign", `{"user_id":"` + o.b.ID + `"}`, 403, "forbidden", ""},
			{"manager cannot assign outside subtree", "mgr.east", "POST", "/api/v1/customers/" + o.inPool + "/assign", `{"user_id":"` + o.north.ID + `"}`, 403, "forbidden", ""},
			{"manager cannot force", "mgr.east", "POST", "/api/v1/customers/" + o.inPool + "/assign", `{"user_id":"` + o.b.ID + `","force":true}`, 403, "forbidden", ""},
			{"rep cannot transfer another's, nor learn it exists", "rep.b", "POST", "/api/v1/customers/" + o.ownedByA + "/transfer", `{"user_id":"` + o.b.ID + `"}`, 404, "not_found", ""},
			{"rep cannot transfer their own", "rep.a", "POST", "/api/v1/customers/" + o.ownedByA + "/transfer", `{"user_id":"` + o.b.ID + `"}`, 403, "forbidden", ""},
			{"rep cannot release another's", "rep.b", "POST", "/api/v1/customers/" + o.ownedByA + "/release", `{"reason":"x"}`, 404, "not_found", ""},
			{"release needs a reason", "rep.a", "POST", "/api/v1/customers/" + o.ownedByA + "/release", `{"reason":""}`, 422, "invalid", "reason"},
			{"claim taken customer", "rep.b", "POST", "/api/v1/customers/" + o.ownedByA + "/claim", "", 409, "already_claimed", ""},
			{"rep cannot create pools", "rep.a", "POST", "/api/v1/pools", `{"name":"我的池"}`, 403, "forbidden", ""},
			{"rep cannot create users", "rep.a", "POST", "/api/v1/users", `{"login":"x","name":"x","role":"admin"}`, 403, "forbidden", ""},
			{"rep cannot change settings", "rep.a", "PATCH", "/api/v1/settings", `{"time_zone":"UTC","level_holding_limits":{},"exclude_won_from_holding":false}`, 403, "forbidden", ""},
			{"pool without name", "admin", "POST", "/api/v1/pools", `{"daily_claim_limit":3}`, 422, "invalid", "name"},
			{"negative limit", "admin", "PATCH", "/api/v1/pools/" + np, `{"daily_claim_limit":-1}`, 422, "invalid", "daily_claim_limit"},
			{"bad category", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","company":"某公司","category":"D"}`, 422, "invalid", "category"},
			{"bad phone", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","company":"某公司","phone":"call me"}`, 422, "invalid", "phone"},
			{"malformed json", "admin", "POST", "/api/v1/customers", `{"pool_id":`, 422, "invalid", ""},
			{"batch too large", "rep.a", "POST", "/api/v1/pools/" + p + "/claim", `{"customer_ids":[` + strings.Repeat(`"x",`, 50) + `"y"]}`, 422, "invalid", "customer_ids"},
			{"bad cursor", "rep.a", "GET", "/api/v1/pools/" + p + "/customers?cursor=***", "", 422, "invalid", "cursor"},
			{"limit over 200", "rep.a", "GET", "/api/v1/pools/" + p + "/customers?limit=500", "", 422, "invalid", "limit"},
			{"rep sees only self", "rep.a", "GET", "/api/v1/users/" + o.b.ID, "", 404, "not_found", ""},
			{"manager sees own team", "mgr.east", "GET", "/api/v1/users/" + o.b.ID, "", 200, "", ""},
			{"manager does not see other teams", "mgr.east", "GET", "/api/v1/users/" + o.north.ID, "", 404, "not_found", ""},
			{"rep cannot see another's customer", "rep.b", "GET", "/api/v1/customers/" + o.ownedByA, "", 404, "not_found", ""},
		} {
			t.Run(sc.name, func(t *testing.T) {
				status, body, header := o.call(sc.as, sc.method, sc.path, sc.body)
				if status != sc.status || (sc.code != "" && body["code"] != sc.code) {
					t.Fatalf("%s %s as %q: %d %v, want %d %s", sc.method, sc.path, sc.as, status, body, sc.status, sc.code)
				}
				if sc.code != "" && header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("error content type %q, want application/problem+json", header.Get("Content-Type"))
				}
				if sc.field != "" {
					if fields, _ := body["fields"].(map[string]any); fields[sc.field] == nil {
						t.Errorf("problem %v does not name field %q", body, sc.field)
					}
				}
			})
		}
	})
}

// TestMassAssignment: a body carrying owner, pool, role or times a caller
// may not set is refused, and nothing changes.
func TestMassAssignment(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		before := o.snapshot()
		for _, sc := range []struct {
			name, as, method, path, body string
			status                       int
		}{
			{"create with a timestamp", "rep.a", "POST", "/api/v1/customers", `{"pool_id":"` + o.pool.ID + `","company":"甲公司","created_at":"2020-01-01T00:00:00Z"}`, 422},
			{"create with won", "rep.a", "POST", "/api/v1/customers", `{"pool_id":"` + o.pool.ID + `","company":"甲公司","won":true}`, 422},
			{"create for another rep", "rep.a", "POST", "/api/v1/customers", `{"pool_id":"` + o.pool.ID + `","company":"甲公司","owner_id":"` + o.b.ID + `"}`, 403},
			{"create with an id", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + o.pool.ID + `","company":"甲公司","id":"mine"}`, 422},
			{"patch the owner", "rep.a", "PATCH", "/api/v1/customers/" + o.ownedByA, `{"owner_id":"` + o.b.ID + `"}`, 422},
			{"patch the pool", "rep.a", "PATCH", "/api/v1/customers/" + o.ownedByA, `{"pool_id":"` + o.northPool.ID + `","name":"改名"}`, 422},
			{"patch owned_since", "rep.a", "PATCH", "/api/v1/customers/" + o.ownedByA, `{"owned_since":"2020-01-01T00:00:00Z"}`, 422},
			{"create a user as active admin with a password hash", "admin", "POST", "/api/v1/users", `{"login":"x","name":"x","role":"rep","active":false,"password_hash":"x"}`, 422},
			{"create a user with a made-up role", "admin", "POST", "/api/v1/users", `{"login":"y","name":"y","role":"root"}`, 422},
			{"member renames the pool", "rep.a", "PATCH", "/api/v1/pools/" + o.pool.ID, `{"name":"改名"}`, 403},
			{"pool with timestamps", "admin", "PATCH", "/api/v1/pools/" + o.pool.ID, `{"created_at":"2020-01-01T00:00:00Z","name":"改名"}`, 422},
		} {
			t.Run(sc.name, func(t *testing.T) {
				status, body, _ := o.call(sc.as, sc.method, sc.path, sc.body)
				if status != sc.status {
					t.Fatalf("%s %s: %d %v, want %d", sc.method, sc.path, status, body, sc.status)
				}
				if after := o.snapshot(); after != before {
					t.Fatalf("the refused request changed data:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

// snapshot is what an admin can read of the organisation, as one string.
func (o *org) snapshot() string {
	o.t.Helper()
	var b strings.Builder
	for _, path := range []string{"/api/v1/users", "/api/v1/pools", "/api/v1/pools/" + o.pool.ID + "/customers",
		"/api/v1/pools/" + o.northPool.ID + "/customers", "/api/v1/customers/" + o.ownedByA,
		"/api/v1/customers/" + o.ownedByA + "/history"} {
		_, v, _ := o.call("admin", "GET", path, "")
		j, _ := json.Marshal(v)
		b.Write(j)
	}
	return b.String()
}

// TestMasking: only the owner gets a customer's contacts in full; every
// other viewer gets them masked, wherever the customer appears.
func TestMasking(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		for _, sc := range []struct {
			as, path string
			masked   bool
		}{
			{"rep.a", "/api/v1/pools/" + o.pool.ID + "/customers", true},
			{"mgr.east", "/api/v1/pools/" + o.pool.ID + "/customers", true},
			{"admin", "/api/v1/pools/" + o.pool.ID + "/customers", true},
			{"rep.a", "/api/v1/customers/" + o.inPool, true},
			{"rep.a", "/api/v1/customers/" + o.ownedByA, false},
			{"rep.a", "/api/v1/me/customers", false},
			{"mgr.east", "/api/v1/customers/" + o.ownedByA, true},
			{"admin", "/api/v1/customers/" + o.ownedByA, true},
		} {
			status, body, _ := o.call(sc.as, "GET", sc.path, "")
			j, _ := json.Marshal(body)
			full := fullContacts(string(j)) != nil
			hidden := strings.Contains(string(j), "138****8000") && strings.Contains(string(j), "z***@hengxin.cn")
			if status != 200 || full == sc.masked || hidden != sc.masked {
				t.Errorf("%s GET %s: status %d, masked=%v, want masked=%v: %s", sc.as, sc.path, status, hidden, sc.masked, j)
			}
		}
	})
}

// fullContact matches, in a response body, a whole mobile number (also
// with spaces or invisible characters between its digits), an email
// address (also with a full-width or spaced @), a WeChat id (wxid_…, or a
// handle after 微信, VX, wx or WeChat), or a sealed value.
var fullContact = regexp.MustCompile(`1[3-9](?:[\p{Cf} ]*[0-9]){9}|[A-Za-z0-9._%+-]+ ?[@＠] ?[A-Za-z0-9.-]+\.[a-z]{2,}|` +
	`wxid_[a-z0-9]{4,}|(?:微信号?|(?i:vx|wx|wechat))[:： ]*[A-Za-z][A-Za-z0-9_-]{5,}|"k[0-9]+\$`)

// ids are the generated ids in a body: their hex may hold eleven digits
// in a row that read as a mobile number, and they are no contact.
var ids = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// fullContacts returns the whole contacts in body, ids aside.
func fullContacts(body string) []string {
	return fullContact.FindAllString(ids.ReplaceAllString(body, "id"), -1)
}

// TestMaskingScan: every body a non-owner can get that carries a customer
// (pool listings, searches by name and by phone, detail, history,
// follow-ups, opportunities, the answers to claim, release, assign, and a
// duplicate's error) holds no full phone number, email address or WeChat
// id, however a rep typed it into a note, a title or a reason.
func TestMaskingScan(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		var bodies, requests []string
		get := func(as, method, path, body string) map[string]any {
			t.Helper()
			status, b, _ := o.call(as, method, path, body)
			j, _ := json.Marshal(b)
			if status >= 500 {
				t.Fatalf("%s %s %s: %d %s", as, method, path, status, j)
			}
			bodies, requests = append(bodies, string(j)), append(requests, as+" "+method+" "+path)
			return b
		}
		// The owner logs notes that carry numbers, addresses and WeChat ids,
		// written as people write them, and an opportunity titled with one.
		for _, note := range []string{"新号码 13987654321 / li@hengxin.cn", "已加微信 wxid_rhkvdiki3fsu", "客户说 VX: zhangwei_88",
			"新手机 139\u200b1234\u200b5678", "邮箱 li＠hengxin.cn", "邮箱 li @ hengxin.cn"} {
			if status, b, _ := o.call("rep.a", "POST", "/api/v1/customers/"+o.ownedByA+"/followups", `{"kind":"call","content":"`+note+`"}`); status != 201 {
				t.Fatalf("the owner logs %q: %d %v", note, status, b)
			}
		}
		if status, b, _ := o.call("rep.a", "POST", "/api/v1/customers/"+o.ownedByA+"/opportunities", `{"title":"年度采购，对接人微信 zhangwei_88"}`); status != 201 {
			t.Fatalf("the owner opens an opportunity: %d %v", status, b)
		}
		bodies, requests = nil, nil
		// A member finds a pool customer by its phone in any format, and by its email.
		for _, q := range []string{"+86 138-1234-8000", "ZHANG.WEI.1@hengxin.cn"} {
			if b := get("rep.b", "GET", "/api/v1/pools/"+o.pool.ID+"/customers?q="+url.QueryEscape(q), ""); len(b["items"].([]any)) != 1 {
				t.Fatalf("a search by %q finds %v, want the one customer", q, b)
			}
		}
		for _, as := range []string{"rep.a", "rep.b", "mgr.east", "admin", "rep.north"} {
			for _, path := range []string{
				"/api/v1/pools/" + o.pool.ID + "/customers",
				"/api/v1/pools/" + o.pool.ID + "/customers?q=" + url.QueryEscape("张伟"),
				"/api/v1/pools/" + o.pool.ID + "/customers?q=" + url.QueryEscape("+86 138-1234-8000"),
				"/api/v1/pools/" + o.pool.ID + "/customers?q=zhang.wei.1@hengxin.cn",
				"/api/v1/pools/" + o.hidden.ID + "/customers",
				"/api/v1/customers/" + o.inPool,
				"/api/v1/customers/" + o.inPool + "/history",
				"/api/v1/customers/" + o.hiddenC,
			} {
				get(as, "GET", path, "")
			}
			if as != "rep.a" {
				for _, path := range []string{"", "/history", "/followups", "/opportunities"} {
					get(as, "GET", "/api/v1/customers/"+o.ownedByA+path, "")
				}
			}
			// A duplicate's error names the match, never its contacts.
			get(as, "POST", "/api/v1/customers", `{"pool_id":"`+o.pool.ID+`","company":"重复","phone":"+86 138 1235 8000"}`)
		}
		get("mgr.east", "POST", "/api/v1/customers/"+o.inPool+"/assign", `{"user_id":"`+o.b.ID+`"}`)
		if b := get("rep.b", "POST", "/api/v1/customers/"+o.inPool+"/release", `{"reason":"暂无需求，新号码 139 8765 4321"}`); b["id"] != o.inPool || b["owner_id"] != nil {
			t.Fatalf("the release: %v", b)
		}
		get("mgr.east", "GET", "/api/v1/customers/"+o.inPool+"/history", "")
		get("admin", "POST", "/api/v1/customers/"+o.inPool+"/assign", `{"user_id":"`+o.a.ID+`"}`)
		get("admin", "POST", "/api/v1/customers/"+o.ownedByA+"/transfer", `{"user_id":"`+o.b.ID+`"}`)
		get("rep.a", "GET", "/api/v1/customers/"+o.ownedByA+"/followups", "")
		if len(bodies) < 40 {
			t.Fatalf("scanned only %d bodies", len(bodies))
		}
		for i, b := range bodies {
			if m := fullContacts(b); m != nil {
				t.Errorf("full contacts %q left the server: %s: %s", m, requests[i], b)
			}
		}
	})
}

// TestAssignAndLimits runs assignment through the API: a manager inside
// their subtree, the daily limit's 429, and an admin's forced assignment
// recorded in the history.
func TestAssignAndLimits(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		status, body, _ := o.call("mgr.east", "POST", "/api/v1/customers/"+o.inPool+"/assign", `{"user_id":"`+o.b.ID+`","reason":"按区域分配"}`)
		if status != 200 || body["owner_id"] != o.b.ID {
			t.Fatalf("manager assigns inside the subtree: %d %v", status, body)
		}
		status, body, _ = o.call("admin", "POST", "/api/v1/customers/"+o.hiddenC+"/assign", `{"user_id":"`+o.north.ID+`","force":true}`)
		if status != 200 {
			t.Fatalf("admin assigns from the hidden pool: %d %v", status, body)
		}
		_, hist, _ := o.call("admin", "GET", "/api/v1/customers/"+o.hiddenC+"/history", "")
		last := hist["items"].([]any)[1].(map[string]any)
		if last["kind"] != "assigned" || last["forced"] != true || last["actor_id"] != o.admin.ID {
			t.Fatalf("history of a forced assignment: %v", hist)
		}
		var ids []string
		for i := range 4 {
			_, c, _ := o.call("admin", "POST", "/api/v1/customers", `{"pool_id":"`+o.pool.ID+`","company":"乙公司`+strconv.Itoa(i)+`"}`)
			ids = append(ids, c["id"].(string))
		}
		status, batch, _ := o.call("rep.a", "POST", "/api/v1/pools/"+o.pool.ID+"/claim", `{"customer_ids":["`+strings.Join(ids, `","`)+`"]}`)
		results := batch["results"].([]any)
		if status != 200 || batch["claimed"] != 3.0 || results[3].(map[string]any)["code"] != "daily_claim_limit_reached" {
			t.Fatalf("batch claim against a daily limit of 3: %d %v", status, batch)
		}
		status, body, _ = o.call("rep.b", "POST", "/api/v1/customers/"+ids[3]+"/claim", "")
		if status != 200 {
			t.Fatalf("another rep's first claim of the day: %d %v", status, body)
		}
	})
}

// TestOpenAPI: the document is OpenAPI 3.1 and lists every route.
func TestOpenAPI(t *testing.T) {
	o := newOrg(t, "sqlite:"+filepath.Join(t.TempDir(), "gonghai.db"))
	res, err := http.Get(o.srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi document: %v %q", err, doc.OpenAPI)
	}
	for _, route := range []string{"get /healthz", "post /api/v1/pools/{id}/claim", "get /api/v1/pools/{id}/customers",
		"post /api/v1/customers/{id}/claim", "post /api/v1/customers/{id}/release", "post /api/v1/customers/{id}/assign",
		"post /api/v1/customers/{id}/transfer", "get /api/v1/customers/{id}/history", "get /api/v1/me/customers",
		"patch /api/v1/pools/{id}", "post /api/v1/users", "get /api/v1/users/{id}", "post /api/v1/departments"} {
		method, path, _ := strings.Cut(route, " ")
		if doc.Paths[path][method] == nil {
			t.Errorf("the document lacks %s", route)
		}
	}
}

// TestDeactivate: a deactivated user's token stops working on its next
// request; only admins change users, and never to lock themselves out.
func TestDeactivate(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		if status, _, _ := o.call("rep.b", "GET", "/api/v1/me", ""); status != 200 {
			t.Fatalf("active rep: %d", status)
		}
		for _, sc := range []struct {
			as, id, body string
			status       int
			code         string
		}{
			{"rep.a", o.b.ID, `{"active":false}`, 404, "not_found"}, // a colleague rep.a may not see
			{"rep.a", o.a.ID, `{"active":false}`, 403, "forbidden"},
			{"mgr.east", o.b.ID, `{"active":false}`, 403, "forbidden"},
			{"admin", o.admin.ID, `{"active":false}`, 403, "forbidden"},
			{"admin", o.admin.ID, `{"role":"rep"}`, 403, "forbidden"},
			{"admin", o.b.ID, `{"password_hash":"x"}`, 422, "invalid"},
			{"admin", o.b.ID, `{"department_id":"nope"}`, 422, "invalid"},
		} {
			if status, body, _ := o.call(sc.as, "PATCH", "/api/v1/users/"+sc.id, sc.body); status != sc.status || body["code"] != sc.code {
				t.Errorf("%s PATCH user %s: %d %v, want %d %s", sc.as, sc.body, status, body, sc.status, sc.code)
			}
		}
		status, body, _ := o.call("admin", "PATCH", "/api/v1/users/"+o.b.ID, `{"active":false,"level":"senior"}`)
		if status != 200 || body["active"] != false || body["level"] != "senior" {
			t.Fatalf("admin deactivates rep.b: %d %v", status, body)
		}
		if status, body, _ := o.call("rep.b", "GET", "/api/v1/me", ""); status != 401 || body["code"] != "unauthenticated" {
			t.Fatalf("deactivated rep's token: %d %v, want 401 unauthenticated", status, body)
		}
		if status, body, _ := o.call("admin", "POST", "/api/v1/customers/"+o.inPool+"/assign", `{"user_id":"`+o.b.ID+`"}`); status != 409 || body["code"] != "user_inactive" {
			t.Fatalf("assign to a deactivated rep: %d %v, want 409 user_inactive", status, body)
		}
	})
}
