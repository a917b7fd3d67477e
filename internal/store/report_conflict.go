package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// The conflict-rate report counts conflicts (撞单) per 100 new customers
// by month and department, as department_months keeps them (in the
// transaction of each create and conflict, by the actor's department
// then), and how the period's conflicts were resolved. A user's report
// (a rep's own) counts the conflicts they met and the customers they
// created, from the conflicts and the created events.
func init() {
	registerReport("conflict-rate", reportDef{run: runConflictRate, drill: drillConflictRate})
}

// conflictStatuses are the resolutions, in the order the tables show them.
var conflictStatuses = []gonghai.ConflictStatus{gonghai.ConflictOpen, gonghai.ConflictKept, gonghai.ConflictGiven,
	gonghai.ConflictMerged, gonghai.ConflictDismissed}

var conflictStatusTitles = map[gonghai.ConflictStatus]string{gonghai.ConflictOpen: "待处理", gonghai.ConflictKept: "维持原归属",
	gonghai.ConflictGiven: "转给撞单人", gonghai.ConflictMerged: "合并", gonghai.ConflictDismissed: "驳回"}

// noDepartment names the users in no department.
const noDepartment = "未分部门"

// conflictCell is one month and department's counts.
type conflictCell struct {
	month, dept         string
	created, conflicts  int
	status              map[gonghai.ConflictStatus]int
	allDepts, userScope bool
}

// reportMonths are the months the period touches (YYYY-MM) and the
// instants that bound them whole: the counts are kept by month.
func reportMonths(p gonghai.ReportPeriod) (months []string, start, end time.Time) {
	from, _ := time.ParseInLocation(time.DateOnly, p.From, p.Loc)
	to, _ := time.ParseInLocation(time.DateOnly, p.To, p.Loc)
	start = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, p.Loc)
	end = time.Date(to.Year(), to.Month()+1, 1, 0, 0, 0, 0, p.Loc)
	for m := start; m.Before(end); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	return months, start.UTC(), end.UTC()
}

func runConflictRate(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	months, start, end := reportMonths(r.Period)
	cells := map[[2]string]*conflictCell{}
	cell := func(month, dept string) *conflictCell {
		k := [2]string{month, dept}
		if cells[k] == nil {
			cells[k] = &conflictCell{month: month, dept: dept, status: map[gonghai.ConflictStatus]int{}, userScope: r.Scope.UserID != ""}
		}
		return cells[k]
	}
	names := map[string]string{"": noDepartment}
	if r.Scope.UserID != "" {
		// A user's months: the customers they created and the conflicts
		// they met, under their department now.
		var dept, name string
		err := c.queryRow(ctx, `SELECT COALESCE(u.department_id, ''), COALESCE(d.name, '') FROM users u
			LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?`, r.Scope.UserID).Scan(&dept, &name)
		if err != nil {
			return gonghai.Report{}, fmt.Errorf("conflict rate user: %w", err)
		}
		if dept != "" {
			names[dept] = name
		}
		ats, err := collect(ctx, c, `SELECT at FROM ownership_events WHERE kind = 'created' AND at >= ? AND at < ? AND actor_id = ?`,
			[]any{micros(start), micros(end), r.Scope.UserID}, func(s scanner) (int64, error) {
				var at int64
				return at, s.Scan(&at)
			})
		if err != nil {
			return gonghai.Report{}, fmt.Errorf("conflict rate created: %w", err)
		}
		for _, at := range ats {
			cell(r.Period.Day(fromMicros(at))[:7], dept).created++
		}
		ks, err := conflictsOf(ctx, c, r, start, end)
		if err != nil {
			return gonghai.Report{}, err
		}
		for _, k := range ks {
			x := cell(r.Period.Day(fromMicros(k.at))[:7], dept)
			x.conflicts++
			x.status[k.status]++
		}
	} else {
		scope, args := r.ScopeSQL("d.path", "")
		type dm struct {
			dept, name, month  string
			created, conflicts int
		}
		rows, err := collect(ctx, c, `SELECT m.department_id, COALESCE(d.name, ''), m.month, m.created, m.conflicts
			FROM department_months m LEFT JOIN departments d ON d.id = m.department_id
			WHERE m.month >= ? AND m.month <= ? AND `+scope, append([]any{months[0], months[len(months)-1]}, args...),
			func(s scanner) (dm, error) {
				var x dm
				return x, s.Scan(&x.dept, &x.name, &x.month, &x.created, &x.conflicts)
			})
		if err != nil {
			return gonghai.Report{}, fmt.Errorf("conflict rate months: %w", err)
		}
		for _, x := range rows {
			if x.dept != "" {
				names[x.dept] = x.name
			}
			y := cell(x.month, x.dept)
			y.created, y.conflicts = x.created, x.conflicts
		}
		ks, err := conflictsOf(ctx, c, r, start, end)
		if err != nil {
			return gonghai.Report{}, err
		}
		for _, k := range ks {
			cell(r.Period.Day(fromMicros(k.at))[:7], k.dept).status[k.status]++
		}
	}
	byDept := make([]*conflictCell, 0, len(cells))
	totals := map[string]*conflictCell{}
	for _, m := range months {
		totals[m] = &conflictCell{month: m, status: map[gonghai.ConflictStatus]int{}, allDepts: true, userScope: r.Scope.UserID != ""}
	}
	for _, x := range cells {
		byDept = append(byDept, x)
		t := totals[x.month]
		t.created, t.conflicts = t.created+x.created, t.conflicts+x.conflicts
		for s, n := range x.status {
			t.status[s] += n
		}
	}
	slices.SortFunc(byDept, func(a, b *conflictCell) int {
		return cmp.Or(cmp.Compare(a.month, b.month), cmp.Compare(names[a.dept], names[b.dept]), cmp.Compare(a.dept, b.dept))
	})
	monthly := make([]*conflictCell, 0, len(months))
	for _, m := range months {
		monthly = append(monthly, totals[m])
	}
	rep := gonghai.Report{
		Tables: []gonghai.ReportTable{
			conflictTable("by_month", "每月撞单率与处理结果", monthly, nil),
			conflictTable("by_department", "各部门每月撞单率与处理结果", byDept, names),
		},
		Charts: []gonghai.ReportChart{
			{Kind: gonghai.ChartLine, Title: "每百个新客户的撞单数", Table: "by_month", Label: "month", Series: []string{"rate"}},
			{Kind: gonghai.ChartBar, Title: "撞单处理结果", Table: "by_month", Label: "month",
				Series: []string{"open", "kept", "given", "merged", "dismissed"}},
		},
		Notes: []string{
			"按整月统计：期间涉及的每个月都整月计入（组织所在时区）。",
			"撞单率 = 撞单数 ÷ 新客户数 × 100；没有新客户的月份没有撞单率。",
			"新客户与撞单都记在当时操作人所在的部门（进线渠道新建的线索记为“未分部门”）；处理结果按撞单发生的月份统计，是现在的状态。",
			"撞单数可下钻到被撞的客户（同一客户被撞多次只列一次）。不按公海与渠道筛选。",
		},
	}
	if r.Scope.UserID != "" {
		rep.Notes = append(rep.Notes, "个人视角：只统计本人新建的客户与本人撞上的单。")
	}
	return rep, nil
}

// conflictRow is one conflict as the report counts it.
type conflictRow struct {
	at     int64
	dept   string
	status gonghai.ConflictStatus
}

// conflictsOf reads the conflicts between start and end that r counts:
// its user's, or those of its departments' actors.
func conflictsOf(ctx context.Context, c conn, r *reportReq, start, end time.Time) ([]conflictRow, error) {
	where, args := conflictWhere(r, start, end)
	out, err := collect(ctx, c, `SELECT k.at, COALESCE(k.department_id, ''), k.status FROM conflicts k
		LEFT JOIN departments d ON d.id = k.department_id WHERE `+where, args, func(s scanner) (conflictRow, error) {
		var x conflictRow
		var status string
		err := s.Scan(&x.at, &x.dept, &status)
		x.status = gonghai.ConflictStatus(status)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("conflict rate resolutions: %w", err)
	}
	return out, nil
}

// conflictWhere keeps the conflicts (k, their department d) between start
// and end in r's scope.
func conflictWhere(r *reportReq, start, end time.Time) (string, []any) {
	scope, args := r.ScopeSQL("d.path", "k.actor_id")
	return `k.at >= ? AND k.at < ? AND ` + scope, append([]any{micros(start), micros(end)}, args...)
}

// conflictTable lays cells out: by month, or by month and department
// (names given).
func conflictTable(name, title string, cells []*conflictCell, names map[string]string) gonghai.ReportTable {
	cols := []gonghai.ReportColumn{{Key: "month", Title: "月份", Kind: gonghai.ColText}}
	if names != nil {
		cols = append(cols, gonghai.ReportColumn{Key: "department", Title: "部门", Kind: gonghai.ColText})
	}
	cols = append(cols, gonghai.ReportColumn{Key: "new_customers", Title: "新客户", Kind: gonghai.ColCount},
		gonghai.ReportColumn{Key: "conflicts", Title: "撞单", Kind: gonghai.ColCount},
		gonghai.ReportColumn{Key: "rate", Title: "每百新客户撞单", Kind: gonghai.ColRatio})
	for _, s := range conflictStatuses {
		cols = append(cols, gonghai.ReportColumn{Key: string(s), Title: conflictStatusTitles[s], Kind: gonghai.ColCount})
	}
	t := gonghai.ReportTable{Name: name, Title: title, Columns: cols, Rows: [][]gonghai.ReportCell{}}
	for _, x := range cells {
		row := []gonghai.ReportCell{gonghai.TextCell(x.month)}
		if names != nil {
			row = append(row, gonghai.TextCell(names[x.dept]))
		}
		rate := gonghai.EmptyCell()
		if x.created > 0 {
			rate = gonghai.NumberCell(100*float64(x.conflicts)/float64(x.created), gonghai.ColRatio, "")
		}
		row = append(row, gonghai.NumberCell(float64(x.created), gonghai.ColCount, x.key("created")),
			gonghai.NumberCell(float64(x.conflicts), gonghai.ColCount, x.key("conflicts")), rate)
		for _, s := range conflictStatuses {
			row = append(row, gonghai.NumberCell(float64(x.status[s]), gonghai.ColCount, x.key(string(s))))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// key is the drill key of measure (created, conflicts or a status) of x:
// "month.department.measure", the department "-" for none and "*" for
// every one the scope counts (a user's scope counts the user's own).
func (x *conflictCell) key(measure string) string {
	dept := x.dept
	switch {
	case x.allDepts || x.userScope:
		dept = "*"
	case dept == "":
		dept = "-"
	}
	return x.month + "." + dept + "." + measure
}

// drillConflictRate answers the customers behind a key: those created,
// or those the conflicts matched (as they are now, when merged).
func drillConflictRate(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	bad := gonghai.Invalid("drill", "a drill key from the conflict-rate report")
	parts := strings.Split(key, ".")
	if len(parts) != 3 {
		return nil, bad
	}
	month, err := time.ParseInLocation("2006-01", parts[0], r.Period.Loc)
	if err != nil {
		return nil, bad
	}
	start, end := month.UTC(), month.AddDate(0, 1, 0).UTC()
	dept, deptArgs := "", []any{}
	switch parts[1] {
	case "*":
	case "-":
		dept = ` AND d.id IS NULL`
	default:
		dept, deptArgs = ` AND d.id = ?`, []any{parts[1]}
	}
	measure := parts[2]
	if measure == "created" {
		scope, args := r.ScopeSQL("d.path", "e.actor_id")
		return queryStrings(ctx, c, `SELECT COALESCE(cu.merged_into, e.customer_id) FROM ownership_events e
			JOIN customers cu ON cu.id = e.customer_id LEFT JOIN users u ON u.id = e.actor_id
			LEFT JOIN departments d ON d.id = u.department_id
			WHERE e.kind = 'created' AND e.at >= ? AND e.at < ? AND `+scope+dept+` ORDER BY e.at, e.customer_id`,
			append(append([]any{micros(start), micros(end)}, args...), deptArgs...)...)
	}
	where, args := conflictWhere(r, start, end)
	if measure != "conflicts" {
		if !slices.Contains(conflictStatuses, gonghai.ConflictStatus(measure)) {
			return nil, bad
		}
		where, args = where+` AND k.status = ?`, append(args, measure)
	}
	return queryStrings(ctx, c, `SELECT COALESCE(cu.merged_into, k.matched_id) FROM conflicts k
		JOIN customers cu ON cu.id = k.matched_id LEFT JOIN departments d ON d.id = k.department_id
		WHERE `+where+dept+` ORDER BY k.at, k.id`, append(args, deptArgs...)...)
}
