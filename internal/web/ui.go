package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gonghai/gonghai"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The web UI: server-rendered pages for reps, managers and admins, on the
// same sessions, store and root-package decisions as the API. A page
// handler reads what it shows through the store as the signed-in user and
// renders a template; a form posts back and is redirected (303) to the
// page it came from, or, when htmx sent it, answered with the fragment to
// swap in.

// pageHandler serves one page or form for the signed-in user v.User.
type pageHandler func(w http.ResponseWriter, r *http.Request, v *view) error

// view is what every page knows of its request.
type view struct {
	User   gonghai.User
	Lang   string // "zh-CN" or "en", for <html lang>
	Zone   *time.Location
	Now    time.Time
	Unread int    // unread notifications, for the bell
	Nav    string // the nav item to mark current
	HX     bool   // htmx sent the request: answer with a fragment
	Flash  string // a catalogue key to show once, from ?flash=
	Path   string // the request's path and query, for links back here
	p      *message.Printer
	tag    language.Tag

	// OpenConflicts counts the open conflicts a manager or admin
	// arbitrates, for the nav's badge.
	OpenConflicts int
}

// T returns the text of catalogue key in v's language, with args put in
// its fmt verbs.
func (v *view) T(key string, args ...any) string { return v.p.Sprintf(key, args...) }

// ErrorText is what a page says of err: the catalogue's error.<code> when
// it has one, else the error's own safe message.
func (v *view) ErrorText(err error) string {
	code := gonghai.ErrorCode(err)
	if ui.catalogue.keys["error."+code] {
		return v.T("error." + code)
	}
	return gonghai.ErrorMessage(err)
}

// English tells templates which language the page is in, for the rare
// layout that differs (the order of a date's parts).
func (v *view) English() bool { return v.tag == langEN }

// uiAssets is what the pages are made of, parsed once.
type uiAssets struct {
	pages     map[string]*pageTemplate
	catalogue *catalogue
}

var (
	ui       uiAssets
	loadUI   sync.Once
	uiLoaded error
)

// loadAssets parses every template and catalogue on first use; NewServer
// calls it, so a broken template stops the server at start, not a page.
func loadAssets() error {
	loadUI.Do(func() {
		ui.catalogue, uiLoaded = loadCatalogue(messageFiles)
		if uiLoaded == nil {
			ui.pages, uiLoaded = parsePages()
		}
	})
	return uiLoaded
}

// router is what pages are registered on: the server's mux, or a test's
// list of the patterns (PagePatterns, for the scans that visit every page).
type router interface {
	Handle(pattern string, h http.Handler)
}

// page registers h for pattern on mux, for signed-in users.
func (s *Server) page(mux router, pattern string, h pageHandler) {
	mux.Handle(pattern, s.pageFunc(h, true))
}

// publicPage registers h for pattern on mux for anyone: v.User is the
// zero user when nobody is signed in.
func (s *Server) publicPage(mux router, pattern string, h pageHandler) {
	mux.Handle(pattern, s.pageFunc(h, false))
}

// maxFormBytes bounds a form's body: no page form is near it.
const maxFormBytes = 1 << 20

func (s *Server) pageFunc(h pageHandler, signedIn bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w.Header())
		if lang := r.URL.Query().Get("lang"); lang != "" {
			s.switchLanguage(w, r, lang)
			return
		}
		v, err := s.newView(r, signedIn)
		if err != nil {
			if signedIn && gonghai.ErrorCode(err) == gonghai.EUnauthenticated {
				if requestOf(r.Context()).session != "" {
					http.SetCookie(w, s.cookie(requestOf(r.Context()), ""))
				}
				http.Redirect(w, r, "/login?next="+url.QueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, v, err)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.errorPage(w, r, v, gonghai.Errorf(gonghai.EInvalid, "the form could not be read"))
				return
			}
		}
		if err := h(w, r, v); err != nil {
			s.errorPage(w, r, v, err)
		}
	})
}

// newView resolves the request's session and what every page shows. With
// signedIn, a request without a live session fails unauthenticated.
func (s *Server) newView(r *http.Request, signedIn bool) (*view, error) {
	tag := requestLanguage(r)
	v := &view{Lang: tag.String(), tag: tag, p: ui.catalogue.printer(tag), Now: s.clock.Now(), Zone: time.UTC,
		HX: r.Header.Get("HX-Request") == "true", Path: localPath(r.URL.RequestURI())}
	if f := r.URL.Query().Get("flash"); ui.catalogue.keys[f] {
		v.Flash = f
	}
	ctx := r.Context()
	if token := requestOf(ctx).session; token != "" {
		u, err := s.sessionUser(ctx, token)
		switch {
		case err == nil:
			v.User = u
			logged(ctx).userID = u.ID
		case gonghai.ErrorCode(err) != gonghai.EUnauthenticated:
			return v, err
		}
	}
	if v.User.ID == "" {
		if signedIn {
			return v, errSessionEnded
		}
		return v, nil
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return v, err
	}
	v.Zone = zoneOf(settings.TimeZone)
	if v.Unread, err = s.store.UnreadNotifications(ctx, v.User); err != nil || !v.IsManager() {
		return v, err
	}
	v.OpenConflicts, err = s.store.OpenConflicts(ctx, v.User)
	return v, err
}

// zones caches time zones by name: loading one reads the zone database.
var zones sync.Map

func zoneOf(name string) *time.Location {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, z)
	return z
}

// switchLanguage remembers the language of ?lang= for a year and sends
// the browser back to the page without it.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request, lang string) {
	if t, ok := ourLanguage(lang); ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: t.String(), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
	}
	q := r.URL.Query()
	q.Del("lang")
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	http.Redirect(w, r, localPath(u.RequestURI()), http.StatusSeeOther)
}

// localPath returns p when it is a path on this site, else "/": a
// redirect target a link supplied must not lead off the site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

// pageHeaders are the security headers of every page: scripts and styles
// only from our own origin, no framing, no sniffing, no caching of pages
// that hold customers' data.
func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Cache-Control", "no-store")
}

// render writes page name inside the layout with data, at status.
func (s *Server) render(w http.ResponseWriter, v *view, status int, name string, data any) error {
	return s.fragment(w, v, status, name, "layout", data)
}

// fragment writes the template block of page name alone: what htmx swaps
// into a page already shown.
func (s *Server) fragment(w http.ResponseWriter, v *view, status int, name, block string, data any) error {
	p, ok := ui.pages[name]
	if !ok {
		return gonghai.Errorf(gonghai.EInternal, "no page template %s", name)
	}
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, block, pageData{V: v, D: data}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// pageData is what a template gets: the view as .V, the page's data as .D.
type pageData struct {
	V *view
	D any
}

// seeOther sends the browser on to target after a form: htmx follows
// HX-Redirect, a plain form the 303.
func (s *Server) seeOther(w http.ResponseWriter, r *http.Request, target string) error {
	target = localPath(target)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// errorData is what the error page shows.
type errorData struct {
	Status int
	Title  string
	Text   string
}

// errorPage shows err in the pages' style, with its status: the code's
// localised text, never the request's input. Internal errors are logged
// (s.problem) and shown as a generic failure.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if v == nil || v.p == nil {
		tag := requestLanguage(r)
		v = &view{Lang: tag.String(), tag: tag, p: ui.catalogue.printer(tag), Now: s.clock.Now(), Zone: time.UTC}
	}
	p := s.problem(r.Context(), err)
	d := errorData{Status: p.Status, Title: v.T("error.title"), Text: v.ErrorText(err)}
	if p.Status == http.StatusNotFound {
		d.Title = v.T("error.not_found.title")
	}
	if p.Code == gonghai.EInternal || p.Status >= 500 {
		d.Text = v.T("error.internal")
	}
	if v.HX {
		// htmx swaps nothing on an error status by default: tell the
		// page's flash area what went wrong instead.
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
		_ = s.fragment(w, v, http.StatusOK, "error", "flash-error", d)
		return
	}
	if rerr := s.render(w, v, p.Status, "error", d); rerr != nil && !errors.Is(rerr, context.Canceled) {
		s.log.ErrorContext(r.Context(), "page_render_failed", append(logged(r.Context()).attrs(), "err", rerr.Error())...)
	}
}

// notFoundPage answers a path that is not a page or API route.
func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w.Header())
	v, _ := s.newView(r, false)
	s.errorPage(w, r, v, gonghai.Errorf(gonghai.ENotFound, "no such page"))
}

// IsAdmin tells templates whether to show the admin pages.
func (v *view) IsAdmin() bool { return v.User.Role == gonghai.RoleAdmin }

// IsManager tells templates whether to show the team page: managers and
// admins.
func (v *view) IsManager() bool {
	return v.User.Role == gonghai.RoleManager || v.User.Role == gonghai.RoleAdmin
}

// Initial is the first letter of the user's name, for the avatar.
func (v *view) Initial() string {
	for _, r := range v.User.Name {
		return string(r)
	}
	return "?"
}

// RuleName is a recycle rule's name in v's language.
func (v *view) RuleName(k gonghai.RuleKind) string {
	if ui.catalogue.keys["rule."+string(k)] {
		return v.T("rule." + string(k))
	}
	return string(k)
}

// NotificationText is a notification's line in v's language, from its
// facts; the stored text (Chinese, for webhooks) when its kind is new.
func (v *view) NotificationText(n gonghai.Notification) string {
	switch n.Kind {
	case gonghai.NotifyRecycleWarning:
		if n.Deadline != nil {
			return v.T("notifications.text.recycle_warning", n.CustomerName, n.DaysLeft, v.RuleName(n.Rule), v.format(n.Deadline, "fmt.datetime"))
		}
	case gonghai.NotifyRecycled:
		return v.T("notifications.text.recycled", n.CustomerName, v.RuleName(n.Rule))
	case gonghai.NotifyFollowUpPlan:
		if n.Deadline != nil {
			return v.T("notifications.text.follow_up_plan", v.format(n.Deadline, "fmt.date"), n.CustomerName)
		}
	}
	return n.Text
}
