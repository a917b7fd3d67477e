package store

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

func init() {
	registerReport("holding-time", reportDef{run: runHolding, drill: drillHolding})
}

// holdingBounds are the histogram's buckets of days held: 0–1, 1–3, 3–7,
// 7–14, 14–30, 30–60, 60+.
var holdingBounds = []float64{0, 1, 3, 7, 14, 30, 60}

// holdingSeries are the outcomes a tenure is measured to, with their
// titles.
var holdingSeries = []struct{ key, title string }{{"won", "成交"}, {"released", "释放"}, {"recycled", "回收"}}

// staleRows is how many customers the table of the longest held without
// a follow-up lists.
const staleRows = 20

// microsPerDay and microsPerHour turn stored spans into days and hours.
const (
	microsPerDay  = float64(24 * time.Hour / time.Microsecond)
	microsPerHour = float64(time.Hour / time.Microsecond)
)

// holdingFacts are the tenures of r measured in days from their start:
// to the first order (won_at in the period) and to their release or
// recycle (ended in the period). A tenure won and then released in the
// period is in both.
func holdingFacts(ctx context.Context, c conn, r *reportReq) ([]tenureFact, error) {
	q, args, err := holdingSQL(ctx, c, r)
	if err != nil {
		return nil, err
	}
	spans, err := collect(ctx, c, q, args, scanTenureSpan)
	if err != nil {
		return nil, fmt.Errorf("tenures held: %w", err)
	}
	facts := make([]tenureFact, 0, len(spans))
	for _, s := range spans {
		days := float64(s.end.Int64-s.start) / microsPerDay
		b := bucket(days, holdingBounds, false)
		facts = append(facts, s.fact(s.kind, days, s.kind, bucketClass(s.kind, b), bucketClass("total", b)))
	}
	return facts, nil
}

// holdingSQL reads the tenures won in the period on tenures_won (won_at),
// and those released or recycled in it on tenures_ended (dept_path,
// ended_at), tenures_owner (owner_id, started_at) or tenures_ended_at
// (ended_at): each a range of the period.
func holdingSQL(ctx context.Context, c conn, r *reportReq) (string, []any, error) {
	scope, args, err := tenureScope(ctx, c, r)
	if err != nil {
		return "", nil, err
	}
	from, to := r.Micros()
	// A tenure starts before it is won or ends: a rep's tenures are
	// bounded by the period's end on (owner_id, started_at) too.
	ownerBound := ``
	var bound []any
	if r.Scope.UserID != "" {
		ownerBound, bound = ` AND t.started_at < ?`, []any{to}
	}
	branch := append(append([]any{from, to}, bound...), args...)
	return `SELECT t.customer_id, t.owner_id, t.dept_path, 'won', t.started_at, t.won_at FROM tenures t
		WHERE t.won_at IS NOT NULL AND t.won_at >= ? AND t.won_at < ?` + ownerBound + ` AND ` + scope + `
		UNION ALL
		SELECT t.customer_id, t.owner_id, t.dept_path, t.end_kind, t.started_at, t.ended_at FROM tenures t
		WHERE t.ended_at IS NOT NULL AND t.ended_at >= ? AND t.ended_at < ? AND t.end_kind IN ('released', 'recycled')` +
		ownerBound + ` AND ` + scope, append(append([]any{}, branch...), branch...), nil
}

func runHolding(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	facts, err := holdingFacts(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	t, err := tallyFacts(ctx, c, facts)
	if err != nil {
		return gonghai.Report{}, err
	}
	var cols []tallyColumn
	hist := []gonghai.ReportColumn{}
	for _, s := range holdingSeries {
		cols = append(cols, countColumn(s.key, s.title+"数"),
			percentileColumn(s.key+"_p50", s.title+"前天数 P50", s.key, 50, gonghai.ColDays),
			percentileColumn(s.key+"_p90", s.title+"前天数 P90", s.key, 90, gonghai.ColDays))
		hist = append(hist, gonghai.ReportColumn{Key: s.key, Title: s.title, Kind: gonghai.ColCount})
	}
	hist = append(hist, gonghai.ReportColumn{Key: "total", Title: "合计", Kind: gonghai.ColCount})
	stale, err := staleTable(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	tables := append(t.groupTables(cols), t.histogramTable("私海停留天数分布", "天", holdingBounds, hist...), stale)
	return gonghai.Report{
		Tables: tables,
		Charts: []gonghai.ReportChart{
			{Kind: gonghai.ChartHistogram, Title: "私海停留天数分布", Table: "histogram", Label: "bucket", Series: []string{"won", "released", "recycled"}},
			{Kind: gonghai.ChartBar, Title: "成交前停留天数 P50 / P90（按销售）", Table: "by_rep", Label: "rep", Series: []string{"won_p50", "won_p90"}},
			{Kind: gonghai.ChartBar, Title: "释放、回收前停留天数 P50 / P90（按销售）", Table: "by_rep", Label: "rep",
				Series: []string{"released_p50", "released_p90", "recycled_p50", "recycled_p90"}},
		},
		Notes: []string{
			"停留天数：从客户归到该销售名下（领取、分配、转交、新建等）起，到第一笔订单日（成交）或释放、被规则回收为止；成交以订单日在期间内计，释放与回收以发生时间在期间内计。",
			"P50 / P90 为最近秩百分位：至少一半 / 九成的客户在该天数或更短时间内。",
			"部门按客户归属该销售时该销售所在的部门计。",
			fmt.Sprintf("最久未跟进：现在仍在私海的客户，按距该销售在本次持有期内最后一次跟进（没有则为归属时）的天数排序，列出前 %d 个；与所选期间无关。", staleRows),
		},
	}, nil
}

func drillHolding(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	series := []string{"total"}
	for _, s := range holdingSeries {
		series = append(series, s.key)
	}
	class, group, err := parseTenureDrill(key, classSet(append([]string{"stale"}, series[1:]...), series, len(holdingBounds)))
	if err != nil {
		return nil, err
	}
	if class == "stale" {
		rows, err := staleFacts(ctx, c, r)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, s := range rows {
			if group == "" || group == "c="+s.customer {
				out = append(out, s.customer)
			}
		}
		return out, nil
	}
	facts, err := holdingFacts(ctx, c, r)
	if err != nil {
		return nil, err
	}
	return drillFacts(facts, class, group), nil
}

// staleTenure is an open tenure and since when it is without a
// follow-up: its owner's last one in it, or its start.
type staleTenure struct {
	customer, owner, pool string
	started, since        int64
	followups             int
}

// staleFacts are the open tenures of r longest without a follow-up by
// their owner: by the later of their start and the owner's last
// follow-up recorded in them (a follow-up belongs to the tenure it was
// recorded in, as tenures.followups counts it), oldest first, staleRows
// of them.
func staleFacts(ctx context.Context, c conn, r *reportReq) ([]staleTenure, error) {
	q, args, err := staleSQL(ctx, c, r)
	if err != nil {
		return nil, err
	}
	return collect(ctx, c, q, args, func(s scanner) (staleTenure, error) {
		var t staleTenure
		return t, s.Scan(&t.customer, &t.owner, &t.pool, &t.started, &t.followups, &t.since)
	})
}

// staleSQL reads the open tenures only: a department's on
// tenures_open_path (dept_path), a rep's on tenures_owner (owner_id,
// started_at), everyone's on a partial index of open tenures; the last
// follow-up of each on followups (customer_id, at): a customer has few
// follow-ups and a rep many, so the owner is tested inside the MAX, where
// it offers no seek on followups (user_id, at).
func staleSQL(ctx context.Context, c conn, r *reportReq) (string, []any, error) {
	scope, args, err := tenureScope(ctx, c, r)
	if err != nil {
		return "", nil, err
	}
	return `SELECT customer_id, owner_id, pool_id, started_at, followups,
			CASE WHEN last_at > started_at THEN last_at ELSE started_at END AS since FROM (
			SELECT t.customer_id, t.owner_id, t.pool_id, t.started_at, t.followups,
				(SELECT MAX(CASE WHEN f.user_id = t.owner_id THEN f.at END) FROM followups f
					WHERE f.customer_id = t.customer_id AND f.created_at >= t.started_at) AS last_at
			FROM tenures t WHERE t.ended_at IS NULL AND ` + scope + `) s
		ORDER BY since, customer_id LIMIT ` + fmt.Sprint(staleRows), args, nil
}

// staleTable lists staleFacts with their customer's company, rep, pool,
// days since the last follow-up (or the start) and days held.
func staleTable(ctx context.Context, c conn, r *reportReq) (gonghai.ReportTable, error) {
	rows, err := staleFacts(ctx, c, r)
	if err != nil {
		return gonghai.ReportTable{}, err
	}
	var customers, owners, pools []string
	for _, s := range rows {
		customers, owners, pools = append(customers, s.customer), append(owners, s.owner), append(pools, s.pool)
	}
	company, err := pairsByID(ctx, c, `SELECT id, company FROM customers WHERE id IN `, customers)
	if err != nil {
		return gonghai.ReportTable{}, fmt.Errorf("stale customers: %w", err)
	}
	users, err := namesOf(ctx, c, `users`, distinct(owners))
	if err != nil {
		return gonghai.ReportTable{}, err
	}
	poolNames, err := namesOf(ctx, c, `pools`, distinct(pools))
	if err != nil {
		return gonghai.ReportTable{}, err
	}
	out := gonghai.ReportTable{Name: "longest_without_follow_up", Title: "在私海最久未跟进的客户", Columns: []gonghai.ReportColumn{
		{Key: "customer", Title: "客户", Kind: gonghai.ColText},
		{Key: "rep", Title: "销售", Kind: gonghai.ColText},
		{Key: "pool", Title: "公海", Kind: gonghai.ColText},
		{Key: "days_without_follow_up", Title: "未跟进天数", Kind: gonghai.ColDays},
		{Key: "days_held", Title: "已持有天数", Kind: gonghai.ColDays},
		{Key: "follow_ups", Title: "持有期内跟进次数", Kind: gonghai.ColCount},
	}, Rows: [][]gonghai.ReportCell{}}
	now := micros(r.Now)
	for _, s := range rows {
		name := cmp.Or(company[s.customer], s.customer)
		out.Rows = append(out.Rows, []gonghai.ReportCell{
			{Text: name, Drill: tenureDrill("stale", "c="+s.customer)},
			gonghai.TextCell(cmp.Or(users[s.owner], s.owner)),
			gonghai.TextCell(cmp.Or(poolNames[s.pool], s.pool)),
			gonghai.NumberCell(float64(now-s.since)/microsPerDay, gonghai.ColDays, ""),
			gonghai.NumberCell(float64(now-s.started)/microsPerDay, gonghai.ColDays, ""),
			gonghai.NumberCell(float64(s.followups), gonghai.ColCount, ""),
		})
	}
	return out, nil
}
