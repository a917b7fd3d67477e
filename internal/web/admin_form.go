package web

// The admin pages' forms: what an HTML form sends, parsed into the same
// inputs the API hands the store, and the store's refusals mapped back to
// the form's fields. A form keeps its values as typed, so a refused form
// shows again as it was sent.

import (
	"errors"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gonghai/gonghai"
)

// ruleForm is one recycle rule in the pool editor.
type ruleForm struct {
	Kind         gonghai.RuleKind
	Enabled      bool
	Days         string
	CategoryDays map[string]string // category → days as typed; "" for the default
	ExemptWon    bool
	ExtendDays   string // protection only
	MaxDays      string // protection only
	// Err holds this rule's problems by the suffix of the field at fault:
	// enabled, days, category_days, extend_days, max_days.
	Err map[string]string
}

// Name is the form field name of the rule's field suffix.
func (r ruleForm) Name(suffix string) string { return "rule." + string(r.Kind) + "." + suffix }

// ID is an HTML id for the rule's field suffix (ids keep to [a-z0-9_-]).
func (r ruleForm) ID(suffix string) string {
	return "rule-" + string(r.Kind) + "-" + strings.ReplaceAll(suffix, ".", "-")
}

// Protection reports whether the rule is the protection period, the one
// rule that extends and has a maximum.
func (r ruleForm) Protection() bool { return r.Kind == gonghai.RuleProtection }

// HasExemptWon reports whether the won exemption means anything for the
// rule: not-won and no-repurchase decide by the won flag themselves.
func (r ruleForm) HasExemptWon() bool {
	return r.Kind != gonghai.RuleNotWon && r.Kind != gonghai.RuleNoRepurchase
}

// blank reports whether the rule is off and nothing was typed for it: the
// pool then has no such rule.
func (r ruleForm) blank() bool {
	if r.Enabled || r.ExemptWon || strings.TrimSpace(r.Days) != "" || strings.TrimSpace(r.ExtendDays) != "" ||
		strings.TrimSpace(r.MaxDays) != "" {
		return false
	}
	for _, d := range r.CategoryDays {
		if strings.TrimSpace(d) != "" {
			return false
		}
	}
	return true
}

// poolForm is the pool editor's state.
type poolForm struct {
	Name                  string
	Hidden                bool
	MemberUserIDs         []string
	MemberDepartmentIDs   []string
	AdminUserIDs          []string
	ContactMask           string
	DailyClaimLimit       string
	ReclaimCooldownDays   string
	ReleaseWaitHours      string
	HoldingLimit          string
	ReturnPoolID          string
	ClaimOrder            string     // one of gonghai.ClaimOrders
	Rules                 []ruleForm // one per gonghai.RuleKinds, in their order
	CountingKinds         []string
	ExemptOpenOpportunity bool
	WarnDays              string
	// Errors holds problems by form field name; the rules' own are in
	// their Err.
	Errors map[string]string
}

// newPoolForm is the form of a new pool: every rule off, defaults as the
// store gives them.
func newPoolForm() poolForm {
	return poolFormOf(gonghai.Pool{ContactMask: gonghai.MaskPartial})
}

// poolFormOf is the form of stored pool p.
func poolFormOf(p gonghai.Pool) poolForm {
	itoa := strconv.Itoa
	f := poolForm{Name: p.Name, Hidden: p.Hidden, MemberUserIDs: p.MemberUserIDs, MemberDepartmentIDs: p.MemberDepartmentIDs,
		AdminUserIDs: p.AdminUserIDs, ContactMask: p.ContactMask, DailyClaimLimit: itoa(p.DailyClaimLimit),
		ReclaimCooldownDays: itoa(p.ReclaimCooldownDays), ReleaseWaitHours: itoa(p.ReleaseWaitHours),
		HoldingLimit: itoa(p.HoldingLimit), ReturnPoolID: p.ReturnPoolID, ClaimOrder: claimOrderOut(p.ClaimOrder), CountingKinds: p.Recycle.CountingKinds,
		ExemptOpenOpportunity: p.Recycle.ExemptOpenOpportunity, WarnDays: itoa(p.Recycle.WarnDays)}
	if f.CountingKinds == nil {
		f.CountingKinds = gonghai.DefaultCountingKinds
	}
	for _, k := range gonghai.RuleKinds {
		rf := ruleForm{Kind: k, CategoryDays: map[string]string{}}
		if r, ok := p.Recycle.Rule(k); ok {
			rf.Enabled, rf.Days, rf.ExemptWon = r.Enabled, itoa(r.Days), r.ExemptWon
			for cat, n := range r.CategoryDays {
				rf.CategoryDays[cat] = itoa(n)
			}
			if k == gonghai.RuleProtection {
				rf.ExtendDays, rf.MaxDays = itoa(r.ExtendDays), itoa(r.MaxDays)
			}
		}
		f.Rules = append(f.Rules, rf)
	}
	return f
}

// parsePoolForm reads the pool editor's fields from form values. Lists
// come as repeated fields (checkboxes, multiple selects); an unchecked
// checkbox sends nothing, so its absence is false.
func parsePoolForm(v url.Values) poolForm {
	on := func(name string) bool { return v.Get(name) != "" }
	f := poolForm{Name: v.Get("name"), Hidden: on("hidden"), MemberUserIDs: nonEmpty(v["member_user_ids"]),
		MemberDepartmentIDs: nonEmpty(v["member_department_ids"]), AdminUserIDs: nonEmpty(v["admin_user_ids"]),
		ContactMask: v.Get("contact_mask"), DailyClaimLimit: v.Get("daily_claim_limit"),
		ReclaimCooldownDays: v.Get("reclaim_cooldown_days"), ReleaseWaitHours: v.Get("release_wait_hours"),
		HoldingLimit: v.Get("holding_limit"), ReturnPoolID: v.Get("return_pool_id"), ClaimOrder: v.Get("claim_order"),
		CountingKinds: nonEmpty(v["counting_kinds"]), ExemptOpenOpportunity: on("exempt_open_opportunity"),
		WarnDays: v.Get("warn_days")}
	for _, k := range gonghai.RuleKinds {
		rf := ruleForm{Kind: k, CategoryDays: map[string]string{}}
		rf.Enabled, rf.Days, rf.ExemptWon = on(rf.Name("enabled")), v.Get(rf.Name("days")), on(rf.Name("exempt_won"))
		for _, cat := range gonghai.Categories {
			rf.CategoryDays[cat] = v.Get(rf.Name("days." + cat))
		}
		if rf.Protection() {
			rf.ExtendDays, rf.MaxDays = v.Get(rf.Name("extend_days")), v.Get(rf.Name("max_days"))
		}
		f.Rules = append(f.Rules, rf)
	}
	return f
}

// nonEmpty drops the empty values a form sends for "none chosen".
func nonEmpty(vs []string) []string {
	out := []string{}
	for _, s := range vs {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// fieldErrors gathers problems by form field, as the store words them.
type fieldErrors map[string]string

// number reads a whole number typed into field; blank is def.
func (e fieldErrors) number(field, typed string, def int) int {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return def
	}
	n, err := strconv.Atoi(typed)
	if err != nil {
		e[field] = "a whole number"
	}
	return n
}

func (e fieldErrors) err(message string) error {
	if len(e) == 0 {
		return nil
	}
	return &gonghai.Error{Code: gonghai.EInvalid, Message: message, Fields: e}
}

// recycle returns the form's recycle rules, the kind of each rule by its
// place in the list (what the root's field names count by), and the
// fields that are not numbers.
func (f poolForm) recycle() (gonghai.RecycleRules, []gonghai.RuleKind, error) {
	bad := fieldErrors{}
	rs := gonghai.RecycleRules{CountingKinds: f.CountingKinds, ExemptOpenOpportunity: f.ExemptOpenOpportunity,
		WarnDays: bad.number("warn_days", f.WarnDays, 0), Rules: []gonghai.RecycleRule{}}
	var kinds []gonghai.RuleKind
	for _, rf := range f.Rules {
		if rf.blank() {
			continue
		}
		r := gonghai.RecycleRule{Kind: rf.Kind, Enabled: rf.Enabled, Days: bad.number(rf.Name("days"), rf.Days, 0),
			ExemptWon: rf.ExemptWon && rf.HasExemptWon()}
		for _, cat := range gonghai.Categories {
			if n := bad.number(rf.Name("days."+cat), rf.CategoryDays[cat], 0); strings.TrimSpace(rf.CategoryDays[cat]) != "" {
				if r.CategoryDays == nil {
					r.CategoryDays = map[string]int{}
				}
				r.CategoryDays[cat] = n
			}
		}
		if rf.Protection() {
			r.ExtendDays, r.MaxDays = bad.number(rf.Name("extend_days"), rf.ExtendDays, 0), bad.number(rf.Name("max_days"), rf.MaxDays, 0)
		}
		rs.Rules = append(rs.Rules, r)
		kinds = append(kinds, rf.Kind)
	}
	return rs, kinds, bad.err("invalid recycle rules")
}

// input returns the pool input the form asks for, and the kind of each
// recycle rule by its place. all is whether the viewer may change the
// whole pool (gonghai.CanChangePool); a pool admin's input carries the
// claim and recycle rules alone.
func (f poolForm) input(all bool) (gonghai.PoolInput, []gonghai.RuleKind, error) {
	bad := fieldErrors{}
	rs, kinds, err := f.recycle()
	if err != nil {
		bad = err.(*gonghai.Error).Fields
	}
	num := func(field, typed string) *int {
		n := bad.number(field, typed, 0)
		return &n
	}
	in := gonghai.PoolInput{DailyClaimLimit: num("daily_claim_limit", f.DailyClaimLimit),
		ReclaimCooldownDays: num("reclaim_cooldown_days", f.ReclaimCooldownDays),
		ReleaseWaitHours:    num("release_wait_hours", f.ReleaseWaitHours), HoldingLimit: num("holding_limit", f.HoldingLimit),
		Recycle: &rs}
	if f.ClaimOrder != "" {
		order := f.ClaimOrder
		in.ClaimOrder = &order
	}
	if all {
		name, mask, ret := f.Name, f.ContactMask, strings.TrimSpace(f.ReturnPoolID)
		members, depts, admins := f.MemberUserIDs, f.MemberDepartmentIDs, f.AdminUserIDs
		in.Name, in.Hidden, in.ContactMask, in.ReturnPoolID = &name, &f.Hidden, &mask, &ret
		in.MemberUserIDs, in.MemberDepartmentIDs, in.AdminUserIDs = &members, &depts, &admins
	}
	return in, kinds, bad.err("invalid pool")
}

// ruleField matches the root's name of a recycle rule's field:
// recycle.rules[2].days.
var ruleField = regexp.MustCompile(`^recycle\.rules\[(\d+)\]\.(\w+)$`)

// formFields maps the fields of an invalid-input error (the root's and the
// store's names, rules counted by their place in kinds) to the form's
// field names. It returns nil for any other error: the form cannot show it
// by a field.
func formFields(err error, kinds []gonghai.RuleKind) map[string]string {
	var e *gonghai.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return nil
	}
	out := map[string]string{}
	for field, problem := range e.Fields {
		if m := ruleField.FindStringSubmatch(field); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(kinds) {
				suffix := m[2]
				if suffix == "kind" || suffix == "since" {
					suffix = "enabled"
				}
				field = "rule." + string(kinds[i]) + "." + suffix
			}
		} else {
			field = strings.TrimPrefix(field, "recycle.")
		}
		out[field] = problem
	}
	return out
}

// withErrors returns f showing problems by form field: the rules' own in
// each rule's Err (a category's days under category_days), the rest in
// Errors.
func (f poolForm) withErrors(fields map[string]string) poolForm {
	f.Errors = map[string]string{}
	rules := make([]ruleForm, len(f.Rules))
	copy(rules, f.Rules)
	for i := range rules {
		rules[i].Err = map[string]string{}
	}
	for field, problem := range fields {
		placed := false
		for i, r := range rules {
			if suffix, ok := strings.CutPrefix(field, r.Name("")); ok {
				if strings.HasPrefix(suffix, "days.") {
					suffix = "category_days"
				}
				rules[i].Err[suffix], placed = problem, true
			}
		}
		if !placed {
			f.Errors[field] = problem
		}
	}
	f.Rules = rules
	return f
}

// userForm is the create-user form as typed.
type userForm struct {
	Login, Name, Role, DepartmentID, Level, HoldingLimit string
	Errors                                               map[string]string
}

// Password length bounds for a password set on a web form: long enough
// to resist guessing, short enough to hash cheaply.
const (
	minPasswordLength = 8
	maxPasswordLength = 200
)

// checkPassword refuses a password typed on a form that is too short or
// too long.
func checkPassword(field, pw string) error {
	if n := utf8.RuneCountInString(pw); n < minPasswordLength || n > maxPasswordLength {
		return gonghai.Invalid(field, "8 to 200 characters")
	}
	return nil
}

// parseUserForm reads the create-user form: the user to create (its
// password hash left to the caller) and the password typed.
func parseUserForm(v url.Values) (userForm, gonghai.NewUser, string, error) {
	f := userForm{Login: strings.TrimSpace(v.Get("login")), Name: v.Get("name"), Role: v.Get("role"),
		DepartmentID: strings.TrimSpace(v.Get("department_id")), Level: v.Get("level"), HoldingLimit: v.Get("holding_limit")}
	bad := fieldErrors{}
	in := gonghai.NewUser{Login: f.Login, Name: f.Name, Role: gonghai.Role(f.Role), DepartmentID: f.DepartmentID, Level: f.Level,
		HoldingLimit: bad.optional("holding_limit", f.HoldingLimit)}
	pw := v.Get("password")
	if err := checkPassword("password", pw); err != nil {
		bad["password"] = err.(*gonghai.Error).Fields["password"]
	}
	return f, in, pw, bad.err("invalid user")
}

// optional reads a whole number that may be left blank: nil then.
func (e fieldErrors) optional(field, typed string) *int {
	if strings.TrimSpace(typed) == "" {
		return nil
	}
	n := e.number(field, typed, 0)
	return &n
}

// parseUserPatch reads the edit-user form: department, level and
// personal holding limit, which blank clears so the level's applies.
func parseUserPatch(v url.Values) (gonghai.UserPatch, error) {
	bad := fieldErrors{}
	dept, level := strings.TrimSpace(v.Get("department_id")), v.Get("level")
	p := gonghai.UserPatch{DepartmentID: &dept, Level: &level, HoldingLimit: bad.optional("holding_limit", v.Get("holding_limit"))}
	p.ClearHoldingLimit = p.HoldingLimit == nil
	if role := v.Get("role"); role != "" {
		r := gonghai.Role(role)
		p.Role = &r
	}
	// The form shows the export permission to admins only (marked by
	// export_unmasked_shown, as an unticked box sends nothing); one made
	// something else loses it with the role (UserPatch.Apply).
	if v.Has("export_unmasked_shown") {
		unmasked := v.Get("export_unmasked") == "on" && (p.Role == nil || *p.Role == gonghai.RoleAdmin)
		p.ExportUnmasked = &unmasked
	}
	return p, bad.err("invalid user")
}

// levelRow is one level and its holding limit in the settings form.
type levelRow struct{ Level, Limit string }

// settingsForm is the settings form as typed.
type settingsForm struct {
	TimeZone              string
	Levels                []levelRow
	ExcludeWonFromHolding bool
	Stages                string // one stage a line
	WebhookURL            string
	WebhookFormat         string
	RevealDailyQuota      string
	ExportDailyQuota      string
	Errors                map[string]string
}

// blankLevelRows is how many empty level rows the form offers for new
// levels.
const blankLevelRows = 3

// settingsFormOf is the form of settings s, levels by name.
func settingsFormOf(s gonghai.Settings) settingsForm {
	f := settingsForm{TimeZone: s.TimeZone, ExcludeWonFromHolding: s.ExcludeWonFromHolding,
		Stages: strings.Join(s.Stages, "\n"), WebhookURL: s.WebhookURL, WebhookFormat: s.WebhookFormat,
		RevealDailyQuota: strconv.Itoa(s.RevealDailyQuota), ExportDailyQuota: strconv.Itoa(s.ExportDailyQuota)}
	for _, level := range slices.Sorted(maps.Keys(s.LevelHoldingLimits)) {
		f.Levels = append(f.Levels, levelRow{level, strconv.Itoa(s.LevelHoldingLimits[level])})
	}
	return f.withBlankLevels()
}

func (f settingsForm) withBlankLevels() settingsForm {
	for range blankLevelRows {
		f.Levels = append(f.Levels, levelRow{})
	}
	return f
}

// parseSettingsForm reads the settings form into a patch of every
// setting it shows. Levels come as repeated level/level_limit pairs; a
// pair left blank is no level.
func parseSettingsForm(v url.Values) (settingsForm, gonghai.SettingsPatch, error) {
	bad := fieldErrors{}
	f := settingsForm{TimeZone: strings.TrimSpace(v.Get("time_zone")), ExcludeWonFromHolding: v.Get("exclude_won_from_holding") != "",
		Stages: v.Get("stages"), WebhookURL: strings.TrimSpace(v.Get("webhook_url")), WebhookFormat: v.Get("webhook_format"),
		RevealDailyQuota: v.Get("reveal_daily_quota"), ExportDailyQuota: v.Get("export_daily_quota")}
	levels, limits := v["level"], v["level_limit"]
	byLevel := map[string]int{}
	for i := range max(len(levels), len(limits)) {
		row := levelRow{at(levels, i), at(limits, i)}
		name := strings.TrimSpace(row.Level)
		if name == "" && strings.TrimSpace(row.Limit) == "" {
			continue
		}
		f.Levels = append(f.Levels, row)
		n := bad.number("level_holding_limits", row.Limit, -1)
		if _, twice := byLevel[name]; twice {
			bad["level_holding_limits"] = "each level named once"
		}
		byLevel[name] = n // a blank name or limit the root refuses
	}
	stages := []string{}
	for _, line := range strings.Split(f.Stages, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			stages = append(stages, line)
		}
	}
	quota := bad.number("reveal_daily_quota", f.RevealDailyQuota, 0)
	p := gonghai.SettingsPatch{TimeZone: &f.TimeZone, LevelHoldingLimits: &byLevel, ExcludeWonFromHolding: &f.ExcludeWonFromHolding,
		Stages: &stages, WebhookURL: &f.WebhookURL, WebhookFormat: &f.WebhookFormat, RevealDailyQuota: &quota}
	if v.Has("export_daily_quota") {
		exports := bad.number("export_daily_quota", f.ExportDailyQuota, 0)
		p.ExportDailyQuota = &exports
	}
	return f.withBlankLevels(), p, bad.err("invalid settings")
}

// at returns vs[i], or "" past its end.
func at(vs []string, i int) string {
	if i < len(vs) {
		return vs[i]
	}
	return ""
}
