package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// The channel-conversion report follows the records first touched in the
// period (channel leads: intake and imports with a channel) to customers
// and to won, attributed twice: to the channel and campaign that first
// brought them in, and to the latest ones. Both tables count the same
// records, so their totals agree and only the attribution differs.
func init() {
	registerReport("channel-conversion", reportDef{run: runChannelConversion, drill: drillChannelConversion})
}

// convAttr is one attribution: the key drills name it by and the
// customers' columns it reads.
type convAttr struct{ tag, channel, campaign string }

var (
	firstTouch  = convAttr{"f", "c.channel_id", "c.campaign"}
	latestTouch = convAttr{"l", "c.latest_channel_id", "c.latest_campaign"}
)

// convConverted is a record that is a customer: converted, or made a
// customer when it came in.
const convConverted = `(c.converted_at IS NOT NULL OR c.lifecycle = 'customer')`

// convWon is a record won, itself or as the customer it was merged into;
// convOrders the sum of that customer's orders.
const (
	convWon    = `COALESCE(s.won, c.won)`
	convOrders = `(SELECT SUM(o.amount_fen) FROM orders o WHERE o.customer_id = COALESCE(s.id, c.id))`
)

// noChannel names the records whose channel is not known (any more).
const noChannel = "未标记渠道"

// convRecords is the FROM and WHERE of the records r counts under a:
// first touched in the period, whose current owner is in scope (a
// department's or a user's scope leaves the pools' unowned records out),
// in the pool and, under a, the channel asked for. A record merged into
// another (a lead joined to the customer it matched when converted) is
// that customer now: its owner, pool, won and orders are the survivor's
// (s), as convWon and convOrders read them.
func convRecords(r *reportReq, a convAttr) (string, []any) {
	start, end := r.Micros()
	scope, scopeArgs := r.ScopeSQL("d.path", "COALESCE(s.owner_id, c.owner_id)")
	q := ` FROM customers c LEFT JOIN customers s ON s.id = c.merged_into
		LEFT JOIN users u ON u.id = COALESCE(s.owner_id, c.owner_id) LEFT JOIN departments d ON d.id = u.department_id
		WHERE c.first_touch_at >= ? AND c.first_touch_at < ? AND ` + scope
	args := append([]any{start, end}, scopeArgs...)
	if r.Q.PoolID != "" {
		q, args = q+` AND COALESCE(s.pool_id, c.pool_id) = ?`, append(args, r.Q.PoolID)
	}
	if r.Q.ChannelID != "" {
		q, args = q+` AND `+a.channel+` = ?`, append(args, r.Q.ChannelID)
	}
	return q, args
}

// convRow is one channel and campaign's funnel.
type convRow struct {
	channel, campaign        string
	leads, customers, won    int
	wonFen                   int64
	allCampaigns, allChannel bool
}

func runChannelConversion(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	names, err := channelNames(ctx, c)
	if err != nil {
		return gonghai.Report{}, err
	}
	first, err := convRows(ctx, c, r, firstTouch)
	if err != nil {
		return gonghai.Report{}, err
	}
	latest, err := convRows(ctx, c, r, latestTouch)
	if err != nil {
		return gonghai.Report{}, err
	}
	byChannel := map[string]*convRow{}
	total := convRow{allChannel: true, allCampaigns: true}
	for _, x := range first {
		ch := byChannel[x.channel]
		if ch == nil {
			ch = &convRow{channel: x.channel, allCampaigns: true}
			byChannel[x.channel] = ch
		}
		for _, to := range []*convRow{ch, &total} {
			to.leads, to.customers, to.won, to.wonFen = to.leads+x.leads, to.customers+x.customers, to.won+x.won, to.wonFen+x.wonFen
		}
	}
	channels := make([]convRow, 0, len(byChannel))
	for _, ch := range byChannel {
		channels = append(channels, *ch)
	}
	sortConv(channels, names)
	sortConv(first, names)
	sortConv(latest, names)
	rep := gonghai.Report{
		Tables: []gonghai.ReportTable{
			convFunnel(total),
			convTable("by_channel", "各渠道转化（首次触达）", firstTouch, channels, names, false),
			convTable("first_touch", "按渠道与活动（首次触达归因）", firstTouch, first, names, true),
			convTable("latest_touch", "按渠道与活动（最近触达归因）", latestTouch, latest, names, true),
		},
		Charts: []gonghai.ReportChart{
			{Kind: gonghai.ChartFunnel, Title: "线索 → 客户 → 成交", Table: "funnel", Label: "stage", Series: []string{"count"}},
			{Kind: gonghai.ChartBar, Title: "各渠道线索、客户与成交", Table: "by_channel", Label: "channel",
				Series: []string{"leads", "customers", "won"}},
		},
		Notes: []string{
			"统计期间内首次触达（经渠道进入：表单、接口或带渠道的导入）的记录；手工新建、没有渠道的客户不在其中。",
			"客户：已转为客户，或进入时即为客户；成交：有过订单。转化率、成交率均以线索数为分母。",
			"成交金额：这些成交客户的全部订单金额（元），不限于统计期间。",
			"首次触达与最近触达两张表统计同一批记录，只是归属的渠道与活动不同。",
		},
	}
	if !r.Scope.All {
		rep.Notes = append(rep.Notes, "只统计当前负责人在统计范围内的记录：公海里无人负责的线索不属于任何团队，不计入（管理员查看全部时计入）。")
	}
	return rep, nil
}

// convRows counts r's records under a, by channel and campaign.
func convRows(ctx context.Context, c conn, r *reportReq, a convAttr) ([]convRow, error) {
	from, args := convRecords(r, a)
	q := `SELECT COALESCE(` + a.channel + `, ''), ` + a.campaign + `, COUNT(*),
		SUM(CASE WHEN ` + convConverted + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + convWon + ` THEN 1 ELSE 0 END),
		CAST(COALESCE(SUM(CASE WHEN ` + convWon + ` THEN ` + convOrders + ` END), 0) AS BIGINT)` +
		from + ` GROUP BY COALESCE(` + a.channel + `, ''), ` + a.campaign
	rows, err := collect(ctx, c, q, args, func(s scanner) (convRow, error) {
		var x convRow
		err := s.Scan(&x.channel, &x.campaign, &x.leads, &x.customers, &x.won, &x.wonFen)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("channel conversion: %w", err)
	}
	return rows, nil
}

// channelNames maps every channel's id to its name.
func channelNames(ctx context.Context, c conn) (map[string]string, error) {
	type pair struct{ id, name string }
	ps, err := collect(ctx, c, `SELECT id, name FROM channels`, nil, func(s scanner) (pair, error) {
		var p pair
		return p, s.Scan(&p.id, &p.name)
	})
	if err != nil {
		return nil, fmt.Errorf("channel names: %w", err)
	}
	out := map[string]string{}
	for _, p := range ps {
		out[p.id] = p.name
	}
	return out, nil
}

// sortConv puts the most leads first, then by channel name and campaign.
func sortConv(rows []convRow, names map[string]string) {
	slices.SortFunc(rows, func(a, b convRow) int {
		return cmp.Or(cmp.Compare(b.leads, a.leads), cmp.Compare(channelName(names, a.channel), channelName(names, b.channel)),
			cmp.Compare(a.campaign, b.campaign))
	})
}

func channelName(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return noChannel
}

// convFunnel is the whole period's leads → customers → won.
func convFunnel(t convRow) gonghai.ReportTable {
	stage := func(title, measure string, n int) []gonghai.ReportCell {
		share := gonghai.EmptyCell()
		if t.leads > 0 {
			share = gonghai.NumberCell(100*float64(n)/float64(t.leads), gonghai.ColPercent, "")
		}
		return []gonghai.ReportCell{gonghai.TextCell(title), gonghai.NumberCell(float64(n), gonghai.ColCount, convKey(firstTouch, t, measure)), share}
	}
	return gonghai.ReportTable{Name: "funnel", Title: "转化漏斗",
		Columns: []gonghai.ReportColumn{{Key: "stage", Title: "阶段", Kind: gonghai.ColText},
			{Key: "count", Title: "数量", Kind: gonghai.ColCount}, {Key: "share", Title: "占线索", Kind: gonghai.ColPercent}},
		Rows: [][]gonghai.ReportCell{stage("线索", "leads", t.leads), stage("客户", "customers", t.customers), stage("成交", "won", t.won)}}
}

// convTable is a table of rows under attribution a, one column of
// campaigns when withCampaign.
func convTable(name, title string, a convAttr, rows []convRow, names map[string]string, withCampaign bool) gonghai.ReportTable {
	cols := []gonghai.ReportColumn{{Key: "channel", Title: "渠道", Kind: gonghai.ColText}}
	if withCampaign {
		cols = append(cols, gonghai.ReportColumn{Key: "campaign", Title: "活动", Kind: gonghai.ColText})
	}
	cols = append(cols, []gonghai.ReportColumn{{Key: "leads", Title: "线索", Kind: gonghai.ColCount},
		{Key: "customers", Title: "转为客户", Kind: gonghai.ColCount}, {Key: "won", Title: "成交", Kind: gonghai.ColCount},
		{Key: "conversion_rate", Title: "转化率", Kind: gonghai.ColPercent}, {Key: "win_rate", Title: "成交率", Kind: gonghai.ColPercent},
		{Key: "won_amount", Title: "成交金额（元）", Kind: gonghai.ColYuan}}...)
	t := gonghai.ReportTable{Name: name, Title: title, Columns: cols, Rows: [][]gonghai.ReportCell{}}
	for _, x := range rows {
		row := []gonghai.ReportCell{gonghai.TextCell(channelName(names, x.channel))}
		if withCampaign {
			campaign := x.campaign
			if campaign == "" {
				campaign = "（无活动）"
			}
			row = append(row, gonghai.TextCell(campaign))
		}
		row = append(row, gonghai.NumberCell(float64(x.leads), gonghai.ColCount, convKey(a, x, "leads")),
			gonghai.NumberCell(float64(x.customers), gonghai.ColCount, convKey(a, x, "customers")),
			gonghai.NumberCell(float64(x.won), gonghai.ColCount, convKey(a, x, "won")),
			rateCell(x.customers, x.leads), rateCell(x.won, x.leads),
			gonghai.NumberCell(float64(x.wonFen)/100, gonghai.ColYuan, convKey(a, x, "won")))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// rateCell is n of of as a percent, "—" of nothing.
func rateCell(n, of int) gonghai.ReportCell {
	if of == 0 {
		return gonghai.EmptyCell()
	}
	return gonghai.NumberCell(100*float64(n)/float64(of), gonghai.ColPercent, "")
}

// convKey is the drill key of measure (leads, customers, won) of x under
// a: "a.channel.campaign.measure", the channel "-" for none and "*" for
// all, the campaign as a short hash (a campaign may be 100 characters of
// any script; the drill finds it among the channel's) or "*" for all.
func convKey(a convAttr, x convRow, measure string) string {
	ch, cp := x.channel, "*"
	switch {
	case x.allChannel:
		ch = "*"
	case ch == "":
		ch = "-"
	}
	if !x.allCampaigns {
		cp = campaignHash(x.campaign)
	}
	return a.tag + "." + ch + "." + cp + "." + measure
}

func campaignHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(h[:9])
}

// drillChannelConversion answers the records behind a convKey.
func drillChannelConversion(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	bad := gonghai.Invalid("drill", "a drill key from the channel-conversion report")
	parts := strings.Split(key, ".")
	if len(parts) != 4 {
		return nil, bad
	}
	var a convAttr
	switch parts[0] {
	case firstTouch.tag:
		a = firstTouch
	case latestTouch.tag:
		a = latestTouch
	default:
		return nil, bad
	}
	from, args := convRecords(r, a)
	switch ch := parts[1]; ch {
	case "*":
	case "-":
		from += ` AND (` + a.channel + ` IS NULL OR ` + a.channel + ` = '')`
	default:
		from, args = from+` AND `+a.channel+` = ?`, append(args, ch)
	}
	switch parts[3] {
	case "leads":
	case "customers":
		from += ` AND ` + convConverted
	case "won":
		from += ` AND ` + convWon
	default:
		return nil, bad
	}
	type rec struct{ id, campaign string }
	// A lead joined to the customer it matched when converted is that
	// customer now.
	recs, err := collect(ctx, c, `SELECT COALESCE(c.merged_into, c.id), `+a.campaign+from+` ORDER BY c.first_touch_at, c.id`, args,
		func(s scanner) (rec, error) {
			var x rec
			return x, s.Scan(&x.id, &x.campaign)
		})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, x := range recs {
		if parts[2] == "*" || campaignHash(x.campaign) == parts[2] {
			ids = append(ids, x.id)
		}
	}
	return ids, nil
}
