// Package gonghai holds the domain of a lead-pool CRM: the types, the
// errors with stable codes, and every decision, as pure functions over
// facts. It does no I/O: the store reads the facts, asks a decision here,
// and writes what it allows, so an API call and a page that shows a whole
// list of rows ("why can't I claim this?") get the same answer.
//
// Where to look: access.go decides who may see, work, release, reveal,
// assign and transfer a customer; claim.go whether a claim may happen and
// why not; pool.go, org.go and settings.go hold the organisation and
// validate it; customer.go, contacts.go and input.go a customer and what
// may change it; recycle.go the rules that take customers back and their
// deadlines; mask.go and text.go what non-owners see of contacts and what
// free text may hold; error.go the error codes.
package gonghai
