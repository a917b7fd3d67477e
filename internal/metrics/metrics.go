// Package metrics holds what gonghai exports to Prometheus at /metrics:
// its own registry (never the process-wide default, so tests and several
// servers in one process do not collide), the HTTP, claim, sweep and
// import counters, and the database pools' statistics read at scrape
// time. Labels hold only bounded, impersonal values: route patterns,
// status codes, error codes, verdicts. Never an id, a path or a name.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the registry and the instruments the server and its loops
// count into. Its methods are safe for concurrent use; a nil *Metrics
// counts nothing, so callers need not check.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	claims     *prometheus.CounterVec
	recycles   prometheus.Counter
	reminders  *prometheus.CounterVec
	webhooks   *prometheus.CounterVec
	importRows *prometheus.CounterVec
}

// PoolStats reads the database pools' statistics, by pool name ("read",
// "write"); the store's DB provides it.
type PoolStats func() map[string]sql.DBStats

// New makes the registry with the Go and process collectors, every
// instrument, and, when pools is not nil, the database pools' collector.
func New(pools PoolStats) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gonghai_http_requests_total",
			Help: "HTTP requests answered, by route pattern (which names the method) and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gonghai_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route"}),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gonghai_claims_total",
			Help: "Claims of customers from a pool, by outcome: won, or the error code that refused it."}, []string{"outcome"}),
		recycles: prometheus.NewCounter(prometheus.CounterOpts{Name: "gonghai_recycles_total",
			Help: "Customers the sweep took back to their pools."}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gonghai_reminders_total",
			Help: "Reminders sent, by kind: recycle deadline or follow-up plan."}, []string{"kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gonghai_webhook_deliveries_total",
			Help: "Webhook deliveries, by result: ok, or failed (refused or unanswered; retried later)."}, []string{"result"}),
		importRows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gonghai_import_rows_total",
			Help: "Rows written by import runs, by verdict."}, []string{"verdict"}),
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, m.claims, m.recycles, m.reminders, m.webhooks, m.importRows)
	if pools != nil {
		m.reg.MustRegister(poolCollector(pools))
	}
	// Zero series for the fixed label values, so a dashboard's rate() has
	// a start before the first event.
	for _, k := range []string{"deadline", "plan"} {
		m.reminders.WithLabelValues(k)
	}
	for _, r := range []string{"ok", "failed"} {
		m.webhooks.WithLabelValues(r)
	}
	for _, v := range []string{"created", "updated", "skipped", "conflict", "error"} {
		m.importRows.WithLabelValues(v)
	}
	m.claims.WithLabelValues("won")
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry itself, for tests that gather it.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request counts one answered request. route must be the ServeMux
// pattern that matched, never the raw path (it would hold ids).
func (m *Metrics) Request(route string, code int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Claim counts one claim's outcome: won when err is nil, else its error
// code (already_claimed, holding_limit_reached, reclaim_cooldown …), a
// fixed set.
func (m *Metrics) Claim(err error) {
	if m == nil {
		return
	}
	outcome := "won"
	if err != nil {
		outcome = gonghai.ErrorCode(err)
	}
	m.claims.WithLabelValues(outcome).Inc()
}

// Sweep counts what one recycle sweep did.
func (m *Metrics) Sweep(recycled, reminded, planned, delivered, failed int) {
	if m == nil {
		return
	}
	m.recycles.Add(float64(recycled))
	m.reminders.WithLabelValues("deadline").Add(float64(reminded))
	m.reminders.WithLabelValues("plan").Add(float64(planned))
	m.webhooks.WithLabelValues("ok").Add(float64(delivered))
	m.webhooks.WithLabelValues("failed").Add(float64(failed))
}

// ImportRows counts the rows one import batch wrote, by verdict.
func (m *Metrics) ImportRows(c gonghai.ImportCounts) {
	if m == nil {
		return
	}
	m.importRows.WithLabelValues("created").Add(float64(c.Created))
	m.importRows.WithLabelValues("updated").Add(float64(c.Updated))
	m.importRows.WithLabelValues("skipped").Add(float64(c.Skipped))
	m.importRows.WithLabelValues("conflict").Add(float64(c.Conflicts))
	m.importRows.WithLabelValues("error").Add(float64(c.Errors))
}
