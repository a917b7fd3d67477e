package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Viewport is the size of the window a tab shows its pages in.
type Viewport struct {
	Name          string // short, for file names: "1280", "375"
	Width, Height int64
	Phone         bool // mobile emulation: touch, a device scale of 2, mobile layout rules
}

// The two widths every page is tried at: a laptop, and a phone held upright
// (a rep inside WeCom or DingTalk).
var (
	Desktop = Viewport{Name: "1280", Width: 1280, Height: 800}
	Phone   = Viewport{Name: "375", Width: 375, Height: 812, Phone: true}
)

// Viewports are Desktop and Phone, for tests that run at both.
var Viewports = []Viewport{Desktop, Phone}

// Timeout bounds each step of a tab (a navigation, a click, a wait for a
// text): generous, since the machines that run the suite are shared.
const Timeout = 30 * time.Second

// Tab is one browser tab of one test, with cookies of its own. Its methods
// fail the test on error, so a flow reads as a list of steps.
type Tab struct {
	t    testing.TB
	ctx  context.Context
	View Viewport

	mu       sync.Mutex
	csp      []string // Content-Security-Policy violations the browser reported
	errs     []string // uncaught exceptions and other console errors
	uncaught []string // the uncaught exceptions alone
}

// NewTab opens a tab for t at viewport vp, asking for pages in lang (an
// Accept-Language value: "zh-CN", "en"). When t ends, the tab closes and t
// fails if a page broke its Content-Security-Policy or threw an uncaught
// script error. At most two tabs are open at once: a test waits here for
// its turn.
func NewTab(t testing.TB, vp Viewport, lang string) *Tab {
	t.Helper()
	b := sharedBrowser(t)
	select {
	case tabs <- struct{}{}:
	case <-time.After(10 * time.Minute):
		t.Fatal("browsertest: no free tab within 10 minutes")
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	tab := &Tab{t: t, ctx: ctx, View: vp}
	t.Cleanup(func() {
		tab.drain()
		for _, v := range tab.CSPViolations() {
			t.Errorf("browsertest: Content-Security-Policy violation: %s", v)
		}
		for _, e := range tab.uncaughtErrors() {
			t.Errorf("browsertest: uncaught script error: %s", e)
		}
		cancel()
		<-tabs
	})
	// The first action opens the tab; it must run on the tab's own context,
	// which lives as long as the tab, and so without a deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: open a tab: %v", err)
	}
	if err := chromedp.Listen(ctx, tab.listen); err != nil {
		t.Fatalf("browsertest: listen to the tab: %v", err)
	}
	tab.Run(
		vp.emulate(vp.Height),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders,
				network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
			return err
		}),
	)
	return tab
}

// emulate sets the tab's window to the viewport's width and the given
// height: a phone's as a phone's, with touch and a mobile layout.
func (vp Viewport) emulate(height int64) chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if vp.Phone {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(vp.Width, height, opts...)
}

// Run runs chromedp actions in the tab, failing the test on error: the
// way out for what the helpers do not cover.
func (tab *Tab) Run(steps ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	tab.run("run chromedp actions", steps...)
}

// run runs steps, failing the test with what they were for.
func (tab *Tab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tab.fail("%s: %v", what, err)
	}
}

// fail ends the test with msg and where the tab is; with
// GONGHAI_SCREENSHOTS set, it leaves a screenshot of the page there too,
// named FAILED-<test>, for a failure in CI.
func (tab *Tab) fail(format string, args ...any) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " (" + document.title + ")"`))
	msg := fmt.Sprintf(format, args...) + " on " + where
	if dir := os.Getenv(envScreenshots); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil && os.MkdirAll(dir, 0o755) == nil {
			path := filepath.Join(dir, "FAILED-"+unsafeName.ReplaceAllString(tab.t.Name(), "_")+".png")
			if os.WriteFile(path, png, 0o644) == nil {
				msg += " (screenshot: " + path + ")"
			}
		}
	}
	tab.t.Fatal("browsertest: " + msg)
}

// Eval evaluates a JavaScript expression in the tab's page and decodes its
// value into a T. DevTools evaluates it outside the page's
// Content-Security-Policy, so it works on pages that forbid inline script.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tab.t.Fatalf("browsertest: evaluate %.80q: %v", expr, err)
	}
	return v
}

// Navigate opens url in the tab, waits for the page to load, and returns
// its HTTP status.
func (tab *Tab) Navigate(url string) int {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		tab.fail("navigate to %s: %v", url, err)
	}
	return int(res.Status)
}

// Fill types value into the form control sel (a CSS selector), after
// clearing it, key by key as a person would, so the page sees its input
// events.
func (tab *Tab) Fill(sel, value string) {
	tab.t.Helper()
	// chromedp.Clear refuses an empty <textarea>: clear it in the page.
	tab.run("wait for "+sel+" to show", chromedp.WaitVisible(chromedp.CSS(sel)))
	Eval[bool](tab, `(() => { const e = document.querySelector(`+quote(sel)+`); e.focus(); e.value = ""; return true })()`)
	tab.run("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
}

// Keys presses keys on whatever has the focus, as a keyboard would: "\t"
// (kb.Tab) moves the focus on, "\r" (kb.Enter) submits. It does not wait
// for what the keys cause.
func (tab *Tab) Keys(keys string) {
	tab.t.Helper()
	tab.run("press keys", chromedp.KeyEvent(keys))
}

// Focused returns the id of the element that has the focus, "" for none.
func (tab *Tab) Focused() string {
	tab.t.Helper()
	return Eval[string](tab, `document.activeElement?.id ?? ""`)
}

// Select chooses the option with value in the <select> sel, and tells the
// page it changed.
func (tab *Tab) Select(sel, value string) {
	tab.t.Helper()
	tab.WaitFor(sel)
	ok := Eval[bool](tab, `(() => { const e = document.querySelector(`+quote(sel)+`);
		if (![...e.options].some(o => o.value === `+quote(value)+`)) return false;
		e.value = `+quote(value)+`;
		e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true}));
		return true })()`)
	if !ok {
		tab.fail("%s has no option %q", sel, value)
	}
}

// Click clicks the element sel once it is visible, as a person would: in
// the middle of the window, and failing when something else (a sticky
// bar) covers it there. It does not wait for what the click causes:
// follow it with WaitText, or use ClickNavigate.
func (tab *Tab) Click(sel string) {
	tab.t.Helper()
	tab.reach(sel)
	tab.run("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// reach waits for sel to show, scrolls it to the middle of the window and
// fails the test when another element is on top of its centre.
func (tab *Tab) reach(sel string) {
	tab.t.Helper()
	tab.run("wait for "+sel+" to show", chromedp.WaitVisible(chromedp.CSS(sel)))
	cover := Eval[string](tab, `(() => { const e = document.querySelector(`+quote(sel)+`);
		e.scrollIntoView({block: "center", inline: "center"});
		const r = e.getBoundingClientRect(), hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return hit === e || e.contains(hit) ? "" : hit ? hit.outerHTML.slice(0, 160) : "the edge of the window" })()`)
	if cover != "" {
		tab.fail("%s is covered by %s", sel, cover)
	}
}

// ClickNavigate clicks sel and waits for the page the click leads to (a
// link, a form posted without htmx and its redirect), returning its HTTP
// status.
func (tab *Tab) ClickNavigate(sel string) int {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	tab.reach(sel)
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tab.fail("click %s and wait for the next page: %v", sel, err)
	}
	return int(res.Status)
}

// WaitFor waits until an element matches sel.
func (tab *Tab) WaitFor(sel string) {
	tab.t.Helper()
	tab.poll("an element "+sel, `document.querySelector(`+quote(sel)+`) !== null`, "")
}

// WaitGone waits until no element matches sel.
func (tab *Tab) WaitGone(sel string) {
	tab.t.Helper()
	tab.poll("no element "+sel, `document.querySelector(`+quote(sel)+`) === null`, "")
}

// WaitText waits until the text of the first element matching sel, as a
// reader sees it, contains text; it returns the whole text.
func (tab *Tab) WaitText(sel, text string) string {
	tab.t.Helper()
	tab.poll(fmt.Sprintf("%q in %s", text, sel), textOf(sel)+`.includes(`+quote(text)+`)`, textOf(sel))
	return tab.Text(sel)
}

// Text returns the text of the first element matching sel as a reader
// sees it (innerText), waiting for the element to exist.
func (tab *Tab) Text(sel string) string {
	tab.t.Helper()
	tab.WaitFor(sel)
	return Eval[string](tab, textOf(sel))
}

// Count returns how many elements match sel now.
func (tab *Tab) Count(sel string) int {
	tab.t.Helper()
	return Eval[int](tab, `document.querySelectorAll(`+quote(sel)+`).length`)
}

// Location returns the URL of the page the tab shows.
func (tab *Tab) Location() string {
	tab.t.Helper()
	return Eval[string](tab, `location.href`)
}

// poll evaluates cond every tenth of a second until it is true, failing
// the test after Timeout with what it waited for, the page's address and
// title, and what the expression seen (when not "") says then.
func (tab *Tab) poll(what, cond, seen string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	var err error
	for {
		var ok bool
		// A page that is being replaced has no document to ask: try again.
		if ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			if seen != "" {
				now, _ := chromedp.Run(tab.ctx, chromedp.Evaluate[string](seen))
				what += fmt.Sprintf(" (it reads %q)", now)
			}
			tab.fail("waited %v for %s: %v", Timeout, what, errors.Join(err, ctx.Err()))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// textOf is an expression for the text of the first match of sel, "" when
// there is none.
func textOf(sel string) string {
	return `(document.querySelector(` + quote(sel) + `)?.innerText ?? "")`
}

// quote makes s a JavaScript string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// contains reports whether any of subs is in s.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
