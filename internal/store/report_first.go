package store

import (
	"context"
	"fmt"

	"github.com/gonghai/gonghai"
)

func init() {
	registerReport("first-follow-up", reportDef{run: runFirst, drill: drillFirst})
}

// firstBounds are the histogram's buckets of hours to the first
// follow-up, each holding its upper bound (so that "within an hour"
// is the first): 0–1, 1–4, 4–24, 24–72, 72–168, 168+.
var firstBounds = []float64{0, 1, 4, 24, 72, 168}

// firstClasses are the counts of the first-follow-up report.
var firstClasses = []string{"started", "followed", "within_1h", "within_24h", "later", "never", "recycled", "recycled_never"}

// firstFacts are the tenures of r that started in the period by a claim
// or an assignment (the series hours: to the owner's first follow-up in
// the tenure, for those followed up), and those ended in the period by
// a recycle, without or with a follow-up of their owner. Tenures
// started are read on (dept_path, started_at), (owner_id, started_at) or
// (started_at); recycled ones on (dept_path, ended_at) or (ended_at).
func firstFacts(ctx context.Context, c conn, r *reportReq) ([]tenureFact, error) {
	q, args, err := firstSQL(ctx, c, r)
	if err != nil {
		return nil, err
	}
	spans, err := collect(ctx, c, q, args, scanTenureSpan)
	if err != nil {
		return nil, fmt.Errorf("first follow-ups: %w", err)
	}
	facts := make([]tenureFact, 0, len(spans))
	for _, s := range spans {
		switch {
		case s.kind == "recycled" && s.end.Valid:
			facts = append(facts, s.fact("", 0, "recycled"))
		case s.kind == "recycled":
			facts = append(facts, s.fact("", 0, "recycled", "recycled_never"))
		case !s.end.Valid:
			facts = append(facts, s.fact("", 0, "started", "never"))
		default:
			// A follow-up dated before the claim it was logged after
			// counts as at once.
			hours := max(0, float64(s.end.Int64-s.start)/microsPerHour)
			speed := "later"
			switch {
			case hours <= 1:
				speed = "within_1h"
			case hours <= 24:
				speed = "within_24h"
			}
			facts = append(facts, s.fact("hours", hours, "started", "followed", speed, bucketClass("hours", bucket(hours, firstBounds, true))))
		}
	}
	return facts, nil
}

func firstSQL(ctx context.Context, c conn, r *reportReq) (string, []any, error) {
	scope, args, err := tenureScope(ctx, c, r)
	if err != nil {
		return "", nil, err
	}
	from, to := r.Micros()
	// A recycled tenure started before it ended: a rep's are bounded by
	// the period's end on (owner_id, started_at) too.
	ownerBound := ``
	recycled := []any{from, to}
	if r.Scope.UserID != "" {
		ownerBound, recycled = ` AND t.started_at < ?`, append(recycled, to)
	}
	return `SELECT t.customer_id, t.owner_id, t.dept_path, 'started', t.started_at, t.first_followup_at
		FROM tenures t WHERE t.started_at >= ? AND t.started_at < ? AND t.start_kind IN ('claimed', 'assigned') AND ` + scope + `
		UNION ALL
		SELECT t.customer_id, t.owner_id, t.dept_path, 'recycled', t.started_at, t.first_followup_at FROM tenures t
		WHERE t.ended_at IS NOT NULL AND t.ended_at >= ? AND t.ended_at < ? AND t.end_kind = 'recycled'` + ownerBound + ` AND ` + scope,
		append(append(append([]any{from, to}, args...), recycled...), args...), nil
}

func runFirst(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	facts, err := firstFacts(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	t, err := tallyFacts(ctx, c, facts)
	if err != nil {
		return gonghai.Report{}, err
	}
	cols := []tallyColumn{
		countColumn("started", "领取/分配数"),
		countColumn("followed", "已跟进数"),
		percentileColumn("hours_p50", "首次跟进小时 P50", "hours", 50, gonghai.ColHours),
		percentileColumn("hours_p90", "首次跟进小时 P90", "hours", 90, gonghai.ColHours),
		countColumn("within_1h", "1 小时内"),
		countColumn("within_24h", "1–24 小时"),
		countColumn("later", "超过 24 小时"),
		countColumn("never", "从未跟进"),
		shareColumn("never_share", "从未跟进占比", "never", "started"),
		countColumn("recycled", "被回收数"),
		countColumn("recycled_never", "回收前从未跟进"),
		shareColumn("recycled_never_share", "回收前从未跟进占比", "recycled_never", "recycled"),
	}
	tables := append(t.groupTables(cols),
		t.histogramTable("首次跟进用时分布", "小时", firstBounds, gonghai.ReportColumn{Key: "hours", Title: "客户数", Kind: gonghai.ColCount}))
	return gonghai.Report{
		Tables: tables,
		Charts: []gonghai.ReportChart{
			{Kind: gonghai.ChartHistogram, Title: "首次跟进用时分布", Table: "histogram", Label: "bucket", Series: []string{"hours"}},
			{Kind: gonghai.ChartBar, Title: "首次跟进小时 P50 / P90（按销售）", Table: "by_rep", Label: "rep", Series: []string{"hours_p50", "hours_p90"}},
			{Kind: gonghai.ChartBar, Title: "首次跟进快慢（按销售）", Table: "by_rep", Label: "rep",
				Series: []string{"within_1h", "within_24h", "later", "never"}},
		},
		Notes: []string{
			"只计期间内通过领取或分配归到销售名下的客户；用时为从归属时起到该销售在本次持有期内第一次跟进的小时数。",
			"1 小时内含正好 1 小时，1–24 小时含正好 24 小时；从未跟进指到现在（或客户离开该销售时）为止没有跟进，P50 / P90 只计已跟进的客户。",
			"回收前从未跟进占比：期间内被规则回收的客户中，被回收那次持有期内该销售从未跟进过的比例（不论客户当初如何归属）。",
			"部门按客户归属该销售时该销售所在的部门计。",
		},
	}, nil
}

func drillFirst(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	class, group, err := parseTenureDrill(key, classSet(firstClasses, []string{"hours"}, len(firstBounds)))
	if err != nil {
		return nil, err
	}
	facts, err := firstFacts(ctx, c, r)
	if err != nil {
		return nil, err
	}
	return drillFacts(facts, class, group), nil
}
