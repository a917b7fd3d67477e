package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// The effort report (跟进投入): follow-ups per rep per grain of the period
// by kind, and follow-ups per customer held. Follow-ups are read through
// their (user_id, at) index, joined to the user's department for the
// scope; customers held are the tenures that overlap the period.

func init() { registerReport("effort", reportDef{run: runEffort, drill: drillEffort}) }

// effortKindTitles are the columns' titles of the follow-up kinds, as the
// pages name them.
var effortKindTitles = map[string]string{"call": "电话", "visit": "拜访", "wechat": "微信", "email": "邮件",
	"meeting": "会议", "note": "备注"}

// effortAll is the drill key's kind (and the column) of every kind.
const effortAll = "total"

// effortRow is one follow-up as the report counts it.
type effortRow struct {
	user, name, kind string
	at               int64
}

// effortFilter is the condition and arguments that keep the follow-ups a
// report counts: in [start, end), by the scope's users, on customers of
// the pool and channel asked for. The scope reads the user's department
// now (follow-ups keep no department of their own).
func effortFilter(r *reportReq, start, end int64) (string, []any) {
	scope, args := r.ScopeSQL("COALESCE(d.path, '')", "f.user_id")
	where := `f.at >= ? AND f.at < ? AND ` + scope
	args = append([]any{start, end}, args...)
	if r.Q.PoolID != "" {
		where += ` AND c.pool_id = ?`
		args = append(args, r.Q.PoolID)
	}
	if r.Q.ChannelID != "" {
		where += ` AND c.channel_id = ?`
		args = append(args, r.Q.ChannelID)
	}
	return where, args
}

const effortFrom = ` FROM followups f JOIN users u ON u.id = f.user_id
	LEFT JOIN departments d ON d.id = u.department_id JOIN customers c ON c.id = f.customer_id `

// heldFilter keeps the tenures overlapping [start, end) of the scope's
// owners (their department when the tenure opened), of the pool and
// channel asked for, and of one owner when owner is set.
func heldFilter(r *reportReq, start, end int64, owner string) (string, []any) {
	scope, args := r.ScopeSQL("t.dept_path", "t.owner_id")
	where := `t.started_at < ? AND (t.ended_at IS NULL OR t.ended_at > ?) AND ` + scope
	args = append([]any{end, start}, args...)
	for _, x := range []struct{ col, v string }{{"t.pool_id", r.Q.PoolID}, {"t.channel_id", r.Q.ChannelID}, {"t.owner_id", owner}} {
		if x.v != "" {
			where += ` AND ` + x.col + ` = ?`
			args = append(args, x.v)
		}
	}
	return where, args
}

func runEffort(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	start, end := r.Micros()
	where, args := effortFilter(r, start, end)
	rows, err := collect(ctx, c, `SELECT f.user_id, u.name, f.kind, f.at`+effortFrom+`WHERE `+where, args,
		func(s scanner) (effortRow, error) {
			var e effortRow
			return e, s.Scan(&e.user, &e.name, &e.kind, &e.at)
		})
	if err != nil {
		return gonghai.Report{}, fmt.Errorf("effort follow-ups: %w", err)
	}
	hwhere, hargs := heldFilter(r, start, end, "")
	type held struct{ user, name string }
	heldRows, err := collect(ctx, c, `SELECT t.owner_id, u.name, COUNT(DISTINCT t.customer_id) FROM tenures t
		JOIN users u ON u.id = t.owner_id WHERE `+hwhere+` GROUP BY t.owner_id, u.name`, hargs,
		func(s scanner) (struct {
			held
			n int
		}, error) {
			var h struct {
				held
				n int
			}
			return h, s.Scan(&h.user, &h.name, &h.n)
		})
	if err != nil {
		return gonghai.Report{}, fmt.Errorf("effort held: %w", err)
	}

	kinds := gonghai.FollowUpKinds
	type cellKey struct{ user, bucket, kind string }
	counts := map[cellKey]int{}
	names := map[string]string{}
	for _, e := range rows {
		b := r.Period.Bucket(r.Period.Day(fromMicros(e.at)))
		names[e.user] = e.name
		for _, k := range []cellKey{{e.user, b, e.kind}, {e.user, b, effortAll}, {"", b, e.kind}, {"", b, effortAll},
			{e.user, "", e.kind}, {e.user, "", effortAll}, {"", "", e.kind}, {"", "", effortAll}} {
			counts[k]++
		}
	}
	heldBy := map[string]int{}
	for _, h := range heldRows {
		names[h.user] = h.name
		heldBy[h.user] = h.n
	}
	users := make([]string, 0, len(names))
	for id := range names {
		users = append(users, id)
	}
	slices.SortFunc(users, func(a, b string) int {
		if c := strings.Compare(names[a], names[b]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})

	kindCols := func() []gonghai.ReportColumn {
		var cols []gonghai.ReportColumn
		for _, k := range kinds {
			cols = append(cols, gonghai.ReportColumn{Key: k, Title: firstOf(effortKindTitles[k], k), Kind: gonghai.ColCount})
		}
		return append(cols, gonghai.ReportColumn{Key: effortAll, Title: "合计", Kind: gonghai.ColCount})
	}
	kindCells := func(user, bucket string) []gonghai.ReportCell {
		var cells []gonghai.ReportCell
		for _, k := range append(slices.Clone(kinds), effortAll) {
			n := counts[cellKey{user, bucket, k}]
			cells = append(cells, gonghai.NumberCell(float64(n), gonghai.ColCount, drillIf(n, effortKey(k, user, bucket))))
		}
		return cells
	}

	byWeek := gonghai.ReportTable{Name: "by_period", Title: "各时段跟进次数（按方式）",
		Columns: append([]gonghai.ReportColumn{{Key: "bucket", Title: "时段", Kind: gonghai.ColText}}, kindCols()...)}
	for _, b := range r.Period.Buckets() {
		byWeek.Rows = append(byWeek.Rows, append([]gonghai.ReportCell{gonghai.TextCell(b)}, kindCells("", b)...))
	}
	byRepWeek := gonghai.ReportTable{Name: "by_rep_period", Title: "每位销售各时段跟进次数（按方式）",
		Columns: append([]gonghai.ReportColumn{{Key: "rep", Title: "销售", Kind: gonghai.ColText},
			{Key: "bucket", Title: "时段", Kind: gonghai.ColText}}, kindCols()...)}
	perCustomer := gonghai.ReportTable{Name: "per_customer", Title: "每位销售的跟进与在手客户",
		Columns: []gonghai.ReportColumn{{Key: "rep", Title: "销售", Kind: gonghai.ColText},
			{Key: "followups", Title: "跟进次数", Kind: gonghai.ColCount},
			{Key: "customers_held", Title: "在手客户", Kind: gonghai.ColCount},
			{Key: "per_customer", Title: "每客户跟进", Kind: gonghai.ColRatio}}}
	for _, u := range users {
		for _, b := range r.Period.Buckets() {
			if counts[cellKey{u, b, effortAll}] == 0 {
				continue
			}
			byRepWeek.Rows = append(byRepWeek.Rows, append([]gonghai.ReportCell{gonghai.TextCell(names[u]), gonghai.TextCell(b)},
				kindCells(u, b)...))
		}
		n, h := counts[cellKey{u, "", effortAll}], heldBy[u]
		ratio := gonghai.EmptyCell()
		if h > 0 {
			ratio = gonghai.NumberCell(float64(n)/float64(h), gonghai.ColRatio, "")
		}
		perCustomer.Rows = append(perCustomer.Rows, []gonghai.ReportCell{gonghai.TextCell(names[u]),
			gonghai.NumberCell(float64(n), gonghai.ColCount, drillIf(n, effortKey(effortAll, u, ""))),
			gonghai.NumberCell(float64(h), gonghai.ColCount, drillIf(h, "held."+u)), ratio})
	}
	return gonghai.Report{
		Tables: []gonghai.ReportTable{byWeek, perCustomer, byRepWeek},
		Charts: []gonghai.ReportChart{
			{Kind: gonghai.ChartLine, Title: "各时段跟进次数", Table: byWeek.Name, Label: "bucket", Series: append(slices.Clone(kinds), effortAll)},
			{Kind: gonghai.ChartBar, Title: "每位销售的跟进次数与在手客户", Table: perCustomer.Name, Label: "rep", Series: []string{"followups", "customers_held"}},
		},
		Notes: []string{
			"时段按所选粒度划分：周从周一开始；周期首尾不足一个粒度的部分按实际天数计。",
			"跟进按记录人统计，部门范围按记录人当前所在部门；公海与渠道筛选按客户当前所在公海与渠道。",
			"在手客户：周期内任意时刻由该销售持有的客户数（按持有开始时的部门）；每客户跟进 = 跟进次数 ÷ 在手客户。",
		},
	}, nil
}

// drillIf is key when n counts anyone, else no drill.
func drillIf(n int, key string) string {
	if n == 0 {
		return ""
	}
	return key
}

// effortKey is the drill key of the follow-ups of kind (or effortAll) by
// user ("" any) in the grain starting on bucket ("" the whole period):
// fu.<kind>.<user or ->.<bucket or ->.
func effortKey(kind, user, bucket string) string {
	return "fu." + kind + "." + firstOf(user, "-") + "." + firstOf(bucket, "-")
}

func firstOf(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

func drillEffort(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	bad := gonghai.Invalid("drill", "a drill key from the report")
	parts := strings.Split(key, ".")
	start, end := r.Micros()
	scan := func(s scanner) (string, error) {
		var id string
		return id, s.Scan(&id)
	}
	switch {
	case len(parts) == 2 && parts[0] == "held" && parts[1] != "":
		where, args := heldFilter(r, start, end, parts[1])
		return collect(ctx, c, `SELECT DISTINCT t.customer_id FROM tenures t WHERE `+where+` ORDER BY t.customer_id`, args, scan)
	case len(parts) != 4 || parts[0] != "fu" || (parts[1] != effortAll && !slices.Contains(gonghai.FollowUpKinds, parts[1])):
		return nil, bad
	}
	if b := parts[3]; b != "-" {
		if r.Period.Bucket(b) != b {
			return nil, bad
		}
		from, err := time.ParseInLocation(time.DateOnly, b, r.Period.Loc)
		if err != nil {
			return nil, bad
		}
		to := from.AddDate(0, 0, 1)
		switch r.Period.Grain {
		case gonghai.GrainWeek:
			to = from.AddDate(0, 0, 7)
		case gonghai.GrainMonth:
			to = from.AddDate(0, 1, 0)
		}
		start, end = max(start, micros(from)), min(end, micros(to))
	}
	where, args := effortFilter(r, start, end)
	if parts[1] != effortAll {
		where += ` AND f.kind = ?`
		args = append(args, parts[1])
	}
	if parts[2] != "-" {
		where += ` AND f.user_id = ?`
		args = append(args, parts[2])
	}
	return collect(ctx, c, `SELECT DISTINCT f.customer_id`+effortFrom+`WHERE `+where+` ORDER BY f.customer_id`, args, scan)
}
