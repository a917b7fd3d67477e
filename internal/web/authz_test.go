package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/importer"
)

// objects the matrix needs added.
type authzOrg struct {
	*org
	ctx                 context.Context
	mgrNorth, poolAdmin gonghai.User
	made                int             // customers made, for unique contact fields
	judged              map[string]bool // the keys of the cells asserted so far
}

func extendAuthzOrg(t *testing.T, base *org) *authzOrg {
	o := &authzOrg{org: base, ctx: context.Background()}
	ctx, db := o.ctx, o.db
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	depts, err := db.Departments(ctx)
	must(err)
	var sales string
	for _, d := range depts {
		if d.Name == "销售部" {
			sales = d.ID
		}
	}
	south, err := db.CreateDepartment(ctx, o.admin, "华南组", sales)
	must(err)
	user := func(login string, role gonghai.Role, dept string) gonghai.User {
		u, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: role, DepartmentID: dept})
		must(err)
		o.tokens[login], err = db.CreateToken(ctx, login)
		must(err)
		return u
	}
	o.mgrNorth = user("mgr.north", gonghai.RoleManager, o.north.DepartmentID)
	o.poolAdmin = user("pool.admin", gonghai.RoleRep, south.ID)
	user("mgr.sales", gonghai.RoleManager, sales) // for the listing checks
	gone := user(authzGone.login, gonghai.RoleRep, o.east.DepartmentID)
	_, err = db.UpdateUser(ctx, o.admin, gone.ID, gonghai.UserPatch{Active: ptr(false)})
	must(err)
	_, err = db.UpdatePool(ctx, o.admin, o.pool.ID, gonghai.PoolInput{DailyClaimLimit: ptr(0), AdminUserIDs: &[]string{o.poolAdmin.ID}})
	must(err)
	_, err = db.UpdatePool(ctx, o.admin, o.hidden.ID, gonghai.PoolInput{AdminUserIDs: &[]string{o.poolAdmin.ID}})
	must(err)
	o.customer(o.northPool, o.north.ID) // so that handing rep.north over moves something
	return o
}

// customer makes a customer of pool p owned by owner ("" for none), with
// contact fields no other customer has.
func (o *authzOrg) customer(p gonghai.Pool, owner string) string {
	o.t.Helper()
	o.made++
	c, err := o.db.CreateCustomer(o.ctx, o.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: owner,
		CustomerFields: gonghai.CustomerFields{Name: "李娜", Company: fmt.Sprintf("杭州云帆%03d有限公司", o.made),
			Phone: fmt.Sprintf("1391234%04d", o.made), Email: fmt.Sprintf("li.na%d@yunfan.cn", o.made)}})
	if err != nil {
		o.t.Fatal(err)
	}
	return c.ID
}

// object returns the id that fills {id} for obj, and the customer that
// fills {cid}: the shared objects, or for a fresh row new ones.
func (o *authzOrg) object(obj string, fresh bool) (id, cid string) {
	o.t.Helper()
	switch obj {
	case "X":
		if fresh {
			return o.customer(o.pool, o.a.ID), ""
		}
		return o.ownedByA, ""
	case "Y":
		if fresh {
			return o.customer(o.pool, ""), ""
		}
		return o.inPool, ""
	case "Z":
		if fresh {
			return o.customer(o.hidden, ""), ""
		}
		return o.hiddenC, ""
	case "P", "H":
		p := map[string]gonghai.Pool{"P": o.pool, "H": o.hidden}[obj]
		if fresh {
			cid = o.customer(p, "")
		}
		return p.ID, cid
	case "imp":
		// A dry run the pool admin made in P, ready to start.
		j, err := (&importer.Engine{Store: o.db}).Submit(o.ctx, o.poolAdmin, "客户.csv", importCSV,
			gonghai.ImportOptions{PoolID: o.pool.ID, DryRun: true})
		if err != nil {
			o.t.Fatal(err)
		}
		return j.ID, ""
	case "opp":
		opp, err := o.db.CreateOpportunity(o.ctx, o.admin, o.customer(o.pool, o.a.ID), "年度采购", 0)
		if err != nil {
			o.t.Fatal(err)
		}
		return opp.ID, ""
	case "K": // a conflict of rep.b over a customer of rep.a
		matched := o.customer(o.pool, o.a.ID)
		k, err := o.db.SeedConflict(o.ctx, gonghai.Conflict{Kind: gonghai.ConflictRefused, ActorID: o.b.ID, Field: "company",
			Company: "杭州云帆", MatchedID: matched, MatchedOwnerID: o.a.ID})
		if err != nil {
			o.t.Fatal(err)
		}
		return k.ID, ""
	case "M": // a customer of rep.a, and another of his to merge it into
		return o.customer(o.pool, o.a.ID), o.customer(o.pool, o.a.ID)
	case "kX", "kY", "kZ": // a contact (no phone, email or WeChat id) of a fresh X, Y or Z: {contact_id}
		cust, _ := o.object(obj[1:], true)
		k, err := o.db.AddContact(o.ctx, o.admin, cust, gonghai.Contact{Name: "王强"})
		if err != nil {
			o.t.Fatal(err)
		}
		return cust, k.ID
	case "owner":
		return o.a.ID, ""
	case "north":
		return o.north.ID, ""
	case "token":
		tok, _, err := o.db.IssueToken(o.ctx, nil, o.a.Login, "", gonghai.NewToken{Name: "matrix"})
		if err != nil {
			o.t.Fatal(err)
		}
		return tok.ID, ""
	case "":
		return "", ""
	}
	o.t.Fatalf("no object %q", obj)
	return "", ""
}

// owned lists the ids of the customers a user owns.
func (o *authzOrg) owned(u gonghai.User) []string {
	o.t.Helper()
	var ids []string
	pg := gonghai.Page{Limit: gonghai.MaxPageSize}
	for {
		cs, next, err := o.db.MyCustomers(o.ctx, u, gonghai.CustomerFilter{}, pg)
		if err != nil {
			o.t.Fatal(err)
		}
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if next == "" {
			return ids
		}
		pg.After = next
	}
}

func (o *authzOrg) userByLogin(login string) gonghai.User {
	o.t.Helper()
	u, err := o.db.UserByLogin(o.ctx, login)
	if err != nil {
		o.t.Fatal(err)
	}
	return u
}

// outcome is a cell's answer as "status" or "status code".
func outcome(status int, body map[string]any) string {
	if status < 300 {
		return fmt.Sprint(status)
	}
	return fmt.Sprint(status, " ", body["code"])
}

// batchStatuses gives the status a claim result's code would have had as a
// single claim.
var batchStatuses = map[string]int{"not_found": 404, "forbidden": 403, "not_pool_member": 403, "pool_assign_only": 403,
	"not_owner": 403, "already_claimed": 409, "conflict": 409, "holding_limit_reached": 409, "release_wait": 409,
	"reclaim_cooldown": 409, "user_inactive": 409, "daily_claim_limit_reached": 429}

// cellCount numbers the cells, for the companies they create.
var cellCount atomic.Int64

// cell performs one cell and returns its outcome and body.
func (o *authzOrg) cell(r authzRow, login string) (string, map[string]any) {
	o.t.Helper()
	id, cid := o.object(r.obj, r.fresh)
	path := strings.NewReplacer("{id}", id, "{contact_id}", cid).Replace(r.route)
	// Each cell's new company is a company of its own ({n}): one company
	// is one customer.
	body := strings.NewReplacer("{n}", strconv.FormatInt(cellCount.Add(1), 10), "{peer}", o.b.ID, "{other-mgr}", o.mgrNorth.ID, "{north}", o.north.ID, "{cid}", cid, "{obj}", id,
		"{tomorrow}", time.Now().In(shanghai).AddDate(0, 0, 1).Format(time.DateOnly)).Replace(r.body)
	var before []string
	if r.handoverTo != "" {
		before = o.owned(o.userByLogin(map[string]string{"owner": "rep.a", "north": "rep.north"}[r.obj]))
	}
	status, got, header := o.call(login, r.method, path, body)
	if status >= 300 && header.Get("Content-Type") != "application/problem+json" {
		if got == nil {
			got = map[string]any{}
		}
		got["content_type"] = header.Get("Content-Type") // shows in the failure
		status = 0
	}
	if r.handoverTo != "" && status < 300 {
		o.giveBack(before, o.userByLogin(r.handoverTo), id)
	}
	if r.route == "/api/v1/pools/{id}/claim" && status == 200 {
		if res, _ := got["results"].([]any); len(res) == 1 {
			if item, _ := res[0].(map[string]any); item["ok"] != true {
				code, _ := item["code"].(string)
				return fmt.Sprint(batchStatuses[code], " ", code), got
			}
		}
	}
	return outcome(status, got), got
}

// giveBack returns the customers a hand-over moved to user to.
func (o *authzOrg) giveBack(ids []string, to gonghai.User, fromID string) {
	o.t.Helper()
	now := o.owned(to)
	for _, id := range ids {
		if slices.Contains(now, id) {
			if _, err := o.db.Transfer(o.ctx, o.admin, id, fromID, "还原", true); err != nil {
				o.t.Fatal(err)
			}
		}
	}
}

// TestAuthzMatrix asserts every cell of the matrix on both databases.
func TestAuthzMatrix(t *testing.T) {
	known := map[string]string{}
	for _, k := range authzKnownFailures {
		for _, c := range k.cells {
			known[c] = k.why
		}
	}
	forEachAuthzDB(t, func(t *testing.T, o *authzOrg) {
		o.judged = map[string]bool{}
		o.checkCoverage()
		for _, r := range authzRows {
			for i, a := range append(authzActors[:], authzGone) {
				want := unauth
				if i < len(authzActors) {
					want = r.want[i]
				}
				key := strings.Join(strings.Fields(r.method+" "+r.route+" "+r.obj+" "+a.name), " ")
				if want == "" {
					t.Errorf("%s: the row has no expectation for this actor", key)
					continue
				}
				got, body := o.cell(r, a.login)
				o.judge(key, want, got, body, known)
			}
		}
		o.checkListings(known)
		for key := range known {
			if !o.judged[key] {
				t.Errorf("authzKnownFailures names %q, which is no cell", key)
			}
		}
	})
}

func forEachAuthzDB(t *testing.T, test func(t *testing.T, o *authzOrg)) {
	forEachDB(t, func(t *testing.T, base *org) { test(t, extendAuthzOrg(t, base)) })
}

// judge compares one outcome with what the rules want, minding the
// known failures.
func (o *authzOrg) judge(key, want, got string, body map[string]any, known map[string]string) {
	o.t.Helper()
	o.judged[key] = true
	pass := got == want
	why, isKnown := known[key]
	switch {
	case pass && isKnown:
		o.t.Errorf("%s: now %s as the rules want; delete it from authzKnownFailures (%s)", key, got, why)
	case !pass && !isKnown:
		j, _ := json.Marshal(body)
		o.t.Errorf("%s: want %s, got %s: %s", key, want, got, j)
	}
}

// checkCoverage fails when the API has a route with an {id}, or a verb on
// one, that the matrix lacks.
func (o *authzOrg) checkCoverage() {
	o.t.Helper()
	res, err := http.Get(o.srv.URL + "/api/openapi.json")
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		o.t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		if !strings.Contains(path, "{id}") {
			continue
		}
		for method := range ops {
			method = strings.ToUpper(method)
			if !slices.ContainsFunc(authzRows, func(r authzRow) bool { return r.method == method && r.route == path }) {
				o.t.Errorf("%s %s is not in the authorization matrix", method, path)
			}
		}
	}
	for _, r := range authzRows {
		if route, _, _ := strings.Cut(r.route, "?"); doc.Paths[route][strings.ToLower(r.method)] == nil {
			o.t.Errorf("the matrix has %s %s, which the API does not", r.method, r.route)
		}
	}
}

// items fetches every page of a listing as login.
func (o *authzOrg) items(login, path string) ([]map[string]any, string) {
	o.t.Helper()
	var out []map[string]any
	cursor := ""
	for {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		status, body, _ := o.call(login, "GET", path+sep+"limit=200&cursor="+url.QueryEscape(cursor), "")
		if status != 200 {
			return out, outcome(status, body)
		}
		list, _ := body["items"].([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			out = append(out, m)
		}
		cursor, _ = body["next_cursor"].(string)
		if cursor == "" {
			return out, "200"
		}
	}
}

// checkListings asserts the listing side: who is listed which pools and
// users, and that pool listings and private pools hold what they should.
func (o *authzOrg) checkListings(known map[string]string) {
	o.t.Helper()
	logins := []string{"mgr.sales"} // a manager of 销售部, above 华东组, 华北组 and 华南组
	for _, a := range authzActors {
		logins = append(logins, a.login)
	}
	named := map[string]string{o.pool.ID: "P", o.hidden.ID: "H", o.northPool.ID: "N"}
	// Pool N is open to 华北组. A manager sees the pools of their subtree's departments.
	wantPools := map[string]string{"rep.a": "P", "rep.b": "P", "rep.north": "N", "mgr.east": "P", "mgr.north": "N",
		"pool.admin": "H P", "admin": "H N P", "mgr.sales": "N P"}
	everyone := "admin mgr.east mgr.north mgr.sales pool.admin rep.a rep.b rep.gone rep.north"
	wantUsers := map[string]string{"rep.a": "rep.a", "rep.b": "rep.b", "rep.north": "rep.north", "pool.admin": "pool.admin",
		"mgr.east": "mgr.east rep.a rep.b rep.gone", "mgr.north": "mgr.north rep.north",
		"mgr.sales": strings.TrimPrefix(everyone, "admin "), "admin": everyone}
	for _, login := range logins {
		status, body, _ := o.call(login, "GET", "/api/v1/pools", "")
		got := outcome(status, body)
		if status == 200 {
			var seen []string
			for _, p := range body["items"].([]any) {
				if n := named[p.(map[string]any)["id"].(string)]; n != "" {
					seen = append(seen, n)
				}
			}
			slices.Sort(seen)
			got = strings.Join(seen, " ")
		}
		o.judge("listing: GET /api/v1/pools as "+login, wantPools[login], got, body, known)

		users, got := o.items(login, "/api/v1/users")
		if got == "200" {
			var seen []string
			for _, u := range users {
				seen = append(seen, u["login"].(string))
			}
			slices.Sort(seen)
			got = strings.Join(seen, " ")
		}
		o.judge("listing: GET /api/v1/users as "+login, wantUsers[login], got, nil, known)

		mine, got := o.items(login, "/api/v1/me/customers")
		me := o.userByLogin(login)
		for _, c := range mine {
			if c["owner_id"] != me.ID {
				got = fmt.Sprintf("customer %v owned by %v", c["id"], c["owner_id"])
			}
		}
		if login == "rep.a" && !slices.ContainsFunc(mine, func(c map[string]any) bool { return c["id"] == o.ownedByA }) {
			got = "X missing"
		}
		o.judge("listing: GET /api/v1/me/customers as "+login, "200", got, nil, known)
	}
	// After the matrix, P holds many owned customers: none may be listed.
	for _, sc := range []struct{ login, pool, in string }{
		{"rep.a", o.pool.ID, o.inPool}, {"rep.b", o.pool.ID, o.inPool}, {"mgr.east", o.pool.ID, o.inPool},
		{"pool.admin", o.pool.ID, o.inPool}, {"admin", o.pool.ID, o.inPool},
		{"pool.admin", o.hidden.ID, o.hiddenC}, {"admin", o.hidden.ID, o.hiddenC},
	} {
		cs, got := o.items(sc.login, "/api/v1/pools/"+sc.pool+"/customers")
		for _, c := range cs {
			if c["owner_id"] != nil || c["pool_id"] != sc.pool {
				got = fmt.Sprintf("customer %v of pool %v owned by %v", c["id"], c["pool_id"], c["owner_id"])
			}
		}
		if got == "200" && !slices.ContainsFunc(cs, func(c map[string]any) bool { return c["id"] == sc.in }) {
			got = "its unowned customer missing"
		}
		o.judge("listing: GET /api/v1/pools/"+named[sc.pool]+"/customers as "+sc.login, "200", got, nil, known)
	}
	// A manager above the member department sees what a manager of it sees.
	for _, sc := range []struct{ name, path string }{
		{"P", "/api/v1/pools/" + o.pool.ID}, {"X", "/api/v1/customers/" + o.ownedByA}, {"Y", "/api/v1/customers/" + o.inPool},
	} {
		status, body, _ := o.call("mgr.sales", "GET", sc.path, "")
		o.judge("listing: GET "+sc.name+" as mgr.sales", "200", outcome(status, body), body, known)
	}
}
