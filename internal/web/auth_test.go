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
