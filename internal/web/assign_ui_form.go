package web

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
)

// The 分配策略 form: a pool's gonghai.Assignment as the page's fields
// carry it, and back. Lists the admin types (regions, industries, …) are
// one text box each, split on commas, 、 and spaces; the rules are
// numbered fields rule.N.*, reordered and added or removed by the form's
// own buttons without saving, so the editor works without script.

// maxRules bounds the rules one form may carry, so a crafted post cannot
// make the page build an endless editor.
const maxRules = 50

// Rule targets: who a routing rule's customers go to, picked among by
// the rule's strategy.
const (
	targetDepartment = "department" // a department's members (and below)
	targetUsers      = "users"      // the reps named
)

// assignForm is the editor's values as typed.
type assignForm struct {
	Strategy   string
	Fallback   string
	WindowDays string
	Only       []string          // Assignment.UserIDs: the members who take part, none = all
	Weights    map[string]string // user id → weight as typed
	Rules      []routeRuleForm
	Errors     map[string]string // field → problem
}

// routeRuleForm is one routing rule as typed.
type routeRuleForm struct {
	Name, Regions, Industries, ProductLines, Channels string
	Categories, Sizes                                 []string
	Target, DepartmentID, Strategy                    string
	UserIDs                                           []string
}

// assignFormOf is the form showing a saved assignment.
func assignFormOf(a gonghai.Assignment) assignForm {
	f := assignForm{Strategy: string(a.Strategy), Fallback: string(a.Fallback), Only: a.UserIDs, Weights: map[string]string{}}
	if f.Strategy == "" {
		f.Strategy = string(gonghai.StrategyClaim)
	}
	if a.WindowDays > 0 {
		f.WindowDays = strconv.Itoa(a.WindowDays)
	}
	for id, w := range a.Weights {
		f.Weights[id] = strconv.Itoa(w)
	}
	for _, r := range a.Rules {
		rf := routeRuleForm{Name: r.Name, Regions: joinList(r.Regions), Industries: joinList(r.Industries),
			ProductLines: joinList(r.ProductLines), Channels: joinList(r.Channels), Categories: r.Categories,
			Sizes: r.Sizes, DepartmentID: r.DepartmentID, UserIDs: r.UserIDs, Strategy: string(r.Strategy), Target: targetDepartment}
		if r.DepartmentID == "" && len(r.UserIDs) > 0 {
			rf.Target = targetUsers
		}
		f.Rules = append(f.Rules, rf)
	}
	return f
}

// parseAssignForm reads the editor's post.
func parseAssignForm(form url.Values) assignForm {
	f := assignForm{Strategy: form.Get("strategy"), Fallback: form.Get("fallback"),
		WindowDays: strings.TrimSpace(form.Get("window_days")), Only: form["only"], Weights: map[string]string{}}
	for k, vs := range form {
		if id, ok := strings.CutPrefix(k, "weight."); ok && id != "" {
			f.Weights[id] = strings.TrimSpace(vs[0])
		}
	}
	n, _ := strconv.Atoi(form.Get("rules"))
	for i := range min(max(n, 0), maxRules) {
		get := func(name string) string { return strings.TrimSpace(form.Get(ruleInput(i, name))) }
		f.Rules = append(f.Rules, routeRuleForm{Name: get("name"), Regions: get("regions"), Industries: get("industries"),
			ProductLines: get("product_lines"), Channels: get("channels"), Categories: form[ruleInput(i, "categories")],
			Sizes: form[ruleInput(i, "sizes")], Target: get("target"), DepartmentID: get("department_id"),
			UserIDs: form[ruleInput(i, "user_ids")], Strategy: get("strategy")})
	}
	return f
}

// ruleInput is the name of field name of rule i.
func ruleInput(i int, name string) string { return "rule." + strconv.Itoa(i) + "." + name }

// edit applies one of the editor's rule buttons: "add", "remove.N",
// "up.N", "down.N". It reports whether op was one of them.
func (f *assignForm) edit(op string) bool {
	if op == "add" {
		if len(f.Rules) < maxRules {
			f.Rules = append(f.Rules, routeRuleForm{Target: targetDepartment, Strategy: string(gonghai.StrategyRoundRobin)})
		}
		return true
	}
	verb, n, ok := strings.Cut(op, ".")
	i, err := strconv.Atoi(n)
	if !ok || err != nil || i < 0 || i >= len(f.Rules) {
		return false
	}
	switch verb {
	case "remove":
		f.Rules = slices.Delete(f.Rules, i, i+1)
	case "up":
		if i > 0 {
			f.Rules[i-1], f.Rules[i] = f.Rules[i], f.Rules[i-1]
		}
	case "down":
		if i+1 < len(f.Rules) {
			f.Rules[i+1], f.Rules[i] = f.Rules[i], f.Rules[i+1]
		}
	default:
		return false
	}
	return true
}

// assignment is the gonghai.Assignment the form holds, or the problems of
// the fields that do not read as numbers; the store judges the rest
// (strategies known, weights ≥ 1 for members, targets that exist).
func (f assignForm) assignment() (gonghai.Assignment, map[string]string) {
	a := gonghai.Assignment{Strategy: gonghai.Strategy(f.Strategy), Fallback: gonghai.Strategy(f.Fallback), UserIDs: f.Only}
	errs := map[string]string{}
	if f.WindowDays != "" {
		n, err := strconv.Atoi(f.WindowDays)
		if err != nil || n < 1 {
			errs["window_days"] = "assign.error.window_days"
		}
		a.WindowDays = n
	}
	for _, id := range slices.Sorted(maps.Keys(f.Weights)) {
		typed := f.Weights[id]
		if typed == "" {
			continue
		}
		w, err := strconv.Atoi(typed)
		if err != nil || w < 1 {
			errs["weight."+id] = "assign.error.weight"
			continue
		}
		if a.Weights == nil {
			a.Weights = map[string]int{}
		}
		a.Weights[id] = w
	}
	for _, r := range f.Rules {
		rule := gonghai.RoutingRule{Name: r.Name, Regions: splitList(r.Regions), Industries: splitList(r.Industries),
			ProductLines: splitList(r.ProductLines), Channels: splitList(r.Channels), Categories: r.Categories,
			Sizes: r.Sizes, Strategy: gonghai.Strategy(r.Strategy)}
		switch r.Target {
		case targetDepartment:
			rule.DepartmentID = r.DepartmentID
		case targetUsers:
			rule.UserIDs = r.UserIDs
		}
		a.Rules = append(a.Rules, rule)
	}
	if len(errs) == 0 {
		errs = nil
	}
	return a, errs
}

// splitList reads a list typed in one box: commas (either width), 、,
// semicolons and white space separate; empty items are dropped.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(",，、;；", r) || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '　'
	})
}

// joinList shows a list in one box.
func joinList(xs []string) string { return strings.Join(xs, "、") }
