package gonghai

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// PoolInput carries the fields of a pool to create or change; nil leaves a
// field as it is (or at its default, on create).
type PoolInput struct {
	Name                *string
	Hidden              *bool
	MemberUserIDs       *[]string
	MemberDepartmentIDs *[]string
	AdminUserIDs        *[]string
	DailyClaimLimit     *int
	ReclaimCooldownDays *int
	ReleaseWaitHours    *int
	HoldingLimit        *int
	ReturnPoolID        *string
	Recycle             *RecycleRules
	ContactMask         *string
	ClaimOrder          *string // a claim rule: pool admins may change it
}

// OnlyRules reports whether in changes claim and recycle rules alone: what
// a pool admin may change. Name, visibility, members, admins and routing are an admin's.
func (in PoolInput) OnlyRules() bool {
	return in.Name == nil && in.Hidden == nil && in.MemberUserIDs == nil && in.MemberDepartmentIDs == nil &&
		in.AdminUserIDs == nil && in.ReturnPoolID == nil && in.ContactMask == nil
}

func (in PoolInput) Apply(p *Pool) {
	set := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
	}
	if in.Hidden != nil {
		p.Hidden = *in.Hidden
	}
	if in.MemberUserIDs != nil {
		p.MemberUserIDs = *in.MemberUserIDs
	}
	if in.MemberDepartmentIDs != nil {
		p.MemberDepartmentIDs = *in.MemberDepartmentIDs
	}
	if in.AdminUserIDs != nil {
		p.AdminUserIDs = *in.AdminUserIDs
	}
	set(&p.DailyClaimLimit, in.DailyClaimLimit)
	set(&p.ReclaimCooldownDays, in.ReclaimCooldownDays)
	set(&p.ReleaseWaitHours, in.ReleaseWaitHours)
	set(&p.HoldingLimit, in.HoldingLimit)
	if in.ReturnPoolID != nil {
		p.ReturnPoolID = *in.ReturnPoolID
	}
	if in.Recycle != nil {
		p.Recycle = in.Recycle.Started(p.Recycle, p.Updated)
	}
	if in.ContactMask != nil {
		p.ContactMask = *in.ContactMask
	}
	if in.ClaimOrder != nil {
		p.ClaimOrder = *in.ClaimOrder
	}
}

// NewCustomer is a customer to create: into pool PoolID, and straight to
// OwnerID when it is set.
type NewCustomer struct {
	CustomerFields
	PoolID  string
	OwnerID string
	// AllowSimilar creates the customer although its company is like
	// existing ones' (each recorded as a conflict): the creator has seen
	// them and goes on. Without it such a create is refused (ESimilar).
	AllowSimilar bool
	// Reason is said on its created event (an intake's channel and
	// message); "" for a create by hand.
	Reason string
	// Lifecycle is LifecycleLead for a lead (线索), to be converted later;
	// "" or LifecycleCustomer for a customer.
	Lifecycle Lifecycle
}

// Validate checks the fields (CustomerFields.Validate) and the lifecycle.
func (n NewCustomer) Validate() error {
	err := n.CustomerFields.Validate()
	if n.Lifecycle == "" || n.Lifecycle == LifecycleLead || n.Lifecycle == LifecycleCustomer {
		return err
	}
	var ge *Error
	if !errors.As(err, &ge) {
		ge = &Error{Code: EInvalid, Message: "invalid customer", Fields: map[string]string{}}
	}
	ge.Fields["lifecycle"] = "lead or customer"
	return ge
}

// CustomerPatch changes the fields that are set.
type CustomerPatch struct {
	Name, Company, Category, Industry, Region, ProductLine, Source, Stage, Phone, Email, WeChat, Size *string
}

// Apply sets the fields of f that p sets, each as it is stored: trimmed,
// and a contact cleaned (CleanPhone, CleanEmail, CleanWeChat).
func (p CustomerPatch) Apply(f *CustomerFields) {
	for _, x := range []struct {
		dst, src *string
		clean    func(string) string
	}{
		{&f.Name, p.Name, strings.TrimSpace}, {&f.Company, p.Company, strings.TrimSpace},
		{&f.Category, p.Category, strings.TrimSpace}, {&f.Industry, p.Industry, strings.TrimSpace},
		{&f.Region, p.Region, strings.TrimSpace}, {&f.ProductLine, p.ProductLine, strings.TrimSpace},
		{&f.Source, p.Source, strings.TrimSpace}, {&f.Stage, p.Stage, strings.TrimSpace},
		{&f.Phone, p.Phone, CleanPhone}, {&f.Email, p.Email, CleanEmail}, {&f.WeChat, p.WeChat, CleanWeChat},
		{&f.Size, p.Size, strings.TrimSpace},
	} {
		if x.src != nil {
			*x.dst = x.clean(*x.src)
		}
	}
}

// Cleaned returns f as it is stored: every field as Apply sets it.
func (f CustomerFields) Cleaned() CustomerFields {
	var out CustomerFields
	CustomerPatch{Name: &f.Name, Company: &f.Company, Category: &f.Category, Industry: &f.Industry, Region: &f.Region,
		ProductLine: &f.ProductLine, Source: &f.Source, Stage: &f.Stage, Phone: &f.Phone, Email: &f.Email, WeChat: &f.WeChat, Size: &f.Size}.Apply(&out)
	return out
}

// CustomerFilter narrows a pool listing. Region matches a whole region path
// or any place below it ("广东省" matches "广东省/深圳市/南山区").
type CustomerFilter struct {
	Q, Category, Industry, Region, ProductLine, Source string
	// Lifecycle keeps only leads or only customers ("" both); Size only
	// customers of that size.
	Lifecycle Lifecycle
	Size      string
	// Sort orders a private pool: SortNewest (the default) or SortUrgent;
	// a pool: SortNewest or SortScore.
	Sort string
}

// Orders of a private pool.
const (
	SortNewest = "created"    // newest first
	SortUrgent = "recycle_at" // the nearest recycle deadline first; customers no rule takes back last
	SortScore  = "score"      // a pool's best-scored first; unscored last
)

// Validate refuses a filter that holds what no field holds (TextProblem):
// a search for NUL must answer invalid, not fail in the database.
func (f CustomerFilter) Validate() error {
	for _, x := range []struct{ name, value string }{{"q", f.Q}, {"category", f.Category}, {"industry", f.Industry},
		{"region", f.Region}, {"product_line", f.ProductLine}, {"source", f.Source}} {
		if p := TextProblem(x.value, false); p != "" {
			return Invalid(x.name, p)
		}
	}
	if f.Lifecycle != "" && f.Lifecycle != LifecycleLead && f.Lifecycle != LifecycleCustomer {
		return Invalid("lifecycle", "lead or customer")
	}
	if f.Size != "" && !oneOf(f.Size, Sizes) {
		return Invalid("size", "one of "+strings.Join(Sizes, ", "))
	}
	return nil
}

// NewUser is what it takes to create a user.
type NewUser struct {
	Login        string
	Name         string
	Role         Role
	DepartmentID string
	Level        string
	HoldingLimit *int
	PasswordHash string // "" for a user who signs in with tokens only
}

// ClaimResult is the outcome of claiming one customer of a batch.
type ClaimResult struct {
	CustomerID string
	Customer   *Customer
	Err        error
}

// HandOverResult is what a hand-over moved, and the customers it left with
// the leaver because the actor may not move them.
type HandOverResult struct {
	Moved int
	Left  []Refusal
}

// Refusal is one item of a batch that was refused, and why.
type Refusal struct {
	CustomerID string
	Err        error
}

// MaxReasonLength bounds a hand-typed reason.
const MaxReasonLength = 500

// CleanReason trims the hand-typed reason of a release, assignment,
// transfer or hand-over and checks it: a required reason says why in 1 to
// 500 characters, an optional one in at most 500; it may hold lines, but
// no control or text-reordering characters (TextProblem).
func CleanReason(reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case required && (n == 0 || n > MaxReasonLength):
		return reason, Invalid("reason", "say why, in 1 to 500 characters")
	case n > MaxReasonLength:
		return reason, Invalid("reason", "at most 500 characters")
	}
	if p := TextProblem(reason, true); p != "" {
		return reason, Invalid("reason", p)
	}
	return reason, nil
}

// MaxBatchClaim is the most customers one batch claim takes.
const MaxBatchClaim = 50

// CheckBatch refuses a batch claim's list of ids that is empty, too long
// or names a customer twice.
func CheckBatch(ids []string) error {
	if len(ids) == 0 || len(ids) > MaxBatchClaim {
		return Invalid("customer_ids", fmt.Sprintf("1 to %d ids", MaxBatchClaim))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return Invalid("customer_ids", "an id is listed twice")
		}
		seen[id] = true
	}
	return nil
}

// MaxPageSize is the most rows one page holds.
const MaxPageSize = 200

// Page asks for up to Limit rows after the key After ("" for the first
// page), in the listing's order.
type Page struct {
	After string
	Limit int
}

func (p Page) Size() int {
	if p.Limit <= 0 || p.Limit > MaxPageSize {
		return MaxPageSize
	}
	return p.Limit
}

// UserPatch changes the fields of a user that are set. Deactivating a user
// ends their tokens at once; their customers stay theirs until someone
// transfers them.
type UserPatch struct {
	Name         *string
	Role         *Role
	DepartmentID *string
	Level        *string
	HoldingLimit *int
	// ClearHoldingLimit drops the personal limit: the user's level's
	// limit applies again.
	ClearHoldingLimit bool
	Active            *bool
	ExportUnmasked    *bool
}
