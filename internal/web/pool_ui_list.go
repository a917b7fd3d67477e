package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/demo"
)

// What the pool page and the private pool share: their filters, the
// region cascade and keyset pages with a way back.

// listPageSize is the rows of one page of the pool and private pool pages:
// a batch claim takes a page's worth.
const listPageSize = gonghai.MaxBatchClaim

// listFilter is the filters of a customer list page as the form sends
// them: the region as three selects, the rest as they are.
type listFilter struct {
	gonghai.CustomerFilter
	Region regionChoice
}

// regionChoice is a region cascade: the province, city and district
// chosen, each only if it lies in the one above, and the places each
// select offers.
type regionChoice struct {
	Province, City, District                      string
	ProvinceOptions, CityOptions, DistrictOptions []string
}

// filterOf reads a list page's filters from query q.
func filterOf(q url.Values) listFilter {
	f := listFilter{CustomerFilter: gonghai.CustomerFilter{Q: strings.TrimSpace(q.Get("q")), Category: q.Get("category"),
		Industry: strings.TrimSpace(q.Get("industry")), ProductLine: strings.TrimSpace(q.Get("product_line")),
		Source: strings.TrimSpace(q.Get("source")), Lifecycle: lifecycleOf(q)}}
	if !slices.Contains(gonghai.Categories, f.Category) {
		f.Category = ""
	}
	f.Region = regionOf(q)
	f.CustomerFilter.Region = f.Region.path()
	return f
}

// regionOf reads a region cascade from q: a city outside the province
// chosen (the province changed, the city not yet) is dropped, and so on
// down.
func regionOf(q url.Values) regionChoice {
	r := regionChoice{ProvinceOptions: demo.Places("")}
	if path := q.Get("region"); path != "" && q.Get("province") == "" {
		// The API's filter, a path: a link from elsewhere may use it.
		parts := append(strings.SplitN(path, "/", 3), "", "")
		q = url.Values{"province": {parts[0]}, "city": {parts[1]}, "district": {parts[2]}}
	}
	if p := q.Get("province"); slices.Contains(r.ProvinceOptions, p) {
		r.Province, r.CityOptions = p, demo.Places(p)
	}
	if c := q.Get("city"); r.Province != "" && slices.Contains(r.CityOptions, c) {
		r.City, r.DistrictOptions = c, demo.Places(r.Province+"/"+c)
	}
	if d := q.Get("district"); r.City != "" && slices.Contains(r.DistrictOptions, d) {
		r.District = d
	}
	return r
}

// Categories are the categories a filter offers.
func (listFilter) Categories() []string { return gonghai.Categories }

// path is the region filter of the choice: "广东省/深圳市", or "".
func (r regionChoice) path() string {
	parts := []string{r.Province, r.City, r.District}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, "/")
}

// values are the filters as a query, for the links of the page.
func (f listFilter) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "category": f.Category, "industry": f.Industry, "product_line": f.ProductLine,
		"source": f.Source, "lifecycle": string(f.Lifecycle), "province": f.Region.Province, "city": f.Region.City, "district": f.Region.District} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// filterFieldsData is what the shared filter fields show: the filters,
// and the search box's hint, a catalogue key.
type filterFieldsData struct {
	Filter listFilter
	Hint   string
}

// filterFields renders the filter fields the pool page defines, for
// either list page: a page's templates are parsed apart from the others'.
func filterFields(v *view, f listFilter, hint string) (template.HTML, error) {
	var buf bytes.Buffer
	err := ui.pages["pool"].t.ExecuteTemplate(&buf, "filter-fields", pageData{V: v, D: filterFieldsData{Filter: f, Hint: hint}})
	return template.HTML(buf.String()), err // the template escaped it
}

// regionsFragment answers the region cascade's change with its selects
// for the places chosen: htmx swaps them in without a reload.
func (s *Server) regionsFragment(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.fragment(w, v, http.StatusOK, "pool", "region-fields", regionOf(r.URL.Query()))
}

// trail is where a list page is in its keyset pages: the cursor it
// starts after ("" on page one), and those of the pages between page one
// and it, so that it can link back. The cursors are the API's: opaque,
// and checked when they come back.
type trail struct {
	After string
	Back  []string
}

// trailOf reads the page's place from q; a cursor that is not ours is
// refused as the API refuses it.
func trailOf(q url.Values) (trail, gonghai.Page, error) {
	t := trail{After: q.Get("after")}
	if b := q.Get("trail"); b != "" && t.After != "" {
		t.Back = strings.Split(b, ".")
	}
	key, err := decodeCursor(t.After)
	for _, c := range t.Back {
		if _, berr := decodeCursor(c); berr != nil || c == "" {
			err = errBadCursor
		}
	}
	return t, gonghai.Page{After: key, Limit: listPageSize}, err
}

// No is the page's number, 1 for the first.
func (t trail) No() int {
	if t.After == "" {
		return 1
	}
	return len(t.Back) + 2
}

// links returns the URLs of the pages before and after this one, on
// path with query q; next is the store's key of the next page, "" on the
// last.
func (t trail) links(path string, q url.Values, next string) (prev, nextURL string) {
	link := func(after string, back []string) string {
		l := url.Values{}
		for k, v := range q {
			l[k] = v
		}
		if after != "" {
			l.Set("after", after)
		}
		if len(back) > 0 {
			l.Set("trail", strings.Join(back, "."))
		}
		if len(l) == 0 {
			return path
		}
		return path + "?" + l.Encode()
	}
	if t.After != "" {
		if n := len(t.Back); n == 0 {
			prev = link("", nil)
		} else {
			prev = link(t.Back[n-1], t.Back[:n-1])
		}
	}
	if next != "" {
		back := t.Back
		if t.After != "" {
			back = append(slices.Clone(t.Back), t.After)
		}
		nextURL = link(encodeCursor(next), back)
	}
	return prev, nextURL
}

// listPager is what a list page's pager shows.
type listPager struct {
	No         int
	Total      int
	More       bool // more than Total
	Prev, Next string
}

// TotalText says how many rows a list holds: "共 12,345 条", "共 10,000+ 条".
func (v *view) TotalText(p listPager) string {
	if p.More {
		return v.T("pool.total_more", p.Total)
	}
	return v.T("pool.total", p.Total)
}
