package gonghai

import "time"

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
