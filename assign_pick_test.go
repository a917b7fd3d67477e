package gonghai

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var pickNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// cand is an eligible member who has never been assigned.
func cand(id string, edit ...func(*Candidate)) Candidate {
	c := Candidate{User: User{ID: id, Name: "n" + id, Active: true, DeptPath: "/d/"}, Member: true, Free: -1}
	for _, e := range edit {
		e(&c)
	}
	return c
}

func turn(n int64) func(*Candidate) { return func(c *Candidate) { c.LastTurn = n } }

func TestPickStrategies(t *testing.T) {
	later := pickNow.Add(time.Hour)
	earlier := pickNow.Add(-time.Hour)
	cases := []struct {
		name       string
		a          Assignment
		cs         []Candidate
		customer   Customer
		channel    string
		want       string // picked user id, "" for none
		order      []string
		skipped    map[string]string
		strategy   Strategy
		rule       string
		reason     string
		randomTies bool
	}{
		{name: "claim leaves it in the pool", a: Assignment{Strategy: StrategyClaim}, cs: []Candidate{cand("a")},
			strategy: StrategyClaim, reason: "claim"},
		{name: "empty strategy is claim", a: Assignment{}, cs: []Candidate{cand("a")}, strategy: StrategyClaim, reason: "claim"},
		{name: "round robin: longest waiting first, never assigned before all",
			a: Assignment{Strategy: StrategyRoundRobin}, cs: []Candidate{cand("a", turn(5)), cand("b", turn(3)), cand("c")},
			want: "c", order: []string{"c", "b", "a"}, strategy: StrategyRoundRobin},
		{name: "round robin ties by id without randomness",
			a: Assignment{Strategy: StrategyRoundRobin}, cs: []Candidate{cand("b", turn(2)), cand("a", turn(2))},
			want: "a", order: []string{"a", "b"}, strategy: StrategyRoundRobin},
		{name: "round robin: random tie-break", randomTies: true,
			a: Assignment{Strategy: StrategyRoundRobin}, cs: []Candidate{cand("a", turn(2)), cand("b", turn(2)), cand("c", turn(9))},
			want: "b", order: []string{"b", "a", "c"}, strategy: StrategyRoundRobin},
		{name: "user_ids limits the candidates",
			a: Assignment{Strategy: StrategyRoundRobin, UserIDs: []string{"b"}}, cs: []Candidate{cand("a"), cand("b", turn(4))},
			want: "b", order: []string{"b"}, strategy: StrategyRoundRobin},
		{name: "weighted: smallest share (assigned+1)/weight",
			a:  Assignment{Strategy: StrategyWeighted, Weights: map[string]int{"a": 3, "b": 1}},
			cs: []Candidate{cand("a", turn(1), func(c *Candidate) { c.Assigned = 5 }), cand("b", turn(2), func(c *Candidate) { c.Assigned = 1 })},
			// a: 6/3 = 2, b: 2/1 = 2 → tie, the longer waiting a.
			want: "a", order: []string{"a", "b"}, strategy: StrategyWeighted},
		{name: "weighted: a joiner starts at par",
			a: Assignment{Strategy: StrategyWeighted, Weights: map[string]int{"a": 2}},
			cs: []Candidate{cand("a", turn(3), func(c *Candidate) { c.Assigned = 40 }), cand("b", turn(4), func(c *Candidate) { c.Assigned = 20 }),
				cand("c")},
			// c joins at 20 of weight 1: (21)/1 = 21 ties b, a 41/2 = 20.5 first.
			want: "a", order: []string{"a", "c", "b"}, strategy: StrategyWeighted},
		{name: "load balance: most free capacity, unlimited first",
			a:    Assignment{Strategy: StrategyLoadBalance},
			cs:   []Candidate{cand("a", func(c *Candidate) { c.Free = 3 }), cand("b", func(c *Candidate) { c.Free = 9 }), cand("c")},
			want: "c", order: []string{"c", "b", "a"}, strategy: StrategyLoadBalance},
		{name: "performance: highest won amount",
			a:    Assignment{Strategy: StrategyPerformance},
			cs:   []Candidate{cand("a", func(c *Candidate) { c.Won = 100 }), cand("b", func(c *Candidate) { c.Won = 500 }), cand("c", func(c *Candidate) { c.Won = 100 }, turn(1))},
			want: "b", order: []string{"b", "a", "c"}, strategy: StrategyPerformance},
		{name: "every skip reason, in order",
			a: Assignment{Strategy: StrategyRoundRobin},
			cs: []Candidate{
				cand("inactive", func(c *Candidate) { c.User.Active = false; c.Member = false }),
				cand("outsider", func(c *Candidate) { c.Member = false }),
				cand("away", func(c *Candidate) { c.User.AwayUntil = &later; c.User.AssignPaused = true }),
				cand("back", turn(50), func(c *Candidate) { c.User.AwayUntil = &earlier }),
				cand("paused", func(c *Candidate) { c.User.AssignPaused = true }),
				cand("capped", func(c *Candidate) { c.User.DailyAssignCap = 2; c.Daily = 2 }),
				cand("undercap", turn(60), func(c *Candidate) { c.User.DailyAssignCap = 2; c.Daily = 1 }),
				cand("full", func(c *Candidate) { c.Free = 0 }),
			},
			want: "back", order: []string{"back", "undercap"}, strategy: StrategyRoundRobin,
			skipped: map[string]string{"inactive": SkipInactive, "outsider": SkipNotMember, "away": SkipAway,
				"paused": SkipPaused, "capped": SkipDailyCap, "full": SkipHolding}},
		{name: "nobody: the shared reason",
			a: Assignment{Strategy: StrategyRoundRobin}, cs: []Candidate{cand("a", func(c *Candidate) { c.User.AwayUntil = &later })},
			strategy: StrategyRoundRobin, skipped: map[string]string{"a": SkipAway}, reason: SkipAway},
		{name: "nobody: mixed reasons",
			a:        Assignment{Strategy: StrategyRoundRobin},
			cs:       []Candidate{cand("a", func(c *Candidate) { c.Free = 0 }), cand("b", func(c *Candidate) { c.User.AssignPaused = true })},
			strategy: StrategyRoundRobin, skipped: map[string]string{"a": SkipHolding, "b": SkipPaused}, reason: QueueNoneEligible},
		{name: "nobody: no candidates", a: Assignment{Strategy: StrategyLoadBalance}, strategy: StrategyLoadBalance, reason: QueueNoCandidates},
		{name: "rules: first match wins, its reps by its strategy",
			a: Assignment{Strategy: StrategyRules, Rules: []RoutingRule{
				{Name: "华南", Regions: []string{"广东省"}, UserIDs: []string{"a", "b"}, Strategy: StrategyLoadBalance},
				{Regions: []string{"广东省/深圳市"}, UserIDs: []string{"c"}},
			}},
			cs:       []Candidate{cand("a", func(c *Candidate) { c.Free = 1 }), cand("b", func(c *Candidate) { c.Free = 2 }), cand("c")},
			customer: Customer{Region: "广东省/深圳市/南山区"},
			want:     "b", order: []string{"b", "a"}, strategy: StrategyLoadBalance, rule: "华南"},
		{name: "rules: department target, round robin by default, non-members skipped",
			a: Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{Industries: []string{"制造"}, DepartmentID: "d2"}}},
			cs: []Candidate{cand("a"), cand("b", func(c *Candidate) { c.User.DeptPath = "/d/d2/x/" }, turn(1)),
				cand("c", func(c *Candidate) { c.User.DeptPath = "/d/d2/"; c.Member = false })},
			customer: Customer{Industry: "制造"},
			want:     "b", order: []string{"b"}, strategy: StrategyRoundRobin, rule: "规则 1", skipped: map[string]string{"c": SkipNotMember}},
		{name: "rules: a claim rule leaves it in the pool",
			a: Assignment{Strategy: StrategyRules, Fallback: StrategyRoundRobin,
				Rules: []RoutingRule{{Name: "大客户", Sizes: []string{"key"}, UserIDs: []string{"a"}, Strategy: StrategyClaim}}},
			cs: []Candidate{cand("a")}, customer: Customer{Size: "key"}, strategy: StrategyClaim, rule: "大客户", reason: "claim"},
		{name: "rules: no match falls back to claim",
			a:        Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{Sizes: []string{"key"}, UserIDs: []string{"a"}}}},
			cs:       []Candidate{cand("a")},
			customer: Customer{Size: "small"}, strategy: StrategyClaim, reason: "claim"},
		{name: "rules: no match, fallback strategy over everyone",
			a: Assignment{Strategy: StrategyRules, Fallback: StrategyRoundRobin,
				Rules: []RoutingRule{{Channels: []string{"web"}, UserIDs: []string{"a"}}}},
			cs: []Candidate{cand("a"), cand("b", turn(1))}, channel: "fair",
			want: "a", order: []string{"a", "b"}, strategy: StrategyRoundRobin},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := PickInput{Customer: tc.customer, ChannelID: tc.channel, Candidates: tc.cs, Now: pickNow,
				Departments: map[string]string{"d2": "/d/d2/"}}
			if tc.randomTies {
				in.Rand = func(int) int { return 0 } // a shuffle that puts b before a
			}
			d := Pick(tc.a, in)
			if d.UserID != tc.want || d.Strategy != tc.strategy || d.Rule != tc.rule || d.Reason != tc.reason {
				t.Errorf("picked %q by %q rule %q reason %q; want %q by %q rule %q reason %q",
					d.UserID, d.Strategy, d.Rule, d.Reason, tc.want, tc.strategy, tc.rule, tc.reason)
			}
			if !reflect.DeepEqual(d.Candidates, tc.order) {
				t.Errorf("order %v, want %v", d.Candidates, tc.order)
			}
			if tc.skipped == nil {
				tc.skipped = map[string]string{}
			}
			if !reflect.DeepEqual(d.Skipped, tc.skipped) {
				t.Errorf("skipped %v, want %v", d.Skipped, tc.skipped)
			}
		})
	}
}

func TestRuleMatchesEachField(t *testing.T) {
	c := Customer{Region: "广东省/深圳市", Industry: "制造", ProductLine: "ERP", Category: "A", Size: "key"}
	cases := []struct {
		name string
		r    RoutingRule
		want bool
	}{
		{"empty matches anything", RoutingRule{}, true},
		{"region prefix", RoutingRule{Regions: []string{"广东省"}}, true},
		{"region exact", RoutingRule{Regions: []string{"广东省/深圳市"}}, true},
		{"region not a name prefix", RoutingRule{Regions: []string{"广东"}}, false},
		{"region other", RoutingRule{Regions: []string{"浙江省"}}, false},
		{"industry", RoutingRule{Industries: []string{"零售", "制造"}}, true},
		{"industry other", RoutingRule{Industries: []string{"零售"}}, false},
		{"product line", RoutingRule{ProductLines: []string{"ERP"}}, true},
		{"product line other", RoutingRule{ProductLines: []string{"CRM"}}, false},
		{"category", RoutingRule{Categories: []string{"A"}}, true},
		{"category other", RoutingRule{Categories: []string{"B"}}, false},
		{"channel", RoutingRule{Channels: []string{"ch1"}}, true},
		{"channel other", RoutingRule{Channels: []string{"ch2"}}, false},
		{"size", RoutingRule{Sizes: []string{"key"}}, true},
		{"size other", RoutingRule{Sizes: []string{"small"}}, false},
		{"every list must match", RoutingRule{Industries: []string{"制造"}, Sizes: []string{"small"}}, false},
	}
	for _, tc := range cases {
		if got := tc.r.Matches(c, "ch1"); got != tc.want {
			t.Errorf("%s: matches %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAssignmentValidate(t *testing.T) {
	f := AssignmentFacts{Members: map[string]bool{"a": true}, Users: map[string]bool{"a": true, "x": true},
		Departments: map[string]bool{"d": true}, Channels: map[string]bool{"c": true}}
	cases := []struct {
		a     Assignment
		field string // "" for valid
	}{
		{Assignment{Strategy: StrategyRoundRobin}, ""},
		{Assignment{Strategy: "lottery"}, "assignment.strategy"},
		{Assignment{Strategy: StrategyWeighted, Weights: map[string]int{"a": 0}}, "assignment.weights"},
		{Assignment{Strategy: StrategyWeighted, Weights: map[string]int{"x": 2}}, "assignment.weights"},
		{Assignment{Strategy: StrategyRoundRobin, UserIDs: []string{"x"}}, "assignment.user_ids"},
		{Assignment{Strategy: StrategyPerformance, WindowDays: -1}, "assignment.window_days"},
		{Assignment{Strategy: StrategyRules, Fallback: StrategyRules}, "assignment.fallback"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{UserIDs: []string{"x"}}}}, ""},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{DepartmentID: "d", UserIDs: []string{"a"}}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{DepartmentID: "nope"}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{UserIDs: []string{"ghost"}}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{DepartmentID: "d", Channels: []string{"z"}}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{DepartmentID: "d", Sizes: []string{"huge"}}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{DepartmentID: "d", Regions: []string{""}}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{DepartmentID: "d", Strategy: StrategyRules}}}, "assignment.rules[0]"},
		{Assignment{Strategy: StrategyRules, Rules: []RoutingRule{{DepartmentID: "d", Strategy: StrategyClaim}}}, ""},
	}
	for i, tc := range cases {
		err := tc.a.Validate(f)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%d: %v", i, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Fields[tc.field] == "" {
			t.Errorf("%d: got %v, want a problem with %s", i, err, tc.field)
		}
	}
}

func TestDecisionSummary(t *testing.T) {
	d := Decision{Strategy: StrategyRoundRobin, UserID: "b", Skipped: map[string]string{"a": SkipAway}}
	if got := d.Summary(map[string]string{"a": "张三"}); got != "自动分配：轮询，跳过 张三（休假）" {
		t.Errorf("summary %q", got)
	}
	d = Decision{Strategy: StrategyLoadBalance, Rule: "华南", Reason: SkipHolding, Skipped: map[string]string{"a": SkipHolding}}
	if got := d.Summary(nil); !strings.Contains(got, "华南，负载均衡") || !strings.HasSuffix(got, "未分配：已达持有上限") {
		t.Errorf("summary %q", got)
	}
}

func TestPreview(t *testing.T) {
	a := Assignment{Strategy: StrategyRoundRobin}
	cs := []Candidate{cand("a", turn(2)), cand("b", turn(1), func(c *Candidate) { c.Free = 1 }), cand("c", turn(3),
		func(c *Candidate) { c.User.DailyAssignCap = 2; c.Daily = 1 })}
	var got []string
	for _, d := range Preview(a, PickInput{Candidates: cs, Now: pickNow}, nil, 5) {
		got = append(got, d.UserID)
	}
	// b has room for one, c for one more today; then a alone.
	if want := []string{"b", "a", "c", "a", "a"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("preview %v, want %v", got, want)
	}
	if cs[0].LastTurn != 2 {
		t.Fatal("preview changed its input")
	}
}
