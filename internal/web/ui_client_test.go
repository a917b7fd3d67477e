package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// page is a browser without a browser for page tests: it keeps cookies,
// sends forms as a browser from our own site would (Sec-Fetch-Site:
// same-origin) and does not follow redirects, so a test sees each 303.
type page struct {
	t      testing.TB
	base   string
	client *http.Client
	lang   string // Accept-Language, "" for none
}

// pageResult is one answer: status, headers and the HTML.
type pageResult struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect sends the browser.
func (r pageResult) Location() string { return r.Header.Get("Location") }

func newPage(t testing.TB, base string) *page {
	jar, _ := cookiejar.New(nil)
	return &page{t: t, base: base, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *page) do(method, path string, form url.Values, header map[string]string) pageResult {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if p.lang != "" {
		req.Header.Set("Accept-Language", p.lang)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := p.client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return pageResult{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// get fetches a page.
func (p *page) get(path string) pageResult { p.t.Helper(); return p.do(http.MethodGet, path, nil, nil) }

// post submits a form.
func (p *page) post(path string, form url.Values) pageResult {
	p.t.Helper()
	return p.do(http.MethodPost, path, form, nil)
}

// signIn signs in through the sign-in form and fails the test if it does
// not lead on.
func (p *page) signIn(login, pw string) {
	p.t.Helper()
	if r := p.post("/login", url.Values{"login": {login}, "password": {pw}, "next": {"/"}}); r.Status != http.StatusSeeOther {
		p.t.Fatalf("sign in as %s: %d, want 303\n%.400s", login, r.Status, r.Body)
	}
}
