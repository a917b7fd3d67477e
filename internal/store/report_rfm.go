package store

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/gonghai/gonghai"
)

// The RFM report: won customers scored by recency, frequency and monetary
// value of their orders up to the period's end, and put in tiers
// (gonghai.QuintileScores, gonghai.RFMTierOf).

func init() { registerReport("rfm", reportDef{run: runRFM, drill: drillRFM}) }

// ownerScope keeps customers c in a report's scope by their owner now
// (admins count customers in a pool too), their pool and their channel.
// It reads the customers of the owners in scope by owner, not every
// customer.
func ownerScope(r *reportReq) (string, []any) {
	where, args := `1 = 1`, []any(nil)
	if r.Scope.UserID != "" || r.Scope.DeptPath != "" {
		scope, sargs := r.ScopeSQL("d.path", "u.id")
		where, args = `c.owner_id IN (SELECT u.id FROM users u LEFT JOIN departments d ON d.id = u.department_id
			WHERE `+scope+`)`, sargs
	}
	if r.Q.PoolID != "" {
		where, args = where+` AND c.pool_id = ?`, append(args, r.Q.PoolID)
	}
	if r.Q.ChannelID != "" {
		where, args = where+` AND c.channel_id = ?`, append(args, r.Q.ChannelID)
	}
	return where, args
}

// rfmCustomer is one won customer's orders up to the period's end, scored.
type rfmCustomer struct {
	ID      string
	Days    int // since the last order, to the period's last day
	Orders  int
	Fen     int64
	R, F, M int
	Tier    gonghai.RFMTier
}

// rfmCustomers lists and scores the won customers in scope with an order
// up to the period's end.
func rfmCustomers(ctx context.Context, c conn, r *reportReq) ([]rfmCustomer, error) {
	where, args := ownerScope(r)
	_, end := r.Micros()
	cs, err := collect(ctx, c, `SELECT o.customer_id, MAX(o.ordered_at), COUNT(*), SUM(o.amount_fen)
		FROM customers c JOIN orders o ON o.customer_id = c.id
		WHERE o.ordered_at < ? AND c.won AND `+where+`
		GROUP BY o.customer_id ORDER BY o.customer_id`, append([]any{end}, args...), func(s scanner) (rfmCustomer, error) {
		var x rfmCustomer
		var last int64
		err := s.Scan(&x.ID, &last, &x.Orders, &x.Fen)
		// Orders are dated by day (their day's start): an order on the
		// period's last day is 0 days old.
		x.Days = int(math.Round(r.Period.End.Sub(fromMicros(last)).Hours()/24)) - 1
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("rfm customers: %w", err)
	}
	rs, fs, ms := make([]float64, len(cs)), make([]float64, len(cs)), make([]float64, len(cs))
	for i, x := range cs {
		rs[i], fs[i], ms[i] = float64(x.Days), float64(x.Orders), float64(x.Fen)
	}
	rq, fq, mq := gonghai.QuintileScores(rs, true), gonghai.QuintileScores(fs, false), gonghai.QuintileScores(ms, false)
	for i := range cs {
		cs[i].R, cs[i].F, cs[i].M = rq[i], fq[i], mq[i]
		cs[i].Tier = gonghai.RFMTierOf(rq[i], fq[i], mq[i])
	}
	return cs, nil
}

func runRFM(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	cs, err := rfmCustomers(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	type sum struct {
		n    int
		fen  int64
		days int
	}
	tiers := map[string]*sum{}
	grid := [6][6]int{}
	var totalFen int64
	for _, x := range cs {
		s := tiers[x.Tier.Key]
		if s == nil {
			s = &sum{}
			tiers[x.Tier.Key] = s
		}
		s.n, s.fen, s.days = s.n+1, s.fen+x.Fen, s.days+x.Days
		grid[x.R][x.F]++
		totalFen += x.Fen
	}
	tierTable := gonghai.ReportTable{Name: "tiers", Title: "客户分层", Columns: []gonghai.ReportColumn{
		{Key: "tier", Title: "分层", Kind: gonghai.ColText}, {Key: "customers", Title: "客户数", Kind: gonghai.ColCount},
		{Key: "amount", Title: "成交金额（元）", Kind: gonghai.ColYuan}, {Key: "amount_share", Title: "金额占比", Kind: gonghai.ColPercent},
		{Key: "recency", Title: "平均距今天数", Kind: gonghai.ColDays}}}
	for _, tier := range gonghai.RFMTiers {
		s := tiers[tier.Key]
		if s == nil {
			s = &sum{}
		}
		row := []gonghai.ReportCell{gonghai.TextCell(tier.Title), countCell(s.n, "t="+tier.Key),
			gonghai.NumberCell(float64(s.fen)/100, gonghai.ColYuan, ""), gonghai.EmptyCell(), gonghai.EmptyCell()}
		if totalFen > 0 {
			row[3] = gonghai.NumberCell(100*float64(s.fen)/float64(totalFen), gonghai.ColPercent, "")
		}
		if s.n > 0 {
			row[4] = gonghai.NumberCell(float64(s.days)/float64(s.n), gonghai.ColDays, "")
		}
		tierTable.Rows = append(tierTable.Rows, row)
	}
	rf := gonghai.ReportTable{Name: "rf", Title: "最近购买（R）× 购买频次（F）", Columns: []gonghai.ReportColumn{{Key: "r", Title: "R 分", Kind: gonghai.ColText}}}
	for f := 1; f <= 5; f++ {
		rf.Columns = append(rf.Columns, gonghai.ReportColumn{Key: "f" + strconv.Itoa(f), Title: "F=" + strconv.Itoa(f), Kind: gonghai.ColCount})
	}
	for rs := 5; rs >= 1; rs-- {
		row := []gonghai.ReportCell{gonghai.TextCell("R=" + strconv.Itoa(rs))}
		for f := 1; f <= 5; f++ {
			row = append(row, countCell(grid[rs][f], "r="+strconv.Itoa(rs)+".f="+strconv.Itoa(f)))
		}
		rf.Rows = append(rf.Rows, row)
	}
	return gonghai.Report{
		Tables: []gonghai.ReportTable{tierTable, rf},
		Charts: []gonghai.ReportChart{{Kind: gonghai.ChartBar, Title: "各层客户数", Table: "tiers", Label: "tier", Series: []string{"customers"}}},
		Notes: []string{
			"范围内（按客户现在的负责人及其部门）截至期间最后一天有订单的成交客户：R = 最后一次订单距期间最后一天的天数，F = 订单数，M = 订单金额合计。",
			"每项按范围内客户排名打 1–5 分（5 最好）：分数 = ⌈5 × 不优于它的客户占比⌉，相同的值同分。",
			"4–5 分为高、1–3 分为低：R、F、M 都高为重要价值；F、M 高 R 低为重要保持；R、M 高 F 低为重要发展；只有 M 高为重要挽留；M 低的四层依次为一般价值、一般保持、一般发展、一般挽留。",
		},
	}, nil
}

// countCell is a count of customers, with drill key drill when it is not
// zero.
func countCell(n int, drill string) gonghai.ReportCell {
	if n == 0 {
		drill = ""
	}
	return gonghai.NumberCell(float64(n), gonghai.ColCount, drill)
}

func drillRFM(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	f, err := drillFields(key, "t", "r", "f")
	if err != nil {
		return nil, err
	}
	rs, rerr := strconv.Atoi(f["r"])
	fs, ferr := strconv.Atoi(f["f"])
	switch {
	case f["t"] != "" && f["r"] == "" && f["f"] == "":
	case f["t"] == "" && rerr == nil && ferr == nil && rs >= 1 && rs <= 5 && fs >= 1 && fs <= 5:
	default:
		return nil, gonghai.Invalid("drill", "a drill key from the report")
	}
	cs, err := rfmCustomers(ctx, c, r)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, x := range cs {
		if x.Tier.Key == f["t"] || (x.R == rs && x.F == fs) {
			ids = append(ids, x.ID)
		}
	}
	return ids, nil
}
