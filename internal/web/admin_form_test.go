package web

import (
	"net/url"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func ptr[T any](v T) *T { return &v }

// poolValues is a pool form as a browser sends it: the fields named, and
// every rule off and blank unless given.
func poolValues(kv ...string) url.Values {
	v := url.Values{"name": {"华东公海"}, "contact_mask": {"masked"}, "daily_claim_limit": {"20"},
		"reclaim_cooldown_days": {""}, "release_wait_hours": {"0"}, "holding_limit": {"0"}, "warn_days": {"3"}}
	for _, k := range gonghai.RuleKinds {
		v.Set("rule."+string(k)+".days", "")
	}
	given := map[string]bool{}
	for i := 0; i+1 < len(kv); i += 2 {
		if !given[kv[i]] {
			v.Del(kv[i])
		}
		v.Add(kv[i], kv[i+1])
		given[kv[i]] = true
	}
	return v
}

func TestPoolFormInput(t *testing.T) {
	tests := []struct {
		name   string
		values url.Values
		all    bool
		want   gonghai.PoolInput
		kinds  []gonghai.RuleKind
		fields map[string]string // parse problems
	}{{
		name: "admin: every field, members by user and department, rules of each shape",
		values: poolValues("hidden", "on", "member_user_ids", "u1", "member_user_ids", "u2", "member_department_ids", "d1",
			"admin_user_ids", "u3", "counting_kinds", "call", "counting_kinds", "visit", "exempt_open_opportunity", "on",
			"rule.no_follow_up.enabled", "on", "rule.no_follow_up.days", "30", "rule.no_follow_up.days.A", "60",
			"rule.no_follow_up.exempt_won", "on",
			"rule.not_won.days", "90", "rule.not_won.exempt_won", "on", // off but kept; the won exemption means nothing here
			"rule.protection.enabled", "on", "rule.protection.days", "15", "rule.protection.extend_days", "7",
			"rule.protection.max_days", "45"),
		all: true,
		want: gonghai.PoolInput{Name: ptr("华东公海"), Hidden: ptr(true), MemberUserIDs: &[]string{"u1", "u2"},
			MemberDepartmentIDs: &[]string{"d1"}, AdminUserIDs: &[]string{"u3"}, ContactMask: ptr("masked"), ReturnPoolID: ptr(""),
			DailyClaimLimit: ptr(20), ReclaimCooldownDays: ptr(0), ReleaseWaitHours: ptr(0), HoldingLimit: ptr(0),
			Recycle: &gonghai.RecycleRules{CountingKinds: []string{"call", "visit"}, ExemptOpenOpportunity: true, WarnDays: 3,
				Rules: []gonghai.RecycleRule{
					{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30, CategoryDays: map[string]int{"A": 60}, ExemptWon: true},
					{Kind: gonghai.RuleNotWon, Days: 90},
					{Kind: gonghai.RuleProtection, Enabled: true, Days: 15, ExtendDays: 7, MaxDays: 45},
				}}},
		kinds: []gonghai.RuleKind{gonghai.RuleNoFollowUp, gonghai.RuleNotWon, gonghai.RuleProtection},
	}, {
		name:   "pool admin: claim and recycle rules only, whatever else is sent",
		values: poolValues("hidden", "on", "member_user_ids", "u1", "rule.stage_stalled.enabled", "on", "rule.stage_stalled.days", "20"),
		want: gonghai.PoolInput{DailyClaimLimit: ptr(20), ReclaimCooldownDays: ptr(0), ReleaseWaitHours: ptr(0), HoldingLimit: ptr(0),
			Recycle: &gonghai.RecycleRules{CountingKinds: []string{}, WarnDays: 3,
				Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleStageStalled, Enabled: true, Days: 20}}}},
		kinds: []gonghai.RuleKind{gonghai.RuleStageStalled},
	}, {
		name:   "an enabled rule without days is left for the root to refuse",
		values: poolValues("rule.not_contacted.enabled", "on"),
		want: gonghai.PoolInput{DailyClaimLimit: ptr(20), ReclaimCooldownDays: ptr(0), ReleaseWaitHours: ptr(0), HoldingLimit: ptr(0),
			Recycle: &gonghai.RecycleRules{CountingKinds: []string{}, WarnDays: 3,
				Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNotContacted, Enabled: true}}}},
		kinds: []gonghai.RuleKind{gonghai.RuleNotContacted},
	}, {
		name: "words where numbers go are named by their form field",
		values: poolValues("daily_claim_limit", "x", "rule.no_follow_up.enabled", "on", "rule.no_follow_up.days", "thirty",
			"rule.no_follow_up.days.B", "1.5", "rule.protection.enabled", "on", "rule.protection.days", "5",
			"rule.protection.max_days", "many"),
		fields: map[string]string{"daily_claim_limit": "a whole number", "rule.no_follow_up.days": "a whole number",
			"rule.no_follow_up.days.B": "a whole number", "rule.protection.max_days": "a whole number"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.values
			if tt.fields == nil {
				v.Set("daily_claim_limit", "20")
			}
			in, kinds, err := parsePoolForm(v).input(tt.all)
			if tt.fields != nil {
				if diff := cmp.Diff(tt.fields, formFields(err, kinds)); diff != "" {
					t.Fatalf("problems (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, in, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("input (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
			if !tt.all && !in.OnlyRules() {
				t.Error("a pool admin's input changes more than rules")
			}
		})
	}
}

// TestPoolFormRoundTrip: a stored pool's form, sent back untouched, asks
// for the same pool.
func TestPoolFormRoundTrip(t *testing.T) {
	p := gonghai.Pool{Name: "华南公海", Hidden: true, MemberUserIDs: []string{"u1"}, MemberDepartmentIDs: []string{"d1", "d2"},
		AdminUserIDs: []string{"u9"}, ContactMask: gonghai.MaskHidden, DailyClaimLimit: 5, ReclaimCooldownDays: 7,
		ReleaseWaitHours: 24, HoldingLimit: 100, ReturnPoolID: "p2",
		Recycle: gonghai.RecycleRules{CountingKinds: []string{"call"}, WarnDays: 2, Rules: []gonghai.RecycleRule{
			{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30, CategoryDays: map[string]int{"A": 45, "C": 10}},
			{Kind: gonghai.RuleNoRepurchase, Days: 180},
			{Kind: gonghai.RuleProtection, Enabled: true, Days: 10, ExtendDays: 5, MaxDays: 0, ExemptWon: true},
		}}}
	f := poolFormOf(p)
	v := url.Values{"name": {f.Name}, "hidden": {"on"}, "member_user_ids": f.MemberUserIDs, "member_department_ids": f.MemberDepartmentIDs,
		"admin_user_ids": f.AdminUserIDs, "contact_mask": {f.ContactMask}, "daily_claim_limit": {f.DailyClaimLimit},
		"reclaim_cooldown_days": {f.ReclaimCooldownDays}, "release_wait_hours": {f.ReleaseWaitHours}, "holding_limit": {f.HoldingLimit},
		"return_pool_id": {f.ReturnPoolID}, "counting_kinds": f.CountingKinds, "warn_days": {f.WarnDays}}
	for _, r := range f.Rules {
		if r.Enabled {
			v.Set(r.Name("enabled"), "on")
		}
		if r.ExemptWon {
			v.Set(r.Name("exempt_won"), "on")
		}
		v.Set(r.Name("days"), r.Days)
		for cat, d := range r.CategoryDays {
			v.Set(r.Name("days."+cat), d)
		}
		v.Set(r.Name("extend_days"), r.ExtendDays)
		v.Set(r.Name("max_days"), r.MaxDays)
	}
	in, _, err := parsePoolForm(v).input(true)
	if err != nil {
		t.Fatal(err)
	}
	var got gonghai.Pool
	in.Apply(&got)
	if diff := cmp.Diff(p, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-sent +back):\n%s", diff)
	}
}

// TestFormFields: the root's and the store's field names come back as the
// form's, rules by kind.
func TestFormFields(t *testing.T) {
	kinds := []gonghai.RuleKind{gonghai.RuleNotWon, gonghai.RuleProtection}
	err := &gonghai.Error{Code: gonghai.EInvalid, Fields: map[string]string{
		"name": "1 to 100 characters", "recycle.rules[1].max_days": "m", "recycle.rules[0].days": "d",
		"recycle.rules[0].category_days": "c", "recycle.warn_days": "w", "member_user_ids": "no such id",
	}}
	want := map[string]string{"name": "1 to 100 characters", "rule.protection.max_days": "m", "rule.not_won.days": "d",
		"rule.not_won.category_days": "c", "warn_days": "w", "member_user_ids": "no such id"}
	if diff := cmp.Diff(want, formFields(err, kinds)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if formFields(gonghai.Errorf(gonghai.EForbidden, "no"), kinds) != nil {
		t.Error("a refusal without fields maps to fields")
	}
	f := poolFormOf(gonghai.Pool{}).withErrors(formFields(err, kinds))
	if f.Rules[2].Err["days"] != "d" || f.Rules[2].Err["category_days"] != "c" || f.Rules[6].Err["max_days"] != "m" {
		t.Errorf("rule problems not placed on their rules: %v", f.Rules)
	}
	if f.Errors["name"] == "" || f.Errors["warn_days"] == "" || len(f.Errors) != 3 {
		t.Errorf("form problems = %v", f.Errors)
	}
	g := poolFormOf(gonghai.Pool{}).withErrors(map[string]string{"rule.no_follow_up.days.B": "x"})
	if g.Rules[0].Err["category_days"] != "x" {
		t.Errorf("a category's problem = %v", g.Rules[0].Err)
	}
}

func TestUserForms(t *testing.T) {
	v := url.Values{"login": {" li.lei "}, "name": {"李雷"}, "role": {"rep"}, "department_id": {"d1"}, "level": {"junior"},
		"holding_limit": {""}, "password": {"correct horse"}}
	_, in, pw, err := parseUserForm(v)
	if err != nil {
		t.Fatal(err)
	}
	want := gonghai.NewUser{Login: "li.lei", Name: "李雷", Role: gonghai.RoleRep, DepartmentID: "d1", Level: "junior"}
	if diff := cmp.Diff(want, in); diff != "" || pw != "correct horse" {
		t.Errorf("new user (-want +got):\n%s (password %q)", diff, pw)
	}
	v.Set("holding_limit", "lots")
	v.Set("password", "short")
	f, _, _, err := parseUserForm(v)
	if diff := cmp.Diff(map[string]string{"holding_limit": "a whole number", "password": "8 to 200 characters"}, formFields(err, nil)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if f.Login != "li.lei" || f.HoldingLimit != "lots" {
		t.Errorf("the form does not keep what was typed: %+v", f)
	}

	for _, tt := range []struct {
		limit string
		want  gonghai.UserPatch
	}{
		{"", gonghai.UserPatch{DepartmentID: ptr(""), Level: ptr("senior"), ClearHoldingLimit: true}},
		{"80", gonghai.UserPatch{DepartmentID: ptr(""), Level: ptr("senior"), HoldingLimit: ptr(80)}},
	} {
		p, err := parseUserPatch(url.Values{"department_id": {""}, "level": {"senior"}, "holding_limit": {tt.limit}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, p); diff != "" {
			t.Errorf("limit %q: patch (-want +got):\n%s", tt.limit, diff)
		}
	}
}

func TestSettingsForm(t *testing.T) {
	s := gonghai.Settings{TimeZone: "Asia/Shanghai", LevelHoldingLimits: map[string]int{"senior": 200, "junior": 100},
		Stages: []string{"初步接触", "赢单"}, WebhookFormat: gonghai.WebhookRobotText, RevealDailyQuota: 20}
	f := settingsFormOf(s)
	if len(f.Levels) != 2+blankLevelRows || f.Levels[0] != (levelRow{"junior", "100"}) {
		t.Errorf("levels = %v", f.Levels)
	}
	v := url.Values{"time_zone": {"Asia/Urumqi"}, "level": {"junior", "", "senior", ""}, "level_limit": {"120", "", "250", ""},
		"stages": {"初步接触\r\n\n 需求确认 \n赢单"}, "webhook_url": {"https://oapi.dingtalk.com/robot/send?access_token=x"},
		"webhook_format": {"robot_text"}, "reveal_daily_quota": {"5"}, "exclude_won_from_holding": {"on"}}
	_, p, err := parseSettingsForm(v)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Apply(gonghai.Settings{})
	want := gonghai.Settings{TimeZone: "Asia/Urumqi", LevelHoldingLimits: map[string]int{"junior": 120, "senior": 250},
		ExcludeWonFromHolding: true, Stages: []string{"初步接触", "需求确认", "赢单"},
		WebhookURL: "https://oapi.dingtalk.com/robot/send?access_token=x", WebhookFormat: "robot_text", RevealDailyQuota: 5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("settings from the form are refused: %v", err)
	}

	// A level without a limit, or named twice, is refused by the form or
	// the root; a quota in words by the form.
	for _, tt := range []struct {
		level, limit []string
		field        string
	}{
		{[]string{"junior"}, []string{""}, "level_holding_limits"},
		{[]string{""}, []string{"10"}, "level_holding_limits"},
		{[]string{"junior", "junior"}, []string{"1", "2"}, "level_holding_limits"},
	} {
		v := url.Values{"time_zone": {"Asia/Shanghai"}, "level": tt.level, "level_limit": tt.limit, "webhook_format": {"json"}}
		_, p, err := parseSettingsForm(v)
		if err == nil {
			err = p.Apply(gonghai.Settings{}).Validate()
		}
		if formFields(err, nil)[tt.field] == "" {
			t.Errorf("levels %q limits %q: problems %v, want %s", tt.level, tt.limit, formFields(err, nil), tt.field)
		}
	}
	_, _, err = parseSettingsForm(url.Values{"reveal_daily_quota": {"ten"}})
	if formFields(err, nil)["reveal_daily_quota"] == "" {
		t.Errorf("quota in words: %v", err)
	}
}
