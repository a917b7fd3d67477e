package web

import (
	"net/http"

	"github.com/gonghai/gonghai"
)

// notificationsData is a page of the user's notifications.
type notificationsData struct {
	Items []gonghai.Notification
	Next  string // the key of the next page, "" on the last
}

// notificationsPage lists the user's reminders and recycle notices,
// newest first, unread ones marked.
func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "notifications"
	items, next, err := s.store.Notifications(r.Context(), v.User, gonghai.Page{After: r.URL.Query().Get("after"), Limit: 50})
	if err != nil {
		return err
	}
	return s.render(w, v, http.StatusOK, "notifications", notificationsData{Items: items, Next: next})
}

// readNotificationsForm marks every notification read, up to the newest
// the page showed: one that arrived since stays unread.
func (s *Server) readNotificationsForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := s.store.MarkNotificationsRead(r.Context(), v.User, r.PostForm.Get("up_to")); err != nil {
		return err
	}
	return s.seeOther(w, r, "/notifications?flash=notifications.all_read")
}
