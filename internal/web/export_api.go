package web

import (
	"context"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
)

// Exports of lists to files. Each export reads its list through the very
// store method, filters and permission of the list's API (so a rep
// exports no pool they are not a member of and no other rep's customers,
// a manager only their subtree), with contacts masked as the list shows
// them. The whole list is read before anything is counted or written: one
// that holds more rows than the exporter has left of the day's quota is
// refused (429) with nothing counted, rather than cut short.

// ExportParams say how a list is exported.
type ExportParams struct {
	Format   string `query:"format" enum:"xlsx,csv" default:"xlsx" doc:"xlsx, or csv"`
	Encoding string `query:"encoding" enum:"utf-8,gb18030" doc:"CSV only: utf-8 with a byte order mark (the default), or gb18030 for older Excel and WPS"`
	Unmasked bool   `query:"unmasked" doc:"Contacts in full rather than masked as the list shows them: needs the export_unmasked permission (admins it is granted to)"`
}

// Media types of exported files.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv"
)

// exported declares o's answer a file, XLSX or CSV, with its name in
// Content-Disposition.
func exported(o huma.Operation) huma.Operation {
	file := &huma.Schema{Type: huma.TypeString, ContentEncoding: "binary"}
	o.Responses = map[string]*huma.Response{"200": {
		Description: "The file, named for the list, the exporter and the time: 公海-<pool>-<login>-20261130-1042.xlsx",
		Content:     map[string]*huma.MediaType{xlsxType: {Schema: file}, csvType: {Schema: file}},
	}}
	return o
}

// exportOut is an exported file, written after every check has passed.
type exportOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition" doc:"attachment, with the file's name (filename*, RFC 5987)"`
	CacheControl       string `header:"Cache-Control"`
	Body               func(huma.Context)
}

// out answers f through huma.
func (s *Server) exportOut(ctx context.Context, f exportFile) *exportOut {
	return &exportOut{ContentType: f.contentType, ContentDisposition: f.disposition(), CacheControl: "no-store",
		Body: func(hc huma.Context) {
			hc.SetStatus(http.StatusOK)
			s.writeExport(ctx, hc.BodyWriter(), f)
		}}
}

type poolExportIn struct {
	IDPath
	CustomerFilterParams
	ExportParams
}

func (s *Server) exportPoolCustomers(ctx context.Context, in *poolExportIn) (*exportOut, error) {
	f, err := s.exportPool(ctx, actor(ctx), in.ID, in.filter(), in.ExportParams)
	if err != nil {
		return nil, err
	}
	return s.exportOut(ctx, f), nil
}

type myExportIn struct {
	MyFilterParams
	ExportParams
}

func (s *Server) exportMyCustomers(ctx context.Context, in *myExportIn) (*exportOut, error) {
	f, err := s.exportMine(ctx, actor(ctx), in.mine(), in.ExportParams)
	if err != nil {
		return nil, err
	}
	return s.exportOut(ctx, f), nil
}

type customersExportIn struct {
	ScopeParams
	ExportParams
}

func (s *Server) exportCustomers(ctx context.Context, in *customersExportIn) (*exportOut, error) {
	f, err := s.exportScope(ctx, actor(ctx), in.scope(), in.ExportParams)
	if err != nil {
		return nil, err
	}
	return s.exportOut(ctx, f), nil
}

// exportPool reads pool poolID's listing for viewer as the pool's API
// lists it.
func (s *Server) exportPool(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter, p ExportParams) (exportFile, error) {
	pool, err := s.store.Pool(ctx, viewer, poolID)
	if err != nil {
		return exportFile{}, err
	}
	return s.export(ctx, viewer, exportJob{kind: gonghai.ExportPool, poolID: pool.ID, list: pool.Name, params: p,
		filters: gonghai.ExportFilters(gonghai.ScopeFilter{CustomerFilter: f}),
		read: func(pg gonghai.Page) ([]gonghai.Customer, string, error) {
			return s.store.PoolCustomers(ctx, viewer, pool.ID, f, pg)
		}})
}

// exportMine reads viewer's private pool as its API lists it.
func (s *Server) exportMine(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFilter, p ExportParams) (exportFile, error) {
	return s.export(ctx, viewer, exportJob{kind: gonghai.ExportMine, params: p,
		filters: gonghai.ExportFilters(gonghai.ScopeFilter{CustomerFilter: f}),
		read: func(pg gonghai.Page) ([]gonghai.Customer, string, error) {
			return s.store.MyCustomers(ctx, viewer, f, pg)
		}})
}

// exportScope reads the customers viewer may list, as list-customers
// lists them.
func (s *Server) exportScope(ctx context.Context, viewer gonghai.User, f gonghai.ScopeFilter, p ExportParams) (exportFile, error) {
	return s.export(ctx, viewer, exportJob{kind: gonghai.ExportCustomers, params: p, filters: gonghai.ExportFilters(f),
		read: func(pg gonghai.Page) ([]gonghai.Customer, string, error) {
			page, err := s.store.Customers(ctx, viewer, f, pg)
			return page.Customers, page.Next, err
		}})
}

// writeExport writes f to w, logging a failure: the answer has started,
// so the client sees a cut file.
func (s *Server) writeExport(ctx context.Context, w io.Writer, f exportFile) {
	if err := f.write(w); err != nil {
		s.log.WarnContext(ctx, "export_write_failed", "error", err.Error())
	}
}

// sheetFormat is the file format of p, and the encoding NewWriter takes.
func (p ExportParams) sheetFormat() (sheet.Format, string, error) {
	if p.Format == string(sheet.FormatCSV) {
		return sheet.FormatCSV, p.Encoding, nil
	}
	if p.Encoding != "" {
		return "", "", gonghai.Invalid("encoding", "only a CSV export has an encoding")
	}
	return sheet.FormatXLSX, "", nil
}
