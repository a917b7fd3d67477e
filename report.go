package gonghai

import (
	"fmt"
	"time"
)

// ReportInfo names one report: its stable name (the API path and the
// operation id's tail), its title and what it answers.
type ReportInfo struct {
	Name    string
	Title   string
	Summary string
}

// Reports is the catalogue of reports, in the order the reports menu
// shows them. Each has an implementation in the store, an API route
// (GET /api/v1/reports/{name}), a page (/reports/{name}) and exports.
var Reports = []ReportInfo{
	{"pool-flow", "公海流转", "每个公海每天流入（新建、释放、回收、导入）与流出（领取、分配），日末存量与周转率"},
	{"holding-time", "私海停留时长", "客户在私海停留多少天后成交、释放或被回收（P50/P90），以及最久未跟进的客户"},
	{"first-follow-up", "首次跟进速度", "领取或分配后多久第一次跟进（P50/P90），以及回收前从未跟进的比例"},
	{"effort", "跟进投入", "每位销售每周按方式统计的跟进次数，以及每个在手客户的跟进次数"},
	{"channel-conversion", "渠道转化", "按渠道与活动：线索 → 客户 → 成交的数量、转化率与成交金额，首次触达与最近触达归因"},
	{"recycles", "回收与释放", "按规则与原因统计的回收和释放，以及回收后被他人成交的客户"},
	{"conflict-rate", "撞单率", "按部门与月份统计的每百个新客户撞单数，以及撞单如何处理"},
	{"fairness", "分配公平", "每位销售的分配数与领取数及其基尼系数；接力领取（A 释放、B 领取、N 天内回到 A）"},
	{"rfm", "客户价值 RFM", "成交客户按最近购买、购买频次、购买金额五分位分层"},
	{"sales-growth", "销售增长", "按月成交金额，与去年同月对比"},
}

// ReportNamed returns the catalogue entry of name.
func ReportNamed(name string) (ReportInfo, bool) {
	for _, r := range Reports {
		if r.Name == name {
			return r, true
		}
	}
	return ReportInfo{}, false
}

// Grains a report's period is cut into.
const (
	GrainDay   = "day"
	GrainWeek  = "week" // weeks start on Monday
	GrainMonth = "month"
)

// MaxReportDays bounds a report's period: two years and a day, so that a
// month can be set beside the same month a year before.
const MaxReportDays = 732

// ReportQuery is what a report is asked for: a period of whole days in the
// organisation's zone cut into grains, a scope and filters.
type ReportQuery struct {
	// From and To are the first and the last day of the period
	// (YYYY-MM-DD, both included).
	From, To string
	Grain    string
	// DepartmentID keeps one department's subtree (admins any, managers
	// their own subtree); UserID keeps one user (a rep is always kept to
	// themselves). Both empty: everything the viewer may see.
	DepartmentID string
	UserID       string
	PoolID       string
	ChannelID    string
	// Days is the relay window of the fairness report: a customer back with
	// the rep who released it within Days days (0: 30).
	Days int
}

// ReportPeriod is a query's period resolved in the organisation's zone.
type ReportPeriod struct {
	From, To string    // the days, as asked
	Start    time.Time // the first day's start, UTC
	End      time.Time // the day after the last one's start, UTC: the period is [Start, End)
	Grain    string
	Loc      *time.Location
}

// DefaultReportQuery is the period a report opens with: the last four
// whole weeks up to today, by day.
func DefaultReportQuery(now time.Time, loc *time.Location) ReportQuery {
	today := now.In(loc)
	return ReportQuery{From: today.AddDate(0, 0, -27).Format(time.DateOnly), To: today.Format(time.DateOnly), Grain: GrainDay}
}

// Period checks q and resolves its period in loc: days in order, no longer
// than MaxReportDays, a known grain, a relay window of 1 to 365 days.
func (q ReportQuery) Period(loc *time.Location) (ReportPeriod, error) {
	from, err := time.ParseInLocation(time.DateOnly, q.From, loc)
	if err != nil {
		return ReportPeriod{}, Invalid("from", "a day as YYYY-MM-DD")
	}
	to, err := time.ParseInLocation(time.DateOnly, q.To, loc)
	if err != nil {
		return ReportPeriod{}, Invalid("to", "a day as YYYY-MM-DD")
	}
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	switch {
	case end.Before(from) || end.Equal(from):
		return ReportPeriod{}, Invalid("to", "on or after from")
	case end.Sub(from) > time.Duration(MaxReportDays)*24*time.Hour+time.Hour:
		return ReportPeriod{}, Invalid("to", fmt.Sprintf("at most %d days after from", MaxReportDays))
	}
	grain := q.Grain
	switch grain {
	case "":
		grain = GrainDay
	case GrainDay, GrainWeek, GrainMonth:
	default:
		return ReportPeriod{}, Invalid("grain", "day, week or month")
	}
	if q.Days < 0 || q.Days > 365 {
		return ReportPeriod{}, Invalid("days", "1 to 365")
	}
	for _, x := range []struct{ name, value string }{{"department_id", q.DepartmentID}, {"user_id", q.UserID},
		{"pool_id", q.PoolID}, {"channel_id", q.ChannelID}} {
		if p := TextProblem(x.value, false); p != "" {
			return ReportPeriod{}, Invalid(x.name, p)
		}
	}
	return ReportPeriod{From: q.From, To: q.To, Start: from.UTC(), End: end.UTC(), Grain: grain, Loc: loc}, nil
}

// Bucket is the first day (YYYY-MM-DD) of the grain that holds day: the day
// itself, its week's Monday, or its month's first day.
func (p ReportPeriod) Bucket(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	switch p.Grain {
	case GrainWeek:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)).Format(time.DateOnly)
	case GrainMonth:
		return d.Format("2006-01") + "-01"
	}
	return day
}

// Buckets lists the grains of the period, in order, by their first day: a
// week or month the period starts inside is named by its first day too.
func (p ReportPeriod) Buckets() []string {
	var out []string
	seen := map[string]bool{}
	from, _ := time.Parse(time.DateOnly, p.From)
	to, _ := time.Parse(time.DateOnly, p.To)
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if b := p.Bucket(d.Format(time.DateOnly)); !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

// Day is the day (YYYY-MM-DD) of instant t in the period's zone.
func (p ReportPeriod) Day(t time.Time) string { return t.In(p.Loc).Format(time.DateOnly) }

// ReportScope is whom a report counts, decided by ScopeReport: every
// department (All), one department subtree (DeptPath), or one user.
type ReportScope struct {
	All      bool
	DeptPath string // "/…/id/": the subtree
	UserID   string
}

// ScopeReport decides whom viewer's report counts. Admins count everyone or
// the department or user they ask for; managers their own subtree or a
// department or user inside it; reps themselves, whatever they ask. dept
// and user are the department and user asked for, as read (zero when not
// asked for or not found: a department or user the viewer may not see
// is answered as not found).
func ScopeReport(viewer User, dept *Department, user *User) (ReportScope, error) {
	switch viewer.Role {
	case RoleRep:
		if user != nil && user.ID != viewer.ID {
			return ReportScope{}, Errorf(ENotFound, "no such user")
		}
		if dept != nil {
			return ReportScope{}, Errorf(EForbidden, "a rep's reports count their own work only")
		}
		return ReportScope{UserID: viewer.ID}, nil
	case RoleManager:
		if dept != nil && !viewer.Manages(dept.Path) {
			return ReportScope{}, Errorf(ENotFound, "no such department")
		}
		if user != nil && !SeesUser(viewer, *user) {
			return ReportScope{}, Errorf(ENotFound, "no such user")
		}
	case RoleAdmin:
	default:
		return ReportScope{}, Errorf(EForbidden, "no reports for this role")
	}
	switch {
	case user != nil:
		return ReportScope{UserID: user.ID}, nil
	case dept != nil:
		return ReportScope{DeptPath: dept.Path}, nil
	case viewer.Role == RoleManager:
		if viewer.DeptPath == "" {
			return ReportScope{UserID: viewer.ID}, nil
		}
		return ReportScope{DeptPath: viewer.DeptPath}, nil
	}
	return ReportScope{All: true}, nil
}

// Report is one report's answer: tables of numbers and the charts drawn
// from them. Every report has the same shape, so that one API schema, one
// page, one chart renderer and one exporter serve them all.
type Report struct {
	Name   string        `json:"name"`
	Title  string        `json:"title"`
	From   string        `json:"from"`
	To     string        `json:"to"`
	Grain  string        `json:"grain"`
	Scope  string        `json:"scope"` // whom it counts, in words
	Tables []ReportTable `json:"tables"`
	Charts []ReportChart `json:"charts"`
	Notes  []string      `json:"notes"` // how to read it
}

// ReportTable is one table of a report.
type ReportTable struct {
	Name    string         `json:"name" doc:"stable key: the export's file name and the drill-down's table"`
	Title   string         `json:"title"`
	Columns []ReportColumn `json:"columns"`
	Rows    [][]ReportCell `json:"rows"`
}

// Column kinds: how a cell's value reads.
const (
	ColText    = "text"
	ColCount   = "count"
	ColPercent = "percent" // value 0–100
	ColDays    = "days"
	ColHours   = "hours"
	ColYuan    = "yuan" // value in yuan, two decimals
	ColRatio   = "ratio"
)

// ReportColumn is one column of a table.
type ReportColumn struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Kind  string `json:"kind" enum:"text,count,percent,days,hours,yuan,ratio"`
}

// ReportCell is one cell: its text as shown, its value when it is a
// number, and the drill-down key of the customers behind it when there
// are any (GET /api/v1/reports/{name}/customers?drill=…).
type ReportCell struct {
	Text  string   `json:"text"`
	Value *float64 `json:"value,omitempty"`
	Drill string   `json:"drill,omitempty"`
}

// Chart kinds.
const (
	ChartBar       = "bar"
	ChartLine      = "line"
	ChartFunnel    = "funnel"
	ChartHistogram = "histogram"
)

// ReportChart draws columns Series of table Table against its column
// Label.
type ReportChart struct {
	Kind   string   `json:"kind" enum:"bar,line,funnel,histogram"`
	Title  string   `json:"title"`
	Table  string   `json:"table"`
	Label  string   `json:"label"`
	Series []string `json:"series"`
}

// TextCell is a cell of text.
func TextCell(s string) ReportCell { return ReportCell{Text: s} }

// NumberCell is a cell of a number of a column kind, with the customers
// behind it at drill ("" for none).
func NumberCell(v float64, kind, drill string) ReportCell {
	return ReportCell{Text: FormatReportValue(v, kind), Value: &v, Drill: drill}
}

// EmptyCell is a number that has no value: a rate of nothing, a percentile
// of no rows. It reads "—".
func EmptyCell() ReportCell { return ReportCell{Text: "—"} }

// FormatReportValue writes v as a column of kind shows it.
func FormatReportValue(v float64, kind string) string {
	switch kind {
	case ColCount:
		return fmt.Sprintf("%.0f", v)
	case ColPercent:
		return fmt.Sprintf("%.1f%%", v)
	case ColDays, ColHours:
		return fmt.Sprintf("%.1f", v)
	case ColYuan:
		return fmt.Sprintf("%.2f", v)
	case ColRatio:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprint(v)
}
