package gonghai

import (
	"errors"
	"testing"
	"time"
)

func TestRecycleRulesValidate(t *testing.T) {
	one := func(r RecycleRule) RecycleRules { return RecycleRules{Rules: []RecycleRule{r}} }
	valid := []struct {
		name string
		rs   RecycleRules
	}{
		{"empty", RecycleRules{}},
		{"every kind", RecycleRules{Rules: []RecycleRule{
			{Kind: RuleNoFollowUp, Enabled: true, Days: 7, CategoryDays: map[string]int{"A": 14, "B": 7, "C": 3}, ExemptWon: true},
			{Kind: RuleNotContacted, Enabled: true, Days: 3},
			{Kind: RuleNotWon, Days: 30},
			{Kind: RuleStageStalled, Days: 10},
			{Kind: RuleNoRepurchase, Days: 90},
			{Kind: RuleNoOpportunity, Days: 14},
			{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 30},
		}, CountingKinds: []string{"call", "visit", "note"}, WarnDays: 3}},
		{"days 1", one(RecycleRule{Kind: RuleNoFollowUp, Days: 1})},
		{"days 10000", one(RecycleRule{Kind: RuleNoFollowUp, Days: 10000})},
		{"protection max 0", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7})},
		{"protection max = days", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 15})},
		{"protection max 10000", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 10000, MaxDays: 10000})},
		{"warn 365", RecycleRules{WarnDays: 365}},
	}
	for _, c := range valid {
		if err := c.rs.Validate(); err != nil {
			t.Errorf("%s: Validate = %v, want nil", c.name, err)
		}
	}

	invalid := []struct {
		name   string
		rs     RecycleRules
		fields []string // the error must name one of these
	}{
		{"start past the year 2200", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, Since: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}),
			[]string{"recycle.rules[0].since"}},
		{"unknown kind", one(RecycleRule{Kind: "no_such_rule", Days: 7}), []string{"recycle.rules[0].kind"}},
		{"empty kind", one(RecycleRule{Days: 7}), []string{"recycle.rules[0].kind"}},
		{"duplicate kind", RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Days: 7}, {Kind: RuleNoFollowUp, Days: 8}}},
			[]string{"recycle.rules[1].kind"}},
		{"days 0", one(RecycleRule{Kind: RuleNoFollowUp}), []string{"recycle.rules[0].days"}},
		{"days -1", one(RecycleRule{Kind: RuleNoFollowUp, Days: -1}), []string{"recycle.rules[0].days"}},
		{"days 10001", one(RecycleRule{Kind: RuleNoFollowUp, Days: 10001}), []string{"recycle.rules[0].days"}},
		{"category key D", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"D": 5}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category key lower case", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"a": 5}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category key empty", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"": 5}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category days 0", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"A": 0}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category days 10001", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"A": 10001}}),
			[]string{"recycle.rules[0].category_days"}},
		{"protection without extend_days", one(RecycleRule{Kind: RuleProtection, Days: 15}),
			[]string{"recycle.rules[0].extend_days"}},
		{"protection extend_days 10001", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 10001}),
			[]string{"recycle.rules[0].extend_days"}},
		{"protection max_days < days", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 14}),
			[]string{"recycle.rules[0].max_days"}},
		{"protection max_days 10001", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 10001}),
			[]string{"recycle.rules[0].max_days"}},
		{"protection max_days negative", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: -1}),
			[]string{"recycle.rules[0].max_days"}},
		{"extend_days on non-protection", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, ExtendDays: 3}),
			[]string{"recycle.rules[0].extend_days"}},
		{"max_days on non-protection", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, MaxDays: 30}),
			[]string{"recycle.rules[0].max_days", "recycle.rules[0].extend_days"}},
		{"unknown counting kind", RecycleRules{CountingKinds: []string{"call", "sms"}}, []string{"recycle.counting_kinds"}},
		{"warn_days -1", RecycleRules{WarnDays: -1}, []string{"recycle.warn_days"}},
		{"warn_days 366", RecycleRules{WarnDays: 366}, []string{"recycle.warn_days"}},
		{"the second rule at fault", RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Days: 7}, {Kind: RuleNotWon, Days: 0}}},
			[]string{"recycle.rules[1].days"}},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			err := c.rs.Validate()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate = %v (%T), want an *Error", err, err)
			}
			if e.Code != EInvalid {
				t.Errorf("Code = %q, want %q", e.Code, EInvalid)
			}
			if ErrorCode(err) != EInvalid {
				t.Errorf("ErrorCode = %q, want %q", ErrorCode(err), EInvalid)
			}
			named := false
			for _, f := range c.fields {
				if _, ok := e.Fields[f]; ok {
					named = true
				}
			}
			if !named {
				t.Errorf("Fields = %v, want one of %v", e.Fields, c.fields)
			}
		})
	}

	// Every fault at once is reported at once.
	err := RecycleRules{Rules: []RecycleRule{{Kind: "bogus"}}, WarnDays: -1, CountingKinds: []string{"fax"}}.Validate()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate = %v, want an *Error", err)
	}
	for _, f := range []string{"recycle.rules[0].kind", "recycle.rules[0].days", "recycle.warn_days", "recycle.counting_kinds"} {
		if _, ok := e.Fields[f]; !ok {
			t.Errorf("all faults: Fields = %v, missing %s", e.Fields, f)
		}
	}
}

func TestCounts(t *testing.T) {
	cases := []struct {
		kinds []string
		kind  string
		want  bool
	}{
		{nil, "call", true},
		{nil, "meeting", true},
		{nil, "note", false},
		{nil, "sms", false},
		{[]string{"note"}, "note", true},
		{[]string{"note"}, "call", false},
		{[]string{}, "call", false},
	}
	for _, c := range cases {
		if got := (RecycleRules{CountingKinds: c.kinds}).Counts(c.kind); got != c.want {
			t.Errorf("Counts(%q) with %v = %v, want %v", c.kind, c.kinds, got, c.want)
		}
	}
}
