package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/metrics"
)

// WithMetrics serves m's registry at GET /metrics and counts every
// request and claim into it. A token, when not empty, is the bearer token
// a scraper must send; without one /metrics is open, like /healthz. It is
// an operations endpoint, not part of the API: the OpenAPI document does
// not list it.
func WithMetrics(m *metrics.Metrics, token string) Option {
	return func(s *Server) { s.metrics, s.metricsToken = m, token }
}

// serveMetrics adds GET /metrics to mux when the server has metrics.
func (s *Server) serveMetrics(mux *http.ServeMux) {
	if s.metrics == nil {
		return
	}
	s.store = meteredStore{Store: s.store, m: s.metrics}
	h := s.metrics.Handler()
	want := sha256.Sum256([]byte(s.metricsToken))
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if s.metricsToken != "" {
			// Hashes of equal length, so the comparison takes the same
			// time whatever the token sent, its length too.
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			sum := sha256.Sum256([]byte(got))
			if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				writeProblem(w, problemFor(gonghai.Errorf(gonghai.EUnauthenticated, "send Authorization: Bearer <the metrics token>")))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// meteredStore counts the claims' outcomes where every claim passes, the
// API's and the pages' alike, without the store knowing of metrics.
type meteredStore struct {
	Store
	m *metrics.Metrics
}

func (st meteredStore) Claim(ctx context.Context, actor gonghai.User, id, poolID string) (gonghai.Customer, error) {
	c, err := st.Store.Claim(ctx, actor, id, poolID)
	st.m.Claim(err)
	return c, err
}

func (st meteredStore) ClaimNext(ctx context.Context, actor gonghai.User, poolID string) (gonghai.Customer, error) {
	c, err := st.Store.ClaimNext(ctx, actor, poolID)
	st.m.Claim(err)
	return c, err
}

func (st meteredStore) ClaimBatch(ctx context.Context, actor gonghai.User, poolID string, ids []string) ([]gonghai.ClaimResult, error) {
	rs, err := st.Store.ClaimBatch(ctx, actor, poolID, ids)
	for _, r := range rs {
		st.m.Claim(r.Err)
	}
	return rs, err
}
