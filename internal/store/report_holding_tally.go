package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// The tenure reports (holding-time, first-follow-up) read tenures in one
// period and scope into facts, and count the facts by rep, by department
// and in all. A drill reads the same facts and keeps those of one count,
// so that a drill-down lists exactly the customers its number counted.

// tenureFact is one tenure as a tenure report counts it.
type tenureFact struct {
	customer, owner string
	dept            string // the department id of the tenure's path ("" for none)
	// classes are the counts the tenure is in (won, won_b2, never …).
	classes []string
	// series is the measure's series (won, released …), value the
	// measure (days, hours); "" for a tenure without one.
	series string
	value  float64
}

// tenureScope is the condition keeping the tenures (alias t) r counts:
// its scope (ScopeSQL), pool and channel.
func tenureScope(ctx context.Context, c conn, r *reportReq) (string, []any, error) {
	cond, args := r.ScopeSQL(`t.dept_path`, `t.owner_id`)
	conds := []string{cond}
	if r.Q.PoolID != "" {
		conds, args = append(conds, `t.pool_id = ?`), append(args, r.Q.PoolID)
	}
	if r.Q.ChannelID != "" {
		conds, args = append(conds, `t.channel_id = ?`), append(args, r.Q.ChannelID)
	}
	return strings.Join(conds, ` AND `), args, nil
}

// pathDept is the department id at the end of a department path.
func pathDept(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return parts[len(parts)-1]
}

// tenureGroup is one row of a tenure report's tables: a rep ("u=ID"), a
// department ("d=ID", "d=" for none) or everyone ("").
type tenureGroup struct {
	label, key string
}

// tally is facts counted by group and class, and measured by group and
// series.
type tally struct {
	counts map[string]map[string]int
	values map[string]map[string][]float64
	reps   []tenureGroup
	depts  []tenureGroup
}

// tallyFacts counts facts, naming reps and departments from the database.
func tallyFacts(ctx context.Context, c conn, facts []tenureFact) (*tally, error) {
	t := &tally{counts: map[string]map[string]int{}, values: map[string]map[string][]float64{}}
	var owners, depts []string
	for _, f := range facts {
		owners, depts = append(owners, f.owner), append(depts, f.dept)
		for _, g := range f.groups() {
			if t.counts[g] == nil {
				t.counts[g], t.values[g] = map[string]int{}, map[string][]float64{}
			}
			for _, k := range f.classes {
				t.counts[g][k]++
			}
			if f.series != "" {
				t.values[g][f.series] = append(t.values[g][f.series], f.value)
			}
		}
	}
	users, err := namesOf(ctx, c, `users`, distinct(owners))
	if err != nil {
		return nil, err
	}
	names, err := namesOf(ctx, c, `departments`, distinct(depts))
	if err != nil {
		return nil, err
	}
	for _, id := range distinct(owners) {
		t.reps = append(t.reps, tenureGroup{cmp.Or(users[id], id), "u=" + id})
	}
	seen := map[string]bool{}
	for _, id := range depts {
		if !seen[id] {
			seen[id] = true
			t.depts = append(t.depts, tenureGroup{cmp.Or(names[id], id, "无部门"), "d=" + id})
		}
	}
	byLabel := func(a, b tenureGroup) int {
		return cmp.Or(strings.Compare(a.label, b.label), strings.Compare(a.key, b.key))
	}
	slices.SortFunc(t.reps, byLabel)
	slices.SortFunc(t.depts, byLabel)
	return t, nil
}

// groups are the groups a fact counts in.
func (f tenureFact) groups() []string { return []string{"", "u=" + f.owner, "d=" + f.dept} }

// namesOf maps ids of table's rows to their names.
func namesOf(ctx context.Context, c conn, table string, ids []string) (map[string]string, error) {
	return pairsByID(ctx, c, `SELECT id, name FROM `+table+` WHERE id IN `, ids)
}

// tallyColumn is a column of a tally's tables and how a group's cell of
// it reads the tally.
type tallyColumn struct {
	gonghai.ReportColumn
	cell func(t *tally, group string) gonghai.ReportCell
}

// countColumn counts the customers of class key, with their drill key.
func countColumn(key, title string) tallyColumn {
	return tallyColumn{gonghai.ReportColumn{Key: key, Title: title, Kind: gonghai.ColCount}, func(t *tally, g string) gonghai.ReportCell {
		return gonghai.NumberCell(float64(t.counts[g][key]), gonghai.ColCount, tenureDrill(key, g))
	}}
}

// percentileColumn is the p-th percentile of series in kind (days, hours);
// empty when the group has no values of it.
func percentileColumn(key, title, series string, p float64, kind string) tallyColumn {
	return tallyColumn{gonghai.ReportColumn{Key: key, Title: title, Kind: kind}, func(t *tally, g string) gonghai.ReportCell {
		v, ok := gonghai.Percentile(t.values[g][series], p)
		if !ok {
			return gonghai.EmptyCell()
		}
		return gonghai.NumberCell(v, kind, "")
	}}
}

// shareColumn is class part's count as a percentage of class whole's,
// drilling to part's customers; empty when whole is none.
func shareColumn(key, title, part, whole string) tallyColumn {
	return tallyColumn{gonghai.ReportColumn{Key: key, Title: title, Kind: gonghai.ColPercent}, func(t *tally, g string) gonghai.ReportCell {
		if t.counts[g][whole] == 0 {
			return gonghai.EmptyCell()
		}
		return gonghai.NumberCell(100*float64(t.counts[g][part])/float64(t.counts[g][whole]), gonghai.ColPercent, tenureDrill(part, g))
	}}
}

// groupTables are the tally's tables by rep, by department and in all
// (named by_rep, by_department, summary).
func (t *tally) groupTables(cols []tallyColumn) []gonghai.ReportTable {
	table := func(name, title, labelKey, labelTitle string, groups []tenureGroup) gonghai.ReportTable {
		out := gonghai.ReportTable{Name: name, Title: title,
			Columns: []gonghai.ReportColumn{{Key: labelKey, Title: labelTitle, Kind: gonghai.ColText}}, Rows: [][]gonghai.ReportCell{}}
		for _, c := range cols {
			out.Columns = append(out.Columns, c.ReportColumn)
		}
		for _, g := range groups {
			row := []gonghai.ReportCell{gonghai.TextCell(g.label)}
			for _, c := range cols {
				row = append(row, c.cell(t, g.key))
			}
			out.Rows = append(out.Rows, row)
		}
		return out
	}
	return []gonghai.ReportTable{
		table("summary", "合计", "scope", "范围", []tenureGroup{{"全部", ""}}),
		table("by_rep", "按销售", "rep", "销售", t.reps),
		table("by_department", "按部门", "department", "部门", t.depts),
	}
}

// histogramTable counts the classes bucketClass(column, i) of bounds'
// buckets (the last one open-ended), one column per series.
func (t *tally) histogramTable(title, unit string, bounds []float64, cols ...gonghai.ReportColumn) gonghai.ReportTable {
	out := gonghai.ReportTable{Name: "histogram", Title: title,
		Columns: append([]gonghai.ReportColumn{{Key: "bucket", Title: "区间（" + unit + "）", Kind: gonghai.ColText}}, cols...),
		Rows:    [][]gonghai.ReportCell{}}
	for i := range bounds {
		label := fmt.Sprintf("%g+", bounds[i])
		if i+1 < len(bounds) {
			label = fmt.Sprintf("%g–%g", bounds[i], bounds[i+1])
		}
		row := []gonghai.ReportCell{gonghai.TextCell(label)}
		for _, c := range cols {
			row = append(row, gonghai.NumberCell(float64(t.counts[""][bucketClass(c.Key, i)]), gonghai.ColCount, tenureDrill(bucketClass(c.Key, i), "")))
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// bucket is the index of the bucket of bounds that holds v: buckets
// hold their lower bound, or their upper one when upper is set.
func bucket(v float64, bounds []float64, upper bool) int {
	i := 0
	for i+1 < len(bounds) && (v > bounds[i+1] || !upper && v == bounds[i+1]) {
		i++
	}
	return i
}

// bucketClass is the class of series' bucket i.
func bucketClass(series string, i int) string { return fmt.Sprintf("%s_b%d", series, i) }

// classSet accepts the classes plain and the buckets of n of the
// series bucketed.
func classSet(plain, bucketed []string, n int) func(string) bool {
	known := map[string]bool{}
	for _, c := range plain {
		known[c] = true
	}
	for _, s := range bucketed {
		for i := range n {
			known[bucketClass(s, i)] = true
		}
	}
	return func(class string) bool { return known[class] }
}

// tenureDrill is the drill key of class in group: k=CLASS, then .u=ID,
// .d=ID or .c=ID when the count is one rep's, department's or customer's.
func tenureDrill(class, group string) string {
	if group == "" {
		return "k=" + class
	}
	return "k=" + class + "." + group
}

// parseTenureDrill reads a drill key: its class, which valid accepts,
// and its group.
func parseTenureDrill(key string, valid func(string) bool) (class, group string, err error) {
	head, group, _ := strings.Cut(key, ".")
	class, ok := strings.CutPrefix(head, "k=")
	if !ok || !valid(class) {
		return "", "", gonghai.Invalid("drill", "a drill key from the report")
	}
	if g, _, _ := strings.Cut(group, "="); group != "" && g != "u" && g != "d" && g != "c" || strings.Contains(group, ".") {
		return "", "", gonghai.Invalid("drill", "a drill key from the report")
	}
	return class, group, nil
}

// drillFacts is the customers of the facts counted in class of group.
func drillFacts(facts []tenureFact, class, group string) []string {
	var out []string
	for _, f := range facts {
		if slices.Contains(f.classes, class) && (group == "" || slices.Contains(f.groups(), group)) {
			out = append(out, f.customer)
		}
	}
	return out
}

// tenureSpan is a tenure row as a tenure report reads it: whose, which
// department's, a kind (how it started or ended), when it started and the
// instant its measure ends (NULL for none).
type tenureSpan struct {
	customer, owner, dept, kind string
	start                       int64
	end                         sql.NullInt64
}

func scanTenureSpan(s scanner) (tenureSpan, error) {
	var t tenureSpan
	var path string
	err := s.Scan(&t.customer, &t.owner, &path, &t.kind, &t.start, &t.end)
	if path != "" {
		t.dept = pathDept(path)
	}
	return t, err
}

// fact is the span as a fact of classes, measured in series by value.
func (t tenureSpan) fact(series string, value float64, classes ...string) tenureFact {
	return tenureFact{customer: t.customer, owner: t.owner, dept: t.dept, classes: classes, series: series, value: value}
}
