package web

import (
	"net/http"
	"net/url"

	"github.com/gonghai/gonghai"
)

// The list pages' export menu: each link is the page's own export route
// with the page's filters as its URL has them, read by the page's own
// filter reader (filterOf, teamFilterOf) and exported through the API's
// path (exportPool, exportMine, exportScope). A refusal (quota, a list
// the viewer may not read) shows the error page, not a broken file.

// exportMenu is the links of the export menu.
type exportMenu struct {
	XLSX, CSV, GB18030 string
	Unmasked           string // contacts in full; "" unless the viewer may
}

// ExportMenu returns the export menu of the page at v.Path for template
// "export-menu": links to path with the page's query, less its paging,
// and the pairs of kv set.
func (v *view) ExportMenu(path string, kv ...string) pageData {
	base := url.Values{}
	if u, err := url.Parse(v.Path); err == nil {
		base = u.Query()
	}
	for _, k := range []string{"after", "trail", "flash", "lang"} {
		base.Del(k)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		base.Set(kv[i], kv[i+1])
	}
	link := func(kv ...string) string {
		q := url.Values{}
		for k, vs := range base {
			q[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return path + "?" + q.Encode()
	}
	m := exportMenu{XLSX: link("format", "xlsx"), CSV: link("format", "csv"), GB18030: link("format", "csv", "encoding", "gb18030")}
	if gonghai.CanExportUnmasked(v.User) == nil {
		m.Unmasked = link("format", "xlsx", "unmasked", "1")
	}
	return pageData{V: v, D: m}
}

// exportParamsOf reads how to export from a page link's query; anything
// else than its values is the default.
func exportParamsOf(q url.Values) ExportParams {
	p := ExportParams{Format: "xlsx", Unmasked: q.Get("unmasked") == "1"}
	if q.Get("format") == "csv" {
		p.Format = "csv"
		if q.Get("encoding") == "gb18030" {
			p.Encoding = "gb18030"
		}
	}
	return p
}

// poolExportPage exports the pool page's list: pool ?pool, its filters.
func (s *Server) poolExportPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	f, err := s.exportPool(r.Context(), v.User, q.Get("pool"), filterOf(q).CustomerFilter, exportParamsOf(q))
	if err != nil {
		return err
	}
	return s.sendExport(w, r, f)
}

// mineExportPage exports the private pool page's list, in its order.
func (s *Server) mineExportPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	f := filterOf(q).CustomerFilter
	f.Sort = gonghai.SortUrgent
	if q.Get("sort") == gonghai.SortNewest {
		f.Sort = gonghai.SortNewest
	}
	file, err := s.exportMine(r.Context(), v.User, f, exportParamsOf(q))
	if err != nil {
		return err
	}
	return s.sendExport(w, r, file)
}

// teamExportPage exports the team page's list; reps, whom the page
// refuses, are refused here too.
func (s *Server) teamExportPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := gonghai.CanLeadTeam(v.User); err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := s.exportScope(r.Context(), v.User, teamFilterOf(q).scope(), exportParamsOf(q))
	if err != nil {
		return err
	}
	return s.sendExport(w, r, f)
}

// sendExport answers with file f.
func (s *Server) sendExport(w http.ResponseWriter, r *http.Request, f exportFile) error {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Disposition", f.disposition())
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	s.writeExport(r.Context(), w, f)
	return nil
}
