package web_test

import (
	"archive/zip"
	"context"
	"html"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/web"
)

// TestPageMaskingScan: no page shows a viewer the full phone number, email
// address or WeChat id of a customer they do not own: every GET page the
// server registers, fetched as each rep, the manager and the admin, with a
// real id where its pattern takes one, and with a search by phone and by
// email. A page added later is scanned without a change here; a wildcard
// the scan has no id for fails it.
func TestPageMaskingScan(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		ctx := context.Background()
		// The owner writes contacts into notes as people write them.
		for _, note := range []string{"新号码 13987654321 / li@hengxin.cn", "已加微信 wxid_rhkvdiki3fsu", "客户说 VX: zhangwei_88"} {
			if _, err := o.db.AddFollowUp(ctx, o.a, o.ownedByA, gonghai.NewFollowUp{Kind: "call", Content: note}); err != nil {
				t.Fatal(err)
			}
		}
		customers := map[string]string{o.inPool: "", o.ownedByA: o.a.ID, o.hiddenC: ""}
		contacts := map[string][]string{} // every customer's full contacts: as its owner sees them, or revealed
		for id, owner := range customers {
			var c gonghai.Contacts
			var err error
			if owner == o.a.ID {
				var owned gonghai.Customer
				owned, err = o.db.Customer(ctx, o.a, id)
				c = gonghai.Contacts{Phone: owned.Phone, Email: owned.Email, WeChat: owned.WeChat}
			} else {
				c, err = o.db.Reveal(ctx, o.admin, id)
			}
			if err != nil || c.Phone == "" || strings.Contains(c.Phone, "*") {
				t.Fatalf("the full contacts of %s: %+v, %v", id, c, err)
			}
			contacts[id] = append(contacts[id], c.Phone, c.Email, c.WeChat)
		}
		contacts[o.ownedByA] = append(contacts[o.ownedByA], "13987654321", "li@hengxin.cn", "wxid_rhkvdiki3fsu", "zhangwei_88")

		// A conflict over the owned customer, the pool's created anyway.
		k, err := o.db.SeedConflict(ctx, gonghai.Conflict{Kind: gonghai.ConflictSimilar, ActorID: o.b.ID, Field: "company",
			Company: "上海恒信科技", MatchedID: o.ownedByA, MatchedOwnerID: o.a.ID, NewID: o.inPool})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := o.db.CreateChannel(ctx, o.admin, gonghai.ChannelInput{Name: ptr("官网表单"), PoolID: &o.pool.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string][]string{
			"channels":  {ch.ID},
			"reports":   reportNames(),
			"conflicts": {k.ID},
			"customers": {o.inPool, o.ownedByA, o.hiddenC},
			"pools":     {o.pool.ID, o.hidden.ID, o.northPool.ID},
			"users":     {o.a.ID, o.east.ID},
			"imports":   {scanImport(t, o)},
		}
		var paths []string
		for _, pattern := range web.PagePatterns() {
			method, path, _ := strings.Cut(pattern, " ")
			if method != "GET" || strings.HasPrefix(path, "/static/") {
				continue
			}
			paths = append(paths, expand(t, strings.TrimSuffix(path, "{$}"), ids)...)
		}
		// Each page bare, then searching for a pool customer by its phone
		// and by its email, and showing the hidden pool.
		inPool := contacts[o.inPool]
		queries := []url.Values{{}, {"q": {inPool[0]}}, {"pool": {o.pool.ID}, "q": {inPool[1]}}, {"pool": {o.hidden.ID}}}

		scanned := 0
		for _, viewer := range []gonghai.User{o.a, o.b, o.north, o.east, o.admin} {
			if err := o.db.SetPassword(ctx, &o.admin, viewer.Login, cheapHash("pw-"+viewer.Login)); err != nil {
				t.Fatal(err)
			}
			p := newPage(t, o.srv.URL)
			p.signIn(viewer.Login, "pw-"+viewer.Login)
			var owned, others []string
			for id, owner := range customers {
				if owner == viewer.ID {
					owned = append(owned, contacts[id]...)
				} else {
					others = append(others, contacts[id]...)
				}
			}
			var mine []string
			for _, c := range owned {
				mine = append(mine, normalised(c))
			}
			for _, path := range paths {
				for _, q := range queries {
					target := path
					if len(q) > 0 {
						target += "?" + q.Encode()
					}
					r := p.get(target)
					if r.Status >= 500 {
						t.Fatalf("%s GET %s: %d\n%.400s", viewer.Login, target, r.Status, r.Body)
					}
					body := html.UnescapeString(withoutEcho(unzipped(t, r.Body), q.Get("q")))
					scanned++
					for _, c := range others {
						if c != "" && strings.Contains(body, c) {
							t.Errorf("%s GET %s shows %q, a contact of a customer they do not own", viewer.Login, target, c)
						}
					}
					for _, c := range fullContacts(body) {
						// The import template's example row is nobody's.
						example := strings.HasPrefix(path, "/imports/template.") && (c == "13800138000" || c == "name@example.com")
						if !example && !slices.Contains(mine, normalised(c)) {
							t.Errorf("%s GET %s shows the full contact %q, not of a customer they own", viewer.Login, target, c)
						}
					}
				}
			}
		}
		if len(paths) < 3 || scanned < 5*len(paths) {
			t.Fatalf("scanned %d pages from the paths %q", scanned, paths)
		}
		t.Logf("scanned %d pages from the paths %q", scanned, paths)
	})
}

// withoutEcho takes out of page the places that hand a viewer's own search
// back to them (the search box's value, the query of a link), and nothing
// else: the same number in a row of results is a leak.
func withoutEcho(page, q string) string {
	if q == "" {
		return page
	}
	return strings.NewReplacer(`value="`+html.EscapeString(q)+`"`, `value=""`,
		"q="+url.QueryEscape(q), "q=").Replace(page)
}

// wildcard is a {name} in a route pattern.
var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// expand gives a page pattern's paths: itself when it takes no id, or one
// path per id of the collection its wildcard follows (/customers/{id}).
func expand(t *testing.T, path string, ids map[string][]string) []string {
	t.Helper()
	loc := wildcard.FindStringIndex(path)
	if loc == nil {
		return []string{path}
	}
	segments := strings.Split(strings.Trim(path[:loc[0]], "/"), "/")
	collection := segments[len(segments)-1]
	some, ok := ids[collection]
	if !ok {
		t.Fatalf("the page %s takes an id of %q: give the masking scan some", path, collection)
	}
	var out []string
	for _, id := range some {
		out = append(out, expand(t, path[:loc[0]]+id+path[loc[1]:], ids)...)
	}
	return out
}

// normalised writes a contact in one form, as stored or as found on a
// page: a mobile number as its digits, an email address in lower case
// without spaces, a WeChat id without what names it ("VX: ").
func normalised(c string) string {
	switch {
	case strings.ContainsAny(c, "@＠"):
		return strings.ToLower(strings.NewReplacer(" ", "", "＠", "@").Replace(c))
	case digitsOnly.MatchString(c):
		return nonDigit.ReplaceAllString(c, "")
	default:
		return handle.FindString(c)
	}
}

var (
	digitsOnly = regexp.MustCompile(`^1[3-9][\p{Cf} 0-9]+$`)
	nonDigit   = regexp.MustCompile(`[^0-9]`)
	handle     = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_-]{5,}$`)
)

// scanImport is an import of the admin's whose file holds no contact, for
// the scan's import pages: an import shows its uploader their own file.
func scanImport(t *testing.T, o *org) string {
	t.Helper()
	j, err := o.db.CreateImport(context.Background(), o.admin, gonghai.NewImport{FileName: "名单.csv",
		Data: []byte("公司名称\n扫描测试有限公司\n"), Format: "csv", Encoding: "utf-8", Header: []string{"公司名称"}, Total: 1,
		Options: gonghai.ImportOptions{PoolID: o.pool.ID, Policy: gonghai.ImportSkip, Mapping: map[string]int{"company": 0}, DryRun: true}})
	if err != nil {
		t.Fatal(err)
	}
	return j.ID
}

// reportNames are the names of the catalogue's reports.
func reportNames() []string {
	var out []string
	for _, r := range gonghai.Reports {
		out = append(out, r.Name)
	}
	return out
}

// unzipped is body, or when it is a workbook (a zip: an XLSX export) the
// text cells of the sheets inside it, so that the scan reads what a
// person reads and not compressed bytes that may look like anything.
func unzipped(t *testing.T, body string) string {
	t.Helper()
	if !strings.HasPrefix(body, "PK\x03\x04") {
		return body
	}
	z, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("a zip that does not open: %v", err)
	}
	// Its text cells: a number's digits could read as a phone.
	text := regexp.MustCompile(`<t[^>]*>([^<]*)</t>`)
	var out strings.Builder
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range text.FindAllSubmatch(b, -1) {
			out.Write(m[1])
			out.WriteString("\n")
		}
	}
	return out.String()
}
