package gonghai

import "time"

// Audited actions. The log holds ids and codes, never personal data.
const (
	AuditLogin         = "login"           // a password login that succeeded
	AuditLoginFailed   = "login_failed"    // a wrong password or unknown login; counts for the rate limit
	AuditLogout        = "logout"          // a session ended by its user
	AuditPasswordSet   = "password_set"    // a password set or changed
	AuditReveal        = "reveal"          // masked contact fields shown in full
	AuditExport        = "export"          // everything held about one customer exported
	AuditErase         = "erase"           // one customer's personal data erased
	AuditPoolChange    = "pool_change"     // a pool created or its rules, members or admins changed
	AuditUserChange    = "user_change"     // a user created, or their role, department, limits or active flag changed
	AuditSettingChange = "settings_change" // organisation settings changed
	AuditKeyRotation   = "key_rotation"    // personal fields sealed again under a new key
	AuditTokenCreated  = "token_created"   // an API token made
	AuditTokenRevoked  = "token_revoked"   // API tokens ended: revoked, or their user deactivated or given a new password
	AuditContactChange = "contact_change"  // a customer's contact cleared, or changed by someone other than its owner
	AuditImport        = "import"          // an import run ended: its file name, hash and counts
	AuditListExport    = "list_export"     // a list of customers exported to a file: its kind, filters and row count
	AuditInvalidMark   = "invalid_mark"    // a pool customer marked invalid and archived, by a person or a pool's rule
	AuditInvalidFlag   = "invalid_flag"    // a pool customer flagged invalid by a person
	AuditRestore       = "restore"         // an archived customer restored to its pool
	AuditPurge         = "purge"           // an archived customer's personal data erased when its wait ended
	AuditHygieneChange = "hygiene_change"  // a pool's hygiene rules or the archive's wait changed
	AuditMerge         = "merge"           // two customers merged into one; detail: merged id, sides chosen
	AuditConflict      = "arbitrate"       // a conflict (撞单) resolved; detail: action, matched customer
)

// AuditEntry is one sensitive action: who did what to which object, from
// where. Detail carries codes and ids only.
type AuditEntry struct {
	ID         string
	At         time.Time
	ActorID    string // "" for the command line or an unknown login
	Action     string
	TargetKind string // "user", "customer", "pool", "settings", "keys"
	TargetID   string
	Address    string // the client's IP address, for actions over HTTP
	Detail     map[string]string
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action   string
	ActorID  string
	TargetID string
	// From and To bound the entries' time: From included, To excluded;
	// zero leaves that side open.
	From, To time.Time
}

// SubjectExport is everything held about one customer, for a data subject
// request: the customer with its contacts in full, what was logged about
// it, its ownership history and the audit entries that name it.
type SubjectExport struct {
	Customer      Customer
	Contacts      []Contact // the further contacts, in full
	FollowUps     []FollowUp
	Opportunities []Opportunity
	Orders        []Order
	History       []Event
	Notifications []Notification
	Audit         []AuditEntry
	Exported      time.Time
}
