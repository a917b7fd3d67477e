package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// Templates: layout.html and partials.html make every page's frame
// (contacts.html: the customer page's 联系人 section, kept apart); each
// other file is one page defining "title" and "content", and any fragments
// htmx swaps in alone.

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pageTemplate is one page parsed with the frame.
type pageTemplate struct{ t *template.Template }

// frameFiles are parsed with every page.
var frameFiles = []string{"templates/layout.html", "templates/partials.html", "templates/contacts.html"}

func parsePages() (map[string]*pageTemplate, error) {
	base, err := template.New("").Funcs(templateFuncs).ParseFS(templateFiles, frameFiles...)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, name := range names {
		if isFrame(name) {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, name)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(path.Base(name), ".html")] = &pageTemplate{t: t}
	}
	return pages, nil
}

func isFrame(name string) bool {
	for _, f := range frameFiles {
		if f == name {
			return true
		}
	}
	return false
}

// staticVersion is a hash of every static file, added to their URLs so a
// new release is fetched despite the browser's cache.
var staticVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(staticFiles, p)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

var templateFuncs = template.FuncMap{
	// static is a static file's versioned URL.
	"static": func(name string) string { return "/static/" + name + "?v=" + staticVersion },
	// query builds a local URL: a path (which may have a query already),
	// then name/value pairs that replace those of the same name; a pair
	// with an empty value removes its name.
	"query": func(p string, pairs ...any) string {
		u, err := url.Parse(p)
		if err != nil {
			return "/"
		}
		q := u.Query()
		for i := 0; i+1 < len(pairs); i += 2 {
			if v := fmt.Sprint(pairs[i+1]); v != "" && v != "0" {
				q.Set(fmt.Sprint(pairs[i]), v)
			} else {
				q.Del(fmt.Sprint(pairs[i]))
			}
		}
		u.RawQuery = q.Encode()
		return localPath(u.RequestURI())
	},
	"date":     func(v *view, t any) string { return v.format(t, "fmt.date") },
	"datetime": func(v *view, t any) string { return v.format(t, "fmt.datetime") },
	"dayMonth": func(v *view, t any) string { return v.format(t, "fmt.day_month") },
	"clock":    func(v *view, t any) string { return v.format(t, "fmt.time") },
	// inputDate and inputDateTime are a time as <input type=date> and
	// datetime-local want it, in the organisation's zone.
	"inputDate":     func(v *view, t any) string { return v.layout(t, "2006-01-02") },
	"inputDateTime": func(v *view, t any) string { return v.layout(t, "2006-01-02T15:04") },
	"num":           func(v *view, n any) string { return v.p.Sprintf("%d", n) },
	"money": func(v *view, m gonghai.Money) string {
		return v.p.Sprintf("%d", int64(m)/100) + fmt.Sprintf(".%02d", abs(int64(m)%100))
	},
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
	// seq is 0 … n-1, for loops over a count.
	"seq": func(n int) []int {
		s := make([]int, max(n, 0))
		for i := range s {
			s[i] = i
		}
		return s
	},
	// dict makes a map of name/value pairs, for passing several values to
	// a partial.
	"dict": func(pairs ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(pairs); i += 2 {
			m[fmt.Sprint(pairs[i])] = pairs[i+1]
		}
		return m
	},
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// format writes t (a time.Time or *time.Time; nil is "") in the
// organisation's zone with the layout catalogue key names for v's language.
func (v *view) format(t any, key string) string { return v.layout(t, v.T(key)) }

func (v *view) layout(t any, layout string) string {
	var at time.Time
	switch x := t.(type) {
	case time.Time:
		at = x
	case *time.Time:
		if x == nil {
			return ""
		}
		at = *x
	default:
		return ""
	}
	if at.IsZero() {
		return ""
	}
	return at.In(v.Zone).Format(layout)
}
