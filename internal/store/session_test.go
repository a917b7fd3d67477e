package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// pw is a stand-in password check: the hash of password p is "hash:"+p.
func pw(p string) func(string) bool { return func(h string) bool { return h == "hash:"+p } }

// session is a start function that stores the session token for an hour.
func (f *fixture) session(token string) func(string) (string, []byte, time.Time) {
	return func(userID string) (string, []byte, time.Time) {
		return token, []byte("user=" + userID), f.clock.Now().Add(time.Hour)
	}
}

func (f *fixture) withPassword(login, password string) gonghai.User {
	f.t.Helper()
	u, err := f.db.CreateUser(f.ctx, nil, gonghai.NewUser{Login: login, Name: "王芳", Role: gonghai.RoleRep, PasswordHash: "hash:" + password})
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// auditOf lists the audit entries of action, oldest first.
func (f *fixture) auditOf(action string) []gonghai.AuditEntry {
	f.t.Helper()
	es, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: action}, gonghai.Page{})
	if err != nil {
		f.t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// TestSessionLifecycle: a session is found until it expires or is deleted;
// a touch extends a live session and never brings an ended one back.
func TestSessionLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		u := f.withPassword("wang.fang", "s3cret")
		if _, ok, err := f.db.FindSession(f.ctx, "tok-1"); ok || err != nil {
			t.Fatalf("session before login: %v %v", ok, err)
		}
		got, err := f.db.Login(f.ctx, "wang.fang", "10.0.0.1", pw("s3cret"), f.session("tok-1"))
		if err != nil || got.ID != u.ID {
			t.Fatalf("login: %+v %v", got, err)
		}
		data, ok, err := f.db.FindSession(f.ctx, "tok-1")
		if !ok || err != nil || string(data) != "user="+u.ID {
			t.Fatalf("find: %q %v %v", data, ok, err)
		}
		f.clock.Advance(50 * time.Minute)
		if err := f.db.TouchSession(f.ctx, "tok-1", []byte("touched"), f.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(50 * time.Minute) // past the first expiry, before the touched one
		if data, ok, _ := f.db.FindSession(f.ctx, "tok-1"); !ok || string(data) != "touched" {
			t.Fatalf("after touch: %q %v", data, ok)
		}
		f.clock.Advance(10 * time.Minute) // exactly at expiry: gone
		if _, ok, _ := f.db.FindSession(f.ctx, "tok-1"); ok {
			t.Fatal("expired session found")
		}
		if err := f.db.TouchSession(f.ctx, "tok-1", []byte("again"), f.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := f.db.FindSession(f.ctx, "tok-1"); ok {
			t.Fatal("a touch brought an expired session back")
		}
		if _, err := f.db.Login(f.ctx, "wang.fang", "10.0.0.1", pw("s3cret"), f.session("tok-2")); err != nil {
			t.Fatal(err)
		}
		if n, err := f.db.DeleteExpiredSessions(f.ctx); n != 1 || err != nil {
			t.Fatalf("delete expired: %d %v, want 1", n, err)
		}
		if err := f.db.DeleteSession(f.ctx, "tok-2"); err != nil {
			t.Fatal(err)
		}
		if err := f.db.TouchSession(f.ctx, "tok-2", []byte("again"), f.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := f.db.FindSession(f.ctx, "tok-2"); ok {
			t.Fatal("a touch brought a deleted session back")
		}
		if err := f.db.DeleteSession(f.ctx, "tok-2"); err != nil {
			t.Fatalf("deleting a deleted session: %v", err)
		}
	})
}

// TestLoginFailures: an unknown login, a wrong password, a user without a
// password and a deactivated user all get unauthenticated with the same
// words; each is recorded as login_failed with the account's id (or none)
// and the address, and the password check runs every time.
func TestLoginFailures(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		u := f.withPassword("wang.fang", "s3cret")
		gone := f.withPassword("li.lei", "s3cret")
		if _, err := f.db.UpdateUser(f.ctx, f.admin, gone.ID, gonghai.UserPatch{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		nopw := f.user("zhao.min", gonghai.RoleRep, "", nil)
		var msg string
		for _, c := range []struct {
			login, password, wantHash, target string
		}{
			{"nobody", "s3cret", "", ""},
			{"wang.fang", "wrong", "hash:s3cret", u.ID},
			{"zhao.min", "", "", nopw.ID},
			{"li.lei", "s3cret", "hash:s3cret", gone.ID},
		} {
			var checked []string
			verify := func(h string) bool { checked = append(checked, h); return pw(c.password)(h) }
			_, err := f.db.Login(f.ctx, c.login, "10.0.0.9", verify, f.session("tok-"+c.login))
			wantCode(t, err, gonghai.EUnauthenticated)
			if msg == "" {
				msg = gonghai.ErrorMessage(err)
			}
			if gonghai.ErrorMessage(err) != msg || strings.Contains(err.Error(), c.login) {
				t.Errorf("%s: message %q: want %q, without the login", c.login, err, msg)
			}
			if !cmp.Equal(checked, []string{c.wantHash}) {
				t.Errorf("%s: password checked against %q, want once against %q", c.login, checked, c.wantHash)
			}
			if _, ok, _ := f.db.FindSession(f.ctx, "tok-"+c.login); ok {
				t.Errorf("%s: a failed login stored a session", c.login)
			}
			es := f.auditOf(gonghai.AuditLoginFailed)
			want := gonghai.AuditEntry{At: start, Action: gonghai.AuditLoginFailed, TargetKind: "user", TargetID: c.target, Address: "10.0.0.9"}
			if c.target == "" {
				// An unknown login is named by a keyed hash, never by itself.
				got := es[len(es)-1].TargetID
				if !strings.HasPrefix(got, "login:") || len(got) != len("login:")+32 || strings.Contains(got, c.login) {
					t.Errorf("%s: unknown login recorded as %q, want login:<hash>", c.login, got)
				}
				want.TargetKind, want.TargetID = "login", got
			}
			if d := cmp.Diff(want, es[len(es)-1], ignoreID); d != "" {
				t.Errorf("%s: audit entry (-want +got):\n%s", c.login, d)
			}
		}
		if n := len(f.auditOf(gonghai.AuditLogin)); n != 0 {
			t.Errorf("%d login entries after failures only", n)
		}
	})
}

var ignoreID = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ID" }, cmp.Ignore())

// TestLoginLimitAccount: after five failures on an account within fifteen
// minutes, the sixth attempt is refused without checking the password, even
// a right one, and records nothing; Retry-After runs until the oldest
// failure leaves the window.
func TestLoginLimitAccount(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		u := f.withPassword("wang.fang", "s3cret")
		first := f.clock.Now()
		for i := range 5 {
			_, err := f.db.Login(f.ctx, "wang.fang", fmt.Sprintf("10.0.0.%d", i), pw("wrong"), f.session("x"))
			wantCode(t, err, gonghai.EUnauthenticated)
			f.clock.Advance(time.Minute)
		}
		checked := false
		_, err := f.db.Login(f.ctx, "wang.fang", "10.0.1.1", func(string) bool { checked = true; return true }, f.session("tok"))
		wantCode(t, err, gonghai.ETooManyAttempts)
		if checked {
			t.Error("the password was checked while the account was limited")
		}
		var limited interface{ RetryAfter() time.Duration }
		if !errors.As(err, &limited) || limited.RetryAfter() != first.Add(15*time.Minute).Sub(f.clock.Now()) {
			t.Fatalf("retry after: %v, want %v", limited, first.Add(15*time.Minute).Sub(f.clock.Now()))
		}
		if n := len(f.auditOf(gonghai.AuditLoginFailed)); n != 5 {
			t.Errorf("%d login_failed entries, want 5: a refused attempt is not counted", n)
		}
		// Another account is not affected.
		f.withPassword("li.lei", "pw2")
		if _, err := f.db.Login(f.ctx, "li.lei", "10.0.1.1", pw("pw2"), f.session("tok-li")); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(first.Add(15*time.Minute - time.Microsecond))
		_, err = f.db.Login(f.ctx, "wang.fang", "10.0.1.1", pw("s3cret"), f.session("tok"))
		wantCode(t, err, gonghai.ETooManyAttempts)
		f.clock.Set(first.Add(15 * time.Minute)) // the first failure has left the window
		if got, err := f.db.Login(f.ctx, "wang.fang", "10.0.1.1", pw("s3cret"), f.session("tok")); err != nil || got.ID != u.ID {
			t.Fatalf("login after the window: %v", err)
		}
	})
}

// TestLoginLimitUnknown: an unknown login reaches the account limit as a
// real one does, so the limit does not tell which logins exist.
func TestLoginLimitUnknown(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.withPassword("wang.fang", "s3cret")
		for _, login := range []string{"wang.fang", "ghost"} {
			for i := range 6 {
				_, err := f.db.Login(f.ctx, login, fmt.Sprintf("10.2.0.%d", i), pw("wrong"), f.session("x"))
				if i < 5 {
					wantCode(t, err, gonghai.EUnauthenticated)
				} else {
					wantCode(t, err, gonghai.ETooManyAttempts)
				}
			}
		}
		// Another unknown login has its own count.
		_, err := f.db.Login(f.ctx, "ghost2", "10.2.1.1", pw("wrong"), f.session("x"))
		wantCode(t, err, gonghai.EUnauthenticated)
	})
}

// TestLoginLimitAddress: twenty failures from one address, over several
// accounts and unknown logins, refuse the next attempt from there for any
// account; other addresses still sign in.
func TestLoginLimitAddress(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		for i := range 4 {
			f.withPassword(fmt.Sprintf("rep%d", i), "s3cret")
		}
		f.withPassword("wang.fang", "s3cret")
		for i := range 20 {
			login := fmt.Sprintf("rep%d", i%4)
			if i >= 16 {
				login = fmt.Sprintf("ghost%d", i)
			}
			_, err := f.db.Login(f.ctx, login, "203.0.113.7", pw("wrong"), f.session("x"))
			wantCode(t, err, gonghai.EUnauthenticated)
		}
		_, err := f.db.Login(f.ctx, "wang.fang", "203.0.113.7", pw("s3cret"), f.session("tok"))
		wantCode(t, err, gonghai.ETooManyAttempts)
		if _, err := f.db.Login(f.ctx, "wang.fang", "203.0.113.8", pw("s3cret"), f.session("tok")); err != nil {
			t.Fatalf("login from another address: %v", err)
		}
	})
}

// TestLoginLimitConcurrent: of many concurrent wrong attempts on one
// account, no more than five are checked and recorded; the others learn
// nothing of their password.
func TestLoginLimitConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.withPassword("wang.fang", "s3cret")
		const n = 64
		var wg sync.WaitGroup
		codes := make([]string, n)
		for i := range n {
			wg.Go(func() {
				_, err := f.db.Login(f.ctx, "wang.fang", fmt.Sprintf("10.1.0.%d", i), pw("wrong"), f.session("x"))
				codes[i] = gonghai.ErrorCode(err)
			})
		}
		wg.Wait()
		count := map[string]int{}
		for _, c := range codes {
			count[c]++
		}
		if count[gonghai.EUnauthenticated] != 5 || count[gonghai.ETooManyAttempts] != n-5 {
			t.Errorf("answers %v, want 5 unauthenticated and %d too_many_attempts", count, n-5)
		}
		if got := len(f.auditOf(gonghai.AuditLoginFailed)); got != 5 {
			t.Errorf("%d login_failed entries, want 5", got)
		}
	})
}

// TestLogout ends the session and records it once.
func TestLogout(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		u, err := f.db.Login(f.ctx, "admin", "10.0.0.1", func(string) bool { return false }, f.session("tok"))
		wantCode(t, err, gonghai.EUnauthenticated) // the admin has no password
		u = f.withPassword("wang.fang", "s3cret")
		if _, err := f.db.Login(f.ctx, "wang.fang", "10.0.0.1", pw("s3cret"), f.session("tok")); err != nil {
			t.Fatal(err)
		}
		if err := f.db.Logout(f.ctx, u, "tok", "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := f.db.FindSession(f.ctx, "tok"); ok {
			t.Fatal("session lives after logout")
		}
		wantCode(t, f.db.Logout(f.ctx, u, "tok", "10.0.0.2"), gonghai.EUnauthenticated)
		want := []gonghai.AuditEntry{{At: start, ActorID: u.ID, Action: gonghai.AuditLogout, TargetKind: "user", TargetID: u.ID, Address: "10.0.0.2"}}
		if d := cmp.Diff(want, f.auditOf(gonghai.AuditLogout), ignoreID); d != "" {
			t.Errorf("logout entries (-want +got):\n%s", d)
		}
		login := []gonghai.AuditEntry{{At: start, ActorID: u.ID, Action: gonghai.AuditLogin, TargetKind: "user", TargetID: u.ID, Address: "10.0.0.1"}}
		if d := cmp.Diff(login, f.auditOf(gonghai.AuditLogin), ignoreID); d != "" {
			t.Errorf("login entries (-want +got):\n%s", d)
		}
	})
}

// TestUserAudit: creating and changing users and setting passwords are
// recorded with what changed, never a name, login or password.
func TestUserAudit(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		dept := f.dept("华东组", "")
		u, err := f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "zhang.wei@example.cn", Name: "张伟", Role: gonghai.RoleRep,
			DepartmentID: dept.ID, Level: "junior", PasswordHash: "hash:initial"})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		if _, err := f.db.UpdateUser(f.ctx, f.admin, u.ID, gonghai.UserPatch{Role: ptr(gonghai.RoleManager), Active: ptr(false),
			Name: ptr("张伟伟"), HoldingLimit: ptr(30)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UpdateUser(f.ctx, f.admin, u.ID, gonghai.UserPatch{Level: ptr("junior")}); err != nil {
			t.Fatal(err) // changes nothing: not recorded
		}
		if err := f.db.SetPassword(f.ctx, nil, "zhang.wei@example.cn", "hash:next"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.db.SetPassword(f.ctx, nil, "nobody", "hash:x"), gonghai.ENotFound)
		a := f.admin.ID
		want := []gonghai.AuditEntry{
			{At: start, Action: gonghai.AuditUserChange, TargetKind: "user", TargetID: f.admin.ID,
				Detail: map[string]string{"role": "admin", "department_id": "", "level": "junior", "holding_limit": "none", "active": "true"}},
			{At: start, ActorID: a, Action: gonghai.AuditUserChange, TargetKind: "user", TargetID: u.ID,
				Detail: map[string]string{"role": "rep", "department_id": dept.ID, "level": "junior", "holding_limit": "none", "active": "true"}},
			{At: start.Add(time.Minute), ActorID: a, Action: gonghai.AuditUserChange, TargetKind: "user", TargetID: u.ID,
				Detail: map[string]string{"role": "rep->manager", "active": "true->false", "holding_limit": "none->30", "name": "changed"}},
		}
		if d := cmp.Diff(want, f.auditOf(gonghai.AuditUserChange), ignoreID); d != "" {
			t.Errorf("user_change entries (-want +got):\n%s", d)
		}
		pwSet := []gonghai.AuditEntry{
			{At: start, ActorID: a, Action: gonghai.AuditPasswordSet, TargetKind: "user", TargetID: u.ID},
			{At: start.Add(time.Minute), Action: gonghai.AuditPasswordSet, TargetKind: "user", TargetID: u.ID},
		}
		if d := cmp.Diff(pwSet, f.auditOf(gonghai.AuditPasswordSet), ignoreID); d != "" {
			t.Errorf("password_set entries (-want +got):\n%s", d)
		}
		all, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{}, gonghai.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			for _, secret := range []string{"zhang.wei", "张伟", "hash:"} {
				if strings.Contains(fmt.Sprint(e), secret) {
					t.Errorf("audit entry %+v holds %q", e, secret)
				}
			}
		}
		if _, err := f.db.Login(f.ctx, "zhang.wei@example.cn", "", pw("next"), f.session("tok")); gonghai.ErrorCode(err) != gonghai.EUnauthenticated {
			t.Errorf("a deactivated user signed in: %v", err)
		}
	})
}
