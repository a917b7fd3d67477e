package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/report"
)

// The report pages (报表): the catalogue as cards, one report's page
// (filters, each chart beside its table, numbers linking to the customers
// behind them, downloads), and the drill-down list. They read the very
// store methods of the API (Report, ReportCustomers): the scope decision
// and masking are the store's.

// reportQueryOf reads a report's query from a page's URL.
func reportQueryOf(q url.Values) gonghai.ReportQuery {
	days, _ := strconv.Atoi(q.Get("days"))
	return gonghai.ReportQuery{From: q.Get("from"), To: q.Get("to"), Grain: q.Get("grain"),
		DepartmentID: q.Get("department_id"), UserID: q.Get("user_id"), PoolID: q.Get("pool_id"),
		ChannelID: q.Get("channel_id"), Days: days}
}

// reportValues is q as a URL's query, empty values left out.
func reportValues(q gonghai.ReportQuery) url.Values {
	out := url.Values{}
	for k, v := range map[string]string{"from": q.From, "to": q.To, "grain": q.Grain, "department_id": q.DepartmentID,
		"user_id": q.UserID, "pool_id": q.PoolID, "channel_id": q.ChannelID} {
		if v != "" {
			out.Set(k, v)
		}
	}
	if q.Days != 0 {
		out.Set("days", strconv.Itoa(q.Days))
	}
	return out
}

// reportURL is path with q's query and the pairs of kv.
func reportURL(path string, q gonghai.ReportQuery, kv ...string) string {
	vs := reportValues(q)
	for i := 0; i+1 < len(kv); i += 2 {
		vs.Set(kv[i], kv[i+1])
	}
	if len(vs) == 0 {
		return path
	}
	return path + "?" + vs.Encode()
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "reports"
	return s.render(w, v, http.StatusOK, "report_index", gonghai.Reports)
}

// reportData is what one report's page shows.
type reportData struct {
	Info   gonghai.ReportInfo
	Q      gonghai.ReportQuery
	Rep    gonghai.Report
	Error  string
	Ranges []quickRange
	Grains []string
	Depts  []gonghai.Department
	Users  []gonghai.User
	Pools  []gonghai.Pool
	Chans  []gonghai.Channel
	Tables []reportTableView
	XLSX   string
	Relay  bool // the report reads the relay window (days)
}

// quickRange is a link to the same report over a named range of days.
type quickRange struct {
	Label, URL string
	Current    bool
}

// reportTableView is a table as the page shows it, after its charts.
type reportTableView struct {
	T      gonghai.ReportTable
	Charts []template.HTML
	Rows   [][]reportCellView
	CSV    string
	XLSX   string
}

// reportCellView is a cell: its text, whether it is a number (aligned
// right) and the drill-down page of the customers behind it.
type reportCellView struct {
	Text, Link string
	Num        bool
}

// reportInfo is the catalogue entry of the page's report, or not found.
func reportInfo(r *http.Request) (gonghai.ReportInfo, error) {
	info, ok := gonghai.ReportNamed(r.PathValue("name"))
	if !ok {
		return info, gonghai.Errorf(gonghai.ENotFound, "no such report")
	}
	return info, nil
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "reports"
	info, err := reportInfo(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := reportQueryOf(r.URL.Query())
	if q.From == "" && q.To == "" {
		d := gonghai.DefaultReportQuery(v.Now, v.Zone)
		q.From, q.To = d.From, d.To
	}
	d := reportData{Info: info, Q: q, Grains: []string{gonghai.GrainDay, gonghai.GrainWeek, gonghai.GrainMonth},
		Relay: info.Name == "fairness"}
	status := http.StatusOK
	d.Rep, err = s.store.Report(ctx, v.User, info.Name, q)
	switch {
	case gonghai.ErrorCode(err) == gonghai.EInvalid:
		d.Error, status = v.ErrorText(err), http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	base := "/reports/" + info.Name
	d.Ranges = quickRanges(v.Now, v.Zone, q, base)
	d.XLSX = reportURL(base+"/export", q, "format", "xlsx")
	for _, t := range d.Rep.Tables {
		d.Tables = append(d.Tables, reportTableOf(d.Rep, t, q, base))
	}
	if v.IsManager() {
		if d.Depts, err = s.store.Departments(ctx); err != nil {
			return err
		}
		d.Depts = visibleDepts(v, d.Depts)
		if d.Users, err = s.store.SeenUsers(ctx, v.User); err != nil {
			return err
		}
	}
	if d.Pools, err = s.store.Pools(ctx, v.User); err != nil {
		return err
	}
	if v.IsAdmin() {
		if d.Chans, err = s.store.Channels(ctx, v.User); err != nil {
			return err
		}
	}
	return s.render(w, v, status, "report", d)
}

// visibleDepts keeps the departments a viewer may ask a report for.
func visibleDepts(v *view, ds []gonghai.Department) []gonghai.Department {
	var out []gonghai.Department
	for _, dep := range ds {
		if v.IsAdmin() || v.User.Manages(dep.Path) {
			out = append(out, dep)
		}
	}
	return out
}

// reportTableOf lays table t out with its charts, each number linking to
// its customers and the table's downloads.
func reportTableOf(rep gonghai.Report, t gonghai.ReportTable, q gonghai.ReportQuery, base string) reportTableView {
	link := func(drill string) string { return reportURL(base+"/customers", q, "drill", drill) }
	tv := reportTableView{T: t, CSV: reportURL(base+"/export", q, "format", "csv", "table", t.Name),
		XLSX: reportURL(base+"/export", q, "format", "xlsx", "table", t.Name)}
	for _, c := range rep.Charts {
		if c.Table == t.Name {
			tv.Charts = append(tv.Charts, report.SVG(c, t, link))
		}
	}
	for _, row := range t.Rows {
		cells := make([]reportCellView, len(row))
		for i, c := range row {
			cells[i] = reportCellView{Text: c.Text, Num: i < len(t.Columns) && t.Columns[i].Kind != gonghai.ColText}
			if c.Drill != "" {
				cells[i].Link = link(c.Drill)
			}
		}
		tv.Rows = append(tv.Rows, cells)
	}
	return tv
}

// quickRanges are the named ranges: this week, last week, this month,
// last month, the last 28 days, each with q's other filters.
func quickRanges(now time.Time, zone *time.Location, q gonghai.ReportQuery, base string) []quickRange {
	today := now.In(zone)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, zone)
	var out []quickRange
	for _, r := range []struct{ label, from, to, grain string }{
		{"本周", day(monday), day(today), gonghai.GrainDay},
		{"上周", day(monday.AddDate(0, 0, -7)), day(monday.AddDate(0, 0, -1)), gonghai.GrainDay},
		{"本月", day(first), day(today), gonghai.GrainDay},
		{"上月", day(first.AddDate(0, -1, 0)), day(first.AddDate(0, 0, -1)), gonghai.GrainWeek},
		{"近28天", day(today.AddDate(0, 0, -27)), day(today), gonghai.GrainWeek},
	} {
		rq := q
		rq.From, rq.To, rq.Grain = r.from, r.to, r.grain
		out = append(out, quickRange{Label: r.label, URL: reportURL(base, rq), Current: q.From == r.from && q.To == r.to})
	}
	return out
}

// reportCustomersData is what the drill-down page shows.
type reportCustomersData struct {
	Info      gonghai.ReportInfo
	Back      string
	Rows      []gonghai.Customer
	Total     int
	Owners    map[string]string
	PoolNames map[string]string
}

func (s *Server) reportCustomersPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "reports"
	info, err := reportInfo(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := reportQueryOf(r.URL.Query())
	cs, total, err := s.store.ReportCustomers(ctx, v.User, info.Name, q, r.URL.Query().Get("drill"))
	if err != nil {
		return err
	}
	d := reportCustomersData{Info: info, Back: reportURL("/reports/"+info.Name, q), Rows: cs, Total: total}
	us, err := s.store.SeenUsers(ctx, v.User)
	if err != nil {
		return err
	}
	ps, err := s.store.Pools(ctx, v.User)
	if err != nil {
		return err
	}
	d.Owners, d.PoolNames = map[string]string{v.User.ID: v.User.Name}, map[string]string{}
	for _, u := range us {
		d.Owners[u.ID] = u.Name
	}
	for _, p := range ps {
		d.PoolNames[p.ID] = p.Name
	}
	return s.render(w, v, http.StatusOK, "report_customers", d)
}

// reportExportPage downloads a report's tables, as the API does; a
// refusal shows the error page rather than a broken file.
func (s *Server) reportExportPage(w http.ResponseWriter, r *http.Request, v *view) error {
	info, err := reportInfo(r)
	if err != nil {
		return err
	}
	rep, err := s.store.Report(r.Context(), v.User, info.Name, reportQueryOf(r.URL.Query()))
	if err != nil {
		return err
	}
	f, err := reportFileOf(rep, r.URL.Query().Get("format"), r.URL.Query().Get("table"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Content-Disposition", f.disposition())
	w.WriteHeader(http.StatusOK)
	if err := f.write(w); err != nil {
		s.log.WarnContext(r.Context(), "export_write_failed", "error", err.Error())
	}
	return nil
}
