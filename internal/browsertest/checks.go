package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// listen notes what the page reports. chromedp calls it on the goroutine
// that reads the browser's messages, before the reply to any command sent
// after the event: so once a command returns, every earlier report is here.
// Chromium reports a Content-Security-Policy violation as a browser log
// entry from the "security" source.
func (tab *Tab) listen(ev any) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	switch ev := ev.(type) {
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Source == log.EntrySourceSecurity && contains(e.Text, "Content Security Policy", "Content-Security-Policy") {
			tab.csp = append(tab.csp, place(e.URL)+e.Text)
		} else if e.Level == log.EntryLevelError {
			tab.errs = append(tab.errs, place(e.URL)+e.Text)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		text = place(d.URL) + text
		tab.uncaught = append(tab.uncaught, text)
		tab.errs = append(tab.errs, text)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var args []string
		for _, a := range ev.Args {
			if a.Description != "" {
				args = append(args, a.Description)
			} else {
				args = append(args, strings.Trim(string(a.Value), `"`))
			}
		}
		tab.errs = append(tab.errs, "console.error: "+strings.Join(args, " "))
	}
}

// place prefixes a report with the address it came from, when known.
func place(url string) string {
	if url == "" {
		return ""
	}
	return url + ": "
}

// drain makes sure every report the browser sent so far has been noted: a
// command's reply comes after the events sent before it.
func (tab *Tab) drain() {
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	chromedp.Run(ctx, chromedp.Evaluate[int](`1`))
}

// CSPViolations returns the Content-Security-Policy violations the tab's
// pages caused so far. The test fails on any when it ends.
func (tab *Tab) CSPViolations() []string {
	tab.drain()
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.csp...)
}

// ConsoleErrors returns the errors the tab's pages reported so far:
// uncaught exceptions, console.error calls and the browser's own errors,
// such as a resource that failed to load. Only the uncaught exceptions fail
// the test by themselves; a test that expects none of the others says so.
func (tab *Tab) ConsoleErrors() []string {
	tab.drain()
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.errs...)
}

func (tab *Tab) uncaughtErrors() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.uncaught...)
}

// Axe runs axe-core on the page the tab shows and fails the test on every
// serious or critical violation, listing each with the elements it found.
// axe-core is injected through DevTools, which the page's
// Content-Security-Policy does not govern. Without GONGHAI_AXE_JS the check
// is left out (logged), unless GONGHAI_REQUIRE_BROWSER=1, when it fails.
func (tab *Tab) Axe() {
	tab.t.Helper()
	found, err := tab.axe()
	if err != nil {
		if Required() {
			tab.t.Fatalf("browsertest: axe-core: %v", err)
		}
		tab.t.Logf("browsertest: no accessibility check: %v", err)
		return
	}
	for _, v := range found {
		tab.t.Errorf("browsertest: accessibility (axe-core) on %s at %s: %s", tab.Location(), tab.View.Name, v)
	}
}

// axe returns the serious and critical violations axe-core finds on the
// page, one line each.
func (tab *Tab) axe() ([]string, error) {
	script, err := axeScript()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	// A navigation drops the injected script, so inject it when missing.
	present, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	if err == nil && !present {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](script))
	}
	if err != nil {
		return nil, fmt.Errorf("inject: %w", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => n.target.join(" ") + (n.failureSummary ? " (" + n.failureSummary.replace(/\s+/g, " ") + ")" : ""))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	var vs []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, fmt.Errorf("read its answer: %w", err)
	}
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s (%s): %s: %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; ")))
	}
	return out, nil
}

// Screenshot writes a PNG of the whole page the tab shows, below the
// fold too, as <name>-<viewport>.png in the directory GONGHAI_SCREENSHOTS
// names (made when missing), or else in a temporary directory of the test.
// It returns the file's path.
func (tab *Tab) Screenshot(name string) string {
	tab.t.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		dir = tab.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		tab.t.Fatalf("browsertest: %s: %v", envScreenshots, err)
	}
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tab.t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_")+"-"+tab.View.Name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tab.t.Fatalf("browsertest: %v", err)
	}
	return path
}

// unsafeName is what a screenshot's name may not hold.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
