package web

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
)

// Reports (报表): one route of each kind per report of the catalogue, so
// that a generated client has a method per report. Every signed-in user
// may ask; the store's scope decides whom a report counts.

// ReportParams are a report's period, scope and filters.
type ReportParams struct {
	From         string `query:"from" maxLength:"10" doc:"The period's first day, YYYY-MM-DD in the organisation's zone; with to empty too: the last 28 days"`
	To           string `query:"to" maxLength:"10" doc:"The period's last day (included), YYYY-MM-DD; at most 732 days after from"`
	Grain        string `query:"grain" enum:"day,week,month" doc:"How the period is cut: day (the default), week (from Monday) or month"`
	DepartmentID string `query:"department_id" maxLength:"64" doc:"Count one department's subtree (admins any, managers one inside their own; reps: forbidden)"`
	UserID       string `query:"user_id" maxLength:"64" doc:"Count one user (a user you see)"`
	PoolID       string `query:"pool_id" maxLength:"64" doc:"Only this pool (one you see)"`
	ChannelID    string `query:"channel_id" maxLength:"64" doc:"Only this channel's customers"`
	Days         int    `query:"days" minimum:"0" maximum:"365" doc:"The fairness report's relay window in days (0: 30)"`
}

func (p ReportParams) query() gonghai.ReportQuery {
	return gonghai.ReportQuery{From: p.From, To: p.To, Grain: p.Grain, DepartmentID: p.DepartmentID, UserID: p.UserID,
		PoolID: p.PoolID, ChannelID: p.ChannelID, Days: p.Days}
}

type reportIn struct{ ReportParams }

type reportOut struct{ Body gonghai.Report }

type reportCustomersIn struct {
	ReportParams
	Drill string `query:"drill" required:"true" maxLength:"200" doc:"The drill key of a report's cell (its drill)"`
}

type reportCustomersOut struct {
	Body struct {
		Items []customerJSON `json:"items" doc:"The customers behind the number that you may see, contacts masked as usual; at most 500"`
		Total int            `json:"total" doc:"How many customers the number counts"`
	}
}

type reportExportIn struct {
	ReportParams
	Format string `query:"format" enum:"xlsx,csv" default:"xlsx" doc:"xlsx: one sheet per table; csv: one table (UTF-8 with a byte order mark)"`
	Table  string `query:"table" maxLength:"64" doc:"The table's name: the CSV's table (default the first), or the XLSX's only sheet (default all)"`
}

// reportRoutes registers the routes of every report of the catalogue.
func (s *Server) reportRoutes() {
	for _, info := range gonghai.Reports {
		name := info.Name
		base := "/api/v1/reports/" + name
		register(s, op(http.MethodGet, base, "report-"+name, info.Title+"："+info.Summary),
			func(ctx context.Context, in *reportIn) (*reportOut, error) {
				rep, err := s.store.Report(ctx, actor(ctx), name, in.query())
				if err != nil {
					return nil, err
				}
				return &reportOut{Body: filled(rep)}, nil
			})
		register(s, op(http.MethodGet, base+"/customers", "report-"+name+"-customers",
			"The customers behind one number of the "+name+" report (its cell's drill key), as you may see them"),
			func(ctx context.Context, in *reportCustomersIn) (*reportCustomersOut, error) {
				cs, total, err := s.store.ReportCustomers(ctx, actor(ctx), name, in.query(), in.Drill)
				if err != nil {
					return nil, err
				}
				out := &reportCustomersOut{}
				out.Body.Items, out.Body.Total = each(cs, customerOut), total
				return out, nil
			})
		register(s, exported(op(http.MethodGet, base+"/export", "export-report-"+name,
			"The "+name+" report's tables as an XLSX file (a sheet each) or one table as CSV")),
			func(ctx context.Context, in *reportExportIn) (*exportOut, error) {
				rep, err := s.store.Report(ctx, actor(ctx), name, in.query())
				if err != nil {
					return nil, err
				}
				return s.reportExport(ctx, rep, in.Format, in.Table)
			})
	}
}

// filled is rep with an empty list, not null, wherever a report left a
// table's rows or a chart's series out: the document promises arrays.
func filled(rep gonghai.Report) gonghai.Report {
	for i := range rep.Tables {
		if rep.Tables[i].Rows == nil {
			rep.Tables[i].Rows = [][]gonghai.ReportCell{}
		}
		if rep.Tables[i].Columns == nil {
			rep.Tables[i].Columns = []gonghai.ReportColumn{}
		}
	}
	for i := range rep.Charts {
		if rep.Charts[i].Series == nil {
			rep.Charts[i].Series = []string{}
		}
	}
	return rep
}

// reportCodes are the problems of every report route: a department or
// user outside the viewer's reach is invalid (as an unknown id), a rep
// asking for a department is forbidden, a report without an
// implementation is not found.
var reportCodes = []string{gonghai.EForbidden, gonghai.ENotFound}

// The report routes' problem codes join operationCodes here, one entry
// per route of the catalogue.
func init() {
	for _, r := range gonghai.Reports {
		for _, id := range []string{"report-" + r.Name, "report-" + r.Name + "-customers", "export-report-" + r.Name} {
			operationCodes[id] = reportCodes
		}
	}
}

// reportFile is a report exported: the file's name, type and writer.
type reportFile struct {
	name, contentType string
	write             func(io.Writer) error
}

// reportFileOf exports rep's tables: the table named table (or the
// first) as CSV, or every table (or the one named) as an XLSX sheet.
func reportFileOf(rep gonghai.Report, format, table string) (reportFile, error) {
	tables := rep.Tables
	if table != "" {
		tables = nil
		for _, t := range rep.Tables {
			if t.Name == table {
				tables = []gonghai.ReportTable{t}
			}
		}
		if tables == nil {
			return reportFile{}, gonghai.Invalid("table", "the name of one of the report's tables")
		}
	}
	if len(tables) == 0 {
		return reportFile{}, gonghai.Invalid("table", "the report has no table")
	}
	head := fmt.Sprintf("%s  %s 至 %s  范围：%s", rep.Title, rep.From, rep.To, rep.Scope)
	name := "报表-" + rep.Title + "-" + rep.From + "-" + rep.To
	if format == string(sheet.FormatCSV) {
		return reportFile{name: name + "-" + tables[0].Name + ".csv", contentType: csvType + "; charset=" + sheet.EncodingUTF8,
			write: func(w io.Writer) error { return writeReportCSV(w, head, tables[0]) }}, nil
	}
	if format != "" && format != string(sheet.FormatXLSX) {
		return reportFile{}, gonghai.Invalid("format", "xlsx or csv")
	}
	return reportFile{name: name + ".xlsx", contentType: xlsxType,
		write: func(w io.Writer) error { return writeReportBook(w, head, tables) }}, nil
}

// disposition is the file's Content-Disposition, as a list export's.
func (f reportFile) disposition() string { return exportFile{name: f.name}.disposition() }

// reportExport answers rep's tables as a file through huma.
func (s *Server) reportExport(ctx context.Context, rep gonghai.Report, format, table string) (*exportOut, error) {
	f, err := reportFileOf(rep, format, table)
	if err != nil {
		return nil, err
	}
	return &exportOut{ContentType: f.contentType, ContentDisposition: f.disposition(), CacheControl: "no-store",
		Body: func(hc huma.Context) {
			hc.SetStatus(http.StatusOK)
			if err := f.write(hc.BodyWriter()); err != nil {
				s.log.WarnContext(ctx, "export_write_failed", "error", err.Error())
			}
		}}, nil
}

// reportHeader is a table's header row: its columns' titles.
func reportHeader(t gonghai.ReportTable) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Title
	}
	return out
}

// writeReportCSV writes table t as CSV: a line naming the report, the
// header, the cells as the page shows them.
func writeReportCSV(w io.Writer, head string, t gonghai.ReportTable) error {
	out, err := sheet.NewWriter(w, sheet.FormatCSV, "")
	if err != nil {
		return err
	}
	rows := [][]string{{head + "  " + t.Title}, reportHeader(t)}
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = c.Text
		}
		rows = append(rows, cells)
	}
	for _, r := range rows {
		if err := out.Write(r); err != nil {
			return err
		}
	}
	return out.Close()
}

// writeReportBook writes tables as an XLSX book, a sheet each named by the
// table's title; numbers are number cells (percent 0–100, yuan).
func writeReportBook(w io.Writer, head string, tables []gonghai.ReportTable) error {
	b := sheet.NewBook(w)
	for _, t := range tables {
		if err := b.Sheet(t.Title); err != nil {
			return err
		}
		if err := b.Write([]any{head + "  " + t.Title}); err != nil {
			return err
		}
		header := []any{}
		for _, h := range reportHeader(t) {
			header = append(header, h)
		}
		if err := b.Write(header); err != nil {
			return err
		}
		for _, row := range t.Rows {
			cells := make([]any, len(row))
			for i, c := range row {
				cells[i] = c.Text
				if c.Value != nil {
					cells[i] = *c.Value
				}
			}
			if err := b.Write(cells); err != nil {
				return err
			}
		}
	}
	return b.Close()
}
