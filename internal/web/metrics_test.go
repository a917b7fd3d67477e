package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/importer"
	"github.com/gonghai/gonghai/internal/metrics"
	"github.com/gonghai/gonghai/internal/web"
	"github.com/gonghai/gonghai/internal/webtest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics with the bearer token (none when "") and parses
// the text format.
func scrape(t *testing.T, base, token string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return res.StatusCode, fams
}

// value is the sample of family name whose labels include want, summed
// over the rest; -1 when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
	sum, found := 0.0, false
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	if !found {
		return -1
	}
	return sum
}

// /metrics after a won claim, a lost one, an import run and some requests:
// each counted by route pattern, outcome and verdict, the database pools
// and the Go and process collectors there, and no label value holding an
// id, an email or a phone number.
func TestMetrics(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		m := metrics.New(o.db.PoolStats)
		o.srv = webtest.Serve(t, web.NewServer(o.db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.WithMetrics(m, "")))
		if status, v, _ := o.call("rep.a", "POST", "/api/v1/customers/"+o.inPool+"/claim", ""); status != 200 {
			t.Fatalf("claim: %d %v", status, v)
		}
		if status, v, _ := o.call("rep.b", "POST", "/api/v1/customers/"+o.ownedByA+"/claim", ""); status != 409 {
			t.Fatalf("claim of a taken customer: %d %v", status, v)
		}
		if status, _, _ := o.call("rep.a", "GET", "/api/v1/customers/"+o.ownedByA, ""); status != 200 {
			t.Fatalf("get customer: %d", status)
		}
		if status, _, _ := o.call("", "GET", "/healthz", ""); status != 200 {
			t.Fatalf("healthz: %d", status)
		}
		status, v := o.upload("admin", "客户.csv", importCSV, map[string]string{"pool_id": o.pool.ID, "dry_run": "true"})
		if status != 201 {
			t.Fatalf("upload: %d %v", status, v)
		}
		id := v["id"].(string)
		if status, v, _ := o.call("admin", "POST", "/api/v1/imports/"+id+"/start", ""); status != 200 {
			t.Fatalf("start: %d %v", status, v)
		}
		if _, err := (&importer.Engine{Store: o.db, Counted: m.ImportRows}).Run(context.Background(), id); err != nil {
			t.Fatal(err)
		}

		status, fams := scrape(t, o.srv.URL, "")
		if status != 200 {
			t.Fatalf("GET /metrics: %d", status)
		}
		for _, c := range []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{"gonghai_claims_total", map[string]string{"outcome": "won"}, 1},
			{"gonghai_claims_total", map[string]string{"outcome": "already_claimed"}, 1},
			{"gonghai_import_rows_total", map[string]string{"verdict": "created"}, 1},
			{"gonghai_import_rows_total", map[string]string{"verdict": "skipped"}, 1},
			{"gonghai_import_rows_total", map[string]string{"verdict": "error"}, 1},
			{"gonghai_import_rows_total", map[string]string{"verdict": "updated"}, 0},
			{"gonghai_http_requests_total", map[string]string{"route": "GET /healthz", "code": "200"}, 1},
			{"gonghai_http_requests_total", map[string]string{"route": "POST /api/v1/customers/{id}/claim", "code": "200"}, 1},
			{"gonghai_http_requests_total", map[string]string{"route": "POST /api/v1/customers/{id}/claim", "code": "409"}, 1},
			{"gonghai_http_requests_total", map[string]string{"route": "GET /api/v1/customers/{id}", "code": "200"}, 1},
			{"gonghai_http_request_duration_seconds", map[string]string{"route": "POST /api/v1/customers/{id}/claim"}, 2},
			{"gonghai_recycles_total", nil, 0},
			{"gonghai_webhook_deliveries_total", map[string]string{"result": "failed"}, 0},
		} {
			if got := value(fams, c.name, c.labels); got != c.want {
				t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
			}
		}
		for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "gonghai_db_open_connections",
			"gonghai_db_in_use_connections", "gonghai_db_idle_connections", "gonghai_db_wait_count_total", "gonghai_db_wait_duration_seconds_total"} {
			if value(fams, name, nil) < 0 {
				t.Errorf("no %s", name)
			}
		}
		if value(fams, "gonghai_db_open_connections", map[string]string{"pool": "read_write"}) < 0 &&
			value(fams, "gonghai_db_open_connections", map[string]string{"pool": "write"}) < 0 {
			t.Error("no write pool's connections")
		}

		ids := []string{o.inPool, o.ownedByA, o.hiddenC, o.admin.ID, o.a.ID, o.b.ID, o.east.ID, o.pool.ID, id}
		personal := regexp.MustCompile(`@|\d{7,}`)
		for name, f := range fams {
			for _, s := range f.GetMetric() {
				for _, l := range s.GetLabel() {
					val := l.GetValue()
					if personal.MatchString(val) {
						t.Errorf("%s{%s=%q} looks like personal data", name, l.GetName(), val)
					}
					for _, id := range ids {
						if strings.Contains(val, id) {
							t.Errorf("%s{%s=%q} holds an id", name, l.GetName(), val)
						}
					}
				}
			}
		}
	})
}

// With a token /metrics answers 401 without it or with another, 200 with
// it; the 401 says which scheme.
func TestMetricsToken(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		srv := webtest.Serve(t, web.NewServer(o.db, slog.New(slog.NewTextHandler(io.Discard, nil)),
			web.WithMetrics(metrics.New(o.db.PoolStats), "scrape-secret")))
		for _, c := range []struct {
			token string
			want  int
		}{{"", 401}, {"scrape-secre", 401}, {"scrape-secret-", 401}, {o.tokens["admin"], 401}, {"scrape-secret", 200}} {
			if got, _ := scrape(t, srv.URL, c.token); got != c.want {
				t.Errorf("token %q: %d, want %d", c.token, got, c.want)
			}
		}
		res, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("WWW-Authenticate") != `Bearer realm="metrics"` {
			t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
		}
		// Without metrics there is no /metrics.
		if status, _, _ := o.call("", "GET", "/metrics", ""); status != 404 {
			t.Errorf("/metrics of a server without metrics: %d", status)
		}
	})
}
