package gonghai

import "time"

// Return is how a pool customer came back to its pool: the owner it last
// left, how (EventReleased with the reason they gave, EventRecycled by
// Rule, or another move that took it from them) and when. A customer
// that never had an owner has no Return.
type Return struct {
	CustomerID string
	Kind       EventKind
	ByUserID   string
	ByName     string
	// Reason is the releaser's reason, masked as the customer's history
	// is for the viewer (MaskText): a number typed into it is a contact.
	Reason string
	// Rule is the rule that recycled it, for EventRecycled.
	Rule RuleKind
	At   time.Time
}
