package webtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// document is a small API: GET /things/{id} answers a thing, or a problem
// not_found at 404.
const document = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/things/{id}": {
      "get": {
        "operationId": "get-thing",
        "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false, "required": ["id", "owner"],
            "properties": {"id": {"type": "string"}, "owner": {"type": ["string", "null"]}}}}}},
          "404": {"description": "Not Found", "x-problem-codes": ["not_found"],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        }
      }
    }
  },
  "components": {"schemas": {"Problem": {
    "type": "object", "additionalProperties": false, "required": ["title", "status", "code"],
    "properties": {"title": {"type": "string"}, "status": {"type": "integer"}, "code": {"type": "string"}, "detail": {"type": "string"}}}}}
}`

// recorder is a test that keeps its errors instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

// TestChecker: answers the document describes pass; every kind of answer it
// does not describe is reported.
func TestChecker(t *testing.T) {
	answer := map[string]struct {
		status      int
		contentType string
		allow       string
		body        string
	}{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == DocumentPath {
			w.Header().Set("Content-Type", "application/openapi+json")
			fmt.Fprint(w, document)
			return
		}
		a := answer[r.Method+" "+r.URL.Path]
		w.Header().Set("Content-Type", a.contentType)
		if a.allow != "" {
			w.Header().Set("Allow", a.allow)
		}
		w.WriteHeader(a.status)
		fmt.Fprint(w, a.body)
	}))
	defer srv.Close()
	problem := func(status int, code string) string {
		return fmt.Sprintf(`{"title":"t","status":%d,"code":%q}`, status, code)
	}
	const pj, js = "application/problem+json", "application/json"
	for _, sc := range []struct {
		name, method, path string
		status             int
		contentType, allow string
		body               string
		wrong              string // part of the report; "" when the answer is right
	}{
		{"a thing", "GET", "/things/1", 200, js, "", `{"id":"1","owner":null}`, ""},
		{"a declared problem", "GET", "/things/2", 404, pj, "", problem(404, "not_found"), ""},
		{"an unknown path", "GET", "/nothing", 404, pj, "", problem(404, "not_found"), ""},
		{"a method the path lacks", "POST", "/things/3", 405, pj, "GET, HEAD", problem(405, "method_not_allowed"), ""},

		{"a null the schema refuses", "GET", "/things/4", 200, js, "", `{"id":null,"owner":null}`, "id"},
		{"a field the schema lacks", "GET", "/things/5", 200, js, "", `{"id":"5","owner":null,"secret":1}`, "secret"},
		{"a status not declared", "GET", "/things/6", 409, pj, "", problem(409, "conflict"), "409"},
		{"a code not declared", "GET", "/things/7", 404, pj, "", problem(404, "gone"), `"gone"`},
		{"a problem as plain JSON", "GET", "/things/8", 404, js, "", problem(404, "not_found"), "application/json"},
		{"a problem off its schema", "GET", "/things/9", 404, pj, "", `{"status":404,"code":"not_found","why":"x"}`, "why"},
		{"405 without Allow", "PUT", "/things/10", 405, pj, "", problem(405, "method_not_allowed"), "Allow"},
		{"404 for a method the path lacks", "DELETE", "/things/11", 404, pj, "", problem(404, "not_found"), "405"},
		{"an unknown path answered 200", "GET", "/other", 200, js, "", `{}`, "404"},
	} {
		t.Run(sc.name, func(t *testing.T) {
			answer[sc.method+" "+sc.path] = struct {
				status      int
				contentType string
				allow       string
				body        string
			}{sc.status, sc.contentType, sc.allow, sc.body}
			rec := &recorder{TB: t}
			client := &http.Client{}
			Check(rec, client, srv.URL)
			req, _ := http.NewRequest(sc.method, srv.URL+sc.path, nil)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			report := strings.Join(rec.errs, "\n")
			switch {
			case sc.wrong == "" && report != "":
				t.Errorf("a right answer was reported:\n%s", report)
			case sc.wrong != "" && !strings.Contains(report, sc.wrong):
				t.Errorf("report %q does not mention %q", report, sc.wrong)
			}
		})
	}
}
