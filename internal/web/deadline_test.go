package web_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/web"
	"github.com/jackc/pgx/v5"
)

// rawRequest sends a request over a plain TCP connection, the body in
// pieces spread over pace, and returns the answer's status and code. A
// client this slow is what the body deadline is for.
func rawRequest(t *testing.T, srv *httptest.Server, token, method, path, body string, pace time.Duration) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: gonghai\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n", method, path, token, len(body))
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	// The answer is read while the body goes, as a client would: a server
	// may answer before the body is all in.
	go func() {
		const pieces = 4
		for i := range pieces * min(1, len(body)) {
			time.Sleep(pace / pieces)
			part := body[i*len(body)/pieces : (i+1)*len(body)/pieces]
			if _, err := conn.Write([]byte(part)); err != nil {
				return // the server answered already and closed
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var p struct{ Code string }
	_ = json.NewDecoder(res.Body).Decode(&p)
	return res.StatusCode, p.Code
}

// TestSlowBodyIsRequestTimeout: a body that takes longer than 5 s to
// arrive is answered 408 request_timeout, not 500 internal.
func TestSlowBodyIsRequestTimeout(t *testing.T) {
	o := newOrg(t, "sqlite:"+t.TempDir()+"/gonghai.db")
	begun := time.Now()
	status, code := rawRequest(t, o.srv, o.tokens["admin"], "PATCH", "/api/v1/customers/"+o.inPool, `{"company":"上海恒信科技有限公司（慢）"}`, 8*time.Second)
	if status != http.StatusRequestTimeout || code != "request_timeout" {
		t.Fatalf("a body sent over 8 s: %d %q, want 408 request_timeout", status, code)
	}
	if took := time.Since(begun); took >= 8*time.Second {
		t.Errorf("answered after %s, when the body was all sent; the body deadline is 5 s", took)
	}
}

// TestShortBodyIsInvalid: a body that ends before its Content-Length (the
// client stopped sending) is invalid, not 500 internal.
func TestShortBodyIsInvalid(t *testing.T) {
	o := newOrg(t, "sqlite:"+t.TempDir()+"/gonghai.db")
	conn, err := net.Dial("tcp", o.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PATCH /api/v1/customers/%s HTTP/1.1\r\nHost: gonghai\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"company\":", o.inPool, o.tokens["admin"])
	conn.(*net.TCPConn).CloseWrite() // the rest of the body never comes
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var p struct{ Code string }
	_ = json.NewDecoder(res.Body).Decode(&p)
	if res.StatusCode != http.StatusUnprocessableEntity || p.Code != "invalid" {
		t.Fatalf("a body cut short: %d %q, want 422 invalid", res.StatusCode, p.Code)
	}
}

// holdCustomer keeps customer id from being written for hold, from outside
// the server: on PostgreSQL by its row lock, on SQLite by the write lock.
// It returns when the lock is held; the lock goes after hold.
func holdCustomer(t *testing.T, dsn, id string, hold time.Duration) {
	t.Helper()
	ctx := context.Background()
	held := make(chan error, 1)
	done := make(chan struct{})
	t.Cleanup(func() { <-done })
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer close(done)
			defer db.Close()
			tx, err := db.BeginTx(ctx, nil)
			held <- err
			if err == nil {
				time.Sleep(hold)
				tx.Rollback()
			}
		}()
	} else {
		go func() {
			defer close(done)
			c, err := pgx.Connect(ctx, dsn)
			if err != nil {
				held <- err
				return
			}
			defer c.Close(ctx)
			tx, err := c.Begin(ctx)
			if err == nil {
				_, err = tx.Exec(ctx, `SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, id)
			}
			held <- err
			if err == nil {
				time.Sleep(hold)
				tx.Rollback(ctx)
			}
		}()
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
}

// TestSlowOperationWithBodySucceeds: a request to an operation that takes
// a body, answered after longer than huma's 5 s body deadline, succeeds.
// Each waits 6 s on a customer's row lock held from outside, on
// PostgreSQL (SQLite's writers give up after 5 s). A claim, whose body is
// optional, sent without one: before the deadline was lifted from empty
// bodies this failed 500 internal at 5 s with "context canceled". A PATCH
// with a body: Go's server lifts the deadline when the body is in.
func TestSlowOperationWithBodySucceeds(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	o := newOrg(t, dsn)
	for _, sc := range []struct{ name, as, method, path, body string }{
		{"claim without a body", "rep.a", "POST", "/api/v1/customers/" + o.inPool + "/claim", ""},
		{"patch with a body", "admin", "PATCH", "/api/v1/customers/" + o.inPool, `{"company":"上海恒信科技有限公司（改）"}`},
	} {
		t.Run(sc.name, func(t *testing.T) {
			holdCustomer(t, dsn, o.inPool, 6*time.Second)
			begun := time.Now()
			status, code := rawRequest(t, o.srv, o.tokens[sc.as], sc.method, sc.path, sc.body, 0)
			if status != http.StatusOK {
				t.Fatalf("%s waiting 6 s on a lock: %d %q, want 200", sc.method, status, code)
			}
			if took := time.Since(begun); took < 5*time.Second {
				t.Fatalf("answered after %s: the lock did not hold the request past the body deadline", took)
			}
		})
	}
}

// TestEndedRequestIsNotInternal: a client that gives up while its request
// waits on the database gets no 500 internal and logs no error: the
// server logs request_canceled at info.
func TestEndedRequestIsNotInternal(t *testing.T) {
	pgtest.EachDatabaseAlone(t, func(t *testing.T, dsn string) {
		o := newOrg(t, dsn)
		logs := &syncBuffer{}
		srv := httptest.NewServer(web.NewServer(o.db, slog.New(slog.NewTextHandler(logs, nil))))
		t.Cleanup(srv.Close)
		holdCustomer(t, dsn, o.inPool, 3*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, srv.URL+"/api/v1/customers/"+o.inPool,
			strings.NewReader(`{"company":"上海恒信科技有限公司（弃）"}`))
		req.Header.Set("Authorization", "Bearer "+o.tokens["admin"])
		req.Header.Set("Content-Type", "application/json")
		if res, err := srv.Client().Do(req); err == nil {
			res.Body.Close()
			t.Fatalf("the PATCH answered %d before the lock went", res.StatusCode)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), "request_canceled") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		got := logs.String()
		if !strings.Contains(got, "level=INFO msg=request_canceled") || strings.Contains(got, "level=ERROR") {
			t.Fatalf("server log after the client gave up:\n%s\nwant request_canceled at info and no error", got)
		}
	})
}
