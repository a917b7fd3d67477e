package gonghai

import (
	"fmt"
	"strings"
	"time"
)

// Arbitration of conflicts (撞单): who sees them, who resolves them, and how
// a merge chooses each field. The store reads the facts and writes what
// these decide.

// ConflictFacts are what deciding about one conflict needs: the conflict,
// the department path of the actor's department then, and that of the
// matched customer's owner then ("" for none).
type ConflictFacts struct {
	Conflict      Conflict
	ActorDeptPath string
	OwnerDeptPath string
}

// CanArbitrate decides whether u may open the conflicts at all: admins
// (every conflict) and managers (their subtree's). Reps see none: a rep
// learns of a conflict from the duplicate answer when it arises, and the
// arbitration is their manager's.
func CanArbitrate(u User) error {
	if u.Role != RoleAdmin && u.Role != RoleManager {
		return Errorf(EForbidden, "only managers and admins arbitrate conflicts")
	}
	return nil
}

// SeesConflict reports whether viewer may see a conflict: admins all of
// them; a manager those whose actor, or whose matched customer's owner,
// was in their department subtree. Either side of a fight between teams
// may settle it.
func SeesConflict(viewer User, f ConflictFacts) bool {
	return viewer.Role == RoleAdmin || viewer.Manages(f.ActorDeptPath) || viewer.Manages(f.OwnerDeptPath)
}

// CanResolve decides whether actor may resolve a conflict: one they see
// (others are not found), still open. What a resolution then does to the
// customers is decided again by the moves' own rules (CanGive, CanOwn,
// CanMerge).
func CanResolve(actor User, f ConflictFacts) error {
	if err := CanArbitrate(actor); err != nil {
		return err
	}
	if !SeesConflict(actor, f) {
		return Errorf(ENotFound, "no such conflict")
	}
	if f.Conflict.Status != ConflictOpen {
		return Errorf(EConflict, "the conflict is resolved already (%s)", f.Conflict.Status)
	}
	return nil
}

// CanMerge decides whether actor may merge two customers (facts of the
// survivor and of the customer merged into it): one who may work on both,
// so admins, and managers of both owners.
func CanMerge(actor User, survivor, merged CustomerFacts) error {
	if survivor.Customer.ID == merged.Customer.ID {
		return Invalid("into", "a different customer")
	}
	if err := CanWork(actor, survivor); err != nil {
		return err
	}
	return CanWork(actor, merged)
}

// ConflictAction is how a conflict is resolved.
type ConflictAction string

// The resolutions.
const (
	// ActionKeep: the matched customer stays with its owner; a customer
	// created anyway is merged into it.
	ActionKeep ConflictAction = "keep"
	// ActionGive: the matched customer goes to the conflict's actor, by an
	// assignment or transfer under the usual limits; a customer created
	// anyway is merged into it.
	ActionGive ConflictAction = "give"
	// ActionMerge: the customer created anyway and the matched one become
	// one, fields chosen per field.
	ActionMerge ConflictAction = "merge"
	// ActionDismiss: not a conflict after all; both customers stay.
	ActionDismiss ConflictAction = "dismiss"
)

// Status is the status a conflict takes when resolved by a.
func (a ConflictAction) Status() ConflictStatus {
	switch a {
	case ActionKeep:
		return ConflictKept
	case ActionGive:
		return ConflictGiven
	case ActionMerge:
		return ConflictMerged
	default:
		return ConflictDismissed
	}
}

// MergeSide names the customer a merged field is taken from.
type MergeSide string

// The sides of a merge.
const (
	SideSurvivor MergeSide = "survivor"
	SideMerged   MergeSide = "merged"
)

// MergeFields are the fields a merge chooses, in the order forms show
// them: the customer's fields, and owner (its owner and pool together).
var MergeFields = []string{"company", "name", "phone", "email", "wechat", "category", "industry", "region",
	"product_line", "source", "stage", "owner"}

// Merge is a request to merge customer MergedID into SurvivorID.
type Merge struct {
	SurvivorID, MergedID string
	// Fields says for each field of MergeFields which side wins; a field
	// not named takes the survivor's value, or the merged one's where the
	// survivor's is empty (for owner: the survivor's owner, or the merged
	// one's when only it has one).
	Fields map[string]MergeSide
	Note   string
	// SurvivorSeq and MergedSeq, when not 0, are the customers' ownership
	// event numbers as the caller saw them: a customer claimed, released
	// or merged since is refused (EConflict), so a merge and a claim of
	// the same customer never both win.
	SurvivorSeq, MergedSeq int
}

// Validate refuses a merge no store can do.
func (m Merge) Validate() error {
	for _, x := range []struct{ name, v string }{{"survivor_id", m.SurvivorID}, {"into", m.MergedID}} {
		if x.v == "" || TextProblem(x.v, false) != "" {
			return Invalid(x.name, "a customer id")
		}
	}
	if m.SurvivorID == m.MergedID {
		return Invalid("into", "a different customer")
	}
	for f, side := range m.Fields {
		if !knownField(f) {
			return Invalid("fields", "unknown field "+fmt.Sprintf("%q", clip(f)))
		}
		if side != SideSurvivor && side != SideMerged {
			return Invalid("fields", f+": survivor or merged")
		}
	}
	if m.SurvivorSeq < 0 || m.MergedSeq < 0 {
		return Invalid("seq", "0 or more")
	}
	return CheckNote(m.Note)
}

func knownField(f string) bool {
	for _, k := range MergeFields {
		if k == f {
			return true
		}
	}
	return false
}

// clip shortens a name a caller sent before an error names it.
func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20])
	}
	return s
}

// CheckNote refuses a resolution note that is too long or not plain text.
func CheckNote(note string) error {
	if len([]rune(note)) > 500 {
		return Invalid("note", "up to 500 characters")
	}
	if p := TextProblem(note, true); p != "" {
		return Invalid("note", p)
	}
	return nil
}

// Merged returns the fields of the customer a merge makes of survivor s
// and merged m, and the side each field came from (owner included, with
// sOwned and mOwned saying whether each has an owner).
func (m Merge) Merged(s, x CustomerFields, sOwned, mOwned bool) (CustomerFields, map[string]MergeSide) {
	out := s
	sides := map[string]MergeSide{}
	ps, pm := fieldPointers(&out), fieldPointers(&x)
	for _, f := range MergeFields {
		side, chosen := m.Fields[f]
		if f == "owner" {
			if !chosen {
				side = SideSurvivor
				if !sOwned && mOwned {
					side = SideMerged
				}
			}
			sides[f] = side
			continue
		}
		if !chosen {
			side = SideSurvivor
			if strings.TrimSpace(*ps[f]) == "" && strings.TrimSpace(*pm[f]) != "" {
				side = SideMerged
			}
		}
		if side == SideMerged {
			*ps[f] = *pm[f]
		}
		sides[f] = side
	}
	return out, sides
}

func fieldPointers(f *CustomerFields) map[string]*string {
	return map[string]*string{"company": &f.Company, "name": &f.Name, "phone": &f.Phone, "email": &f.Email,
		"wechat": &f.WeChat, "category": &f.Category, "industry": &f.Industry, "region": &f.Region,
		"product_line": &f.ProductLine, "source": &f.Source, "stage": &f.Stage}
}

// Resolution is how an arbiter resolves a conflict.
type Resolution struct {
	Action ConflictAction
	Note   string
	// Merge, for ActionMerge (and the merge keep and give make of a
	// customer created anyway): the fields chosen, and which of the two
	// survives (SurvivorID: the matched customer when "").
	Fields     map[string]MergeSide
	SurvivorID string
	// Force gives past the claimant's holding limit (admins only).
	Force bool
}

// Validate refuses a resolution no conflict takes.
func (r Resolution) Validate() error {
	switch r.Action {
	case ActionKeep, ActionGive, ActionMerge, ActionDismiss:
	default:
		return Invalid("action", "keep, give, merge or dismiss")
	}
	if r.SurvivorID != "" && TextProblem(r.SurvivorID, false) != "" {
		return Invalid("survivor_id", "a customer id")
	}
	return CheckNote(r.Note)
}

// ConflictFilter narrows a list of conflicts.
type ConflictFilter struct {
	Status       ConflictStatus // "" for every status
	Kind         ConflictKind   // "" for every kind
	DepartmentID string         // the actor's department then, or below it
	From, To     time.Time      // At in [From, To); zero for no bound
}

// Validate refuses a filter no list answers.
func (f ConflictFilter) Validate() error {
	switch f.Status {
	case "", ConflictOpen, ConflictKept, ConflictGiven, ConflictMerged, ConflictDismissed:
	default:
		return Invalid("status", "open, kept, given, merged or dismissed")
	}
	switch f.Kind {
	case "", ConflictRefused, ConflictSimilar, ConflictImport:
	default:
		return Invalid("kind", "refused, similar or import")
	}
	if p := TextProblem(f.DepartmentID, false); p != "" {
		return Invalid("department_id", p)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return Invalid("to", "after from")
	}
	return nil
}

// ConflictView is a conflict as a list shows it: with the names of the
// people and the company of the customer it matched (no contacts).
type ConflictView struct {
	Conflict
	ActorName        string
	MatchedCompany   string
	MatchedOwnerName string
	ResolvedByName   string
}

// ConflictDetail is one conflict with both its customers as the viewer
// may see them (masked as usual): New is nil when nothing was created, or
// when the viewer may not see it. Seq are the customers' ownership event
// numbers, for a merge's check (Merge.SurvivorSeq).
type ConflictDetail struct {
	ConflictView
	Matched            *Customer
	New                *Customer
	MatchedSeq, NewSeq int
	// MatchedMergedInto and NewMergedInto are the survivors when a
	// customer of the conflict has since been merged into another.
	MatchedMergedInto, NewMergedInto string
}

// ConflictPage is one page of conflicts, the open ones the viewer sees
// counted (up to MaxCount).
type ConflictPage struct {
	Conflicts []ConflictView
	Next      string
	Open      int
}

// DepartmentMonth is one department's month of new customers and
// conflicts: what the conflict rate is computed from.
type DepartmentMonth struct {
	DepartmentID   string // "" for users in no department
	DepartmentName string
	Month          string // YYYY-MM in the organisation's zone
	Created        int
	Conflicts      int
}

// Rate is the conflict rate: conflicts per 100 new customers. It has none
// (ok false) in a month without new customers: a rate over nothing is no
// figure to compare.
func (d DepartmentMonth) Rate() (rate float64, ok bool) {
	if d.Created == 0 {
		return 0, false
	}
	return 100 * float64(d.Conflicts) / float64(d.Created), true
}
