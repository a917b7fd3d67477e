package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

func init() { registerReport("pool-flow", reportDef{run: runPoolFlow, drill: drillPoolFlow}) }

// flowCol is one column of the pool flow: a group of moves into or out
// of a pool's unowned stock, named by its drill kind.
type flowCol struct {
	kind, title string
}

// The entered and left columns, in the order the table shows them. A
// move of a kind no column names counts as other (moved in by a pool
// edit, a merge, an invalidation, a restore …).
var (
	flowIn = []flowCol{{"created", "新建"}, {"imported", "导入"}, {"released", "释放"}, {"recycled", "回收"},
		{"in_other", "其他流入"}}
	flowOut = []flowCol{{"claimed", "领取"}, {"assigned", "分配"}, {"out_other", "其他流出"}}
)

// flowColumn is the column a flow_days row of kind and dir counts in.
func flowColumn(kind string, dir int) string {
	cols, other := flowIn, "in_other"
	if dir < 0 {
		cols, other = flowOut, "out_other"
	}
	for _, c := range cols {
		if c.kind == kind {
			return kind
		}
	}
	return other
}

// flowPool is a pool the report counts.
type flowPool struct{ id, name string }

// flowPools are the pools viewer may see (not the archive, which no pool
// list shows), or the one the query names, by name.
func flowPools(ctx context.Context, c conn, r *reportReq) ([]flowPool, error) {
	all, err := collect(ctx, c, `SELECT id, name FROM pools WHERE NOT archive ORDER BY name, id`, nil,
		func(s scanner) (flowPool, error) {
			var p flowPool
			return p, s.Scan(&p.id, &p.name)
		})
	if err != nil {
		return nil, fmt.Errorf("pools: %w", err)
	}
	var out []flowPool
	for _, p := range all {
		if r.Q.PoolID != "" && p.id != r.Q.PoolID {
			continue
		}
		if r.Viewer.Role != gonghai.RoleAdmin {
			pool, err := getPoolRules(ctx, c, p.id)
			if err != nil {
				return nil, err
			}
			if !seesPool(ctx, c, r.Viewer, pool) {
				continue
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// flowDays lists the period's days, in order.
func flowDays(p gonghai.ReportPeriod) []string {
	var out []string
	from, _ := time.Parse(time.DateOnly, p.From)
	to, _ := time.Parse(time.DateOnly, p.To)
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// flowFacts are what the pool flow report counts, per pool.
type flowFacts struct {
	moves   map[[3]string]int    // (day, pool, column) → moves, in scope
	stock   map[string][]float64 // pool → unowned customers at each period day's end
	changed map[string]int       // pool → customers that changed hands in the period, in scope
	total   int                  // customers that changed hands in any of the pools
}

func readFlow(ctx context.Context, c conn, r *reportReq, pools []flowPool) (flowFacts, error) {
	f := flowFacts{moves: map[[3]string]int{}, stock: map[string][]float64{}, changed: map[string]int{}}
	if len(pools) == 0 {
		return f, nil
	}
	ids := make([]any, len(pools))
	for i, p := range pools {
		ids[i] = p.id
	}
	in := `pool_id IN (` + placeholders(len(ids)) + `)`
	scope, scopeArgs := r.ScopeSQL("dept_path", "user_id")
	cond, args := in+` AND day >= ? AND day <= ? AND `+scope, append(append(append([]any{}, ids...), r.Period.From, r.Period.To), scopeArgs...)
	if r.Q.ChannelID != "" {
		cond, args = cond+` AND channel_id = ?`, append(args, r.Q.ChannelID)
	}
	type move struct {
		day, pool, kind string
		dir, n          int
	}
	moves, err := collect(ctx, c, `SELECT day, pool_id, kind, dir, SUM(n) FROM flow_days WHERE `+cond+`
		GROUP BY day, pool_id, kind, dir`, args, func(s scanner) (move, error) {
		var m move
		return m, s.Scan(&m.day, &m.pool, &m.kind, &m.dir, &m.n)
	})
	if err != nil {
		return f, fmt.Errorf("pool flow: %w", err)
	}
	for _, m := range moves {
		f.moves[[3]string{m.day, m.pool, flowColumn(m.kind, m.dir)}] += m.n
	}

	// Stock is the pool's whole stock, whoever the report counts: now,
	// less every day's net flow after the day asked about.
	days := flowDays(r.Period)
	nets, err := collect(ctx, c, `SELECT pool_id, day, net FROM pool_days WHERE `+in+` AND day >= ?`,
		append(append([]any{}, ids...), r.Period.From), func(s scanner) (move, error) {
			var m move
			return m, s.Scan(&m.pool, &m.day, &m.n)
		})
	if err != nil {
		return f, fmt.Errorf("pool stock: %w", err)
	}
	net := map[[2]string]int{}
	after := map[string]int{} // pool → net flow from the period's first day on
	for _, m := range nets {
		net[[2]string{m.pool, m.day}] += m.n
		after[m.pool] += m.n
	}
	for _, p := range pools {
		var now int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE pool_id = ? AND owner_id IS NULL`, p.id).Scan(&now); err != nil {
			return f, fmt.Errorf("pool stock: %w", err)
		}
		stock := make([]float64, len(days))
		rest := after[p.id]
		for i, d := range days {
			rest -= net[[2]string{p.id, d}]
			stock[i] = float64(now - rest)
		}
		f.stock[p.id] = stock
	}

	start, end := r.Micros()
	changed, cargs := changedHands(r, ids, start, end)
	rows, err := collect(ctx, c, `SELECT pool_id, COUNT(*) FROM (`+changed+`) t GROUP BY pool_id`, cargs,
		func(s scanner) (move, error) {
			var m move
			return m, s.Scan(&m.pool, &m.n)
		})
	if err != nil {
		return f, fmt.Errorf("changed hands: %w", err)
	}
	for _, m := range rows {
		f.changed[m.pool] = m.n
	}
	if err := c.queryRow(ctx, `SELECT COUNT(DISTINCT customer_id) FROM (`+changed+`) t`, cargs...).Scan(&f.total); err != nil {
		return f, fmt.Errorf("changed hands: %w", err)
	}
	return f, nil
}

// changedHands is a query of the (pool, customer) pairs whose tenure
// started or ended in [start, end), in scope, in pools ids: each half
// reads a tenures index by time.
func changedHands(r *reportReq, ids []any, start, end int64) (string, []any) {
	scope, scopeArgs := r.ScopeSQL("dept_path", "owner_id")
	var args []any
	half := func(col string) string {
		args = append(append(append(args, start, end), ids...), scopeArgs...)
		q := `SELECT pool_id, customer_id FROM tenures WHERE ` + col + ` >= ? AND ` + col + ` < ? AND pool_id IN (` +
			placeholders(len(ids)) + `) AND ` + scope
		if r.Q.ChannelID != "" {
			q, args = q+` AND channel_id = ?`, append(args, r.Q.ChannelID)
		}
		return q
	}
	q := half("started_at") + ` UNION ` + half("ended_at")
	return q, args
}

// flowDrill is a drill key of the pool flow: the bucket ("all": the
// period), the pool ("all": every pool counted) and the column.
func flowDrill(bucket, pool, kind string) string {
	return "b=" + bucket + ".p=" + pool + ".k=" + kind
}

func runPoolFlow(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	pools, err := flowPools(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	f, err := readFlow(ctx, c, r, pools)
	if err != nil {
		return gonghai.Report{}, err
	}
	days := flowDays(r.Period)
	buckets := r.Period.Buckets()
	count := func(v int, key string) gonghai.ReportCell {
		return gonghai.NumberCell(float64(v), gonghai.ColCount, key)
	}
	flow := gonghai.ReportTable{Name: "flow", Title: "按公海与时段的流入流出", Columns: flowColumns(true)}
	trend := gonghai.ReportTable{Name: "trend", Title: "全部公海合计", Columns: flowColumns(false)}
	table := gonghai.ReportTable{Name: "pools", Title: "各公海周转", Columns: []gonghai.ReportColumn{
		{Key: "pool", Title: "公海", Kind: gonghai.ColText},
		{Key: "entered", Title: "流入", Kind: gonghai.ColCount},
		{Key: "left", Title: "流出", Kind: gonghai.ColCount},
		{Key: "changed_hands", Title: "易手客户", Kind: gonghai.ColCount},
		{Key: "avg_stock", Title: "平均存量", Kind: gonghai.ColRatio},
		{Key: "turnover", Title: "周转率", Kind: gonghai.ColRatio},
	}}
	// row is one row of flow or trend: the moves of the pools in ps over
	// the bucket's days, and the stock at the last of them.
	row := func(bucket string, label []gonghai.ReportCell, pool string, ps []flowPool) (row []gonghai.ReportCell, in, out int) {
		sums := map[string]int{}
		stock, last := 0.0, -1
		for i, d := range days {
			if r.Period.Bucket(d) != bucket {
				continue
			}
			last = i
			for _, p := range ps {
				for _, col := range append(append([]flowCol{}, flowIn...), flowOut...) {
					sums[col.kind] += f.moves[[3]string{d, p.id, col.kind}]
				}
			}
		}
		for _, p := range ps {
			if last >= 0 {
				stock += f.stock[p.id][last]
			}
		}
		row = label
		for _, group := range []struct {
			cols  []flowCol
			total string
			n     *int
		}{{flowIn, "in", &in}, {flowOut, "out", &out}} {
			for _, col := range group.cols {
				row = append(row, count(sums[col.kind], flowDrill(bucket, pool, col.kind)))
				*group.n += sums[col.kind]
			}
			row = append(row, count(*group.n, flowDrill(bucket, pool, group.total)))
		}
		return append(row, gonghai.NumberCell(stock, gonghai.ColCount, "")), in, out
	}
	for _, b := range buckets {
		for _, p := range pools {
			cells, _, _ := row(b, []gonghai.ReportCell{gonghai.TextCell(b), gonghai.TextCell(p.name)}, p.id, []flowPool{p})
			flow.Rows = append(flow.Rows, cells)
		}
		cells, _, _ := row(b, []gonghai.ReportCell{gonghai.TextCell(b)}, "all", pools)
		trend.Rows = append(trend.Rows, cells)
	}
	var allAvg float64
	var allIn, allOut int
	for _, p := range pools {
		in, out := 0, 0
		for _, d := range days {
			for _, col := range flowIn {
				in += f.moves[[3]string{d, p.id, col.kind}]
			}
			for _, col := range flowOut {
				out += f.moves[[3]string{d, p.id, col.kind}]
			}
		}
		avg := flowMean(f.stock[p.id])
		allAvg, allIn, allOut = allAvg+avg, allIn+in, allOut+out
		table.Rows = append(table.Rows, poolsRow(p.name, p.id, in, out, f.changed[p.id], avg))
	}
	if len(pools) > 1 {
		table.Rows = append(table.Rows, poolsRow("全部", "all", allIn, allOut, f.total, allAvg))
	}
	notes := []string{
		"流入与流出按次数计：同一客户一天内多次进出同一公海，每次都计。",
		"存量为日末公海内无主客户数；周转率 = 期间易手客户数（领取、分配、释放、回收等开始或结束一段归属的不同客户）÷ 期间平均日末存量。",
		"新建与导入在归属记录中同为“创建”，其客户明细一并列出。",
	}
	if !r.Scope.All || r.Q.ChannelID != "" {
		notes = append(notes, "存量与平均存量是整个公海的存量，不按所选部门、人员或渠道筛选；流入、流出与易手只计所选范围。")
	}
	return gonghai.Report{
		Tables: []gonghai.ReportTable{trend, flow, table},
		Charts: []gonghai.ReportChart{
			{Kind: gonghai.ChartLine, Title: "日末存量", Table: "trend", Label: "bucket", Series: []string{"stock"}},
			{Kind: gonghai.ChartBar, Title: "流入与流出", Table: "trend", Label: "bucket", Series: []string{"entered", "left"}},
		},
		Notes: notes,
	}, nil
}

// flowColumns are the columns of the flow table (withPool) or the trend.
func flowColumns(withPool bool) []gonghai.ReportColumn {
	cols := []gonghai.ReportColumn{{Key: "bucket", Title: "时段", Kind: gonghai.ColText}}
	if withPool {
		cols = append(cols, gonghai.ReportColumn{Key: "pool", Title: "公海", Kind: gonghai.ColText})
	}
	for _, c := range flowIn {
		cols = append(cols, gonghai.ReportColumn{Key: "entered_" + trimOther(c.kind), Title: "流入·" + c.title, Kind: gonghai.ColCount})
	}
	cols = append(cols, gonghai.ReportColumn{Key: "entered", Title: "流入合计", Kind: gonghai.ColCount})
	for _, c := range flowOut {
		cols = append(cols, gonghai.ReportColumn{Key: "left_" + trimOther(c.kind), Title: "流出·" + c.title, Kind: gonghai.ColCount})
	}
	return append(cols, gonghai.ReportColumn{Key: "left", Title: "流出合计", Kind: gonghai.ColCount},
		gonghai.ReportColumn{Key: "stock", Title: "日末存量", Kind: gonghai.ColCount})
}

// trimOther names the other columns entered_other and left_other.
func trimOther(kind string) string {
	if kind == "in_other" || kind == "out_other" {
		return "other"
	}
	return kind
}

// poolsRow is one row of the pools table.
func poolsRow(name, pool string, in, out, changed int, avg float64) []gonghai.ReportCell {
	turnover := gonghai.EmptyCell()
	if avg > 0 {
		turnover = gonghai.NumberCell(float64(changed)/avg, gonghai.ColRatio, "")
	}
	return []gonghai.ReportCell{gonghai.TextCell(name),
		gonghai.NumberCell(float64(in), gonghai.ColCount, flowDrill("all", pool, "in")),
		gonghai.NumberCell(float64(out), gonghai.ColCount, flowDrill("all", pool, "out")),
		gonghai.NumberCell(float64(changed), gonghai.ColCount, flowDrill("all", pool, "changed")),
		gonghai.NumberCell(avg, gonghai.ColRatio, ""), turnover}
}

// flowMean is the mean of xs, 0 for none.
func flowMean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
