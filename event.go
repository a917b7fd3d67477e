package gonghai

import "time"

// EventKind says how a customer's owner or pool changed.
type EventKind string

// The kinds of ownership event.
const (
	EventCreated     EventKind = "created"
	EventClaimed     EventKind = "claimed"
	EventAssigned    EventKind = "assigned"
	EventTransferred EventKind = "transferred"
	EventReleased    EventKind = "released"
	EventRecycled    EventKind = "recycled"
	EventConverted   EventKind = "converted"
	EventMerged      EventKind = "merged"
	EventInvalidated EventKind = "invalidated" // marked invalid: moved to the archive pool
	EventRestored    EventKind = "restored"    // back from the archive to the pool it came from
)

// Event is one change of a customer's owner or pool. Events are written in
// the transaction that makes the change and never updated or deleted; in
// order, each event's From is the previous event's To.
type Event struct {
	ID          string
	CustomerID  string
	Seq         int // 1, 2, 3 … per customer
	Kind        EventKind
	FromOwnerID string
	ToOwnerID   string
	FromPoolID  string
	ToPoolID    string
	ActorID     string
	Reason      string
	// Forced is set when an admin assigned or transferred past a holding
	// limit.
	Forced bool
	At     time.Time
	// Decision is why an automatic assignment went where it did, on its
	// assigned event; nil on every other.
	Decision *Decision
}
