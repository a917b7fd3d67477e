package web

import (
	"net/http"
	"strings"

	"github.com/gonghai/gonghai"
)

// loginData is what the sign-in page shows.
type loginData struct {
	Login string // kept after a failed attempt; the password never is
	Next  string
	Error string
}

// loginPage shows the sign-in form; a signed-in user goes on to next.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, v *view) error {
	next := localPath(r.URL.Query().Get("next"))
	if v.User.ID != "" {
		return s.seeOther(w, r, next)
	}
	return s.render(w, v, http.StatusOK, "login", loginData{Next: next})
}

// loginForm signs in with the form's login and password, through the same
// checks, limits and audit as the API's sign-in.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, v *view) error {
	login, next := strings.TrimSpace(r.PostForm.Get("login")), localPath(r.PostForm.Get("next"))
	pw := r.PostForm.Get("password")
	var err error
	if login == "" || pw == "" || len(login) > 64 || len(pw) > 1024 {
		err = gonghai.Errorf(gonghai.EUnauthenticated, "enter your login and password")
	} else {
		var cookie *http.Cookie
		_, cookie, err = s.signIn(r.Context(), login, pw)
		if err == nil {
			http.SetCookie(w, cookie)
			return s.seeOther(w, r, next)
		}
	}
	status := s.problem(r.Context(), err).Status
	if len(login) > 64 {
		login = ""
	}
	return s.render(w, v, status, "login", loginData{Login: login, Next: next, Error: v.loginError(err)})
}

// loginError is what the sign-in page says of a failed sign-in: never
// which of login and password was wrong.
func (v *view) loginError(err error) string {
	switch gonghai.ErrorCode(err) {
	case gonghai.EUnauthenticated, gonghai.EUserInactive:
		return v.T("login.failed")
	case gonghai.ETooManyAttempts:
		return v.T("login.too_many")
	}
	return v.ErrorText(err)
}

// logoutForm ends the session and shows the sign-in page.
func (s *Server) logoutForm(w http.ResponseWriter, r *http.Request, v *view) error {
	info := requestOf(r.Context())
	if err := s.store.Logout(r.Context(), v.User, info.session, info.address); err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(info, ""))
	return s.seeOther(w, r, "/login?flash=login.signed_out")
}
