package web

// The channel pages of the admin area: the list with today's counts and a
// form to add one, each channel's editor with the HTML form snippet to
// paste into a website, and the review of submissions held as spam.

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// channelForm is what the channel form holds, as typed.
type channelForm struct {
	Name, PoolID, Strategy, DailyCap, PerMinute, AddressPerHour, RedirectURL string
	Active                                                                   bool
	Errors                                                                   map[string]string
}

func channelFormOf(ch gonghai.Channel) channelForm {
	return channelForm{Name: ch.Name, PoolID: ch.PoolID, Strategy: string(ch.Assignment.Strategy),
		DailyCap: strconv.Itoa(ch.DailyCap), PerMinute: strconv.Itoa(ch.PerMinute),
		AddressPerHour: strconv.Itoa(ch.AddressPerHour), RedirectURL: ch.RedirectURL, Active: ch.Active}
}

func parseChannelForm(f url.Values) channelForm {
	return channelForm{Name: f.Get("name"), PoolID: f.Get("pool_id"), Strategy: f.Get("strategy"), DailyCap: f.Get("daily_cap"),
		PerMinute: f.Get("per_minute"), AddressPerHour: f.Get("address_per_hour"), RedirectURL: f.Get("redirect_url"),
		Active: f.Get("active") == "on"}
}

// input reads the form into a channel input; a number that is none is
// refused naming its field. The strategy "" follows the pool's; only the
// plain strategies are offered here (weights and rules are edited on the
// pool's assignment page, or through the API).
func (f channelForm) input(create bool) (gonghai.ChannelInput, error) {
	in := gonghai.ChannelInput{Name: &f.Name, PoolID: &f.PoolID, RedirectURL: &f.RedirectURL,
		Assignment: &gonghai.Assignment{Strategy: gonghai.Strategy(f.Strategy)}}
	if !create {
		in.Active = &f.Active
	}
	for _, x := range []struct {
		name, value string
		dst         **int
	}{{"daily_cap", f.DailyCap, &in.DailyCap}, {"per_minute", f.PerMinute, &in.PerMinute}, {"address_per_hour", f.AddressPerHour, &in.AddressPerHour}} {
		if strings.TrimSpace(x.value) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(x.value))
		if err != nil {
			return in, gonghai.Invalid(x.name, "a whole number")
		}
		*x.dst = &n
	}
	return in, nil
}

// channelStrategies are the strategies the form offers, "" first: as the pool.
var channelStrategies = []string{"", string(gonghai.StrategyClaim), string(gonghai.StrategyRoundRobin),
	string(gonghai.StrategyLoadBalance), string(gonghai.StrategyPerformance)}

// channelsPage is the data of the list and the editor.
type channelsPage struct {
	Channels   []channelRow
	Channel    gonghai.Channel
	Form       channelForm
	Pools      []gonghai.Pool
	Strategies []string
	Snippet    string
	Path       string // where programs post
	Problem    string
	Held       int
}

type channelRow struct {
	Channel  gonghai.Channel
	PoolName string
	Today    store.ChannelDay
}

// adminChannelsPage lists the channels with today's counts and the form
// to add one (admins).
func (s *Server) adminChannelsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showChannels(w, r, v, http.StatusOK, channelForm{Active: true}, nil)
}

func (s *Server) showChannels(w http.ResponseWriter, r *http.Request, v *view, status int, f channelForm, refused error) error {
	ctx := r.Context()
	chs, err := s.store.Channels(ctx, v.User)
	if err != nil {
		return err
	}
	today, err := s.store.ChannelToday(ctx, v.User)
	if err != nil {
		return err
	}
	page := channelsPage{Form: f, Strategies: channelStrategies}
	if page.Pools, err = s.leadPools(r, v); err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range page.Pools {
		names[p.ID] = p.Name
	}
	for _, ch := range chs {
		page.Channels = append(page.Channels, channelRow{Channel: ch, PoolName: names[ch.PoolID], Today: today[ch.ID]})
	}
	held, err := s.store.Quarantine(ctx, v.User, gonghai.QuarantineHeld, 200)
	if err != nil {
		return err
	}
	page.Held = len(held)
	page.Form.Errors, page.Problem = formErrors(v, refused)
	v.Nav = "admin"
	return s.render(w, v, status, "admin_channels", page)
}

// leadPools are the pools a channel may bring leads into: all but the archive.
func (s *Server) leadPools(r *http.Request, v *view) ([]gonghai.Pool, error) {
	pools, err := s.store.Pools(r.Context(), v.User)
	var out []gonghai.Pool
	for _, p := range pools {
		if !p.Archive {
			out = append(out, p)
		}
	}
	return out, err
}

// formErrors splits a refusal into the fields at fault and a line for
// the rest.
func formErrors(v *view, err error) (map[string]string, string) {
	var e *gonghai.Error
	if err == nil {
		return nil, ""
	}
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields, ""
	}
	return nil, v.ErrorText(err)
}

// createChannelPost adds the channel the form describes and opens its
// editor, where its snippet is.
func (s *Server) createChannelPost(w http.ResponseWriter, r *http.Request, v *view) error {
	f := parseChannelForm(r.PostForm)
	in, err := f.input(true)
	if err == nil {
		var ch gonghai.Channel
		if ch, err = s.store.CreateChannel(r.Context(), v.User, in); err == nil {
			return s.seeOther(w, r, "/admin/channels/"+ch.ID+"?flash=channel.flash.created")
		}
	}
	if gonghai.ErrorCode(err) == gonghai.EForbidden {
		return err
	}
	return s.showChannels(w, r, v, http.StatusUnprocessableEntity, f, err)
}

// channelPage is a channel's editor and its snippet.
func (s *Server) channelPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ch, err := s.store.Channel(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.showChannel(w, r, v, http.StatusOK, ch, channelFormOf(ch), nil)
}

func (s *Server) showChannel(w http.ResponseWriter, r *http.Request, v *view, status int, ch gonghai.Channel, f channelForm, refused error) error {
	page := channelsPage{Channel: ch, Form: f, Strategies: channelStrategies, Snippet: formSnippet(r, ch), Path: intakePath(ch.Key)}
	var err error
	if page.Pools, err = s.leadPools(r, v); err != nil {
		return err
	}
	page.Form.Errors, page.Problem = formErrors(v, refused)
	v.Nav = "admin"
	return s.render(w, v, status, "admin_channels", page)
}

// updateChannelPost saves a channel's editor.
func (s *Server) updateChannelPost(w http.ResponseWriter, r *http.Request, v *view) error {
	ch, err := s.store.Channel(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := parseChannelForm(r.PostForm)
	in, err := f.input(false)
	if err == nil {
		if _, err = s.store.UpdateChannel(r.Context(), v.User, ch.ID, in); err == nil {
			return s.seeOther(w, r, "/admin/channels/"+ch.ID+"?flash=channel.flash.saved")
		}
	}
	return s.showChannel(w, r, v, http.StatusUnprocessableEntity, ch, f, err)
}

// rotateChannelPost gives a channel a new key.
func (s *Server) rotateChannelPost(w http.ResponseWriter, r *http.Request, v *view) error {
	ch, err := s.store.RotateChannelKey(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "/admin/channels/"+ch.ID+"?flash=channel.flash.rotated")
}

// formSnippet is the HTML form a website pastes to post leads to ch, at
// this server's address as the request reached it. The field "website"
// is the honeypot, out of sight for people.
func formSnippet(r *http.Request, ch gonghai.Channel) string {
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	action := scheme + "://" + r.Host + intakePath(ch.Key)
	return `<form action="` + template.HTMLEscapeString(action) + `" method="post" accept-charset="UTF-8">
  <p><label>姓名 <input name="name" required maxlength="200"></label></p>
  <p><label>公司 <input name="company" maxlength="200"></label></p>
  <p><label>手机 <input name="phone" type="tel" maxlength="40"></label></p>
  <p><label>邮箱 <input name="email" type="email" maxlength="200"></label></p>
  <p><label>留言 <textarea name="message" maxlength="500"></textarea></label></p>
  <!-- 防垃圾：访客看不到此字段，请勿删除 (honeypot: keep it hidden) -->
  <p style="position:absolute;left:-9999px" aria-hidden="true"><label>Website <input name="website" tabindex="-1" autocomplete="off"></label></p>
  <input type="hidden" name="campaign" value="">
  <input type="hidden" name="utm_source" value="">
  <button type="submit">提交</button>
</form>`
}

// quarantinePage lists submissions held as spam, to release or drop (admins).
func (s *Server) quarantinePage(w http.ResponseWriter, r *http.Request, v *view) error {
	state := r.URL.Query().Get("state")
	if state != gonghai.QuarantineReleased && state != gonghai.QuarantineDropped {
		state = gonghai.QuarantineHeld
	}
	held, err := s.store.Quarantine(r.Context(), v.User, state, 200)
	if err != nil {
		return err
	}
	chs, err := s.store.Channels(r.Context(), v.User)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, ch := range chs {
		names[ch.ID] = ch.Name
	}
	v.Nav = "admin"
	return s.render(w, v, http.StatusOK, "admin_quarantine", map[string]any{"Held": held, "State": state, "Names": names,
		"States": []string{gonghai.QuarantineHeld, gonghai.QuarantineReleased, gonghai.QuarantineDropped}})
}

// releaseQuarantinedPost makes a lead of a held submission.
func (s *Server) releaseQuarantinedPost(w http.ResponseWriter, r *http.Request, v *view) error {
	q, err := s.store.ReleaseQuarantined(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "/customers/"+q.CustomerID+"?flash=channel.flash.released")
}

// dropQuarantinedPost drops a held submission for good.
func (s *Server) dropQuarantinedPost(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := s.store.DropQuarantined(r.Context(), v.User, r.PathValue("id")); err != nil {
		return err
	}
	return s.seeOther(w, r, "/admin/quarantine?flash=channel.flash.dropped")
}
