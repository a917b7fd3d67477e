package gonghai

import (
	"regexp"
	"strings"
	"time"
)

// Role is what a user may do across the organisation.
type Role string

// The roles. A manager manages their department and its sub-departments.
const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleRep     Role = "rep"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleManager || r == RoleRep
}

// Department is a node of the organisation tree. Path lists the ids from
// the root down to and including this department, so a subtree is a prefix.
type Department struct {
	ID       string
	Name     string
	ParentID string // "" for a root
	Path     string // "/root-id/…/id/"
	Created  time.Time
}

// Contains reports whether department d is other or one of its ancestors.
func (d Department) Contains(other Department) bool {
	return len(other.Path) >= len(d.Path) && other.Path[:len(d.Path)] == d.Path
}

// User is a person who signs in: an admin, a manager or a sales rep.
type User struct {
	ID           string
	Login        string
	Name         string
	Role         Role
	DepartmentID string // "" when in no department
	DeptPath     string // the department's Path, "" when in none
	Level        string // e.g. "junior", "senior": selects a holding limit
	HoldingLimit *int   // personal limit; overrides the level's
	Active       bool
	Created      time.Time
	// ExportUnmasked lets an admin export lists with contacts in full; only
	// admins hold it, and only an admin grants it.
	ExportUnmasked bool
	// AwayUntil, AssignPaused and DailyAssignCap (0: none) keep a rep out of
	// automatic assignment for a while; they keep their turn.
	AwayUntil      *time.Time
	AssignPaused   bool
	DailyAssignCap int
}

// Manages reports whether manager u manages the department at path: it is
// u's own department or below it. Only managers manage.
func (u User) Manages(deptPath string) bool {
	return u.Role == RoleManager && u.DeptPath != "" && len(deptPath) >= len(u.DeptPath) &&
		deptPath[:len(u.DeptPath)] == u.DeptPath
}

// Settings are the organisation-wide rules.
type Settings struct {
	TimeZone string // IANA name; rules count days here
	// LevelHoldingLimits is the most customers a rep of each level may own
	// overall; a level not listed has no overall limit.
	LevelHoldingLimits map[string]int
	// LevelALimits is the most A-category customers a rep of each level
	// may hold, so that the best customers are spread over the team; a
	// level not listed has no such limit.
	LevelALimits map[string]int
	// ExcludeWonFromHolding leaves won customers out of holding counts, so
	// that closing deals does not stop a rep from claiming new ones.
	ExcludeWonFromHolding bool
	// Stages is the sales process in order; a customer's stage advances
	// when it moves later in the list. Empty means any stage is allowed and
	// every change counts as an advance.
	Stages []string
	// WebhookURL receives reminders and recycle notices when set;
	// WebhookFormat is WebhookJSON or WebhookRobotText.
	WebhookURL    string
	WebhookFormat string
	// RevealDailyQuota is how many customers' masked contacts one user may
	// reveal per calendar day; 0 turns reveals off.
	RevealDailyQuota int
	// ExportDailyQuota is how many rows one user may export to files per
	// calendar day; 0 turns list exports off.
	ExportDailyQuota int
}

// Webhook body formats.
const (
	WebhookJSON      = "json"       // gonghai's own JSON body
	WebhookRobotText = "robot_text" // the text message of DingTalk and WeCom group robots
)

// DefaultStages is the sales process of a new organisation.
var DefaultStages = []string{"初步接触", "需求确认", "方案报价", "谈判", "赢单"}

// Advances reports whether moving from stage old to stage new advances the
// customer in the sales process.
func (s Settings) Advances(old, new string) bool {
	if old == new || new == "" {
		return false
	}
	if len(s.Stages) == 0 {
		return true
	}
	oi, ni := -1, -1
	for i, st := range s.Stages {
		if st == old {
			oi = i
		}
		if st == new {
			ni = i
		}
	}
	return ni > oi
}

// Location returns the settings' time zone, falling back to DefaultTimeZone.
func (s Settings) Location() *time.Location {
	for _, name := range []string{s.TimeZone, DefaultTimeZone} {
		if loc, err := time.LoadLocation(name); err == nil && name != "" {
			return loc
		}
	}
	return time.FixedZone("CST", 8*3600)
}

// OverallLimit returns the most customers u may own across all pools, and
// false when nothing limits it. A personal limit overrides the level's.
func (s Settings) OverallLimit(u User) (int, bool) {
	if u.HoldingLimit != nil {
		return *u.HoldingLimit, true
	}
	n, ok := s.LevelHoldingLimits[u.Level]
	return n, ok
}

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// Validate refuses a user whose fields are not acceptable, naming each, for
// create and update alike.
func (u User) Validate() error {
	bad := map[string]string{}
	if !loginPattern.MatchString(u.Login) {
		bad["login"] = "1 to 64 letters, digits or . _ @ -, starting with a letter or digit"
	}
	if u.Name == "" || len([]rune(u.Name)) > 100 {
		bad["name"] = "1 to 100 characters"
	} else if p := TextProblem(u.Name, false); p != "" {
		bad["name"] = p
	}
	if p := TextProblem(u.Level, false); p != "" {
		bad["level"] = p
	}
	if !u.Role.Valid() {
		bad["role"] = "one of admin, manager, rep"
	}
	if u.HoldingLimit != nil && *u.HoldingLimit < 0 {
		bad["holding_limit"] = "0 or more"
	}
	if u.ExportUnmasked && u.Role != RoleAdmin {
		bad["export_unmasked"] = "only admins may export contacts unmasked"
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid user", Fields: bad}
	}
	return nil
}

// Apply sets on u what the patch changes, trimmed as stored.
func (p UserPatch) Apply(u *User) {
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.HoldingLimit != nil {
		u.HoldingLimit = p.HoldingLimit
	}
	if p.ClearHoldingLimit {
		u.HoldingLimit = nil
	}
	if p.DepartmentID != nil {
		u.DepartmentID = *p.DepartmentID
	}
	if p.Level != nil {
		u.Level = strings.TrimSpace(*p.Level)
	}
	if p.Active != nil {
		u.Active = *p.Active
	}
	if p.ExportUnmasked != nil {
		u.ExportUnmasked = *p.ExportUnmasked
	} else if u.Role != RoleAdmin {
		u.ExportUnmasked = false // a demoted admin loses it
	}
}

// CanChangeUser decides whether actor may change user id with p: admins
// only, and an admin cannot demote or deactivate themselves, so an
// organisation always keeps an admin who can undo a mistake.
func CanChangeUser(actor User, id string, p UserPatch) error {
	if err := AdminOnly(actor, "changes users"); err != nil {
		return err
	}
	if id == actor.ID && ((p.Role != nil && *p.Role != RoleAdmin) || (p.Active != nil && !*p.Active)) {
		return Errorf(EForbidden, "you cannot demote or deactivate yourself")
	}
	return nil
}

// UserFilter narrows a listing of users: Q is part of a login or name;
// Role, DepartmentID (that department alone) and Active ("true" or
// "false") match exactly; empty fields match all.
type UserFilter struct {
	Q, DepartmentID, Active string
	Role                    Role
}

// Validate refuses a filter that holds what no field holds.
func (f UserFilter) Validate() error {
	if p := TextProblem(f.Q, false); p != "" || len([]rune(f.Q)) > 100 {
		return Invalid("q", "at most 100 characters of plain text")
	}
	if f.Role != "" && !f.Role.Valid() {
		return Invalid("role", "one of admin, manager, rep")
	}
	if f.Active != "" && f.Active != "true" && f.Active != "false" {
		return Invalid("active", "true or false")
	}
	return nil
}

// CleanDepartmentName trims a department's name and refuses one that is
// empty, too long or not plain text.
func CleanDepartmentName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return name, Invalid("name", "1 to 100 characters")
	}
	if p := TextProblem(name, false); p != "" {
		return name, Invalid("name", p)
	}
	return name, nil
}
