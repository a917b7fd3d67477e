package gonghai

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCustomerFacts(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	owned := at(sh, 2026, 3, 2, 15, 0)
	fu, sc, or, op := tp(owned.Add(time.Hour)), tp(owned.Add(2*time.Hour)), tp(owned.Add(3*time.Hour)), tp(owned.Add(4*time.Hour))
	c := Customer{Category: "B", Won: true, Locked: true, OpenOpportunities: 3, OwnedSince: &owned,
		LastFollowUp: fu, LastStageChange: sc, LastOrder: or, LastOpportunity: op}
	f := c.Facts()
	if f.Category != "B" || !f.Won || !f.Locked || f.OpenOpportunities != 3 || !f.OwnedSince.Equal(owned) ||
		f.LastFollowUp != fu || f.LastStageChange != sc || f.LastOrder != or || f.LastOpportunity != op {
		t.Errorf("Facts = %+v, want the customer's fields", f)
	}
	if f := (Customer{}).Facts(); !f.OwnedSince.IsZero() {
		t.Errorf("Facts of an unowned customer: OwnedSince = %v, want zero", f.OwnedSince)
	}
}

func TestSettingsAdvances(t *testing.T) {
	staged := Settings{Stages: DefaultStages} // 初步接触 需求确认 方案报价 谈判 赢单
	free := Settings{}
	cases := []struct {
		name     string
		s        Settings
		old, new string
		want     bool
	}{
		{"later", staged, "初步接触", "需求确认", true},
		{"skip ahead", staged, "初步接触", "赢单", true},
		{"earlier", staged, "谈判", "需求确认", false},
		{"same", staged, "方案报价", "方案报价", false},
		{"from none to the first", staged, "", "初步接触", true},
		{"to none", staged, "谈判", "", false},
		{"none to none", staged, "", "", false},
		{"empty list: any change", free, "b", "a", true},
		{"empty list: from none", free, "", "a", true},
		{"empty list: same", free, "a", "a", false},
		{"empty list: to none", free, "a", "", false},
	}
	for _, c := range cases {
		if got := c.s.Advances(c.old, c.new); got != c.want {
			t.Errorf("%s: Advances(%q, %q) = %v, want %v", c.name, c.old, c.new, got, c.want)
		}
	}
}

func TestMoney(t *testing.T) {
	parse := []struct {
		in   string
		want Money
		ok   bool
	}{
		{"12800", 1280000, true},
		{"12800.5", 1280050, true},
		{"12800.50", 1280050, true},
		{"0.05", 5, true},
		{"0", 0, true},
		{"0.5", 50, true},
		{"007", 700, true},
		{"9999999999999.99", 999999999999999, true},
		{"-1", 0, false},
		{"1.234", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"1.", 0, false},
		{".5", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1,000", 0, false},
		{"1e3", 0, false},
		{"１２", 0, false}, // full-width digits
		{"12345678901234", 0, false},
	}
	for _, c := range parse {
		got, ok := ParseMoney(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	str := []struct {
		m    Money
		want string
	}{
		{1280050, "12800.50"},
		{1280000, "12800.00"},
		{5, "0.05"},
		{0, "0.00"},
		{100, "1.00"},
		{999999999999999, "9999999999999.99"},
	}
	for _, c := range str {
		if got := c.m.String(); got != c.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(c.m), got, c.want)
		}
		if back, ok := ParseMoney(c.want); !ok || back != c.m {
			t.Errorf("ParseMoney(%q) = %d, %v; want it to read back %d", c.want, back, ok, int64(c.m))
		}
	}
}

func TestNewFollowUpValidate(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	now := at(sh, 2026, 3, 2, 15, 0)
	cases := []struct {
		name   string
		f      NewFollowUp
		fields []string // nil: valid
	}{
		{"call", NewFollowUp{Kind: "call", Content: "聊了报价"}, nil},
		{"every kind is known", NewFollowUp{Kind: "note", Content: "x"}, nil},
		{"at now", NewFollowUp{Kind: "visit", Content: "上门", At: tp(now)}, nil},
		{"at in the past", NewFollowUp{Kind: "email", Content: "sent", At: tp(now.Add(-72 * time.Hour))}, nil},
		{"5000 characters", NewFollowUp{Kind: "call", Content: strings.Repeat("话", 5000)}, nil},
		{"unknown kind", NewFollowUp{Kind: "sms", Content: "hi"}, []string{"kind"}},
		{"empty kind", NewFollowUp{Content: "hi"}, []string{"kind"}},
		{"empty content", NewFollowUp{Kind: "call"}, []string{"content"}},
		{"blank content", NewFollowUp{Kind: "call", Content: " \t\n　"}, []string{"content"}},
		{"5001 characters", NewFollowUp{Kind: "call", Content: strings.Repeat("话", 5001)}, []string{"content"}},
		{"in the future", NewFollowUp{Kind: "call", Content: "hi", At: tp(now.Add(time.Second))}, []string{"at"}},
		{"all wrong", NewFollowUp{Kind: "fax", At: tp(now.Add(time.Hour))}, []string{"kind", "content", "at"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.f.Validate(now)
			if c.fields == nil {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EInvalid {
				t.Fatalf("Validate = %v, want an *Error with code %q", err, EInvalid)
			}
			for _, f := range c.fields {
				if _, ok := e.Fields[f]; !ok {
					t.Errorf("Fields = %v, missing %q", e.Fields, f)
				}
			}
			if len(e.Fields) != len(c.fields) {
				t.Errorf("Fields = %v, want exactly %v", e.Fields, c.fields)
			}
		})
	}
}

func TestNotificationText(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	d := time.Date(2026, 3, 5, 16, 0, 0, 0, time.UTC) // 2026-03-06 00:00 in Shanghai
	cases := []struct {
		kind     string
		name     string
		rule     RuleKind
		daysLeft int
		want     string
	}{
		{NotifyRecycleWarning, "华为", RuleNotContacted, 2,
			"【回收提醒】客户「华为」还剩 2 天将按规则「领取后未联系」回收到公海（2026-03-06 00:00 起），请及时跟进。"},
		{NotifyRecycleWarning, "Acme", RuleProtection, 1,
			"【回收提醒】客户「Acme」还剩 1 天将按规则「保护期到期」回收到公海（2026-03-06 00:00 起），请及时跟进。"},
		{NotifyRecycled, "华为", RuleNoFollowUp, 0,
			"【公海回收】客户「华为」已按规则「超期未跟进」回收到公海。"},
	}
	for _, c := range cases {
		if got := NotificationText(c.kind, c.name, c.rule, c.daysLeft, d, sh); got != c.want {
			t.Errorf("NotificationText(%q, %q, %q, %d) =\n  %s\nwant\n  %s", c.kind, c.name, c.rule, c.daysLeft, got, c.want)
		}
	}
	for _, k := range RuleKinds {
		if k.Label() == string(k) || k.Label() == "" {
			t.Errorf("%s has no label", k)
		}
	}
}
