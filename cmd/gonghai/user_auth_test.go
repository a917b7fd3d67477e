package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/webtest"
)

// runWith runs one command with stdin and returns its error.
func runWith(env map[string]string, stdin string, args ...string) error {
	return run(context.Background(), append([]string{"gonghai"}, args...), func(k string) string { return env[k] },
		strings.NewReader(stdin), io.Discard, io.Discard)
}

// TestUserPasswd: gonghai user passwd sets an argon2id hash, from a flag or
// from standard input, and records password_set with no secret in it.
func TestUserPasswd(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		env := keysEnv(t, dsn)
		cli(t, env, "migrate")
		id := cli(t, env, "user", "create", "--login", "wang.fang", "--name", "王芳", "--role", "rep")
		if err := runWith(env, "", "user", "passwd", "--login", "wang.fang", "--password", "from-the-flag"); err != nil {
			t.Fatal(err)
		}
		if err := runWith(env, "from stdin 长城\r\nsecond line\n", "user", "passwd", "--login", "wang.fang"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			stdin string
			args  []string
			want  string
		}{
			{"", []string{"--login", "wang.fang"}, "standard input"},
			{"x\n", []string{}, "--login"},
			{"x\n", []string{"--login", "nobody"}, "not_found"},
		} {
			err := runWith(env, c.stdin, append([]string{"user", "passwd"}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("passwd %v: %v, want an error about %s", c.args, err, c.want)
			}
		}

		db := following(t, dsn, env["GONGHAI_KEY_FILE"])
		ctx := context.Background()
		signIn := func(pw string) error {
			_, err := db.Login(ctx, "wang.fang", "", func(h string) bool { ok, _ := password.Verify(ctx, pw, h); return ok },
				func(string) (string, []byte, time.Time) { return "t-" + pw, []byte("{}"), time.Now().Add(time.Hour) })
			return err
		}
		if err := signIn("from stdin 长城"); err != nil {
			t.Errorf("the password from standard input does not sign in: %v", err)
		}
		if err := signIn("from-the-flag"); gonghai.ErrorCode(err) != gonghai.EUnauthenticated {
			t.Errorf("the replaced password: %v", err)
		}
		admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "boss", Name: "boss", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		es, _, err := db.Audit(ctx, admin, gonghai.AuditFilter{Action: gonghai.AuditPasswordSet}, gonghai.Page{})
		if err != nil || len(es) != 2 {
			t.Fatalf("password_set entries %+v %v, want 2", es, err)
		}
		for _, e := range es {
			if e.TargetID != id || e.ActorID != "" || len(e.Detail) != 0 {
				t.Errorf("password_set entry %+v: want the user's id, no actor (the command line), no detail", e)
			}
		}
	})
}

// TestServeSessions: serve signs a person in with a cookie and out again,
// and refuses session settings it cannot run with.
func TestServeSessions(t *testing.T) {
	env := map[string]string{"GONGHAI_DB": "sqlite:" + filepath.Join(t.TempDir(), "gonghai.db"), "GONGHAI_SECURE_COOKIES": "false"}
	cli(t, env, "migrate")
	cli(t, env, "user", "create", "--login", "boss", "--name", "王总", "--role", "admin", "--password", "s3cret-pass")
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--session-idle", "0s"}, "--session-idle"},
		{nil, []string{"--session-lifetime", "-1h"}, "--session-lifetime"},
		{map[string]string{"GONGHAI_SESSION_IDLE": "soon"}, nil, "GONGHAI_SESSION_IDLE"},
		{map[string]string{"GONGHAI_SECURE_COOKIES": "maybe"}, nil, "GONGHAI_SECURE_COOKIES"},
		{nil, []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, "proxy.local"},
	} {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		for k, v := range c.env {
			e[k] = v
		}
		err := runWith(e, "", append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("serve %v %v: %v, want an error naming %s", c.env, c.args, err, c.want)
		}
	}

	ctx, stop := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"gonghai", "serve", "--addr", "127.0.0.1:0", "--secure-cookies", "--session-idle", "5m",
			"--trusted-proxies", "127.0.0.1, 10.0.0.0/8"}, func(k string) string { return env[k] }, strings.NewReader(""), out, io.Discard)
	}()
	base := waitForListen(t, out, done)
	client := &http.Client{}
	webtest.Check(t, client, base)
	res, err := client.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"login":"boss","password":"s3cret-pass"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "gonghai_session" {
			cookie = c
		}
	}
	if res.StatusCode != 200 || cookie == nil || !cookie.Secure || !cookie.HttpOnly {
		t.Fatalf("login: %d, cookie %v: want 200 and a Secure, HttpOnly session cookie", res.StatusCode, res.Header.Values("Set-Cookie"))
	}
	call := func(method, path string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+path, nil)
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		return res.StatusCode, v
	}
	if status, me := call("GET", "/api/v1/me"); status != 200 || me["login"] != "boss" {
		t.Fatalf("me by cookie: %d %v", status, me)
	}
	if status, _ := call("POST", "/api/v1/auth/logout"); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	if status, _ := call("GET", "/api/v1/me"); status != 401 {
		t.Fatalf("me after logout: %d", status)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve ended with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
}
