package gonghai

import "fmt"

// ScopeFilter narrows the customers a viewer may list (ListsEveryCustomer,
// SeesUser): the filters of a pool listing, and whose, where and how soon
// due they are.
type ScopeFilter struct {
	CustomerFilter
	// OwnerID keeps one user's customers: a user the viewer sees.
	OwnerID string
	// PoolID keeps one pool's customers.
	PoolID string
	// Unowned keeps the customers nobody owns, of pool PoolID (of every
	// pool, for a viewer who lists every customer): those to assign.
	Unowned bool
	// DueDays keeps the customers whose countdown shows that many days or
	// fewer (DaysLeft: 1 on a customer's last day), the overdue among
	// them; 0 keeps every customer.
	DueDays int
}

// MaxDueDays bounds how far ahead a listing looks for deadlines.
const MaxDueDays = MaxPreviewDays

// Validate refuses a filter no listing can answer.
func (f ScopeFilter) Validate() error {
	if err := f.CustomerFilter.Validate(); err != nil {
		return err
	}
	for _, x := range []struct{ name, value string }{{"owner_id", f.OwnerID}, {"pool_id", f.PoolID}} {
		if p := TextProblem(x.value, false); p != "" {
			return Invalid(x.name, p)
		}
	}
	switch {
	case f.DueDays < 0 || f.DueDays > MaxDueDays:
		return Invalid("due_days", fmt.Sprintf("0 to %d", MaxDueDays))
	case f.Unowned && f.OwnerID != "":
		return Invalid("owner_id", "not with unowned")
	}
	return nil
}

// CustomerPage is one page of a listing of customers, and how many
// customers the whole listing holds: counted up to MaxCount, More when it
// holds more.
type CustomerPage struct {
	Customers []Customer
	Next      string // the key the next page starts after; "" on the last
	Total     int
	More      bool
}

// MaxCount is how far the total of a listing is counted: a count costs
// what reading that many rows costs, and past it a person reads "10,000+"
// as well as the exact number.
const MaxCount = 10000

// RepFollowUps are the follow-ups one user logged on a day: how many, and
// the latest of them.
type RepFollowUps struct {
	UserID, UserName string
	Count            int
	Latest           []TeamFollowUp
}

// TeamFollowUp is a follow-up as a team's day lists it: with the company
// of its customer.
type TeamFollowUp struct {
	FollowUp
	Company string
}
