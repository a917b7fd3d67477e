package web_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

func TestSignInPage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		o.person("rep.li", "rep-pw", gonghai.RoleRep)
		p := newPage(t, o.srv.URL)

		r := p.get("/notifications?after=x")
		if r.Status != http.StatusSeeOther || r.Location() != "/login?next="+url.QueryEscape("/notifications?after=x") {
			t.Fatalf("a page without a session: %d to %q, want 303 to the sign-in page", r.Status, r.Location())
		}
		r = p.get("/login?next=%2Fpool")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `<title>登录 · 公海 CRM</title>`) || !strings.Contains(r.Body, `lang="zh-CN"`) {
			t.Fatalf("sign-in page: %d\n%.600s", r.Status, r.Body)
		}
		for name, want := range map[string]string{
			"Content-Security-Policy": "script-src 'self'", "X-Content-Type-Options": "nosniff",
			"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
			if !strings.Contains(r.Header.Get(name), want) {
				t.Errorf("%s: %q, want it to hold %q", name, r.Header.Get(name), want)
			}
		}

		r = p.post("/login", url.Values{"login": {"rep.li"}, "password": {"wrong"}, "next": {"/pool"}})
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "账号或密码不正确") || strings.Contains(r.Body, "wrong") {
			t.Fatalf("a wrong password: %d\n%.600s", r.Status, r.Body)
		}
		// An address off the site is never where sign-in leads.
		r = p.post("/login", url.Values{"login": {"rep.li"}, "password": {"rep-pw"}, "next": {"//evil.example/x"}})
		if r.Status != http.StatusSeeOther || r.Location() != "/" {
			t.Fatalf("sign-in with next off the site: %d to %q, want 303 to /", r.Status, r.Location())
		}
		r = p.get("/notifications")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "暂无通知") || !strings.Contains(r.Body, `href="/pool"`) {
			t.Fatalf("signed in, the notifications page: %d\n%.600s", r.Status, r.Body)
		}
		if strings.Contains(r.Body, `href="/admin/users"`) || strings.Contains(r.Body, `href="/team"`) {
			t.Error("a rep's nav shows the admin or team pages")
		}

		r = p.get("/no/such/page")
		if r.Status != http.StatusNotFound || !strings.Contains(r.Body, "页面不存在") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("an unknown page: %d %s\n%.400s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if r := p.get("/api/v1/no-such-route"); r.Status != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("an unknown API route answers %d %s, want the problem JSON", r.Status, r.Header.Get("Content-Type"))
		}

		// A form from another site is refused and changes nothing.
		r = p.do(http.MethodPost, "/logout", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"})
		if r.Status != http.StatusForbidden {
			t.Fatalf("a cross-site sign-out: %d, want 403", r.Status)
		}
		if r := p.get("/notifications"); r.Status != http.StatusOK {
			t.Fatalf("after a refused cross-site sign-out the session ended: %d", r.Status)
		}
		r = p.post("/logout", url.Values{})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
			t.Fatalf("sign-out: %d to %q", r.Status, r.Location())
		}
		if r := p.get("/notifications"); r.Status != http.StatusSeeOther {
			t.Fatalf("after sign-out a page answers %d, want 303 to the sign-in page", r.Status)
		}
	})
}

func TestPageLanguage(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		o.person("rep.li", "rep-pw", gonghai.RoleRep)
		p := newPage(t, o.srv.URL)
		p.lang = "en-US,en;q=0.9"
		if r := p.get("/login"); !strings.Contains(r.Body, "<title>Sign in · Gonghai CRM</title>") || !strings.Contains(r.Body, `lang="en"`) {
			t.Fatalf("Accept-Language en: the sign-in page is not English\n%.600s", r.Body)
		}
		p.signIn("rep.li", "rep-pw")
		// The switch wins over the header, and is remembered.
		r := p.get("/notifications?lang=zh-CN")
		if r.Status != http.StatusSeeOther || r.Location() != "/notifications" {
			t.Fatalf("the language switch: %d to %q, want 303 back to the page", r.Status, r.Location())
		}
		if r := p.get("/notifications?after=zz"); !strings.Contains(r.Body, "暂无通知") || !strings.Contains(r.Body, `href="/notifications?after=zz&amp;lang=en"`) {
			t.Fatalf("after switching to Chinese the page is not Chinese\n%.600s", r.Body)
		}
		p.get("/notifications?lang=en")
		if r := p.get("/notifications"); !strings.Contains(r.Body, "No notifications.") {
			t.Fatalf("after switching to English the page is not English\n%.600s", r.Body)
		}
	})
}

func TestStaticFiles(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		p := newPage(t, o.srv.URL)
		for path, ct := range map[string]string{"/static/app.css": "text/css", "/static/app.js": "javascript", "/static/htmx.min.js": "javascript"} {
			r := p.get(path)
			if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), ct) || len(r.Body) < 100 {
				t.Errorf("%s: %d %q", path, r.Status, r.Header.Get("Content-Type"))
			}
		}
	})
}

// TestCatalogue checks that every text a template or handler asks for is
// in the catalogue in both languages (loading it checks the languages).
func TestCatalogue(t *testing.T) {
	keys := map[string]bool{}
	for _, f := range mustGlob(t, "messages/*.json") {
		for _, m := range regexp.MustCompile(`(?m)^\s*"([a-z0-9_.A-Z]+)":\s*\{`).FindAllStringSubmatch(read(t, f), -1) {
			keys[m[1]] = true
		}
	}
	used := regexp.MustCompile(`(?:\.V\.T|\$\.V\.T|\bv\.T\()\s*"([a-z0-9_.A-Z]+)"`)
	files := append(mustGlob(t, "templates/*.html"), mustGlob(t, "*_ui.go")...)
	files = append(files, mustGlob(t, "ui*.go")...)
	for _, f := range files {
		for _, m := range used.FindAllStringSubmatch(read(t, f), -1) {
			if !keys[m[1]] && !strings.HasSuffix(m[1], ".") { // a prefix: the rest is computed
				t.Errorf("%s uses %q, which no messages file defines", f, m[1])
			}
		}
	}
	if len(keys) < 50 {
		t.Fatalf("only %d keys read: the pattern no longer matches the files", len(keys))
	}
}

// TestStylesheet checks that every page's section of app.css starts at
// the top level: a rule block left open by an edit swallows the sections
// after it, and browsers drop them without a word.
func TestStylesheet(t *testing.T) {
	depth := 0
	for i, line := range strings.Split(read(t, "static/app.css"), "\n") {
		if strings.HasPrefix(line, "/* == ") && depth != 0 {
			t.Errorf("app.css line %d: the section %s starts inside an open block", i+1, line)
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
	}
	if depth != 0 {
		t.Errorf("app.css ends with %d blocks open", depth)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := fs.Glob(os.DirFS("."), pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Clean(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
