package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
)

// People sign in with a password and get a session cookie; programs send
// a bearer token. A session is a random token in an HttpOnly, SameSite=Lax
// cookie; the database keeps only its hash, with the user's id and when
// the session began and was last used. Each request reloads the user, so a
// deactivated user's session ends on their next request.

// authStore is what sign-in needs of the database.
type authStore interface {
	// Login checks a password sign-in, counts failures against the limits
	// and, on success, stores the session start makes in the transaction
	// that records the login.
	Login(ctx context.Context, login, address string, verify func(hash string) bool,
		start func(userID string) (token string, data []byte, expiry time.Time)) (gonghai.User, error)
	// Logout ends actor's session token and records it.
	Logout(ctx context.Context, actor gonghai.User, token, address string) error
	FindSession(ctx context.Context, token string) ([]byte, bool, error)
	TouchSession(ctx context.Context, token string, data []byte, expiry time.Time) error
	DeleteSession(ctx context.Context, token string) error
	UserByID(ctx context.Context, id string) (gonghai.User, error)
	// RehashPassword replaces a user's password hash old with a hash of
	// the same password with newer parameters, unless it changed meanwhile.
	RehashPassword(ctx context.Context, id, old, hash string) error
	// ClientContext returns ctx carrying the client's address for the
	// audit entries of actions taken under it.
	ClientContext(ctx context.Context, address string) context.Context
}

// SessionCookie names the session cookie.
const SessionCookie = "gonghai_session"

// Session timeouts unless WithSessions says otherwise.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultLifetime    = 12 * time.Hour
)

// Option configures a Server.
type Option func(*Server)

// WithSessions sets how long a session lasts: idle after its last request,
// and lifetime after sign-in however busy.
func WithSessions(idle, lifetime time.Duration) Option {
	return func(s *Server) { s.idle, s.lifetime = idle, lifetime }
}

// WithSecureCookies marks the session cookie Secure, for a server behind a
// TLS-terminating proxy; a server that speaks TLS itself marks it anyway.
func WithSecureCookies(on bool) Option { return func(s *Server) { s.secure = on } }

// WithClock sets the clock that session timeouts are read from.
func WithClock(c gonghai.Clock) Option { return func(s *Server) { s.clock = c } }

// WithTrustedProxies names the proxies whose X-Forwarded-For is believed.
// Without it the client's address is the connection's, and a proxy in front
// would make every client one address to the login limit.
func WithTrustedProxies(p []netip.Prefix) Option { return func(s *Server) { s.proxies = p } }

// sessionData is what a session row holds, as JSON; instants in unix
// microseconds.
type sessionData struct {
	UserID  string `json:"user_id"`
	Created int64  `json:"created"`
	Seen    int64  `json:"seen"`
}

// expiry is when session d ends unless used again: idle after it was last
// seen, and never after its lifetime.
func (s *Server) expiry(d sessionData) time.Time {
	idle, end := time.UnixMicro(d.Seen).Add(s.idle), time.UnixMicro(d.Created).Add(s.lifetime)
	if idle.Before(end) {
		return idle
	}
	return end
}

// touchEvery bounds how often a busy session is written back: a session
// seen again within it keeps its stored time, so it may end up to this
// much before the full idle timeout, and requests stay reads.
func (s *Server) touchEvery() time.Duration { return min(time.Minute, s.idle/10) }

var errSessionEnded = gonghai.Errorf(gonghai.EUnauthenticated, "the session has ended: sign in again")

// sessionUser returns the active user of session token. A session whose
// user is gone or deactivated, or that outlived timeouts shortened since it
// began, is deleted.
func (s *Server) sessionUser(ctx context.Context, token string) (gonghai.User, error) {
	raw, ok, err := s.store.FindSession(ctx, token)
	if err != nil || !ok {
		return gonghai.User{}, cmpErr(err, errSessionEnded)
	}
	var d sessionData
	now := s.clock.Now()
	var u gonghai.User
	if json.Unmarshal(raw, &d) == nil && now.Before(s.expiry(d)) {
		u, err = s.store.UserByID(ctx, d.UserID)
		if err != nil && gonghai.ErrorCode(err) != gonghai.ENotFound {
			return u, err
		}
	}
	if !u.Active {
		return gonghai.User{}, cmpErr(s.store.DeleteSession(ctx, token), errSessionEnded)
	}
	if now.Sub(time.UnixMicro(d.Seen)) >= s.touchEvery() {
		d.Seen = now.UnixMicro()
		raw, _ = json.Marshal(d)
		if err := s.store.TouchSession(ctx, token, raw, s.expiry(d)); err != nil {
			return gonghai.User{}, err
		}
	}
	return u, nil
}

// cmpErr returns err if there is one, else fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// newSessionToken returns 256 random bits: a session id nobody can guess
// or choose.
func newSessionToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookie is the session cookie carrying token, or deleting it when token
// is "". It lasts as long as the browser: the server enforces timeouts.
func (s *Server) cookie(r requestInfo, token string) *http.Cookie {
	c := &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.tls}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

// verifier checks sign-in passwords against stored argon2id hashes, and
// keeps the hash that passed, which may be outdated.
type verifier struct {
	ctx    context.Context
	pw     string
	passed string // the stored hash pw matched, "" for none
}

// verify checks v.pw against a stored hash. A login with no hash costs the
// same as a wrong password (password.Spend), so that the time a sign-in
// takes does not tell which logins exist.
func (v *verifier) verify(hash string) bool {
	if hash == "" {
		_ = password.Spend(v.ctx, v.pw)
		return false
	}
	ok, err := password.Verify(v.ctx, v.pw, hash)
	if err == nil && ok {
		v.passed = hash
	}
	return err == nil && ok
}

// rehash replaces the hash that passed, when it has outdated parameters,
// with one of the current parameters: a user's next sign-in then costs
// what a new user's does. Failing only keeps the old hash, which still
// verifies, so it is logged and the sign-in goes on.
func (s *Server) rehash(ctx context.Context, v *verifier, userID string) {
	if v.passed == "" || !password.Outdated(v.passed) {
		return
	}
	h, err := password.Hash(ctx, v.pw)
	if err == nil {
		err = s.store.RehashPassword(ctx, userID, v.passed, h)
	}
	if err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "password_rehash_failed", "user_id", userID, "err", err.Error())
	}
}

type loginInput struct {
	Body struct {
		Login    string `json:"login" minLength:"1" maxLength:"64"`
		Password string `json:"password" minLength:"1" maxLength:"1024"`
	}
}

type loginOutput struct {
	SetCookie    http.Cookie `header:"Set-Cookie" doc:"The session cookie, gonghai_session"`
	CacheControl string      `header:"Cache-Control"`
	Body         userJSON
}

// login checks a password and starts a session with a fresh token: a
// session never carries over from before sign-in, so a cookie planted by
// someone else (session fixation) signs nobody in, and the one the browser
// had ends.
func (s *Server) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	u, cookie, err := s.signIn(ctx, in.Body.Login, in.Body.Password)
	if err != nil {
		return nil, err
	}
	return &loginOutput{SetCookie: *cookie, CacheControl: "no-store", Body: userOut(u)}, nil
}

// signIn checks a password sign-in and starts a session: the API's login
// and the sign-in page's. It returns the cookie that carries the session.
func (s *Server) signIn(ctx context.Context, login, pw string) (gonghai.User, *http.Cookie, error) {
	r := requestOf(ctx)
	var token string
	v := &verifier{ctx: ctx, pw: pw}
	u, err := s.store.Login(ctx, login, r.address, v.verify,
		func(userID string) (string, []byte, time.Time) {
			now := s.clock.Now().UnixMicro()
			d := sessionData{UserID: userID, Created: now, Seen: now}
			raw, _ := json.Marshal(d)
			token = newSessionToken()
			return token, raw, s.expiry(d)
		})
	if err != nil {
		return u, nil, err
	}
	logged(ctx).userID = u.ID
	s.rehash(ctx, v, u.ID)
	if r.session != "" {
		if err := s.store.DeleteSession(ctx, r.session); err != nil {
			return u, nil, err
		}
	}
	return u, s.cookie(r, token), nil
}

type logoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie" doc:"Deletes the session cookie"`
}

// logout ends the session of the request's cookie.
func (s *Server) logout(ctx context.Context, _ *struct{}) (*logoutOutput, error) {
	token, _ := ctx.Value(sessionKey{}).(string)
	if token == "" {
		return nil, gonghai.Errorf(gonghai.EInvalid, "sign-out ends a browser session; this request has a bearer token")
	}
	r := requestOf(ctx)
	if err := s.store.Logout(ctx, actor(ctx), token, r.address); err != nil {
		return nil, err
	}
	return &logoutOutput{SetCookie: *s.cookie(r, "")}, nil
}

// requestInfo is what the handlers need of the HTTP request beneath huma.
type requestInfo struct {
	address string // the client's IP address
	tls     bool
	session string // the session cookie's value, "" for none
}

type requestKey struct{}
type sessionKey struct{}

func requestOf(ctx context.Context) requestInfo {
	r, _ := ctx.Value(requestKey{}).(requestInfo)
	return r
}

// guard notes what handlers need of each request and refuses writes that
// a browser sends from another site, where our cookie would go along
// (CSRF). A request with an Authorization header is left alone: scripts on
// other sites cannot add one without a CORS preflight, which this server
// never grants, and such a request is authenticated by its header alone,
// never by the cookie.
func (s *Server) guard(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	// A website's form posts leads from its own site: it carries no
	// cookie of ours (SameSite=Lax) and acts for nobody.
	cop.AddInsecureBypassPattern("POST /api/v1/intake/{key}")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problemFor(gonghai.Errorf(gonghai.ECrossOrigin, "a write from another site is refused")))
	}))
	checked := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfo{address: s.clientAddress(r), tls: r.TLS != nil}
		if c, err := r.Cookie(SessionCookie); err == nil {
			info.session = c.Value
		}
		r = r.WithContext(context.WithValue(s.store.ClientContext(r.Context(), info.address), requestKey{}, info))
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	})
}

// clientAddress is the IP address of the connection's peer, or, when that
// is a trusted proxy, the address the proxies say they got the request
// from: X-Forwarded-For read from the right, past every trusted hop.
// Addresses a client wrote itself sit left of the first untrusted hop and
// are never believed.
func (s *Server) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if !s.trusted(addr) {
		return addr.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && s.trusted(addr); i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		addr = hop.Unmap()
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
