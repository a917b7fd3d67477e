package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/webtest"
)

// TestMain hashes passwords at argon2's minimum cost: the commands under
// test hash many.
func TestMain(m *testing.M) {
	password.SetTestParams()
	pgtest.Main(m)
}

// cli runs one command the way a shell would and returns what it printed.
func cli(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"gonghai"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("gonghai %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// syncBuffer lets the test read what the server prints while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestEndToEnd starts the real program on port 0 with a temporary SQLite
// file, makes users and a token with the CLI, and claims a customer over
// HTTP, as an operator and a rep would.
func TestEndToEnd(t *testing.T) {
	env := map[string]string{"GONGHAI_DB": "sqlite:" + filepath.Join(t.TempDir(), "gonghai.db")}
	if got := cli(t, env, "migrate"); got != "schema up to date" {
		t.Fatalf("migrate printed %q", got)
	}
	adminID := cli(t, env, "user", "create", "--login", "boss", "--name", "王总", "--role", "admin", "--password", "s3cret-pass")
	repID := cli(t, env, "user", "create", "--login", "li.na", "--name", "李娜", "--role", "rep", "--level", "junior", "--holding-limit", "30")
	if err := run(context.Background(), []string{"gonghai", "user", "create", "--login", "x", "--name", "x", "--role", "rep", "--department", "无此部门"},
		func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "无此部门") {
		t.Fatalf("user create with an unknown department: %v", err)
	}
	if adminID == "" || repID == "" || adminID == repID {
		t.Fatalf("user create printed ids %q and %q", adminID, repID)
	}
	adminToken, repToken := cli(t, env, "token", "create", "--login", "boss"), cli(t, env, "token", "create", "--login", "li.na")
	if !strings.HasPrefix(adminToken, "ghk_") || strings.Contains(adminToken, "\n") {
		t.Fatalf("token create printed %q, want a bare token", adminToken)
	}

	env["GONGHAI_METRICS_TOKEN"] = "scrape-secret"
	ctx, stop := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"gonghai", "serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] },
			strings.NewReader(""), out, io.Discard)
	}()
	base := waitForListen(t, out, done)
	client := &http.Client{}
	webtest.Check(t, client, base) // every answer as the served document says

	api := func(token, method, path, body string, want int) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		if res.StatusCode != want {
			t.Fatalf("%s %s: status %d, want %d: %v", method, path, res.StatusCode, want, v)
		}
		return v
	}
	pool := api(adminToken, "POST", "/api/v1/pools", `{"name":"华东公海","member_user_ids":["`+repID+`"]}`, 201)
	cust := api(adminToken, "POST", "/api/v1/customers", `{"pool_id":"`+pool["id"].(string)+`","company":"杭州恒信科技有限公司","phone":"13812348000"}`, 201)
	listed := api(repToken, "GET", "/api/v1/pools/"+pool["id"].(string)+"/customers", "", 200)
	if items := listed["items"].([]any); len(items) != 1 || items[0].(map[string]any)["phone"] != "138****8000" {
		t.Fatalf("the rep's pool listing = %v, want the one customer with its phone masked", listed)
	}
	claimed := api(repToken, "POST", "/api/v1/customers/"+cust["id"].(string)+"/claim", "", 200)
	if claimed["owner_id"] != repID || claimed["phone"] != "13812348000" {
		t.Fatalf("claim answered %v, want the rep as owner and the phone in full", claimed)
	}
	again := api(repToken, "POST", "/api/v1/customers/"+cust["id"].(string)+"/claim", "", 409)
	if again["code"] != "already_claimed" {
		t.Fatalf("second claim answered %v", again)
	}
	history := api(repToken, "GET", "/api/v1/customers/"+cust["id"].(string)+"/history", "", 200)
	if items := history["items"].([]any); len(items) != 2 || items[1].(map[string]any)["kind"] != "claimed" {
		t.Fatalf("history = %v, want created then claimed", history)
	}
	if res, err := client.Get(base + "/healthz"); err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	// /metrics is not in the document: asked with a plain client. serve
	// counts the claims, and asks for the token.
	for _, token := range []string{"", "scrape-secret"} {
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case token == "" && res.StatusCode != 401:
			t.Errorf("/metrics without the token: %d", res.StatusCode)
		case token != "" && (res.StatusCode != 200 || !strings.Contains(string(body), `gonghai_claims_total{outcome="already_claimed"} 1`) ||
			!strings.Contains(string(body), `gonghai_db_open_connections{pool="write"}`)):
			t.Errorf("/metrics with the token: %d\n%s", res.StatusCode, body)
		}
	}
	// gonghai openapi prints what the server serves: CI lints that.
	res, err := http.Get(base + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, err := io.ReadAll(res.Body)
	res.Body.Close()
	if printed := cli(t, env, "openapi"); err != nil || printed != string(served) {
		t.Fatalf("gonghai openapi printed %d bytes, the server serves %d (%v)", len(printed), len(served), err)
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

// waitForListen reads the address serve prints once it accepts requests.
func waitForListen(t *testing.T, out *syncBuffer, done chan error) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "gonghai listening on "); ok {
				return addr
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before listening: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("serve did not start listening")
	return ""
}
