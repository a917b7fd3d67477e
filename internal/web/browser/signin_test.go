package browser_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"
	"github.com/gonghai/gonghai/internal/browsertest"
)

// lang is a language a flow runs in: what the browser asks for, what the
// page's <html lang> then says, and a few texts a user reads in it.
type lang struct {
	name, accept, html        string
	signIn, badPassword, home string
	title                     string
}

var (
	chinese = lang{name: "zh", accept: "zh-CN,zh;q=0.9", html: "zh-CN",
		signIn: "登录", badPassword: "账号或密码不正确", home: "工作台", title: "登录 · 公海 CRM"}
	english = lang{name: "en", accept: "en-US,en;q=0.9", html: "en",
		signIn: "Sign in", badPassword: "The login or password is not right", home: "Home", title: "Sign in · Gonghai CRM"}
	languages = []lang{chinese, english}
)

// signIn signs in through the sign-in form as login with the demo's
// password, from wherever the tab is, and waits for the page it leads to.
func signIn(t *testing.T, tab *browsertest.Tab, base, login string) {
	t.Helper()
	if !strings.Contains(tab.Location(), "/login") {
		tab.Navigate(base + "/login")
	}
	tab.Fill("#login", login)
	tab.Fill("#password", demoPassword)
	if status := tab.ClickNavigate(`#login-form button[type="submit"]`); status != 200 {
		t.Fatalf("signing in as %s ends on status %d at %s", login, status, tab.Location())
	}
	tab.WaitFor("body.signed-in")
}

// TestSignIn: a rep opens the site, is sent to the sign-in page in the
// language the browser asks for, mistypes the password and is told so,
// signs in with the demo's password and lands on the home page; at a
// laptop's and a phone's width, each page screenshot and checked by axe.
func TestSignIn(t *testing.T) {
	s := newSite(t)
	for _, vp := range browsertest.Viewports {
		for _, l := range languages {
			t.Run(vp.Name+"-"+l.name, func(t *testing.T) {
				t.Parallel()
				tab := browsertest.NewTab(t, vp, l.accept)
				tab.Navigate(s.URL + "/")
				if loc := tab.Location(); !strings.Contains(loc, "/login") {
					t.Fatalf("without a session / shows %s, want the sign-in page", loc)
				}
				if got := browsertest.Eval[string](tab, `document.documentElement.lang`); got != l.html {
					t.Errorf("<html lang=%q>, want %q", got, l.html)
				}
				if got := browsertest.Eval[string](tab, `document.title`); got != l.title {
					t.Errorf("title %q, want %q", got, l.title)
				}
				tab.Axe()
				tab.Screenshot("login-" + l.name)

				tab.Fill("#login", "rep01")
				tab.Fill("#password", "not-the-password")
				if status := tab.ClickNavigate(`#login-form button[type="submit"]`); status != 401 {
					t.Errorf("a wrong password answers %d, want 401", status)
				}
				tab.WaitText("#login-error", l.badPassword)
				if v := browsertest.Eval[string](tab, `document.querySelector("#password").value`); v != "" {
					t.Error("the sign-in page gives the wrong password back")
				}
				tab.Axe()

				signIn(t, tab, s.URL, "rep01")
				tab.WaitText("h1", l.home)
				if loc := tab.Location(); loc != s.URL+"/" {
					t.Errorf("signed in, the rep is at %s, want /", loc)
				}
				tab.Axe()
				tab.Screenshot("home-" + l.name)
			})
		}
	}
}

// TestLanguageSwitch: a browser that asks for Chinese switches the sign-in
// page to English with the link on it; the choice stays after signing in,
// and the switch in the user menu turns it back.
func TestLanguageSwitch(t *testing.T) {
	s := newSite(t)
	for _, vp := range browsertest.Viewports {
		t.Run(vp.Name, func(t *testing.T) {
			t.Parallel()
			tab := browsertest.NewTab(t, vp, chinese.accept)
			tab.Navigate(s.URL + "/login")
			tab.WaitText("h2", chinese.signIn)
			tab.ClickNavigate(`.langswitch a[hreflang="en"]`)
			tab.WaitText("h2", english.signIn)
			signIn(t, tab, s.URL, "rep01")
			tab.WaitText("h1", english.home)
			if got := browsertest.Eval[string](tab, `document.documentElement.lang`); got != "en" {
				t.Errorf("after sign-in <html lang=%q>, want en", got)
			}
			tab.Click(".usermenu summary")
			tab.ClickNavigate(`.usermenu .langswitch a[hreflang="zh-CN"]`)
			tab.WaitText("h1", chinese.home)
		})
	}
}

// TestSignInByKeyboard: the sign-in form works by keyboard alone: the
// login field has the focus, Tab moves to the password, Enter signs in.
func TestSignInByKeyboard(t *testing.T) {
	s := newSite(t)
	tab := browsertest.NewTab(t, browsertest.Desktop, chinese.accept)
	tab.Navigate(s.URL + "/login")
	if id := tab.Focused(); id != "login" {
		t.Fatalf("the sign-in page opens with the focus on %q, want the login field", id)
	}
	tab.Keys("rep01" + kb.Tab)
	if id := tab.Focused(); id != "password" {
		t.Fatalf("Tab from the login field goes to %q, want the password", id)
	}
	tab.Keys(demoPassword + kb.Enter)
	tab.WaitFor("body.signed-in")
	tab.WaitText("h1", chinese.home)
}
