package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The pages speak Chinese first and English second. Every text they show
// is a key in a catalogue file, messages/<area>.json, holding both
// languages side by side, so that a missing translation shows in review:
//
//	{"pool.title": {"zh": "公海", "en": "Pool"}}
//
// Arguments use fmt verbs; the printer localises numbers (12,345).

//go:embed messages/*.json
var messageFiles embed.FS

// Languages the pages speak; the first is the default.
var (
	langZH = language.MustParse("zh-CN")
	langEN = language.English
	langs  = []language.Tag{langZH, langEN}
	// langMatcher picks ours from an Accept-Language header: zh, zh-Hans,
	// zh-TW and zh-CN all read Chinese.
	langMatcher = language.NewMatcher(langs)
)

// langCookie remembers a language chosen with the switch (?lang=en).
const langCookie = "gonghai_lang"

// catalogue holds every page text in both languages.
type catalogue struct {
	cat  *catalog.Builder
	keys map[string]bool
}

// loadCatalogue reads every messages file. A key missing a language, or
// defined twice, is an error: the pages would show a key instead of text.
func loadCatalogue(files fs.FS) (*catalogue, error) {
	c := &catalogue{cat: catalog.NewBuilder(catalog.Fallback(langZH)), keys: map[string]bool{}}
	names, err := fs.Glob(files, "messages/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		var entries map[string]struct{ ZH, EN *string }
		if err := json.Unmarshal(raw, &entries); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for key, e := range entries {
			if c.keys[key] {
				return nil, fmt.Errorf("%s: %q is defined in another messages file too", name, key)
			}
			if e.ZH == nil || e.EN == nil {
				return nil, fmt.Errorf("%s: %q needs both zh and en", name, key)
			}
			c.keys[key] = true
			if err := c.cat.SetString(langZH, key, *e.ZH); err != nil {
				return nil, err
			}
			if err := c.cat.SetString(langEN, key, *e.EN); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// printer prints the catalogue's texts in lang.
func (c *catalogue) printer(lang language.Tag) *message.Printer {
	return message.NewPrinter(lang, message.Catalog(c.cat))
}

// requestLanguage is the language of a page: the switch's cookie when it
// names one of ours, else the best match for Accept-Language, else Chinese.
func requestLanguage(r *http.Request) language.Tag {
	if c, err := r.Cookie(langCookie); err == nil {
		if t, ok := ourLanguage(c.Value); ok {
			return t
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return langZH
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return langZH
	}
	return langs[i]
}

// ourLanguage reads a language the switch names: "zh-CN" or "en".
func ourLanguage(s string) (language.Tag, bool) {
	i := slices.IndexFunc(langs, func(t language.Tag) bool { return strings.EqualFold(t.String(), s) })
	if i < 0 {
		return language.Und, false
	}
	return langs[i], true
}
