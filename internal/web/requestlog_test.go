package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/web"
)

// logLines decodes the JSON log lines written so far.
func logLines(t *testing.T, b *syncBuffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestRequestLog: each request is logged once, with its method, route
// pattern, status, duration, request id and, when signed in, the user;
// never its path, query string, body, login or token. An internal error is
// logged with its route and the request's id.
func TestRequestLog(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "log.db"), gonghai.SystemClock{}, nil)
	admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "boss.wang", Name: "王总", Role: gonghai.RoleAdmin,
		PasswordHash: cheapHash("Sesame-open-42")})
	if err != nil {
		t.Fatal(err)
	}
	token, err := db.CreateToken(ctx, "boss.wang")
	if err != nil {
		t.Fatal(err)
	}
	name := "华东公海"
	pool, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: pool.ID,
		CustomerFields: gonghai.CustomerFields{Company: "上海恒信科技有限公司", Phone: "13800138000"}})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv := httptest.NewServer(web.NewServer(db, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	t.Cleanup(srv.Close)
	send := func(method, path, body string, header map[string]string) int {
		t.Helper()
		logs.Reset()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		// The line is written once the answer is sent: wait for it.
		for i := 0; i < 500 && !strings.Contains(logs.String(), `"msg":"request"`); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		return res.StatusCode
	}
	bearer := map[string]string{"Authorization": "Bearer " + token}
	for _, r := range []struct {
		name, method, path, body string
		header                   map[string]string
		route                    string
		status                   int
		user                     string
	}{
		{"bearer", "GET", "/api/v1/customers/" + c.ID, "", bearer, "GET /api/v1/customers/{id}", 200, admin.ID},
		{"phone in the query", "GET", "/api/v1/pools/" + pool.ID + "/customers?q=13800138000&limit=5", "", bearer,
			"GET /api/v1/pools/{id}/customers", 200, admin.ID},
		{"sign-in", "POST", "/api/v1/auth/login", `{"login":"boss.wang","password":"Sesame-open-42"}`,
			map[string]string{"Content-Type": "application/json"}, "POST /api/v1/auth/login", 200, admin.ID},
		{"wrong token", "POST", "/api/v1/customers/" + c.ID + "/claim", "", map[string]string{"Authorization": "Bearer gh_wrong-13800138000"},
			"POST /api/v1/customers/{id}/claim", 401, ""},
		{"no route", "GET", "/api/v1/nothing/13800138000", "", nil, "/", 404, ""},
	} {
		t.Run(r.name, func(t *testing.T) {
			if status := send(r.method, r.path, r.body, r.header); status != r.status {
				t.Fatalf("answered %d, want %d", status, r.status)
			}
			lines := logLines(t, logs)
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs.String())
			}
			l := lines[0]
			if l["msg"] != "request" || l["method"] != r.method || l["route"] != r.route || l["status"] != float64(r.status) {
				t.Errorf("log line %v: want request, %s, route %q, status %d", l, r.method, r.route, r.status)
			}
			if d, ok := l["duration"].(float64); !ok || d <= 0 {
				t.Errorf("log line %v: no duration", l)
			}
			if id, _ := l["request_id"].(string); len(id) != 16 {
				t.Errorf("log line %v: no request id", l)
			}
			if user, _ := l["user_id"].(string); user != r.user {
				t.Errorf("log line %v: user %q, want %q", l, user, r.user)
			}
			for _, secret := range []string{"13800138000", token, "gh_wrong", "boss.wang", "Sesame", c.ID, pool.ID, "limit", "nothing"} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("the log holds %q:\n%s", secret, logs.String())
				}
			}
		})
	}

	// An internal error: the database is gone.
	db.Close()
	if status := send("GET", "/api/v1/pools/"+pool.ID, "", bearer); status != 500 {
		t.Fatalf("with the database closed: %d", status)
	}
	lines := logLines(t, logs)
	if len(lines) != 2 || lines[0]["msg"] != "internal_error" || lines[1]["msg"] != "request" {
		t.Fatalf("log lines with the database closed:\n%s\nwant internal_error, then request", logs.String())
	}
	if lines[0]["route"] != "GET /api/v1/pools/{id}" || lines[0]["request_id"] != lines[1]["request_id"] || lines[1]["status"] != float64(500) {
		t.Errorf("internal error %v of request %v: want the route and the request's id", lines[0], lines[1])
	}
}
