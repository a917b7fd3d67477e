package web

import (
	"net/http"

	"github.com/gonghai/gonghai"
)

// homeData is the rep's desk: the store's gonghai.Home and the window of
// days its first list looks ahead.
type homeData struct {
	gonghai.Home
	DropDays int
	Today    string // YYYY-MM-DD in the organisation's zone
}

// homePage is the rep's desk (工作台): counts, then what drops to the pool
// within three days, what was given to them today, the follow-ups planned
// for today and the latest notifications, each row leading to its
// customer.
func (s *Server) homePage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "home"
	h, err := s.store.Home(r.Context(), v.User)
	if err != nil {
		return err
	}
	return s.render(w, v, http.StatusOK, "home", homeData{Home: h, DropDays: gonghai.HomeDropDays, Today: gonghai.PlanDay(v.Now, v.Zone)})
}
