// Package web serves gonghai's HTTP API: JSON under /api/v1 with bearer
// tokens, RFC 9457 problem errors with stable codes, and an OpenAPI 3.1
// document generated from the same Go types that handle the requests.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/gonghai/gonghai"
)

// Store is what the API needs of the database.
type Store interface {
	Ping(ctx context.Context) error
	Authenticate(ctx context.Context, token string) (gonghai.User, error)
	Settings(ctx context.Context) (gonghai.Settings, error)
	UpdateSettings(ctx context.Context, actor gonghai.User, s gonghai.Settings) (gonghai.Settings, error)
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
	Customer(ctx context.Context, viewer gonghai.User, id string) (gonghai.Customer, error)
	UpdateCustomer(ctx context.Context, actor gonghai.User, id string, patch gonghai.CustomerPatch) (gonghai.Customer, error)
	PoolCustomers(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter, p gonghai.Page) ([]gonghai.Customer, string, error)
	MyCustomers(ctx context.Context, viewer gonghai.User, p gonghai.Page) ([]gonghai.Customer, string, error)
	Claim(ctx context.Context, actor gonghai.User, id, poolID string) (gonghai.Customer, error)
	ClaimBatch(ctx context.Context, actor gonghai.User, poolID string, ids []string) ([]gonghai.ClaimResult, error)
	Release(ctx context.Context, actor gonghai.User, id, reason, toPoolID string) (gonghai.Customer, error)
	Assign(ctx context.Context, actor gonghai.User, id, toID, reason string, force bool) (gonghai.Customer, error)
	Transfer(ctx context.Context, actor gonghai.User, id, toID, reason string, force bool) (gonghai.Customer, error)
	History(ctx context.Context, viewer gonghai.User, customerID string) ([]gonghai.Event, error)
	HandOver(ctx context.Context, actor gonghai.User, fromID, toID, reason string, force bool) (int, error)

	AddFollowUp(ctx context.Context, actor gonghai.User, id string, in gonghai.NewFollowUp) (gonghai.FollowUp, error)
	FollowUps(ctx context.Context, viewer gonghai.User, id string, pg gonghai.Page) ([]gonghai.FollowUp, string, error)
	CreateOpportunity(ctx context.Context, actor gonghai.User, id, title string, amount gonghai.Money) (gonghai.Opportunity, error)
	CloseOpportunity(ctx context.Context, actor gonghai.User, id, status string) (gonghai.Opportunity, error)
	Opportunities(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Opportunity, error)
	CreateOrder(ctx context.Context, actor gonghai.User, id string, amount gonghai.Money, on string) (gonghai.Order, error)
	Orders(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Order, error)
	SetLocked(ctx context.Context, actor gonghai.User, id string, locked bool) (gonghai.Customer, error)

	RecyclePreview(ctx context.Context, actor gonghai.User, poolID string, proposed *gonghai.RecycleRules, days int) ([]gonghai.PreviewDay, error)
	Notifications(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Notification, string, error)
	MarkNotificationsRead(ctx context.Context, viewer gonghai.User, upTo string) (int, error)

	authStore
	privacyStore
}

// Server holds what the handlers share.
type Server struct {
	store Store
	log   *slog.Logger
	api   huma.API
}

// Version is reported in the OpenAPI document.
var Version = "0.1.0"

// NewServer returns the HTTP handler for the whole API.
func NewServer(st Store, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	config := huma.DefaultConfig("gonghai", Version)
	config.Info.Description = "Lead-pool CRM engine: pools (公海), private pools (私海), race-free claims."
	config.OpenAPIPath = "/api/openapi"
	config.DocsPath = ""    // the default docs page loads scripts from a CDN
	config.SchemasPath = "" // no $schema links in bodies: the document has them
	config.CreateHooks = nil
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A token from `gonghai token create --login L`."},
	}
	s := &Server{store: st, log: log, api: humago.New(mux, config)}
	s.api.UseMiddleware(s.authenticate)
	s.routes()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problemFor(gonghai.Errorf(gonghai.ENotFound, "no such route: %s %s", r.Method, r.URL.Path)))
	})
	return mux
}

type userKey struct{}

// authenticate resolves the bearer token of every /api/v1 request to its
// user. Tokens come only from the Authorization header, never a query
// string or cookie, so they stay out of logs and cross-site requests.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	if !strings.HasPrefix(ctx.Operation().Path, "/api/v1/") {
		next(ctx)
		return
	}
	token, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	if !ok || token == "" {
		s.writeErr(ctx, gonghai.Errorf(gonghai.EUnauthenticated, "send Authorization: Bearer <token>"))
		return
	}
	u, err := s.store.Authenticate(ctx.Context(), token)
	if err != nil {
		s.writeErr(ctx, err)
		return
	}
	next(huma.WithValue(ctx, userKey{}, u))
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

// register adds an operation whose errors all pass through s.problem.
func register[I, O any](s *Server, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	if strings.HasPrefix(op.Path, "/api/v1/") {
		op.Security = []map[string][]string{{"bearer": {}}}
	}
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return out, nil
	})
}
