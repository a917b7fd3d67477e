package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/web"
	"github.com/gonghai/gonghai/internal/webtest"
	"golang.org/x/crypto/argon2"
)

// signIn is an organisation whose people sign in with passwords, behind a
// real HTTP server; its clock moves only when told.
type signIn struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *gonghai.ManualClock
	srv   *httptest.Server
	log   *syncBuffer
	admin gonghai.User
	token string // the admin's bearer token
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.Reset()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func eachSignIn(t *testing.T, test func(t *testing.T, o *signIn), opts ...web.Option) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) { test(t, newSignIn(t, dsn, opts...)) })
}

func newSignIn(t *testing.T, dsn string, opts ...web.Option) *signIn {
	ctx := context.Background()
	clock := gonghai.NewManualClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	db := storetest.Open(t, dsn, clock, nil)
	o := &signIn{t: t, ctx: ctx, db: db, clock: clock, log: &syncBuffer{}}
	o.admin = o.person("boss", "admin-pw", gonghai.RoleAdmin)
	var err error
	if o.token, err = db.CreateToken(ctx, "boss"); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(o.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.srv = webtest.Serve(t, web.NewServer(db, log, append([]web.Option{web.WithClock(clock)}, opts...)...))
	return o
}

// cheapHash is an argon2id PHC string with the smallest parameters, which
// Verify honours: the limits tests check many passwords.
func cheapHash(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, 1, 64, 1, 32)
	return fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// person creates a user who signs in with pw.
func (o *signIn) person(login, pw string, role gonghai.Role) gonghai.User {
	o.t.Helper()
	u, err := o.db.CreateUser(o.ctx, nil, gonghai.NewUser{Login: login, Name: "王芳", Role: role, PasswordHash: cheapHash(pw)})
	if err != nil {
		o.t.Fatal(err)
	}
	return u
}

// req is one request: headers, cookies and a body.
type req struct {
	method, path, body string
	header             map[string]string
	cookie             *http.Cookie
}

// answer is a response, its decoded body and its session cookie, if set.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	cookie *http.Cookie
}

func (o *signIn) do(r req) answer {
	o.t.Helper()
	hr, err := http.NewRequest(r.method, o.srv.URL+r.path, strings.NewReader(r.body))
	if err != nil {
		o.t.Fatal(err)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	if r.cookie != nil {
		hr.AddCookie(&http.Cookie{Name: r.cookie.Name, Value: r.cookie.Value})
	}
	res, err := o.srv.Client().Do(hr)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	a := answer{status: res.StatusCode, header: res.Header}
	_ = json.NewDecoder(res.Body).Decode(&a.body)
	for _, c := range res.Cookies() {
		if c.Name == web.SessionCookie {
			a.cookie = c
		}
	}
	return a
}

func (o *signIn) login(login, pw string, header map[string]string) answer {
	o.t.Helper()
	body, _ := json.Marshal(map[string]string{"login": login, "password": pw})
	return o.do(req{method: "POST", path: "/api/v1/auth/login", body: string(body), header: header})
}

// session signs login in and returns the session cookie.
func (o *signIn) session(login, pw string) *http.Cookie {
	o.t.Helper()
	a := o.login(login, pw, nil)
	if a.status != 200 || a.cookie == nil || a.cookie.Value == "" {
		o.t.Fatalf("login %s: %d %v, cookie %v", login, a.status, a.body, a.cookie)
	}
	return a.cookie
}

// me asks who the cookie signs in, and returns the status.
func (o *signIn) me(c *http.Cookie) (int, string) {
	o.t.Helper()
	a := o.do(req{method: "GET", path: "/api/v1/me", cookie: c})
	id, _ := a.body["id"].(string)
	return a.status, id
}

func wantProblem(t *testing.T, a answer, status int, code string) {
	t.Helper()
	if a.status != status || a.body["code"] != code || a.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("answer %d %v (%s), want %d %s as problem+json", a.status, a.body, a.header.Get("Content-Type"), status, code)
	}
}

// TestLoginSession: sign-in answers the user as GET /api/v1/me does and
// sets a fresh session id; the cookie the browser had before, even a
// valid one, no longer authenticates (no session fixation).
func TestLoginSession(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		rep := o.person("wang.fang", "correct horse", gonghai.RoleRep)
		if status, _ := o.me(&http.Cookie{Name: web.SessionCookie, Value: "made-up"}); status != 401 {
			t.Fatalf("made-up cookie: %d", status)
		}
		before := o.session("boss", "admin-pw") // someone else's session on this browser
		a := o.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"login":"wang.fang","password":"correct horse"}`, cookie: before})
		if a.status != 200 || a.cookie == nil {
			t.Fatalf("login: %d %v", a.status, a.body)
		}
		if a.cookie.Value == before.Value {
			t.Fatal("login kept the session id the browser had")
		}
		if status, _ := o.me(before); status != 401 {
			t.Errorf("the cookie from before sign-in still authenticates: %d", status)
		}
		me := o.do(req{method: "GET", path: "/api/v1/me", cookie: a.cookie})
		if me.status != 200 || me.body["id"] != rep.ID {
			t.Fatalf("me with the new cookie: %d %v", me.status, me.body)
		}
		if j1, j2 := fmt.Sprint(a.body), fmt.Sprint(me.body); j1 != j2 {
			t.Errorf("login answered %s, /me answers %s", j1, j2)
		}
		if cc := a.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("login Cache-Control %q, want no-store", cc)
		}
		// A real argon2id hash at production cost signs in too (the
		// tests hash at argon2's minimum: password.SetTestParams).
		if err := o.db.SetPassword(o.ctx, nil, "wang.fang", productionHash); err != nil {
			t.Fatal(err)
		}
		if a := o.login("wang.fang", "长城长 long wall", nil); a.status != 200 {
			t.Errorf("login with a full-cost hash: %d %v", a.status, a.body)
		}
		if a := o.login("wang.fang", "correct horse", nil); a.status != 401 {
			t.Errorf("the old password still signs in: %d", a.status)
		}
	})
}

// TestPasswordChangeEndsSessions: a new password signs the user out of
// every session; their API tokens stay, and others' sessions too.
func TestPasswordChangeEndsSessions(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		o.person("wang.fang", "old-pw", gonghai.RoleRep)
		laptop, phone := o.session("wang.fang", "old-pw"), o.session("wang.fang", "old-pw")
		boss := o.session("boss", "admin-pw")
		if err := o.db.SetPassword(o.ctx, nil, "wang.fang", cheapHash("new-pw")); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*http.Cookie{laptop, phone} {
			if status, _ := o.me(c); status != 401 {
				t.Errorf("a session from before the new password answers %d", status)
			}
		}
		if status, _ := o.me(boss); status != 200 {
			t.Errorf("another user's session answers %d after the change", status)
		}
		if status, _ := o.me(o.session("wang.fang", "new-pw")); status != 200 {
			t.Errorf("a session with the new password answers %d", status)
		}
	})
}

// TestCookieFlags: the session cookie is HttpOnly, SameSite=Lax, for the
// whole site, and Secure when configured.
func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run("secure="+strconv.FormatBool(secure), func(t *testing.T) {
			eachSignIn(t, func(t *testing.T, o *signIn) {
				a := o.login("boss", "admin-pw", nil)
				c := a.cookie
				if a.status != 200 || c == nil {
					t.Fatalf("login: %d %v", a.status, a.body)
				}
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure || c.MaxAge != 0 || len(c.Value) < 40 {
					t.Errorf("cookie %q: want HttpOnly, SameSite=Lax, Path=/, Secure=%v, no Max-Age, a long value", a.header.Get("Set-Cookie"), secure)
				}
			}, web.WithSecureCookies(secure))
		})
	}
}

// TestSessionTimeouts: a session ends after its idle timeout without
// requests, and after its lifetime however busy.
func TestSessionTimeouts(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		idle := o.session("boss", "admin-pw")
		for range 4 { // used every 9 minutes: stays
			o.clock.Advance(9 * time.Minute)
			if status, _ := o.me(idle); status != 200 {
				t.Fatalf("busy session ended at %s: %d", o.clock.Now(), status)
			}
		}
		o.clock.Advance(10*time.Minute + time.Second)
		a := o.do(req{method: "GET", path: "/api/v1/me", cookie: idle})
		wantProblem(t, a, 401, "unauthenticated")
		if a.cookie == nil || a.cookie.MaxAge >= 0 {
			t.Errorf("an ended session's cookie is not deleted: %v", a.header.Values("Set-Cookie"))
		}

		busy := o.session("boss", "admin-pw")
		for i := range 7 {
			o.clock.Advance(9*time.Minute + 50*time.Second)
			status, _ := o.me(busy)
			if alive := i < 6; (status == 200) != alive { // 6 × 9m50s < 1h < 7 × 9m50s
				t.Fatalf("after %s: %d, want alive=%v", time.Duration(i+1)*(9*time.Minute+50*time.Second), status, alive)
			}
		}
	}, web.WithSessions(10*time.Minute, time.Hour))
}

// TestDeactivation: a deactivated user's session and token stop working on
// their next request; the session is destroyed, not just refused.
func TestDeactivation(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		rep := o.person("wang.fang", "pw-wang", gonghai.RoleRep)
		token, err := o.db.CreateToken(o.ctx, "wang.fang")
		if err != nil {
			t.Fatal(err)
		}
		c := o.session("wang.fang", "pw-wang")
		bearer := map[string]string{"Authorization": "Bearer " + token}
		if status, _ := o.me(c); status != 200 {
			t.Fatalf("before: %d", status)
		}
		patch := func(active bool) {
			a := o.do(req{method: "PATCH", path: "/api/v1/users/" + rep.ID, body: fmt.Sprintf(`{"active":%v}`, active),
				header: map[string]string{"Authorization": "Bearer " + o.token}})
			if a.status != 200 {
				t.Fatalf("patch active=%v: %d %v", active, a.status, a.body)
			}
		}
		patch(false)
		wantProblem(t, o.do(req{method: "GET", path: "/api/v1/me", cookie: c}), 401, "unauthenticated")
		wantProblem(t, o.do(req{method: "GET", path: "/api/v1/me", header: bearer}), 401, "unauthenticated")
		wantProblem(t, o.login("wang.fang", "pw-wang", nil), 401, "unauthenticated")
		patch(true)
		if status, _ := o.me(c); status != 401 {
			t.Errorf("the session came back with the user: %d", status)
		}
		// Deactivation ended the token for good: reactivating brings it not back.
		wantProblem(t, o.do(req{method: "GET", path: "/api/v1/me", header: bearer}), 401, "unauthenticated")
	})
}

// TestLoginLimits: the sixth attempt on an account within fifteen minutes,
// and the twenty-first from an address, are refused with 429 and
// Retry-After, even with the right password.
func TestLoginLimits(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		o.person("wang.fang", "pw-wang", gonghai.RoleRep)
		for range 5 {
			wantProblem(t, o.login("wang.fang", "guess", nil), 401, "unauthenticated")
			o.clock.Advance(time.Minute)
		}
		a := o.login("wang.fang", "pw-wang", nil)
		wantProblem(t, a, 429, "too_many_attempts")
		if ra := a.header.Get("Retry-After"); ra != "600" {
			t.Errorf("Retry-After %q, want 600 (the first failure leaves the window in 10 minutes)", ra)
		}
		if a.cookie != nil {
			t.Error("a refused attempt set a cookie")
		}
		o.clock.Advance(10 * time.Minute)
		if a := o.login("wang.fang", "pw-wang", nil); a.status != 200 {
			t.Fatalf("after the window: %d %v", a.status, a.body)
		}

		// Per address: 127.0.0.1 has 4 failures left in the window; 16 more
		// over three accounts (4 each, under their limit) and unknown logins
		// fill its 20.
		for i := range 3 {
			o.person(fmt.Sprintf("rep%d", i), "pw", gonghai.RoleRep)
		}
		o.person("li.lei", "pw-li", gonghai.RoleRep)
		for i := range 16 {
			login := fmt.Sprintf("rep%d", i%3)
			if i >= 12 {
				login = "ghost" + strconv.Itoa(i)
			}
			wantProblem(t, o.login(login, "guess", nil), 401, "unauthenticated")
		}
		wantProblem(t, o.login("li.lei", "pw-li", nil), 429, "too_many_attempts")
	})
}

// TestClientAddress: behind a trusted proxy the client's address comes from
// X-Forwarded-For, so one client's failures do not lock out the others;
// without one, X-Forwarded-For is ignored.
func TestClientAddress(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, trusted := range []bool{false, true} {
		t.Run("trusted="+strconv.FormatBool(trusted), func(t *testing.T) {
			var opts []web.Option
			if trusted {
				opts = append(opts, web.WithTrustedProxies(loopback))
			}
			eachSignIn(t, func(t *testing.T, o *signIn) {
				o.person("wang.fang", "pw-wang", gonghai.RoleRep)
				for i := range 4 {
					o.person("rep"+strconv.Itoa(i), "pw", gonghai.RoleRep)
				}
				for i := range 20 { // 5 on each of 4 accounts: the address's 20
					xff := map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}
					wantProblem(t, o.login("rep"+strconv.Itoa(i%4), "guess", xff), 401, "unauthenticated")
				}
				a := o.login("wang.fang", "pw-wang", map[string]string{"X-Forwarded-For": "198.51.100.8"})
				if (a.status == 200) != trusted {
					t.Errorf("another client's login: %d %v, want success only through a trusted proxy", a.status, a.body)
				}
				es, _, err := o.db.Audit(o.ctx, o.admin, gonghai.AuditFilter{Action: gonghai.AuditLoginFailed}, gonghai.Page{})
				if err != nil || len(es) == 0 {
					t.Fatal(es, err)
				}
				want := "127.0.0.1"
				if trusted {
					want = "198.51.100.7" // the proxy's peer; 1.2.3.4 is what the client claimed
				}
				if es[0].Address != want {
					t.Errorf("recorded address %q, want %q", es[0].Address, want)
				}
			}, opts...)
		})
	}
}

// TestCrossOrigin: a write carrying the session cookie is refused when the
// browser says it comes from another site, by Sec-Fetch-Site or by Origin;
// the same write from this site passes, and so does a bearer-token client
// that sends neither header, or any.
func TestCrossOrigin(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		c := o.session("boss", "admin-pw")
		host := strings.TrimPrefix(o.srv.URL, "http://")
		const path = "/api/v1/me/notifications/read"
		for _, sc := range []struct {
			name   string
			r      req
			status int
		}{
			{"cross-site fetch", req{body: `{}`, cookie: c, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403},
			{"same-site subdomain", req{body: `{}`, cookie: c, header: map[string]string{"Sec-Fetch-Site": "same-site"}}, 403},
			{"other origin", req{body: `{}`, cookie: c, header: map[string]string{"Origin": "http://evil.example"}}, 403},
			{"cross-site form post", req{body: "up_to=x", cookie: c, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded",
				"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}}, 403},
			{"cross-site login", req{path: "/api/v1/auth/login", body: `{"login":"boss","password":"admin-pw"}`, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403},
			{"same origin", req{body: `{}`, cookie: c, header: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": o.srv.URL}}, 200},
			{"same host by Origin", req{body: `{}`, cookie: c, header: map[string]string{"Origin": "http://" + host}}, 200},
			{"bearer without origin headers", req{body: `{}`, header: map[string]string{"Authorization": "Bearer " + o.token}}, 200},
			{"bearer from another site", req{body: `{}`, header: map[string]string{"Authorization": "Bearer " + o.token, "Origin": "http://app.example"}}, 200},
		} {
			t.Run(sc.name, func(t *testing.T) {
				sc.r.method = "POST"
				if sc.r.path == "" {
					sc.r.path = path
				}
				a := o.do(sc.r)
				if sc.status == 403 {
					wantProblem(t, a, 403, "cross_origin")
				} else if a.status != sc.status {
					t.Fatalf("%d %v, want %d", a.status, a.body, sc.status)
				}
			})
		}
		// Reads are not writes: a cross-site link may open a page.
		a := o.do(req{method: "GET", path: "/api/v1/me", cookie: c, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
		if a.status != 200 {
			t.Errorf("cross-site GET: %d", a.status)
		}
	})
}

// TestLogout ends the session, deletes the cookie and is recorded; a
// bearer-token request has no session to end.
func TestLogout(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		c := o.session("boss", "admin-pw")
		other := o.session("boss", "admin-pw") // another browser
		a := o.do(req{method: "POST", path: "/api/v1/auth/logout", cookie: c})
		if a.status != 204 || a.cookie == nil || a.cookie.MaxAge >= 0 {
			t.Fatalf("logout: %d %v, cookie %v", a.status, a.body, a.header.Values("Set-Cookie"))
		}
		if status, _ := o.me(c); status != 401 {
			t.Errorf("the session lives after logout: %d", status)
		}
		if status, _ := o.me(other); status != 200 {
			t.Errorf("logout ended another browser's session: %d", status)
		}
		wantProblem(t, o.do(req{method: "POST", path: "/api/v1/auth/logout", cookie: c}), 401, "unauthenticated")
		wantProblem(t, o.do(req{method: "POST", path: "/api/v1/auth/logout", header: map[string]string{"Authorization": "Bearer " + o.token}}), 422, "invalid")
		es, _, err := o.db.Audit(o.ctx, o.admin, gonghai.AuditFilter{Action: gonghai.AuditLogout}, gonghai.Page{})
		if err != nil || len(es) != 1 || es[0].ActorID != o.admin.ID || es[0].Address != "127.0.0.1" {
			t.Errorf("logout entries %+v %v, want one by the admin from 127.0.0.1", es, err)
		}
	})
}

// TestTokenOnlyInHeader: an API token in a query string or a cookie signs
// nobody in.
func TestTokenOnlyInHeader(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		for _, r := range []req{
			{path: "/api/v1/me?access_token=" + o.token},
			{path: "/api/v1/me?token=" + o.token},
			{path: "/api/v1/me?authorization=Bearer+" + o.token},
			{path: "/api/v1/me", cookie: &http.Cookie{Name: web.SessionCookie, Value: o.token}},
			{path: "/api/v1/me", cookie: &http.Cookie{Name: "token", Value: o.token}},
			{path: "/api/v1/me", header: map[string]string{"Authorization": o.token}},
			{path: "/api/v1/me", header: map[string]string{"Authorization": "Token " + o.token}},
			{path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer " + o.token + "x"},
				cookie: o.session("boss", "admin-pw")}, // a bad header is not saved by a good cookie
		} {
			r.method = "GET"
			wantProblem(t, o.do(r), 401, "unauthenticated")
		}
	})
}

// TestAuthAudit: sign-ins, failures, password and user changes are in the
// audit log, with ids and codes only; neither the log nor the server's log
// lines hold a password, a login or a name.
func TestAuthAudit(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		admin := map[string]string{"Authorization": "Bearer " + o.token}
		a := o.do(req{method: "POST", path: "/api/v1/users", header: admin, body: `{"login":"zhang.wei@example.cn","name":"张伟","role":"rep"}`})
		if a.status != 201 {
			t.Fatalf("create user: %d %v", a.status, a.body)
		}
		id, _ := a.body["id"].(string)
		if err := o.db.SetPassword(o.ctx, &o.admin, "zhang.wei@example.cn", cheapHash("Sesame-open-42")); err != nil {
			t.Fatal(err)
		}
		if a := o.do(req{method: "PATCH", path: "/api/v1/users/" + id, header: admin, body: `{"role":"manager","name":"张大伟"}`}); a.status != 200 {
			t.Fatalf("patch: %d %v", a.status, a.body)
		}
		wantProblem(t, o.login("zhang.wei@example.cn", "Wrong-guess-99", nil), 401, "unauthenticated")
		wantProblem(t, o.login("li.si@example.cn", "Unknown-guess-77", nil), 401, "unauthenticated")
		c := o.session("zhang.wei@example.cn", "Sesame-open-42")
		o.do(req{method: "POST", path: "/api/v1/auth/logout", cookie: c})

		es, _, err := o.db.Audit(o.ctx, o.admin, gonghai.AuditFilter{}, gonghai.Page{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]gonghai.AuditEntry{}
		for _, e := range es {
			got[e.Action] = append(got[e.Action], e)
			if j := fmt.Sprintf("%+v", e); strings.Contains(j, "zhang") || strings.Contains(j, "li.si") || strings.Contains(j, "张") ||
				strings.Contains(j, "Sesame") || strings.Contains(j, "guess") || strings.Contains(j, "argon2") {
				t.Errorf("audit entry holds personal data or a secret: %s", j)
			}
		}
		for _, w := range []struct {
			action, target string
			n              int
		}{
			{gonghai.AuditUserChange, id, 2}, {gonghai.AuditPasswordSet, id, 1}, {gonghai.AuditLogin, id, 1}, {gonghai.AuditLogout, id, 1},
		} {
			var n int
			for _, e := range got[w.action] {
				if e.TargetID == w.target {
					n++
				}
			}
			if n != w.n {
				t.Errorf("%d %s entries for the user, want %d: %+v", n, w.action, w.n, got[w.action])
			}
		}
		failed := got[gonghai.AuditLoginFailed]
		if len(failed) != 2 || failed[0].TargetKind != "login" || !strings.HasPrefix(failed[0].TargetID, "login:") ||
			failed[1].TargetID != id || failed[0].Address != "127.0.0.1" {
			t.Errorf("login_failed entries %+v: want the unknown login's under a hash of it, then the user's", failed)
		}
		if change := got[gonghai.AuditUserChange][0]; change.Detail["role"] != "rep->manager" || change.Detail["name"] != "changed" ||
			change.Detail["active"] != "" || change.Address != "127.0.0.1" || change.ActorID != o.admin.ID {
			t.Errorf("user_change %+v, want role rep->manager and name changed only, by the admin from 127.0.0.1", change)
		}
		if logs := o.log.String(); strings.Contains(logs, "zhang") || strings.Contains(logs, "li.si") || strings.Contains(logs, "guess") || strings.Contains(logs, "Sesame") {
			t.Errorf("the server's log holds a login or a password:\n%s", logs)
		}
	})
}
