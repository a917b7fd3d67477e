package browsertest_test

import (
	"bytes"
	"fmt"
	"html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// csp is the policy of the pages below: gonghai's own, no inline script or style.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"

// site is a tiny site under a strict policy: a form that posts and
// redirects (as pages do without htmx), a button a script served from the
// same origin handles, and, on /bad, what the checks must catch.
func site(t *testing.T) *httptest.Server {
	page := func(w http.ResponseWriter, lang, body string) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="%s"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>试验页</title><script src="/app.js" defer></script></head>
<body><main><h1>公海</h1>%s</main></body></html>`, lang, body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page(w, "zh-CN", `<p id="lang">`+html.EscapeString(r.Header.Get("Accept-Language"))+`</p>
<form method="post" action="/hello"><label for="name">姓名</label><input id="name" name="name">
<label for="note">备注</label><textarea id="note" name="note"></textarea>
<button id="send" type="submit">提交</button></form>
<button id="count" type="button">点我</button> <output id="clicks">0</output>`)
	})
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hi?name="+r.FormValue("name"), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /hi", func(w http.ResponseWriter, r *http.Request) {
		page(w, "zh-CN", `<p id="greeting">你好，`+html.EscapeString(r.FormValue("name"))+`</p>`)
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `document.addEventListener("click", e => {
  if (e.target.id === "count") document.getElementById("clicks").textContent = "clicked";
  if (e.target.id === "boom") throw new Error("boom");
});`)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	// An inline script and an inline style (both refused), an image with
	// no text (axe: critical) and a script error.
	mux.HandleFunc("GET /bad", func(w http.ResponseWriter, r *http.Request) {
		page(w, "zh-CN", `<p style="color:#777">灰字</p><script>document.title = "inline"</script>
<img src="/favicon.ico"><button id="boom" type="button">炸</button>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestTab: a flow at both widths, in Chinese and in English, under a strict
// policy, with none of the checks tripping: the viewport and language are
// the ones asked for, typing Chinese and posting a form work, a script from
// the page's origin runs, axe-core runs under the policy, and the
// screenshot is a PNG of the whole width.
func TestTab(t *testing.T) {
	srv := site(t)
	for _, vp := range browsertest.Viewports {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(vp.Name+"-"+lang, func(t *testing.T) {
				t.Parallel()
				tab := browsertest.NewTab(t, vp, lang)
				if status := tab.Navigate(srv.URL + "/"); status != 200 {
					t.Fatalf("status %d", status)
				}
				if got := tab.Text("#lang"); got != lang {
					t.Errorf("the server saw Accept-Language %q, want %q", got, lang)
				}
				type screen struct {
					Width, Touch int
					Scale        float64
				}
				got := browsertest.Eval[screen](tab, `({width: innerWidth, touch: navigator.maxTouchPoints, scale: devicePixelRatio})`)
				want := screen{Width: int(vp.Width), Scale: 1}
				if vp.Phone {
					want.Touch, want.Scale = got.Touch, 2
				}
				if got != want || vp.Phone && got.Touch == 0 {
					t.Errorf("the page sees %+v, want %+v (and touch on a phone)", got, want)
				}
				tab.Click("#count")
				tab.WaitText("#clicks", "clicked")
				tab.Fill("#note", "第一行")
				tab.Fill("#note", "重写")
				if v := browsertest.Eval[string](tab, `document.querySelector("#note").value`); v != "重写" {
					t.Errorf("the textarea holds %q after two fills, want the second", v)
				}
				tab.Fill("#name", "张伟 Wei")
				if status := tab.ClickNavigate("#send"); status != 200 {
					t.Fatalf("the form's redirect ends on status %d", status)
				}
				tab.WaitText("#greeting", "你好，张伟 Wei")
				if !strings.Contains(tab.Location(), "/hi?name=") {
					t.Errorf("the form lands on %s", tab.Location())
				}
				tab.Axe()
				path := tab.Screenshot("tab-" + lang)
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("the screenshot is no PNG: %v", err)
				}
				if w := img.Bounds().Dx(); w != int(vp.Width*int64(want.Scale)) {
					t.Errorf("the screenshot is %d pixels wide, want %d", w, int(vp.Width*int64(want.Scale)))
				}
				if v := tab.CSPViolations(); v != nil {
					t.Errorf("violations on a clean page: %q", v)
				}
				if e := tab.ConsoleErrors(); e != nil {
					t.Errorf("console errors on a clean page: %q", e)
				}
			})
		}
	}
}

// TestChecksFail: a page that breaks the policy, throws and has an image
// without text fails its test, and the failure names each fault. The
// failing test runs in a child process, so that its failure is observed
// and not this test's own.
func TestChecksFail(t *testing.T) {
	out, err := child(t, "TestBadPage", "GONGHAI_BROWSERTEST_BAD=1")
	if err == nil {
		t.Fatalf("a page full of faults passed:\n%s", out)
	}
	wants := []string{"Content-Security-Policy violation", "inline script", "inline style",
		"uncaught script error", "boom", "--- FAIL: TestBadPage"}
	if os.Getenv("GONGHAI_AXE_JS") != "" || browsertest.Required() {
		wants = append(wants, "accessibility (axe-core)", "image-alt (critical)")
	} else {
		t.Log("GONGHAI_AXE_JS is not set: the accessibility check's failure is not tried")
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("the failure does not say %q:\n%s", want, out)
		}
	}
}

// TestBadPage is the failing test TestChecksFail runs; alone, it skips.
func TestBadPage(t *testing.T) {
	if os.Getenv("GONGHAI_BROWSERTEST_BAD") == "" {
		t.Skip("run by TestChecksFail")
	}
	tab := browsertest.NewTab(t, browsertest.Desktop, "zh-CN")
	tab.Navigate(site(t).URL + "/bad")
	tab.Click("#boom")
	tab.Axe()
}

// TestNoBrowser: without a browser, a browser test is skipped and says
// why, unless GONGHAI_REQUIRE_BROWSER=1, when it fails.
func TestNoBrowser(t *testing.T) {
	const none = "GONGHAI_CHROMIUM=/nonexistent/chromium"
	out, err := child(t, "TestBadPage", "GONGHAI_BROWSERTEST_BAD=1", none, "GONGHAI_REQUIRE_BROWSER=0")
	if err != nil || !strings.Contains(out, "--- SKIP: TestBadPage") || !strings.Contains(out, "no browser at /nonexistent/chromium") {
		t.Errorf("without a browser, not required: %v\n%s", err, out)
	}
	out, err = child(t, "TestBadPage", "GONGHAI_BROWSERTEST_BAD=1", none, "GONGHAI_REQUIRE_BROWSER=1")
	if err == nil || !strings.Contains(out, "--- FAIL: TestBadPage") || !strings.Contains(out, "GONGHAI_REQUIRE_BROWSER is set") {
		t.Errorf("without a browser, required: %v\n%s", err, out)
	}
}

// child runs one test of this binary in a new process with env added, and
// returns its output.
func child(t *testing.T, test string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
