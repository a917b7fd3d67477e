package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// The fairness report: who got customers handed to them (assigned) and who
// took them (claimed), how evenly (Gini), and relays (report_fair_relay.go).

func init() { registerReport("fairness", reportDef{run: runFairness, drill: drillFairness}) }

// Fairness drill kinds: a rep's assignments, claims, both, or relays.
const (
	fairAssigned = "assigned"
	fairClaimed  = "claimed"
	fairBoth     = "both"
	fairRelay    = "relay"
)

// fairRep is one rep's counts in the period.
type fairRep struct {
	ID, Name          string
	Assigned, Claimed int
	Relays            int
}

// tenureFilter is the condition on tenures t of the period (col between
// its bounds), the scope (by the owner's department then) and the pool
// and channel filters.
func tenureFilter(r *reportReq, col string) (string, []any) {
	start, end := r.Micros()
	scope, args := r.ScopeSQL("t.dept_path", "t.owner_id")
	where := `t.` + col + ` >= ? AND t.` + col + ` < ? AND ` + scope
	args = append([]any{start, end}, args...)
	if r.Q.PoolID != "" {
		where, args = where+` AND t.pool_id = ?`, append(args, r.Q.PoolID)
	}
	if r.Q.ChannelID != "" {
		where, args = where+` AND t.channel_id = ?`, append(args, r.Q.ChannelID)
	}
	return where, args
}

// fairReps counts tenures started in the period by assignment and by
// claim per owner, beside every active rep in scope with none.
func fairReps(ctx context.Context, c conn, r *reportReq) ([]fairRep, error) {
	where, args := tenureFilter(r, "started_at")
	type count struct {
		owner, kind string
		n           int
	}
	counts, err := collect(ctx, c, `SELECT t.owner_id, t.start_kind, COUNT(*) FROM tenures t
		WHERE `+where+` AND t.start_kind IN ('assigned', 'claimed')
		GROUP BY t.owner_id, t.start_kind`, args, func(s scanner) (count, error) {
		var x count
		return x, s.Scan(&x.owner, &x.kind, &x.n)
	})
	if err != nil {
		return nil, fmt.Errorf("count assignments and claims: %w", err)
	}
	scope, sargs := r.ScopeSQL("d.path", "u.id")
	reps, err := collect(ctx, c, `SELECT u.id, u.name FROM users u LEFT JOIN departments d ON d.id = u.department_id
		WHERE u.role = 'rep' AND u.active AND `+scope, sargs, func(s scanner) (fairRep, error) {
		var x fairRep
		return x, s.Scan(&x.ID, &x.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("reps in scope: %w", err)
	}
	byID := map[string]*fairRep{}
	for i := range reps {
		byID[reps[i].ID] = &reps[i]
	}
	var others []string
	for _, x := range counts {
		if byID[x.owner] == nil {
			others = append(others, x.owner)
		}
	}
	// Owners who are no longer active reps (a manager who claimed, a rep
	// who left) still count what they got.
	names, err := userNames(ctx, c, others)
	if err != nil {
		return nil, err
	}
	for _, id := range distinct(others) {
		reps = append(reps, fairRep{ID: id, Name: names[id]})
	}
	byID = map[string]*fairRep{}
	for i := range reps {
		byID[reps[i].ID] = &reps[i]
	}
	for _, x := range counts {
		if x.kind == fairAssigned {
			byID[x.owner].Assigned += x.n
		} else {
			byID[x.owner].Claimed += x.n
		}
	}
	return reps, nil
}

// userNames maps user ids to their names.
func userNames(ctx context.Context, c conn, ids []string) (map[string]string, error) {
	return pairsByID(ctx, c, `SELECT id, name FROM users WHERE id IN `, ids)
}

func runFairness(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error) {
	reps, err := fairReps(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	relays, err := findRelays(ctx, c, r)
	if err != nil {
		return gonghai.Report{}, err
	}
	byID := map[string]*fairRep{}
	for i := range reps {
		byID[reps[i].ID] = &reps[i]
	}
	for _, x := range relays {
		if rep := byID[x.A]; rep != nil {
			rep.Relays++
		} else {
			reps = append(reps, fairRep{ID: x.A, Name: x.AName, Relays: 1})
			byID = map[string]*fairRep{}
			for i := range reps {
				byID[reps[i].ID] = &reps[i]
			}
		}
	}
	slices.SortFunc(reps, func(a, b fairRep) int {
		return cmp.Or(cmp.Compare(b.Assigned+b.Claimed, a.Assigned+a.Claimed), strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	count := func(id, kind string, n int) gonghai.ReportCell { return countCell(n, "u="+id+".k="+kind) }
	perRep := gonghai.ReportTable{Name: "per_rep", Title: "每位销售的分配与领取", Columns: []gonghai.ReportColumn{
		{Key: "rep", Title: "销售", Kind: gonghai.ColText}, {Key: "assigned", Title: "分配", Kind: gonghai.ColCount},
		{Key: "claimed", Title: "领取", Kind: gonghai.ColCount}, {Key: "total", Title: "合计", Kind: gonghai.ColCount},
		{Key: "relays", Title: "接力领取", Kind: gonghai.ColCount}}}
	var assigned, claimed, both []float64
	for _, x := range reps {
		perRep.Rows = append(perRep.Rows, []gonghai.ReportCell{gonghai.TextCell(x.Name), count(x.ID, fairAssigned, x.Assigned),
			count(x.ID, fairClaimed, x.Claimed), count(x.ID, fairBoth, x.Assigned+x.Claimed), count(x.ID, fairRelay, x.Relays)})
		assigned, claimed = append(assigned, float64(x.Assigned)), append(claimed, float64(x.Claimed))
		both = append(both, float64(x.Assigned+x.Claimed))
	}
	gini := gonghai.ReportTable{Name: "gini", Title: "基尼系数", Columns: []gonghai.ReportColumn{
		{Key: "kind", Title: "口径", Kind: gonghai.ColText}, {Key: "gini", Title: "基尼系数", Kind: gonghai.ColRatio},
		{Key: "reps", Title: "销售人数", Kind: gonghai.ColCount}}}
	for _, g := range []struct {
		title string
		xs    []float64
	}{{"分配", assigned}, {"领取", claimed}, {"分配与领取", both}} {
		gini.Rows = append(gini.Rows, []gonghai.ReportCell{gonghai.TextCell(g.title),
			gonghai.NumberCell(gonghai.Gini(g.xs), gonghai.ColRatio, ""), gonghai.NumberCell(float64(len(g.xs)), gonghai.ColCount, "")})
	}
	return gonghai.Report{
		Tables: []gonghai.ReportTable{perRep, gini, relayTable(r, relays)},
		Charts: []gonghai.ReportChart{{Kind: gonghai.ChartBar, Title: "每位销售的分配与领取", Table: "per_rep", Label: "rep",
			Series: []string{"assigned", "claimed"}}},
		Notes: []string{
			"分配与领取按期间内开始的持有计数（分配 = 被分配，领取 = 自己从公海领取），归属于持有人当时所在部门。",
			"基尼系数：0 表示人人一样多，越接近 1 越集中在少数人；范围内在职但期间一个也没有的销售按 0 计入。",
			fmt.Sprintf("接力领取：A 在期间内释放或被回收的客户，下一位持有人 B（领取）之后回到 A，且距 A 释放不超过 %d 天——可能在规避重新领取冷却期。", r.Q.Days),
		},
	}, nil
}

// drillFields parses a drill key of dot-separated name=value fields,
// refusing a field not in names or a key that repeats one.
func drillFields(key string, names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(key, ".") {
		name, value, ok := strings.Cut(part, "=")
		if !ok || value == "" || !slices.Contains(names, name) || out[name] != "" {
			return nil, gonghai.Invalid("drill", "a drill key from the report")
		}
		out[name] = value
	}
	return out, nil
}

func drillFairness(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	f, err := drillFields(key, "u", "k", "c")
	if err != nil {
		return nil, err
	}
	switch f["k"] {
	case fairRelay:
		relays, err := findRelays(ctx, c, r)
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, x := range relays {
			if (f["u"] == "" || x.A == f["u"]) && (f["c"] == "" || x.CustomerID == f["c"]) {
				ids = append(ids, x.CustomerID)
			}
		}
		return ids, nil
	case fairAssigned, fairClaimed, fairBoth:
	default:
		return nil, gonghai.Invalid("drill", "a drill key from the report")
	}
	if f["u"] == "" || f["c"] != "" {
		return nil, gonghai.Invalid("drill", "a drill key from the report")
	}
	where, args := tenureFilter(r, "started_at")
	kinds := `'assigned', 'claimed'`
	if f["k"] != fairBoth {
		kinds = `'` + f["k"] + `'`
	}
	return collect(ctx, c, `SELECT t.customer_id FROM tenures t WHERE `+where+` AND t.owner_id = ? AND t.start_kind IN (`+kinds+`)
		ORDER BY t.started_at, t.customer_id`, append(args, f["u"]), func(s scanner) (string, error) {
		var id string
		return id, s.Scan(&id)
	})
}
