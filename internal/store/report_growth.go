package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// The sales-growth report: won amount by month, beside the same month a
// year before.

func init() { registerReport("sales-growth", reportDef{run: runGrowth, drill: drillGrowth}) }

// growthRow is one customer's orders of one month (YYYY-MM).
type growthRow struct {
	Month, CustomerID string
	Orders            int
	Fen               int64
}

// growthRows lists the orders dated in [start, end) in scope by month and
// customer. An order counts for the owner who held the customer when it
// was recorded and that owner's department then (the tenure open at the
// order's created_at, found by the customer's key); an order recorded
// while the customer had no owner counts only where everyone is counted.
func growthRows(ctx context.Context, c conn, r *reportReq, start, end time.Time) ([]growthRow, error) {
	scope, args := r.ScopeSQL("t.dept_path", "t.owner_id")
	if r.Q.PoolID != "" {
		scope, args = scope+` AND COALESCE(t.pool_id, c.pool_id) = ?`, append(args, r.Q.PoolID)
	}
	if r.Q.ChannelID != "" {
		scope, args = scope+` AND c.channel_id = ?`, append(args, r.Q.ChannelID)
	}
	rows, err := collect(ctx, c, `SELECT substr(o.ordered_on, 1, 7), o.customer_id, COUNT(*), SUM(o.amount_fen)
		FROM orders o JOIN customers c ON c.id = o.customer_id
		LEFT JOIN tenures t ON t.customer_id = o.customer_id AND t.started_at <= o.created_at
			AND (t.ended_at IS NULL OR t.ended_at > o.created_at)
		WHERE o.ordered_at >= ? AND o.ordered_at < ? AND `+scope+`
		GROUP BY substr(o.ordered_on, 1, 7), o.customer_id
		ORDER BY 1, 2`, append([]any{micros(start), micros(end)}, args...), func(s scanner) (growthRow, error) {
		var x growthRow
		return x, s.Scan(&x.Month, &x.CustomerID, &x.Orders, &x.Fen)
	})
	if err != nil {
		return nil, fmt.Errorf("orders by month: %w", err)
	}
	return rows, nil
}

// lastYear is the period a year before r's: the same days.
func lastYear(r *reportReq) (start, end time.Time) {
	loc := r.Period.Loc
	return r.Period.Start.In(loc).AddDate(-1, 0, 0).UTC(), r.Period.End.In(loc).AddDate(-1, 0, 0).UTC()
}

// periodMonths lists the months (YYYY-MM) the period touches, in order.
func periodMonths(p gonghai.ReportPeriod) []string {
	var out []string
	for _, b := range (gonghai.ReportPeriod{From: p.From, To: p.To, Grain: gonghai.GrainMonth}).Buckets() {
		out = append(out, b[:7])
	}
	return out
}

// monthBefore is the same month a year before month (YYYY-MM).
func monthBefore(month string) string {
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return m.AddDate(-1, 0, 0).Format("2006-01")
}

// growthSum adds up rows of one month, or of all months for "".
type growthSum struct {
	orders    int
	fen       int64
	customers map[string]bool
}

func sumGrowth(rows []growthRow) map[string]*growthSum {
	out := map[string]*growthSum{}
	for _, x := range rows {
		for _, m := range []string{x.Month, ""} {
			s := out[m]
			if s == nil {
				s = &growthSum{customers: map[string]bool{}}
				out[m] = s
			}
			s.orders, s.fen = s.orders+x.Orders, s.fen+x.Fen
			s.customers[x.CustomerID] = true
		}
	}
	return out
}

func runGrowth(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	this, err := growthRows(ctx, c, r, r.Period.Start, r.Period.End)
	if err != nil {
		return gonghai.Report{}, err
	}
	ls, le := lastYear(r)
	last, err := growthRows(ctx, c, r, ls, le)
	if err != nil {
		return gonghai.Report{}, err
	}
	now, before := sumGrowth(this), sumGrowth(last)
	columns := []gonghai.ReportColumn{
		{Key: "month", Title: "月份", Kind: gonghai.ColText}, {Key: "amount", Title: "成交金额（元）", Kind: gonghai.ColYuan},
		{Key: "last_year", Title: "去年同月（元）", Kind: gonghai.ColYuan}, {Key: "growth", Title: "同比增长", Kind: gonghai.ColPercent},
		{Key: "orders", Title: "订单数", Kind: gonghai.ColCount}, {Key: "customers", Title: "成交客户", Kind: gonghai.ColCount},
		{Key: "last_year_customers", Title: "去年同月成交客户", Kind: gonghai.ColCount}}
	row := func(label, month, monthBefore string) []gonghai.ReportCell {
		s, b := now[month], before[monthBefore]
		if s == nil {
			s = &growthSum{}
		}
		drillMonth, drillBefore := month, monthBefore
		if month == "" {
			drillMonth, drillBefore = "all", "all"
		}
		// Amounts and counts link to the customers who bought: every point
		// of the chart opens its customers.
		drill := "p=0.m=" + drillMonth
		if s.orders == 0 {
			drill = ""
		}
		cells := []gonghai.ReportCell{gonghai.TextCell(label), gonghai.NumberCell(float64(s.fen)/100, gonghai.ColYuan, drill),
			gonghai.EmptyCell(), gonghai.EmptyCell(), countCell(s.orders, drill), countCell(len(s.customers), drill), gonghai.EmptyCell()}
		// A month a year before without orders has nothing to grow from.
		if b != nil {
			cells[2] = gonghai.NumberCell(float64(b.fen)/100, gonghai.ColYuan, "p=1.m="+drillBefore)
			if b.fen > 0 {
				cells[3] = gonghai.NumberCell(100*float64(s.fen-b.fen)/float64(b.fen), gonghai.ColPercent, "")
			}
			cells[6] = countCell(len(b.customers), "p=1.m="+drillBefore)
		}
		return cells
	}
	months := gonghai.ReportTable{Name: "months", Title: "按月成交金额", Columns: columns}
	for _, m := range periodMonths(r.Period) {
		months.Rows = append(months.Rows, row(m, m, monthBefore(m)))
	}
	totals := gonghai.ReportTable{Name: "totals", Title: "期间合计", Columns: columns}
	totals.Columns[0].Title = "期间"
	totals.Rows = [][]gonghai.ReportCell{row(r.Period.From+" – "+r.Period.To, "", "")}
	return gonghai.Report{
		Tables: []gonghai.ReportTable{months, totals},
		Charts: []gonghai.ReportChart{{Kind: gonghai.ChartLine, Title: "今年与去年同月成交金额", Table: "months", Label: "month",
			Series: []string{"amount", "last_year"}}},
		Notes: []string{
			"成交金额按订单日期（组织时区）归月；期间首尾不满一个月的，只计期间内的日子，去年同月取去年相同的日子。",
			"订单归属于录入订单时持有该客户的销售及其当时所在部门；录入时客户不在任何人名下的订单只计入全部范围。",
			"去年同月没有订单时，去年金额与同比增长为空（—）。",
		},
	}, nil
}

func drillGrowth(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	f, err := drillFields(key, "p", "m")
	if err != nil {
		return nil, err
	}
	start, end := r.Period.Start, r.Period.End
	switch f["p"] {
	case "0":
	case "1":
		start, end = lastYear(r)
	default:
		return nil, gonghai.Invalid("drill", "a drill key from the report")
	}
	if _, err := time.Parse("2006-01", f["m"]); err != nil && f["m"] != "all" {
		return nil, gonghai.Invalid("drill", "a drill key from the report")
	}
	rows, err := growthRows(ctx, c, r, start, end)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, x := range rows {
		if f["m"] == "all" || x.Month == f["m"] {
			ids = append(ids, x.CustomerID)
		}
	}
	return ids, nil
}
