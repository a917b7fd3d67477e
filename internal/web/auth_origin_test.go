package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/web"
)

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
