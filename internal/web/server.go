// Package web serves gonghai over HTTP: the pages people use, and the API:
// JSON under /api/v1 with bearer tokens, RFC 9457 problem errors with
// stable codes, and an OpenAPI 3.1 document generated from the same Go
// types that handle the requests.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/metrics"
)

// Store is what the API needs of the database.
type Store interface {
	Ping(ctx context.Context) error
	Authenticate(ctx context.Context, token string) (gonghai.User, error)
	Settings(ctx context.Context) (gonghai.Settings, error)
	UpdateSettings(ctx context.Context, actor gonghai.User, p gonghai.SettingsPatch) (gonghai.Settings, error)
	CreateDepartment(ctx context.Context, actor gonghai.User, name, parentID string) (gonghai.Department, error)
	Departments(ctx context.Context) ([]gonghai.Department, error)
	CreateUser(ctx context.Context, actor *gonghai.User, in gonghai.NewUser) (gonghai.User, error)
	User(ctx context.Context, viewer gonghai.User, id string) (gonghai.User, error)
	Users(ctx context.Context, viewer gonghai.User, p gonghai.Page) ([]gonghai.User, string, error)
	UpdateUser(ctx context.Context, actor gonghai.User, id string, p gonghai.UserPatch) (gonghai.User, error)
	CreatePool(ctx context.Context, actor gonghai.User, in gonghai.PoolInput) (gonghai.Pool, error)
	UpdatePool(ctx context.Context, actor gonghai.User, id string, in gonghai.PoolInput) (gonghai.Pool, error)
	Pool(ctx context.Context, viewer gonghai.User, id string) (gonghai.Pool, error)
	Pools(ctx context.Context, viewer gonghai.User) ([]gonghai.Pool, error)
	CreateCustomer(ctx context.Context, actor gonghai.User, in gonghai.NewCustomer) (gonghai.Customer, error)
	Matches(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFields) (gonghai.Matches, error)
	Customer(ctx context.Context, viewer gonghai.User, id string) (gonghai.Customer, error)
	UpdateCustomer(ctx context.Context, actor gonghai.User, id string, patch gonghai.CustomerPatch) (gonghai.Customer, error)
	PoolCustomers(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter, p gonghai.Page) ([]gonghai.Customer, string, error)
	MyCustomers(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFilter, p gonghai.Page) ([]gonghai.Customer, string, error)
	CountPoolCustomers(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter) (int, bool, error)
	CountMyCustomers(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFilter) (int, bool, error)
	Returns(ctx context.Context, viewer gonghai.User, cs []gonghai.Customer) (map[string]gonghai.Return, error)
	ClaimVerdicts(ctx context.Context, viewer gonghai.User, cs []gonghai.Customer) ([]error, error)
	Customers(ctx context.Context, viewer gonghai.User, f gonghai.ScopeFilter, p gonghai.Page) (gonghai.CustomerPage, error)
	TeamDrops(ctx context.Context, viewer gonghai.User, days int) ([]gonghai.PreviewDay, error)
	FollowUpsToday(ctx context.Context, viewer gonghai.User, perUser int) ([]gonghai.RepFollowUps, error)
	SeenUsers(ctx context.Context, viewer gonghai.User) ([]gonghai.User, error)
	Claim(ctx context.Context, actor gonghai.User, id, poolID string) (gonghai.Customer, error)
	ClaimBatch(ctx context.Context, actor gonghai.User, poolID string, ids []string) ([]gonghai.ClaimResult, error)
	ClaimNext(ctx context.Context, actor gonghai.User, poolID string) (gonghai.Customer, error)
	Release(ctx context.Context, actor gonghai.User, id, reason, toPoolID string) (gonghai.Customer, error)
	Assign(ctx context.Context, actor gonghai.User, id, toID, reason string, force bool) (gonghai.Customer, error)
	Transfer(ctx context.Context, actor gonghai.User, id, toID, reason string, force bool) (gonghai.Customer, error)
	History(ctx context.Context, viewer gonghai.User, customerID string) ([]gonghai.Event, error)
	HandOver(ctx context.Context, actor gonghai.User, fromID, toID, reason string, force bool) (gonghai.HandOverResult, error)

	AddFollowUp(ctx context.Context, actor gonghai.User, id string, in gonghai.NewFollowUp) (gonghai.FollowUp, error)
	FollowUps(ctx context.Context, viewer gonghai.User, id string, pg gonghai.Page) ([]gonghai.FollowUp, string, error)
	CreateOpportunity(ctx context.Context, actor gonghai.User, id, title string, amount gonghai.Money) (gonghai.Opportunity, error)
	Convert(ctx context.Context, actor gonghai.User, id string, in gonghai.ConvertInput) (gonghai.ConvertResult, error)
	CloseOpportunity(ctx context.Context, actor gonghai.User, id, status string) (gonghai.Opportunity, error)
	Opportunities(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Opportunity, error)
	CreateOrder(ctx context.Context, actor gonghai.User, id string, amount gonghai.Money, on string) (gonghai.Order, error)
	Orders(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Order, error)
	SetLocked(ctx context.Context, actor gonghai.User, id string, locked bool) (gonghai.Customer, error)
	SetPlan(ctx context.Context, actor gonghai.User, id string, in gonghai.NewFollowUpPlan) (gonghai.Customer, error)
	ClearPlan(ctx context.Context, actor gonghai.User, id string) error

	RecyclePreview(ctx context.Context, actor gonghai.User, poolID string, proposed *gonghai.RecycleRules, days int) ([]gonghai.PreviewDay, error)
	Notifications(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Notification, string, error)
	UnreadNotifications(ctx context.Context, viewer gonghai.User) (int, error)
	MarkNotificationsRead(ctx context.Context, viewer gonghai.User, upTo string) (int, error)

	// Reports: internal/store/report.go.
	Report(ctx context.Context, viewer gonghai.User, name string, q gonghai.ReportQuery) (gonghai.Report, error)
	ReportCustomers(ctx context.Context, viewer gonghai.User, name string, q gonghai.ReportQuery, drill string) ([]gonghai.Customer, int, error)

	ExportQuota(ctx context.Context, actor gonghai.User) (remaining, quota int, err error)
	RecordExport(ctx context.Context, actor gonghai.User, e gonghai.ListExport, ids []string) (map[string]gonghai.Contacts, error)

	authStore
	customerPageStore
	adminStore
	privacyStore
	tokenStore
	hygieneStore
	importStore
	conflictStore
	channelStore
	contactStore
	assignStore
	assignPageStore
	leadStore
}

// Server holds what the handlers share.
type Server struct {
	store    Store
	log      *slog.Logger
	api      huma.API
	clock    gonghai.Clock
	idle     time.Duration // a session ends this long after its last request
	lifetime time.Duration // and this long after sign-in at the latest
	secure   bool          // session cookies only over HTTPS
	proxies  []netip.Prefix
	// importLimits bound an import's file.
	importLimits gonghai.ImportLimits
	// metrics, when set, counts requests and claims, served at /metrics
	// to those who send metricsToken, when set.
	metrics      *metrics.Metrics
	metricsToken string
}

// Version is reported in the OpenAPI document.
var Version = "0.1.0"

// NewServer returns the HTTP handler for the whole API.
func NewServer(st Store, log *slog.Logger, opts ...Option) http.Handler {
	mux := http.NewServeMux()
	s := &Server{store: st, log: log, clock: gonghai.SystemClock{}, idle: DefaultIdleTimeout, lifetime: DefaultLifetime}
	for _, o := range opts {
		o(s)
	}
	s.serveMetrics(mux)
	s.build(mux)
	if err := loadAssets(); err != nil {
		panic(fmt.Sprintf("web: the page templates do not parse: %v", err))
	}
	s.pages(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !isAPIPath(r.URL.Path) {
			s.notFoundPage(w, r)
			return
		}
		// Neither message repeats the path or method: they are the caller's input.
		if allow := allowed(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			writeProblem(w, problemFor(gonghai.Errorf(gonghai.EMethodNotAllowed, "this route does not take that method: Allow lists those it takes")))
			return
		}
		writeProblem(w, problemFor(gonghai.Errorf(gonghai.ENotFound, "no such route")))
	})
	return s.logRequests(mux, bodyDeadline(s.guard(mux)))
}

// isAPIPath tells the API's paths, answered in JSON, from the pages'.
func isAPIPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || p == "/healthz"
}

// openAPIPath is where the OpenAPI document is served, without its
// extension: /api/openapi.json, and .yaml.
const openAPIPath = "/api/openapi"

// build makes s's API on mux: every operation, and the document of them.
func (s *Server) build(mux *http.ServeMux) {
	config := huma.DefaultConfig("gonghai", Version)
	config.Info.Description = "Lead-pool CRM engine: pools (公海), private pools (私海), race-free claims."
	config.OpenAPIPath = "" // serveDocument serves it
	config.DocsPath = ""    // the default docs page loads scripts from a CDN
	config.SchemasPath = "" // no $schema links in bodies: the document has them
	config.CreateHooks = nil
	config.Servers = []*huma.Server{{URL: "/", Description: "The server that serves this document"}}
	config.Tags = operationTags
	config.RejectUnknownQueryParameters = true // a misspelt filter must not silently list everything
	config.Formats = map[string]huma.Format{"application/json": strictJSON, "json": strictJSON}
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A token from `gonghai token create --login L`."},
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie,
			Description: "The cookie POST /api/v1/auth/login sets. Writes carrying it must come from this site."},
	}
	s.api = humago.New(mux, config)
	s.api.UseMiddleware(s.plainText, s.authenticate)
	s.routes()
	s.serveDocument(mux)
}

// Document returns the OpenAPI document NewServer's handler serves at
// /api/openapi.json, byte for byte, without a store: for tools that lint
// it or generate clients from it.
func Document() ([]byte, error) {
	s := &Server{}
	s.build(http.NewServeMux())
	return json.Marshal(s.api.OpenAPI())
}

type userKey struct{}

// authenticate resolves every /api/v1 request that needs it to its user:
// by the bearer token when there is an Authorization header, else by the
// session cookie. Tokens come only from the Authorization header, never a
// query string or cookie, so they stay out of logs and cross-site
// requests. Operations without security (sign-in) are open.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	if len(ctx.Operation().Security) == 0 {
		next(ctx)
		return
	}
	if h := ctx.Header("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			s.writeErr(ctx, gonghai.Errorf(gonghai.EUnauthenticated, "send Authorization: Bearer <token>"))
			return
		}
		u, err := s.store.Authenticate(ctx.Context(), token)
		if err != nil {
			s.writeErr(ctx, err)
			return
		}
		logged(ctx.Context()).userID = u.ID
		next(huma.WithValue(ctx, userKey{}, u))
		return
	}
	r := requestOf(ctx.Context())
	if r.session == "" {
		s.writeErr(ctx, gonghai.Errorf(gonghai.EUnauthenticated, "sign in, or send Authorization: Bearer <token>"))
		return
	}
	u, err := s.sessionUser(ctx.Context(), r.session)
	if err != nil {
		if gonghai.ErrorCode(err) == gonghai.EUnauthenticated {
			ctx.AppendHeader("Set-Cookie", s.cookie(r, "").String())
		}
		s.writeErr(ctx, err)
		return
	}
	logged(ctx.Context()).userID = u.ID
	next(huma.WithValue(huma.WithValue(ctx, userKey{}, u), sessionKey{}, r.session))
}

func (s *Server) writeErr(ctx huma.Context, err error) {
	p := s.problem(ctx.Context(), err)
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(p.Status)
	writeJSON(ctx.BodyWriter(), p)
}

// actor returns the authenticated user of a request.
func actor(ctx context.Context) gonghai.User {
	u, _ := ctx.Value(userKey{}).(gonghai.User)
	return u
}

// openOperations need no authentication although they are under /api/v1.
var openOperations = map[string]bool{"login": true, "intake": true}

// register adds an operation whose errors all pass through s.problem. The
// operation's security in the OpenAPI document is what authenticate
// enforces; document adds it, with the problems the operation answers.
func register[I, O any](s *Server, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	_, hasBody := reflect.TypeFor[I]().FieldByName("Body")
	s.document(&op, hasBody)
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, withRetryAfter(s.problem(ctx, err), err)
		}
		return out, nil
	})
}

// withRetryAfter adds a Retry-After header to problem p when cause says
// how long to wait.
func withRetryAfter(p *Problem, cause error) error {
	var limited interface{ RetryAfter() time.Duration }
	if !errors.As(cause, &limited) {
		return p
	}
	secs := max(1, int(math.Ceil(limited.RetryAfter().Seconds())))
	return huma.ErrorWithHeaders(p, http.Header{"Retry-After": {strconv.Itoa(secs)}})
}
