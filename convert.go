package gonghai

import "strings"

// ConvertInput is what converting a lead (一转三) makes besides the
// customer itself: optionally an opportunity, and the stage the customer
// is at. The lead's own name and contacts stay its primary contact.
type ConvertInput struct {
	Opportunity *ConvertOpportunity
}

// ConvertOpportunity is the opportunity a conversion opens with the
// customer, and the sales stage it puts the customer at ("" leaves it).
type ConvertOpportunity struct {
	Title  string
	Amount Money
	Stage  string
}

// ConvertResult is what converting a lead made: the customer it now is
// (the one it joined, when it matched one), the opportunity opened with
// it, if any, and whether it joined an existing customer.
type ConvertResult struct {
	Customer    Customer
	Opportunity *Opportunity
	// Joined is set when the lead matched an existing customer (company or
	// a contact): it was merged into Customer and waits in the archive.
	Joined bool
}

// Cleaned returns in with its text trimmed, as it is stored.
func (in ConvertInput) Cleaned() ConvertInput {
	if in.Opportunity != nil {
		o := *in.Opportunity
		o.Title, o.Stage = strings.TrimSpace(o.Title), strings.TrimSpace(o.Stage)
		in.Opportunity = &o
	}
	return in
}

// Validate checks in, as Cleaned leaves it, against the organisation's
// stages (none: any stage): a conversion with a bad field makes nothing.
func (in ConvertInput) Validate(stages []string) error {
	o := in.Opportunity
	if o == nil {
		return nil
	}
	bad := map[string]string{}
	if o.Title == "" || len([]rune(o.Title)) > 200 {
		bad["opportunity.title"] = "1 to 200 characters"
	} else if p := TextProblem(o.Title, false); p != "" {
		bad["opportunity.title"] = p
	}
	if o.Amount < 0 || o.Amount > maxAmount {
		bad["opportunity.amount"] = "0 to 100000000000.00 yuan"
	}
	if o.Stage != "" && len(stages) > 0 && !oneOf(o.Stage, stages) {
		bad["opportunity.stage"] = "one of the organisation's stages: " + strings.Join(stages, ", ")
	} else if p := TextProblem(o.Stage, false); p != "" || len([]rune(o.Stage)) > 200 {
		bad["opportunity.stage"] = "at most 200 characters of plain text"
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid conversion", Fields: bad}
	}
	return nil
}

// maxAmount is the largest amount a conversion's opportunity takes, in fen.
const maxAmount Money = 100_000_000_000_00

// CanConvert decides whether actor may convert the record of facts f into
// a customer: a lead, by its owner, the owner's managers, the pool's
// admins and admins. Converting a customer is refused as already done.
func CanConvert(actor User, f CustomerFacts) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	if f.Customer.Lifecycle != LifecycleLead {
		return Errorf(EAlreadyConverted, "the record is a customer already")
	}
	if f.Pool.IsAdmin(actor.ID) {
		return nil
	}
	return CanWork(actor, f)
}
