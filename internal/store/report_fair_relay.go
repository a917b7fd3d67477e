package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// relay is one customer let go by A (released or recycled), claimed next
// by B, and next back with A within the relay window: the way to take a
// customer back before a re-claim cooldown ends.
type relay struct {
	CustomerID, Company string
	A, AName, LetGo     string
	B, BName            string
	Released, Claimed   time.Time
	Back                time.Time
}

// findRelays lists the relays whose let-go falls in the period, scoped by
// A's department then. It walks the tenures ended in the period (an
// indexed range by department path, by owner or by end) and, per customer,
// the next two tenures by their primary key.
func findRelays(ctx context.Context, c conn, r *reportReq) ([]relay, error) {
	where, args := tenureFilter(r, "ended_at")
	window := int64(r.Q.Days) * int64(24*time.Hour/time.Microsecond)
	rows, err := collect(ctx, c, `SELECT t.customer_id, COALESCE(cu.company, ''), t.owner_id, t.end_kind, t.ended_at,
			t2.owner_id, t2.started_at, t3.started_at
		FROM tenures t
		JOIN tenures t2 ON t2.customer_id = t.customer_id AND t2.start_seq =
			(SELECT MIN(x.start_seq) FROM tenures x WHERE x.customer_id = t.customer_id AND x.start_seq > t.start_seq)
		JOIN tenures t3 ON t3.customer_id = t.customer_id AND t3.start_seq =
			(SELECT MIN(y.start_seq) FROM tenures y WHERE y.customer_id = t.customer_id AND y.start_seq > t2.start_seq)
		LEFT JOIN customers cu ON cu.id = t.customer_id
		WHERE `+where+` AND t.end_kind IN ('released', 'recycled')
			AND t2.owner_id <> t.owner_id AND t2.start_kind = 'claimed'
			AND t3.owner_id = t.owner_id AND t3.started_at <= t.ended_at + ?
		ORDER BY t.ended_at, t.customer_id`, append(args, window), func(s scanner) (relay, error) {
		var x relay
		var released, claimed, back int64
		err := s.Scan(&x.CustomerID, &x.Company, &x.A, &x.LetGo, &released, &x.B, &claimed, &back)
		x.Released, x.Claimed, x.Back = fromMicros(released), fromMicros(claimed), fromMicros(back)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("find relays: %w", err)
	}
	var ids []string
	for _, x := range rows {
		ids = append(ids, x.A, x.B)
	}
	names, err := userNames(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].AName, rows[i].BName = names[rows[i].A], names[rows[i].B]
	}
	return rows, nil
}

// relayTable lists the relays with their chain A → B → A.
func relayTable(r *reportReq, relays []relay) gonghai.ReportTable {
	t := gonghai.ReportTable{Name: "relays", Title: "接力领取", Columns: []gonghai.ReportColumn{
		{Key: "customer", Title: "客户", Kind: gonghai.ColText}, {Key: "chain", Title: "流转", Kind: gonghai.ColText},
		{Key: "rep_a", Title: "原持有人 A", Kind: gonghai.ColText}, {Key: "let_go", Title: "方式", Kind: gonghai.ColText},
		{Key: "released_on", Title: "A 释放日", Kind: gonghai.ColText}, {Key: "rep_b", Title: "领取人 B", Kind: gonghai.ColText},
		{Key: "claimed_on", Title: "B 领取日", Kind: gonghai.ColText}, {Key: "back_on", Title: "回到 A 日", Kind: gonghai.ColText},
		{Key: "days", Title: "间隔天数", Kind: gonghai.ColDays}}}
	for _, x := range relays {
		letGo := "释放"
		if x.LetGo == "recycled" {
			letGo = "回收"
		}
		days := x.Back.Sub(x.Released).Hours() / 24
		t.Rows = append(t.Rows, []gonghai.ReportCell{gonghai.TextCell(x.Company),
			gonghai.TextCell(x.AName + " → " + x.BName + " → " + x.AName), gonghai.TextCell(x.AName), gonghai.TextCell(letGo),
			gonghai.TextCell(r.Period.Day(x.Released)), gonghai.TextCell(x.BName), gonghai.TextCell(r.Period.Day(x.Claimed)),
			gonghai.TextCell(r.Period.Day(x.Back)), gonghai.NumberCell(days, gonghai.ColDays, "c="+x.CustomerID+".k="+fairRelay)})
	}
	return t
}
