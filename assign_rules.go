package gonghai

import (
	"fmt"
	"sort"
	"strings"
)

// Matches reports whether rule r matches customer c, which came in
// through channel channelID ("" for none): every non-empty list must hold
// the customer's value. A region matches itself and everything under it
// ("广东省" matches "广东省/深圳市/南山区").
func (r RoutingRule) Matches(c Customer, channelID string) bool {
	region := len(r.Regions) == 0
	for _, p := range r.Regions {
		if c.Region == p || strings.HasPrefix(c.Region, strings.TrimSuffix(p, "/")+"/") {
			region = true
		}
	}
	in := func(list []string, v string) bool { return len(list) == 0 || contains(list, v) }
	return region && in(r.Industries, c.Industry) && in(r.ProductLines, c.ProductLine) &&
		in(r.Categories, c.Category) && in(r.Channels, channelID) && in(r.Sizes, c.Size)
}

// Targets reports whether u is one of rule r's targets: named in UserIDs,
// or in the department DepartmentID or below it (paths maps department
// ids to their paths).
func (r RoutingRule) Targets(u User, paths map[string]string) bool {
	if len(r.UserIDs) > 0 {
		return contains(r.UserIDs, u.ID)
	}
	p, ok := paths[r.DepartmentID]
	return ok && p != "" && strings.HasPrefix(u.DeptPath, p)
}

// Label names rule i (from 0) for decisions and errors: its name, or
// "规则 N".
func (r RoutingRule) Label(i int) string {
	if r.Name != "" {
		return r.Name
	}
	return fmt.Sprintf("规则 %d", i+1)
}

// AssignmentFacts are what validating an Assignment needs to know of the
// organisation: which users are the pool's members, and which users,
// departments and channels exist.
type AssignmentFacts struct {
	Members     map[string]bool
	Users       map[string]bool
	Departments map[string]bool
	Channels    map[string]bool
}

// Validate refuses an assignment that cannot work, naming each field: an
// unknown strategy, weights below 1 or for non-members, candidates or
// targets that do not exist, a rule with no target or two targets, match
// values that are not the customer's kind of value.
func (a Assignment) Validate(f AssignmentFacts) error {
	bad := map[string]string{}
	known := func(s Strategy) bool { return contains(strategyNames(), string(s)) }
	if !known(a.Strategy) {
		bad["assignment.strategy"] = "one of " + strings.Join(strategyNames(), ", ")
	}
	for _, id := range a.UserIDs {
		if !f.Members[id] {
			bad["assignment.user_ids"] = "only members of the pool"
		}
	}
	ids := make([]string, 0, len(a.Weights))
	for id := range a.Weights {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		switch {
		case a.Weights[id] < 1 || a.Weights[id] > 100:
			bad["assignment.weights"] = "1 to 100"
		case !f.Members[id]:
			bad["assignment.weights"] = "only members of the pool"
		}
	}
	if a.WindowDays < 0 || a.WindowDays > 3650 {
		bad["assignment.window_days"] = "0 to 3650"
	}
	if a.Fallback != "" && (!known(a.Fallback) || a.Fallback == StrategyRules) {
		bad["assignment.fallback"] = "a strategy other than rules"
	}
	if len(a.Rules) > 50 {
		bad["assignment.rules"] = "at most 50"
	}
	for i, r := range a.Rules {
		field := fmt.Sprintf("assignment.rules[%d]", i)
		if problem := r.problem(f); problem != "" {
			bad[field] = problem
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid assignment", Fields: bad}
	}
	return nil
}

// problem is what is wrong with rule r, "" if nothing.
func (r RoutingRule) problem(f AssignmentFacts) string {
	switch {
	case len([]rune(r.Name)) > 60 || TextProblem(r.Name, false) != "":
		return "a name of at most 60 plain characters"
	case (r.DepartmentID == "") == (len(r.UserIDs) == 0):
		return "exactly one target: department_id or user_ids"
	case r.DepartmentID != "" && !f.Departments[r.DepartmentID]:
		return "department_id: no such department"
	case r.Strategy != "" && (!contains(strategyNames(), string(r.Strategy)) || r.Strategy == StrategyRules):
		return "strategy: claim, round_robin, weighted, load_balance or performance"
	}
	for _, id := range r.UserIDs {
		if !f.Users[id] {
			return "user_ids: no such user"
		}
	}
	for _, id := range r.Channels {
		if !f.Channels[id] {
			return "channels: no such channel"
		}
	}
	for _, s := range r.Sizes {
		if !contains(Sizes, s) {
			return "sizes: one of " + strings.Join(Sizes, ", ")
		}
	}
	for _, list := range [][]string{r.Regions, r.Industries, r.ProductLines, r.Categories} {
		for _, v := range list {
			if v == "" || len([]rune(v)) > 100 || TextProblem(v, false) != "" {
				return "match values of 1 to 100 plain characters"
			}
		}
	}
	return ""
}

func strategyNames() []string {
	out := make([]string, len(Strategies))
	for i, s := range Strategies {
		out[i] = string(s)
	}
	return out
}

// Label is the strategy's Chinese name.
func (s Strategy) Label() string {
	switch s {
	case StrategyRoundRobin:
		return "轮询"
	case StrategyWeighted:
		return "按权重"
	case StrategyLoadBalance:
		return "负载均衡"
	case StrategyPerformance:
		return "业绩优先"
	case StrategyRules:
		return "按规则"
	}
	return "领取"
}

// SkipLabel is a skip or queue reason's Chinese name.
func SkipLabel(reason string) string {
	switch reason {
	case SkipAway:
		return "休假"
	case SkipPaused:
		return "暂停接单"
	case SkipDailyCap:
		return "已达每日上限"
	case SkipHolding:
		return "已达持有上限"
	case SkipInactive:
		return "已停用"
	case SkipNotMember:
		return "非公海成员"
	case QueueNoCandidates:
		return "无可分配的人"
	case QueueNoneEligible:
		return "无人可接"
	}
	return reason
}

// Summary is the decision in one line for the ownership event's reason and
// the timeline: "自动分配：轮询，跳过 张三（休假）". names maps user ids to
// display names; the skipped are listed by name, in name order.
func (d Decision) Summary(names map[string]string) string {
	var b strings.Builder
	b.WriteString("自动分配：")
	if d.Rule != "" {
		b.WriteString(d.Rule + "，")
	}
	b.WriteString(d.Strategy.Label())
	skipped := make([]string, 0, len(d.Skipped))
	for id, why := range d.Skipped {
		name := names[id]
		if name == "" {
			name = id
		}
		skipped = append(skipped, name+"（"+SkipLabel(why)+"）")
	}
	sort.Strings(skipped)
	if len(skipped) > 0 {
		b.WriteString("，跳过 " + strings.Join(skipped, "、"))
	}
	if d.UserID == "" {
		b.WriteString("，未分配：" + SkipLabel(d.Reason))
	}
	s := b.String()
	if r := []rune(s); len(r) > 500 {
		s = string(r[:499]) + "…"
	}
	return s
}
