// Package browsertest drives Debian's chromium from tests through chromedp:
// one headless browser per test binary, one tab in a fresh browser context
// (its own cookies) per test, at a desktop or a phone viewport. A tab fails
// its test on any Content-Security-Policy violation and on any uncaught
// script error, runs axe-core on demand, and writes full-page screenshots.
// Only tests import it.
//
// It never downloads a browser: it runs /usr/bin/chromium (or the browser
// GONGHAI_CHROMIUM names), and without it a test is skipped, or fails when
// GONGHAI_REQUIRE_BROWSER=1 (CI sets it).
package browsertest

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	// ChromiumPath is where Debian's chromium package puts the browser.
	ChromiumPath = "/usr/bin/chromium"

	// envChromium names another chromium binary, for machines that put it
	// elsewhere (a distribution's chromium-browser).
	envChromium = "GONGHAI_CHROMIUM"
	// envRequire turns "no browser" from a skip into a failure, so that CI
	// cannot pass by quietly skipping every browser test.
	envRequire = "GONGHAI_REQUIRE_BROWSER"
	// envAxe names axe-core's axe.min.js, which .ci/run installs from npm.
	envAxe = "GONGHAI_AXE_JS"
	// envScreenshots names the directory screenshots go to.
	envScreenshots = "GONGHAI_SCREENSHOTS"

	// maxTabs is how many tests drive the browser at once: a page load
	// takes a core, and the machines that run the suite may have two.
	maxTabs = 2
	// startTimeout bounds the browser's start; it takes a second or two.
	startTimeout = time.Minute
)

var (
	browserOnce sync.Once
	browser     *shared
	browserErr  error
	// tabs holds a token per tab that may be open at once.
	tabs = make(chan struct{}, maxTabs)
)

// shared is the one browser of a test binary.
type shared struct {
	ctx  context.Context // the browser's first tab; tabs are opened beside it
	stop func()
}

// Main runs the package's tests and then stops the browser, if one was
// started. Use from TestMain: func TestMain(m *testing.M) { browsertest.Main(m) }
// Without it the browser still dies with the test binary (chromedp asks the
// kernel to kill it), but its profile directory stays behind.
func Main(m *testing.M) {
	code := m.Run()
	if browser != nil {
		browser.stop()
	}
	os.Exit(code)
}

// Required reports whether GONGHAI_REQUIRE_BROWSER asks browser tests to
// fail rather than skip when something they need is missing.
func Required() bool {
	ok, _ := strconv.ParseBool(os.Getenv(envRequire))
	return ok
}

// sharedBrowser returns the test binary's browser, started on first use,
// skipping or failing tb when there is none.
func sharedBrowser(tb testing.TB) *shared {
	tb.Helper()
	browserOnce.Do(func() { browser, browserErr = start() })
	if browserErr == nil {
		return browser
	}
	if Required() {
		tb.Fatalf("browsertest: %s is set but the browser cannot run: %v", envRequire, browserErr)
	}
	tb.Skipf("browsertest: skipping (set %s=1 to fail instead): %v", envRequire, browserErr)
	return nil
}

// start runs chromium headless. The flags keep it from phoning home
// (component updates, sync, background requests) and from needing a GPU or
// a sandbox (tests run as root in containers, where the sandbox cannot
// start). chromedp gives it a fresh profile directory and removes it when
// the browser stops.
func start() (*shared, error) {
	path := cmp.Or(os.Getenv(envChromium), ChromiumPath)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no browser at %s (apt-get install chromium fonts-noto-cjk): %w", path, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	stop := func() { cancelBrowser(); cancelAlloc() }
	// The start gets a deadline of its own: the context it runs on lives as
	// long as the browser, so it cannot carry one.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			stop()
			return nil, fmt.Errorf("start %s: %w", path, err)
		}
	case <-time.After(startTimeout):
		stop()
		return nil, fmt.Errorf("%s did not start within %v", path, startTimeout)
	}
	return &shared{ctx: ctx, stop: stop}, nil
}

// axeScript reads axe-core from GONGHAI_AXE_JS once.
var axeScript = sync.OnceValues(func() (string, error) {
	path := os.Getenv(envAxe)
	if path == "" {
		return "", fmt.Errorf("%s is not set (.ci/run installs axe-core with npm and sets it)", envAxe)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", envAxe, err)
	}
	return string(b), nil
})
