package web

// The organisation settings page: levels' holding limits, stages, time
// zone, the webhook and the reveal quota, saved as one patch through the
// API's store method.

import (
	"net/http"

	"github.com/gonghai/gonghai"
)

// commonZones are the time zones the settings form suggests; any IANA
// name may be typed.
var commonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Urumqi", "Asia/Singapore", "Asia/Tokyo", "UTC"}

// settingsPage is the settings form's data.
type settingsPage struct {
	Form    settingsForm
	Zones   []string
	Formats []string
}

// adminSettingsPage shows the settings form: admins only, who alone see
// the webhook's URL (gonghai.Settings.For).
func (s *Server) adminSettingsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "changes organisation settings"); err != nil {
		return err
	}
	st, err := s.store.Settings(r.Context())
	if err != nil {
		return err
	}
	return s.showSettings(w, v, http.StatusOK, settingsFormOf(st.For(v.User)))
}

func (s *Server) showSettings(w http.ResponseWriter, v *view, status int, f settingsForm) error {
	v.Nav = "admin"
	return s.render(w, v, status, "admin_settings", settingsPage{Form: f, Zones: commonZones,
		Formats: []string{gonghai.WebhookJSON, gonghai.WebhookRobotText}})
}

// settingsPost saves the form, or shows it again with what is wrong.
func (s *Server) settingsPost(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.AdminOnly(v.User, "changes organisation settings"); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gonghai.Invalid("form", "unreadable form")
	}
	f, p, err := parseSettingsForm(r.PostForm)
	if err == nil {
		if _, err = s.store.UpdateSettings(r.Context(), v.User, p); err == nil {
			return s.seeOther(w, r, "/admin/settings?flash=admin.flash.settings_saved")
		}
	}
	fields := formFields(err, nil)
	if fields == nil {
		return err
	}
	f.Errors = localise(v, fields)
	return s.showSettings(w, v, http.StatusUnprocessableEntity, f)
}
