package web

import "net/http"

// homePage is the rep's desk (工作台).
func (s *Server) homePage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "home"
	return s.render(w, v, http.StatusOK, "home", nil)
}
