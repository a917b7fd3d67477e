// Package webtest holds the API's contract to the tests: every answer a
// test's client receives is checked against the OpenAPI document the server
// itself serves at /api/openapi.json, so the document cannot drift from what
// the handlers send. Only tests import it.
package webtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gonghai/gonghai/internal/password"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// DocumentPath is where the server serves its OpenAPI document.
const DocumentPath = "/api/openapi.json"

// CodesExtension names the list of problem codes a response may carry, on
// each problem response of an operation.
const CodesExtension = "x-problem-codes"

// Serve starts h on a test server whose Client checks every answer against
// the document h serves; the test fails on any answer the document does not
// describe.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	Check(t, srv.Client(), srv.URL)
	return srv
}

// Check makes client check every answer from the server at base (a URL
// with no path) against the document that server serves. Passwords are
// hashed at argon2's minimum cost from then on (password.SetTestParams):
// sign-ins are what tests do most.
func Check(t testing.TB, client *http.Client, base string) {
	t.Helper()
	password.SetTestParams()
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = &checker{t: t, next: next, c: load(t, next, base)}
}

// checker is an http.RoundTripper that judges each answer it carries.
type checker struct {
	t    testing.TB
	next http.RoundTripper
	c    *contract
}

func (k *checker) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := k.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	if problems := k.c.judge(req, res, body); len(problems) > 0 {
		k.t.Errorf("%s %s answered %d, which the OpenAPI document does not describe:\n  %s\n  body: %.600s",
			req.Method, req.URL.Path, res.StatusCode, strings.Join(problems, "\n  "), body)
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

// contract is one served document, ready to judge answers by.
type contract struct {
	raw       []byte
	validator validator.Validator
	problem   *base.Schema
	routes    []route
	mu        sync.Mutex // the validator is used by one request at a time
}

// route is one path of the document and what its operations may answer.
type route struct {
	template string
	match    *regexp.Regexp
	wild     int                            // how many {params} it has: the fewer, the more specific
	codes    map[string]map[string][]string // method → status → problem codes
}

// contracts caches the prepared documents by their hash: every test server
// serves the same one, and preparing it takes a while.
var contracts sync.Map

func load(t testing.TB, rt http.RoundTripper, base string) *contract {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+DocumentPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("fetch the OpenAPI document: %v", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("fetch the OpenAPI document: %d %v", res.StatusCode, err)
	}
	key := sha256.Sum256(raw)
	if c, ok := contracts.Load(key); ok {
		return c.(*contract)
	}
	c, err := prepare(raw)
	if err != nil {
		t.Fatal(err)
	}
	contracts.Store(key, c)
	return c
}

// prepare parses a document, checks it against the OpenAPI 3.1 schema and
// builds its validator.
func prepare(raw []byte) (*contract, error) {
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("parse the OpenAPI document: %w", err)
	}
	// Not config.WithStrictMode: it refuses the keys of maps
	// (additionalProperties with a schema), and every struct schema of ours
	// says additionalProperties: false, which refuses undeclared fields.
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("build a validator of the OpenAPI document: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("the OpenAPI document is not valid OpenAPI: %s", describe(verrs))
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	c := &contract{raw: raw, validator: v}
	if p := model.Model.Components.Schemas.GetOrZero("Problem"); p != nil {
		c.problem = p.Schema()
	}
	if c.problem == nil {
		return nil, fmt.Errorf("the OpenAPI document has no Problem schema")
	}
	var shape struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return nil, err
	}
	for template, item := range shape.Paths {
		r := route{template: template, codes: map[string]map[string][]string{}}
		pattern := regexp.QuoteMeta(template)
		pattern = regexp.MustCompile(`\\\{[^}]*\\\}`).ReplaceAllStringFunc(pattern, func(string) string { r.wild++; return `[^/]+` })
		r.match = regexp.MustCompile("^" + pattern + "$")
		for method, raw := range item {
			var op struct {
				Responses map[string]map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil || op.Responses == nil {
				continue // parameters or another non-operation field
			}
			r.codes[strings.ToUpper(method)] = map[string][]string{}
			for status, resp := range op.Responses {
				var codes []string
				if x, ok := resp[CodesExtension]; ok {
					if err := json.Unmarshal(x, &codes); err != nil {
						return nil, fmt.Errorf("%s %s %s: %s is not a list of codes", method, template, status, CodesExtension)
					}
				}
				r.codes[strings.ToUpper(method)][status] = codes
			}
		}
		c.routes = append(c.routes, r)
	}
	slices.SortFunc(c.routes, func(a, b route) int { return a.wild - b.wild })
	return c, nil
}

// judge returns what is wrong with answer res (whose body is body) to req,
// by the document: nothing when the document describes it.
func (c *contract) judge(req *http.Request, res *http.Response, body []byte) []string {
	if req.Method == http.MethodHead {
		return nil // no body to judge; its GET is judged
	}
	var r *route
	for i := range c.routes {
		if c.routes[i].match.MatchString(req.URL.Path) {
			r = &c.routes[i]
			break
		}
	}
	if r == nil && !isAPI(req.URL.Path) && !strings.Contains(res.Header.Get("Content-Type"), "json") {
		return nil // a page of the web UI or its static files, not the API's
	}
	if r == nil || r.codes[req.Method] == nil {
		// No operation: the server answers for the path, not the document.
		return c.unrouted(req, res, body, r)
	}
	var out []string
	c.mu.Lock()
	ok, errs := c.validator.ValidateHttpResponse(req, res)
	c.mu.Unlock()
	if !ok {
		out = append(out, describe(errs))
	}
	ct := res.Header.Get("Content-Type")
	if res.StatusCode < 400 || !strings.HasPrefix(ct, "application/problem+json") {
		if res.StatusCode >= 400 {
			out = append(out, fmt.Sprintf("an error answered as %q, not application/problem+json", ct))
		}
		return out
	}
	var p struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return append(out, "the problem is not JSON: "+err.Error())
	}
	codes := r.codes[req.Method][fmt.Sprint(res.StatusCode)]
	if !slices.Contains(codes, p.Code) {
		out = append(out, fmt.Sprintf("problem code %q is not among the codes %s %s declares for %d: %v",
			p.Code, req.Method, r.template, res.StatusCode, codes))
	}
	return out
}

// unrouted judges an answer to a request that matches no operation: an
// unknown path is not_found (404), a known path with another method is
// method_not_allowed (405) with an Allow header; both are problems.
func (c *contract) unrouted(req *http.Request, res *http.Response, body []byte, r *route) []string {
	want, code := http.StatusNotFound, "not_found"
	if r != nil {
		want, code = http.StatusMethodNotAllowed, "method_not_allowed"
	}
	var out []string
	var p struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	_ = json.Unmarshal(body, &p)
	if res.StatusCode != want || p.Code != code || p.Status != want {
		out = append(out, fmt.Sprintf("no operation takes %s here: want %d %s", req.Method, want, code))
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		out = append(out, fmt.Sprintf("content type %q, want application/problem+json", ct))
	}
	c.mu.Lock()
	ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytesWithVersion(c.problem, body, 3.1)
	c.mu.Unlock()
	if !ok {
		out = append(out, "not a Problem: "+describe(errs))
	}
	if r != nil {
		var allow []string
		for m := range r.codes {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
		slices.Sort(allow)
		if got := res.Header.Get("Allow"); got != strings.Join(allow, ", ") {
			out = append(out, fmt.Sprintf("Allow %q, want %q", got, strings.Join(allow, ", ")))
		}
	}
	return out
}

// isAPI tells the API's paths from the web UI's pages, which the document
// does not describe.
func isAPI(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || p == "/healthz"
}

// describe renders validation errors on one line each.
func describe[E interface{ Error() string }](errs []E) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}
