package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/web"
	"github.com/gonghai/gonghai/internal/webtest"
)

// stableOperations are the operation ids of the API, each with its route.
// Generated clients name their methods after them, so they never change:
// a new operation adds its line; no line is edited or removed.
var stableOperations = []string{
	"GET /healthz health",
	"GET /api/openapi.json get-openapi",
	"POST /api/v1/auth/login login",
	"POST /api/v1/auth/logout logout",
	"GET /api/v1/me get-me",
	"GET /api/v1/me/customers list-my-customers",
	"GET /api/v1/me/notifications list-my-notifications",
	"POST /api/v1/me/notifications/read read-my-notifications",
	"GET /api/v1/settings get-settings",
	"PATCH /api/v1/settings update-settings",
	"POST /api/v1/tokens create-token",
	"GET /api/v1/tokens list-tokens",
	"DELETE /api/v1/tokens/{id} revoke-token",
	"POST /api/v1/departments create-department",
	"GET /api/v1/departments list-departments",
	"POST /api/v1/users create-user",
	"GET /api/v1/users list-users",
	"GET /api/v1/users/{id} get-user",
	"PATCH /api/v1/users/{id} update-user",
	"POST /api/v1/users/{id}/handover hand-over",
	"POST /api/v1/pools create-pool",
	"GET /api/v1/pools list-pools",
	"GET /api/v1/pools/{id} get-pool",
	"PATCH /api/v1/pools/{id} update-pool",
	"GET /api/v1/pools/{id}/customers list-pool-customers",
	"POST /api/v1/pools/{id}/claim claim-batch",
	"GET /api/v1/pools/{id}/recycle-preview recycle-preview",
	"POST /api/v1/pools/{id}/recycle-preview recycle-preview-proposed",
	"POST /api/v1/customers create-customer",
	"GET /api/v1/customers/{id} get-customer",
	"PATCH /api/v1/customers/{id} update-customer",
	"POST /api/v1/customers/{id}/claim claim-customer",
	"POST /api/v1/customers/{id}/release release-customer",
	"POST /api/v1/customers/{id}/assign assign-customer",
	"POST /api/v1/customers/{id}/transfer transfer-customer",
	"GET /api/v1/customers/{id}/history customer-history",
	"POST /api/v1/customers/{id}/followups add-follow-up",
	"GET /api/v1/customers/{id}/followups list-follow-ups",
	"POST /api/v1/customers/{id}/opportunities create-opportunity",
	"GET /api/v1/customers/{id}/opportunities list-opportunities",
	"PATCH /api/v1/opportunities/{id} close-opportunity",
	"POST /api/v1/customers/{id}/orders create-order",
	"GET /api/v1/customers/{id}/orders list-orders",
	"POST /api/v1/customers/{id}/lock lock-customer",
	"POST /api/v1/customers/{id}/unlock unlock-customer",
	"POST /api/v1/customers/{id}/reveal reveal-contacts",
	"GET /api/v1/customers/{id}/export export-customer",
	"POST /api/v1/customers/{id}/erase erase-customer",
	"GET /api/v1/audit list-audit",
	"PUT /api/v1/customers/{id}/plan set-follow-up-plan",
	"DELETE /api/v1/customers/{id}/plan clear-follow-up-plan",
	"GET /api/v1/customers list-customers",
	"POST /api/v1/imports create-import",
	"GET /api/v1/imports list-imports",
	"GET /api/v1/imports/template import-template",
	"GET /api/v1/imports/{id} get-import",
	"GET /api/v1/imports/{id}/rows list-import-rows",
	"POST /api/v1/imports/{id}/start start-import",
	"POST /api/v1/imports/{id}/cancel cancel-import",
	"GET /api/v1/imports/{id}/errors import-errors",
	"GET /api/v1/me/customers/export export-my-customers",
	"GET /api/v1/pools/{id}/customers/export export-pool-customers",
	"POST /api/v1/pools/{id}/claim-next claim-next",
	"GET /api/v1/customers/export export-customers",
	"GET /api/v1/customers/matches customer-matches",
	"POST /api/v1/customers/{id}/invalid mark-invalid",
	"POST /api/v1/customers/{id}/flags flag-invalid",
	"GET /api/v1/customers/{id}/flags list-flags",
	"POST /api/v1/customers/{id}/restore restore-customer",
	"GET /api/v1/archive list-archive",
	"GET /api/v1/archive/settings get-archive-settings",
	"PUT /api/v1/archive/settings set-archive-settings",
	"GET /api/v1/pools/{id}/hygiene get-pool-hygiene",
	"PUT /api/v1/pools/{id}/hygiene set-pool-hygiene",
	"POST /api/v1/pools/{id}/hygiene-preview preview-pool-hygiene",
	"GET /api/v1/conflicts list-conflicts",
	"GET /api/v1/conflicts/rates conflict-rates",
	"GET /api/v1/conflicts/{id} get-conflict",
	"POST /api/v1/conflicts/{id}/resolve resolve-conflict",
	"POST /api/v1/customers/{id}/merge merge-customer",
	"GET /api/v1/customers/{id}/merged-history customer-merged-history",
	"POST /api/v1/channels create-channel",
	"GET /api/v1/channels list-channels",
	"GET /api/v1/channels/{id} get-channel",
	"PATCH /api/v1/channels/{id} update-channel",
	"POST /api/v1/channels/{id}/rotate-key rotate-channel-key",
	"POST /api/v1/intake/{key} intake",
	"GET /api/v1/quarantine list-quarantine",
	"POST /api/v1/quarantine/{id}/release release-quarantined",
	"POST /api/v1/quarantine/{id}/drop drop-quarantined",
	"GET /api/v1/customers/{id}/contacts list-contacts",
	"POST /api/v1/customers/{id}/contacts create-contact",
	"PATCH /api/v1/customers/{id}/contacts/{contact_id} update-contact",
	"DELETE /api/v1/customers/{id}/contacts/{contact_id} delete-contact",
	"POST /api/v1/pools/{id}/distribute distribute",
	"GET /api/v1/pools/{id}/assignment-preview assignment-preview",
	"GET /api/v1/unassigned list-unassigned",
	"POST /api/v1/unassigned/retry retry-unassigned",
	"POST /api/v1/customers/{id}/convert convert-lead",
	"GET /api/v1/reports/pool-flow report-pool-flow",
	"GET /api/v1/reports/pool-flow/customers report-pool-flow-customers",
	"GET /api/v1/reports/pool-flow/export export-report-pool-flow",
	"GET /api/v1/reports/holding-time report-holding-time",
	"GET /api/v1/reports/holding-time/customers report-holding-time-customers",
	"GET /api/v1/reports/holding-time/export export-report-holding-time",
	"GET /api/v1/reports/first-follow-up report-first-follow-up",
	"GET /api/v1/reports/first-follow-up/customers report-first-follow-up-customers",
	"GET /api/v1/reports/first-follow-up/export export-report-first-follow-up",
	"GET /api/v1/reports/effort report-effort",
	"GET /api/v1/reports/effort/customers report-effort-customers",
	"GET /api/v1/reports/effort/export export-report-effort",
	"GET /api/v1/reports/channel-conversion report-channel-conversion",
	"GET /api/v1/reports/channel-conversion/customers report-channel-conversion-customers",
	"GET /api/v1/reports/channel-conversion/export export-report-channel-conversion",
	"GET /api/v1/reports/recycles report-recycles",
	"GET /api/v1/reports/recycles/customers report-recycles-customers",
	"GET /api/v1/reports/recycles/export export-report-recycles",
	"GET /api/v1/reports/conflict-rate report-conflict-rate",
	"GET /api/v1/reports/conflict-rate/customers report-conflict-rate-customers",
	"GET /api/v1/reports/conflict-rate/export export-report-conflict-rate",
	"GET /api/v1/reports/fairness report-fairness",
	"GET /api/v1/reports/fairness/customers report-fairness-customers",
	"GET /api/v1/reports/fairness/export export-report-fairness",
	"GET /api/v1/reports/rfm report-rfm",
	"GET /api/v1/reports/rfm/customers report-rfm-customers",
	"GET /api/v1/reports/rfm/export export-report-rfm",
	"GET /api/v1/reports/sales-growth report-sales-growth",
	"GET /api/v1/reports/sales-growth/customers report-sales-growth-customers",
	"GET /api/v1/reports/sales-growth/export export-report-sales-growth",
}

// openOperations need no user; every other operation takes a bearer token
// or the session cookie.
var openOperations = []string{"health", "get-openapi", "login", "intake"}

// served fetches the document a test server serves, as raw JSON.
func served(t *testing.T, base string) []byte {
	t.Helper()
	res, err := http.Get(base + webtest.DocumentPath)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/openapi+json" {
		t.Fatalf("GET %s: %d %q %v", webtest.DocumentPath, res.StatusCode, res.Header.Get("Content-Type"), err)
	}
	return raw
}

type docOperation struct {
	OperationID string                 `json:"operationId"`
	Summary     string                 `json:"summary"`
	Tags        []string               `json:"tags"`
	Security    *[]map[string][]string `json:"security"`
	Responses   map[string]struct {
		Content map[string]struct {
			Schema struct {
				Ref string `json:"$ref"`
			} `json:"schema"`
		} `json:"content"`
		Codes []string `json:"x-problem-codes"`
	} `json:"responses"`
}

// TestOperationIDs: the operations and their ids are exactly the stable
// list; Document prints, byte for byte, the document the server serves.
func TestOperationIDs(t *testing.T) {
	o := newOrg(t, "sqlite:"+filepath.Join(t.TempDir(), "gonghai.db"))
	raw := served(t, o.srv.URL)
	var doc struct {
		Paths map[string]map[string]docOperation `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			got = append(got, strings.ToUpper(method)+" "+path+" "+op.OperationID)
		}
	}
	for _, want := range stableOperations {
		if !slices.Contains(got, want) {
			t.Errorf("the document lacks %s: operation ids and their routes never change", want)
		}
	}
	for _, g := range got {
		if !slices.Contains(stableOperations, g) {
			t.Errorf("%s is not in stableOperations: add it there, and keep its id from now on", g)
		}
	}
	printed, err := web.Document()
	if err != nil || !bytes.Equal(printed, raw) {
		t.Errorf("web.Document() differs from the served document (%v)", err)
	}
}

// TestDocumentIsComplete: every operation has a summary, a declared tag and
// its security (none for the open ones); every answer other than success
// is a Problem listing its codes; the servers are set.
func TestDocumentIsComplete(t *testing.T) {
	o := newOrg(t, "sqlite:"+filepath.Join(t.TempDir(), "gonghai.db"))
	var doc struct {
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Tags []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"tags"`
		Paths map[string]map[string]docOperation `json:"paths"`
	}
	if err := json.Unmarshal(served(t, o.srv.URL), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers %v, want the one at /", doc.Servers)
	}
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		tags[tag.Name] = tag.Description != ""
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			name := method + " " + path
			if op.Summary == "" || len(op.Tags) != 1 || !tags[op.Tags[0]] {
				t.Errorf("%s: summary %q, tags %v: want a summary and one declared, described tag", name, op.Summary, op.Tags)
			}
			switch open := slices.Contains(openOperations, op.OperationID); {
			case op.Security == nil:
				t.Errorf("%s says nothing of security", name)
			case open && len(*op.Security) != 0:
				t.Errorf("%s is open but asks for %v", name, *op.Security)
			case !open && !slices.Equal(securityNames(*op.Security), []string{"bearer", "session"}):
				t.Errorf("%s: security %v, want bearer or session", name, *op.Security)
			}
			if op.Responses["500"].Codes == nil || op.Responses["422"].Codes == nil {
				t.Errorf("%s lacks the 422 and 500 every operation can answer", name)
			}
			for status, r := range op.Responses {
				if status == "default" {
					t.Errorf("%s has a default response: each status is declared", name)
				}
				if status[0] < '4' {
					continue
				}
				if len(r.Codes) == 0 || r.Content["application/problem+json"].Schema.Ref != "#/components/schemas/Problem" {
					t.Errorf("%s %s: codes %v, content %v: want a Problem and its codes", name, status, r.Codes, r.Content)
				}
			}
		}
	}
}

func securityNames(reqs []map[string][]string) []string {
	var out []string
	for _, r := range reqs {
		for k := range r {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// raw sends one request as login ("" for none) with header and decodes
// the answer; call is raw for a JSON body.
func (o *org) raw(login, method, path string, body []byte, header map[string]string) (int, map[string]any, http.Header) {
	o.t.Helper()
	req, err := http.NewRequest(method, o.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		o.t.Fatal(err)
	}
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+o.tokens[login])
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := o.srv.Client().Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(res.Body).Decode(&v)
	return res.StatusCode, v, res.Header
}

// TestHTTPAnswers: what the API answers about a request's form rather than
// what it asks: a method a route lacks, a path none has, a key in the wrong
// case or twice, a query parameter no operation takes, a made-up cursor, a
// body too large or not JSON. Each is refused with its status and code,
// repeats none of the caller's input, and changes nothing.
func TestHTTPAnswers(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		before := o.snapshot()
		// A real cursor, and ones made from it.
		_, page, _ := o.call("admin", "GET", "/api/v1/users?limit=1", "")
		cursor, _ := page["next_cursor"].(string)
		if cursor == "" {
			t.Fatalf("no second page of users: %v", page)
		}
		flipped := []byte(cursor)
		flipped[len(flipped)/2] ^= 1
		oldStyle := base64.RawURLEncoding.EncodeToString([]byte(o.b.ID)) // a cursor as they were made before
		pool, jsonType := "/api/v1/pools/"+o.pool.ID, map[string]string{"Content-Type": "application/json"}
		for _, sc := range []struct {
			name, as, method, path, body string
			header                       map[string]string
			status                       int
			code, field                  string
			allow                        string // the Allow header of a 405
		}{
			{"wrong method on a route", "admin", "DELETE", pool, "", nil, 405, "method_not_allowed", "", "GET, HEAD, PATCH"},
			{"wrong method on a collection", "admin", "PUT", "/api/v1/customers", "", nil, 405, "method_not_allowed", "", "GET, HEAD, POST"},
			{"wrong method on health", "", "POST", "/healthz", "", nil, 405, "method_not_allowed", "", "GET, HEAD"},
			{"wrong method on the document", "", "DELETE", "/api/openapi.json", "", nil, 405, "method_not_allowed", "", "GET, HEAD"},
			{"unknown path", "admin", "GET", "/api/v1/nothing-here", "", nil, 404, "not_found", "", ""},
			{"unknown path under a route", "admin", "GET", pool + "/nothing-here", "", nil, 404, "not_found", "", ""},

			{"key in another case", "", "POST", "/api/v1/auth/login", `{"Login":"admin","password":"pw"}`, jsonType, 422, "invalid", "Login", ""},
			{"key twice in two cases", "", "POST", "/api/v1/auth/login", `{"login":"admin","Login":"rep.a","password":"pw"}`, jsonType, 422, "invalid", "Login", ""},
			{"key twice", "", "POST", "/api/v1/auth/login", `{"login":"admin","login":"rep.a","password":"pw"}`, jsonType, 422, "invalid", "body", ""},
			{"nested key twice", "admin", "PATCH", pool, `{"recycle":{"rules":[{"kind":"not_won","enabled":true,"days":30,"days":1}]}}`, jsonType, 422, "invalid", "body", ""},
			{"field in another case", "admin", "PATCH", pool, `{"Daily_Claim_Limit":1}`, jsonType, 422, "invalid", "Daily_Claim_Limit", ""},
			{"an unknown key that is no name", "admin", "PATCH", pool, `{"<b>13812348000</b>":1}`, jsonType, 422, "invalid", "body", ""},

			{"unknown query parameter", "admin", "GET", "/api/v1/pools?include=all", "", nil, 422, "invalid", "include", ""},
			{"misspelt filter", "rep.a", "GET", pool + "/customers?categry=A", "", nil, 422, "invalid", "categry", ""},
			{"parameter on a route without any", "rep.a", "GET", "/api/v1/me?fields=id", "", nil, 422, "invalid", "fields", ""},
			{"parameter on health", "", "GET", "/healthz?verbose=1", "", nil, 422, "invalid", "verbose", ""},
			{"parameter on the document", "", "GET", "/api/openapi.json?format=yaml", "", nil, 422, "invalid", "format", ""},
			{"parameter that is no name", "admin", "GET", "/api/v1/pools?" + url.QueryEscape("13812348000") + "=1", "", nil, 422, "invalid", "query", ""},
			{"parameter on a write", "admin", "POST", "/api/v1/departments?dry_run=1", `{"name":"试算部"}`, jsonType, 422, "invalid", "dry_run", ""},

			{"NUL in an id", "admin", "GET", "/api/v1/customers/a%00b", "", nil, 422, "invalid", "path", ""},
			{"bytes that are no UTF-8 in an id", "admin", "GET", "/api/v1/customers/%FF%FE", "", nil, 422, "invalid", "path", ""},
			{"NUL in a claim's id", "rep.a", "POST", "/api/v1/customers/x%00/claim", "", nil, 422, "invalid", "path", ""},
			{"NUL in a filter", "admin", "GET", "/api/v1/audit?action=login%00", "", nil, 422, "invalid", "action", ""},
			{"bytes that are no UTF-8 in a filter", "admin", "GET", "/api/v1/audit?actor_id=%FF", "", nil, 422, "invalid", "actor_id", ""},
			{"a reordering character in a search", "rep.a", "GET", pool + "/customers?q=%E2%80%AEabc", "", nil, 422, "invalid", "q", ""},

			{"NUL in an id in a body", "admin", "POST", "/api/v1/customers/" + o.inPool + "/assign", `{"user_id":"u\u0000"}`, jsonType, 422, "invalid", "user_id", ""},
			{"NUL in a batch of ids", "rep.a", "POST", pool + "/claim", `{"customer_ids":["c\u0000"]}`, jsonType, 422, "invalid", "customer_ids[0]", ""},
			{"NUL in a login", "", "POST", "/api/v1/auth/login", `{"login":"adm\u0000in","password":"pw"}`, jsonType, 422, "invalid", "login", ""},
			{"NUL in a key", "admin", "PATCH", pool, `{"na\u0000me":"x"}`, jsonType, 422, "invalid", "body", ""},

			{"garbage cursor", "admin", "GET", "/api/v1/users?cursor=abc", "", nil, 422, "invalid", "cursor", ""},
			{"cursor of another form", "admin", "GET", "/api/v1/users?cursor=" + oldStyle, "", nil, 422, "invalid", "cursor", ""},
			{"tampered cursor", "admin", "GET", "/api/v1/users?cursor=" + url.QueryEscape(string(flipped)), "", nil, 422, "invalid", "cursor", ""},
			{"real cursor", "admin", "GET", "/api/v1/users?cursor=" + url.QueryEscape(cursor), "", nil, 200, "", "", ""},

			{"body too large", "admin", "POST", "/api/v1/departments", `{"name":"` + strings.Repeat("大", 1<<19) + `"}`, jsonType, 413, "too_large", "", ""},
			{"body as text", "admin", "POST", "/api/v1/departments", `{"name":"文本部"}`, map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type", "", ""},
			{"body as a form", "admin", "PATCH", pool, `name=x`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", "", ""},
		} {
			t.Run(sc.name, func(t *testing.T) {
				status, body, header := o.raw(sc.as, sc.method, sc.path, []byte(sc.body), sc.header)
				if status != sc.status || (sc.code != "" && body["code"] != sc.code) {
					t.Fatalf("%s %s: %d %v, want %d %s", sc.method, sc.path, status, body, sc.status, sc.code)
				}
				if sc.field != "" {
					if fields, _ := body["fields"].(map[string]any); fields[sc.field] == nil {
						t.Errorf("problem %v does not name %q", body, sc.field)
					}
				}
				if got := header.Get("Allow"); got != sc.allow {
					t.Errorf("Allow %q, want %q", got, sc.allow)
				}
				if status < 400 {
					return
				}
				j, _ := json.Marshal(body)
				for _, echo := range []string{"nothing-here", "13812348000", "DELETE", "PUT", "<b>", "rep.a", "\"abc"} {
					if strings.Contains(string(j), echo) {
						t.Errorf("the answer repeats the caller's %q: %s", echo, j)
					}
				}
			})
		}
		if after := o.snapshot(); after != before {
			t.Fatalf("a refused request changed data:\nbefore %s\nafter  %s", before, after)
		}
	})
}
