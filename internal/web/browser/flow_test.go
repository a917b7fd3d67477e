package browser_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

// pick returns the text in l's language.
func (l lang) pick(zh, en string) string {
	if l.name == "en" {
		return en
	}
	return zh
}

// eachFlow runs flow at both widths, in Chinese and in English, each in
// its own site and tab, signed out.
func eachFlow(t *testing.T, flow func(t *testing.T, s *site, tab *browsertest.Tab, l lang)) {
	for _, vp := range browsertest.Viewports {
		for _, l := range languages {
			t.Run(vp.Name+"-"+l.name, func(t *testing.T) {
				t.Parallel()
				s := newSite(t)
				flow(t, s, browsertest.NewTab(t, vp, l.accept), l)
			})
		}
	}
}

// nav follows the navigation's link to href, the top bar's on a laptop,
// the tab bar's on a phone, and fails t unless the page is there.
func nav(t *testing.T, tab *browsertest.Tab, href string) {
	t.Helper()
	bar := ".mainnav"
	if tab.View.Phone {
		bar = ".tabbar"
	}
	there(t, tab, href, tab.ClickNavigate(bar+` a[href="`+href+`"]`))
}

// open opens the page at path and fails t unless it is there.
func open(t *testing.T, tab *browsertest.Tab, base, path string) {
	t.Helper()
	there(t, tab, path, tab.Navigate(base+path))
}

// there fails t when a page answered with something else than 200: a page
// a flow needs that is not built yet fails the flow here, by its name.
func there(t *testing.T, tab *browsertest.Tab, path string, status int) {
	t.Helper()
	if status != 200 {
		t.Fatalf("the page %s answers %d (%s): the flow needs it", path, status, tab.Location())
	}
}

// wantOwner fails t unless the store says owner holds customer id.
func (s *site) wantOwner(t *testing.T, id, owner string) {
	t.Helper()
	c, err := s.db.Customer(context.Background(), s.user["admin"], id)
	if err != nil || c.OwnerID != owner {
		t.Fatalf("customer %s is held by %q (%v), want %q", id, c.OwnerID, err, owner)
	}
}
