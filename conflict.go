package gonghai

import "time"

// ConflictKind says how a conflict (撞单) arose.
type ConflictKind string

// The kinds of conflict.
const (
	// ConflictRefused: a create or edit refused because its company, phone,
	// email or WeChat id is another customer's.
	ConflictRefused ConflictKind = "refused"
	// ConflictSimilar: a customer created although its company is like an
	// existing one's, the creator having chosen to go on.
	ConflictSimilar ConflictKind = "similar"
	// ConflictImport: an import row that matched an existing customer,
	// whatever the import's policy did with it.
	ConflictImport ConflictKind = "import"
)

// ConflictStatus says whether a conflict is open and how it was resolved.
type ConflictStatus string

// The statuses of a conflict.
const (
	ConflictOpen      ConflictStatus = "open"
	ConflictKept      ConflictStatus = "kept"      // the existing owner keeps the customer
	ConflictGiven     ConflictStatus = "given"     // the customer given to the claimant
	ConflictMerged    ConflictStatus = "merged"    // two customers merged into one
	ConflictDismissed ConflictStatus = "dismissed" // not a conflict after all
)

// Conflict is one duplicate hit (撞单): who tried to add what, the existing
// customer it matched, who owned that then, and how it was resolved. It
// holds no personal data: the attempt is named by its company and the
// field that matched; a customer created anyway is named by its id.
type Conflict struct {
	ID     string
	Kind   ConflictKind
	Status ConflictStatus
	At     time.Time
	// ActorID tried; DepartmentID was their department then, which the
	// conflict rate counts by.
	ActorID      string
	DepartmentID string
	// Field is what matched: company, phone, email, wechat, or similar.
	Field string
	// Company is the company the actor gave, as they typed it.
	Company string
	// MatchedID is the existing customer; MatchedOwnerID its owner then
	// ("" in a pool).
	MatchedID      string
	MatchedOwnerID string
	// NewID is the customer created anyway (a similar override, or an
	// import row under the conflict policy); "" when nothing was created.
	NewID string
	// ImportID is the import the row came from, and Row its row number.
	ImportID string
	Row      int
	// Resolution, once resolved: who, when, and a note.
	ResolvedBy string
	ResolvedAt *time.Time
	Note       string
}
