package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/gonghai/gonghai"
)

// recycleCounts counts customers by drill key, each once.
type recycleCounts map[string]map[string]bool

func (rc recycleCounts) add(key, customer string) {
	if rc[key] == nil {
		rc[key] = map[string]bool{}
	}
	rc[key][customer] = true
}

// cell is the count of key with key as its drill: 0 has none.
func (rc recycleCounts) cell(key string) gonghai.ReportCell {
	n := len(rc[key])
	if n == 0 {
		return gonghai.NumberCell(0, gonghai.ColCount, "")
	}
	return gonghai.NumberCell(float64(n), gonghai.ColCount, key)
}

func runRecycles(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	ended, err := loadEnded(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	counts := recycleCounts{}
	reasons := map[string]map[string]string{} // what → reason key → its text
	var users, depts, won []string
	for _, e := range ended {
		for _, what := range recycleWhat(e) {
			for _, dim := range recycleDims(r, e) {
				counts.add(what+"."+dim, e.customer)
			}
			if reasons[what] == nil {
				reasons[what] = map[string]string{}
			}
			text := normalReason(e.kind, e.reason)
			reasons[what][reasonKey(text)] = text
		}
		users = append(users, e.owner, e.winner)
		depts = append(depts, lastID(e.path))
		if e.winner != "" {
			won = append(won, e.customer)
		}
	}
	userNames, err := namesByID(ctx, c, "users", users)
	if err != nil {
		return gonghai.Report{}, err
	}
	deptNames, err := namesByID(ctx, c, "departments", depts)
	if err != nil {
		return gonghai.Report{}, err
	}
	companies, err := companiesByID(ctx, c, won)
	if err != nil {
		return gonghai.Report{}, err
	}
	count := func(key string) gonghai.ReportColumn { return gonghai.ReportColumn{Key: key, Kind: gonghai.ColCount} }
	text := func(key, title string) gonghai.ReportColumn {
		return gonghai.ReportColumn{Key: key, Title: title, Kind: gonghai.ColText}
	}
	titled := func(col gonghai.ReportColumn, title string) gonghai.ReportColumn { col.Title = title; return col }

	// By rule, by reason: the groups largest first, then a total.
	byReason := func(name, title, label, what, valueKey, valueTitle string, withWon bool) gonghai.ReportTable {
		t := gonghai.ReportTable{Name: name, Title: title, Columns: []gonghai.ReportColumn{text(label, labelTitle(label)), titled(count(valueKey), valueTitle)}}
		if withWon {
			t.Columns = append(t.Columns, titled(count("won_by_others"), "后被他人成交"))
		}
		keys := make([]string, 0, len(reasons[what]))
		for k := range reasons[what] {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			return cmp.Or(cmp.Compare(len(counts[what+".r."+b]), len(counts[what+".r."+a])), cmp.Compare(reasons[what][a], reasons[what][b]))
		})
		for _, k := range append(keys, "") {
			dim, label := "r."+k, reasons[what][k]
			if k == "" {
				dim, label = "all.-", "合计"
			}
			row := []gonghai.ReportCell{gonghai.TextCell(label), counts.cell(what + "." + dim)}
			if withWon {
				row = append(row, counts.cell("wo."+dim))
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	}
	rules := byReason("by_rule", "按回收规则", "rule", "rc", "recycled", "被回收客户", true)
	releases := byReason("by_reason", "按释放原因", "reason", "rl", "released", "被释放客户", false)

	// By department and by rep: who lost the customers.
	moves := []gonghai.ReportColumn{titled(count("recycled"), "被回收"), titled(count("released"), "主动释放"), titled(count("won_by_others"), "回收后被他人成交")}
	group := func(dim string) []gonghai.ReportCell {
		return []gonghai.ReportCell{counts.cell("rc." + dim), counts.cell("rl." + dim), counts.cell("wo." + dim)}
	}
	depTable := gonghai.ReportTable{Name: "by_department", Title: "按部门", Columns: append([]gonghai.ReportColumn{text("department", "部门")}, moves...)}
	for _, d := range sortedByName(distinct(depts), deptNames, "无部门") {
		depTable.Rows = append(depTable.Rows, append([]gonghai.ReportCell{gonghai.TextCell(orName(deptNames, d, "无部门"))}, group("d."+d)...))
	}
	repTable := gonghai.ReportTable{Name: "by_rep", Title: "按销售", Columns: append([]gonghai.ReportColumn{text("rep", "销售")}, moves...)}
	var owners []string
	for _, e := range ended {
		owners = append(owners, e.owner)
	}
	for _, u := range sortedByName(distinct(owners), userNames, "") {
		repTable.Rows = append(repTable.Rows, append([]gonghai.ReportCell{gonghai.TextCell(orName(userNames, u, "已删除用户"))}, group("u."+u)...))
	}

	// By period: the trend.
	periods := gonghai.ReportTable{Name: "by_period", Title: "按时间", Columns: []gonghai.ReportColumn{text("period", "时间"),
		titled(count("recycled"), "被回收"), titled(count("released"), "主动释放")}}
	for _, b := range r.Period.Buckets() {
		periods.Rows = append(periods.Rows, []gonghai.ReportCell{gonghai.TextCell(b), counts.cell("rc.b." + b), counts.cell("rl.b." + b)})
	}

	// The list: recycled, then won by someone else.
	list := gonghai.ReportTable{Name: "won_by_others", Title: "回收后被他人成交的客户", Columns: []gonghai.ReportColumn{
		text("customer", "客户"), text("lost_by", "原负责人"), text("recycled_on", "回收日期"), text("rule", "回收规则"),
		text("won_by", "成交人"), text("won_on", "成交日期"), {Key: "days", Title: "回收到成交天数", Kind: gonghai.ColDays}}}
	for _, e := range ended {
		if e.winner == "" {
			continue
		}
		lost, w := fromMicros(e.ended), fromMicros(e.wonAt)
		list.Rows = append(list.Rows, []gonghai.ReportCell{gonghai.TextCell(orName(companies, e.customer, "（无公司名）")),
			gonghai.TextCell(orName(userNames, e.owner, "已删除用户")), gonghai.TextCell(r.Period.Day(lost)),
			gonghai.TextCell(normalReason(e.kind, e.reason)), gonghai.TextCell(orName(userNames, e.winner, "已删除用户")),
			gonghai.TextCell(r.Period.Day(w)), gonghai.NumberCell(w.Sub(lost).Hours()/24, gonghai.ColDays, "c."+e.customer)})
	}

	return gonghai.Report{
		Tables: []gonghai.ReportTable{rules, releases, depTable, repTable, periods, list},
		Charts: []gonghai.ReportChart{
			{Kind: gonghai.ChartBar, Title: "按规则回收的客户", Table: "by_rule", Label: "rule", Series: []string{"recycled", "won_by_others"}},
			{Kind: gonghai.ChartBar, Title: "按原因释放的客户", Table: "by_reason", Label: "reason", Series: []string{"released"}},
			{Kind: gonghai.ChartLine, Title: "回收与释放趋势", Table: "by_period", Label: "period", Series: []string{"recycled", "released"}},
		},
		Notes: []string{
			"计数为客户数：同一客户在期间内多次被回收或释放只计一次；合计行按客户去重，不一定等于各行之和。",
			"部门与销售为失去客户时的负责人及其当时的部门。",
			"回收后被他人成交：期间内被回收的客户，此后由另一位销售持有期间产生了首笔订单（截至现在）。",
		},
	}, nil
}

// labelTitle is the title of a by-reason table's label column.
func labelTitle(label string) string {
	if label == "rule" {
		return "回收规则"
	}
	return "释放原因"
}

// orName is names[id], or none when it has no name.
func orName(names map[string]string, id, none string) string {
	if n := names[id]; n != "" {
		return n
	}
	return none
}

// sortedByName orders ids by their names (none for those without), then id.
func sortedByName(ids []string, names map[string]string, none string) []string {
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(orName(names, a, none), orName(names, b, none)), cmp.Compare(a, b))
	})
	return ids
}

// namesByID maps ids of table (users, departments) to their names.
func namesByID(ctx context.Context, c conn, table string, ids []string) (map[string]string, error) {
	return pairsByID(ctx, c, `SELECT id, name FROM `+table+` WHERE id IN `, ids)
}

// companiesByID maps customer ids to their company names.
func companiesByID(ctx context.Context, c conn, ids []string) (map[string]string, error) {
	return pairsByID(ctx, c, `SELECT id, company FROM customers WHERE id IN `, ids)
}

// pairsByID runs query (ending "IN ") for ids, 500 at a time, into a map
// of its two text columns.
func pairsByID(ctx context.Context, c conn, query string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	ids = distinct(ids)
	for lo := 0; lo < len(ids); lo += 500 {
		batch := ids[lo:min(lo+500, len(ids))]
		rows, err := collect(ctx, c, query+`(`+placeholders(len(batch))+`)`, anys(batch), func(s scanner) ([2]string, error) {
			var r [2]string
			return r, s.Scan(&r[0], &r[1])
		})
		if err != nil {
			return nil, fmt.Errorf("names: %w", err)
		}
		for _, r := range rows {
			out[r[0]] = r[1]
		}
	}
	return out, nil
}
