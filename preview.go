package gonghai

import (
	"cmp"
	"slices"
	"time"
)

// PreviewCandidate is an owned customer as a recycle preview weighs it: who
// owns it, the facts its pool's rules read, and, for those it lists, how
// the preview names it.
type PreviewCandidate struct {
	ID, Name, Company  string
	PoolID             string
	OwnerID, OwnerName string
	Facts              RuleFacts
}

// PreviewEnd is the instant a preview of days days ahead of now, today
// first, stops at: the start of the day after its last.
func PreviewEnd(now time.Time, days int, loc *time.Location) time.Time {
	return AddDays(now, days, loc)
}

// PreviewDeadline returns the deadline rules give a customer with facts f
// when it falls within a preview of days days from now, nil otherwise:
// whether the preview lists the customer at all. A store may ask it of
// every owned customer before it reads how to name the few it lists.
func PreviewDeadline(f RuleFacts, rules RecycleRules, loc *time.Location, now time.Time, days int) *Deadline {
	d := rules.Deadline(f, loc)
	if d == nil || !d.At.Before(PreviewEnd(now, days, loc)) {
		return nil
	}
	return d
}

// PreviewGainedBefore returns the instant before which a customer must have
// been gained to fall within a preview of days days from now under rules,
// and false when no rule is on. No rule recycles a customer sooner than its
// fewest days after it was gained (every clock starts at the gain or
// later, and a protection period's maximum is never below its days), so a
// store need not read the facts of customers gained since.
func PreviewGainedBefore(rules RecycleRules, loc *time.Location, now time.Time, days int) (time.Time, bool) {
	fewest := 0
	for _, r := range rules.Rules {
		if !r.Enabled {
			continue
		}
		n := r.Days
		for _, d := range r.CategoryDays {
			n = min(n, d)
		}
		if fewest == 0 || n < fewest {
			fewest = n
		}
	}
	if fewest == 0 {
		return time.Time{}, false
	}
	// A customer gained on day G is due no sooner than the start of day
	// G+fewest+1, which must come before the preview's end.
	return AddDays(PreviewEnd(now, days, loc), -(fewest + 1), loc), true
}

// RecyclePreview groups the candidates that rules would recycle within days
// days from now, if nobody did anything more, by the calendar day in loc of
// their deadline and by owner: one PreviewDay per day, today first. A
// customer already overdue counts for today, when the next sweep takes
// it. Owners are ordered by name, customers by id.
func RecyclePreview(cs []PreviewCandidate, rules RecycleRules, loc *time.Location, now time.Time, days int) []PreviewDay {
	return RecyclePreviewBy(cs, func(PreviewCandidate) RecycleRules { return rules }, loc, now, days)
}

// RecyclePreviewBy is RecyclePreview of candidates from several pools,
// each under the rules rulesOf gives it: its pool's.
func RecyclePreviewBy(cs []PreviewCandidate, rulesOf func(PreviewCandidate) RecycleRules, loc *time.Location, now time.Time, days int) []PreviewDay {
	out := make([]PreviewDay, days)
	index := make(map[string]int, days)
	for i := range out {
		out[i] = PreviewDay{Date: AddDays(now, i, loc).In(loc).Format(time.DateOnly), Owners: []PreviewOwner{}}
		index[out[i].Date] = i
	}
	today := StartOfDay(now, loc)
	owners := make([]map[string]int, days) // per day, owner id → place in Owners
	for _, c := range cs {
		d := PreviewDeadline(c.Facts, rulesOf(c), loc, now, days)
		if d == nil {
			continue
		}
		day := StartOfDay(d.At, loc)
		if day.Before(today) {
			day = today
		}
		i := index[day.In(loc).Format(time.DateOnly)]
		if owners[i] == nil {
			owners[i] = map[string]int{}
		}
		o, ok := owners[i][c.OwnerID]
		if !ok {
			o = len(out[i].Owners)
			owners[i][c.OwnerID] = o
			out[i].Owners = append(out[i].Owners, PreviewOwner{OwnerID: c.OwnerID, OwnerName: c.OwnerName})
		}
		out[i].Owners[o].Customers = append(out[i].Owners[o].Customers,
			PreviewCustomer{ID: c.ID, Name: c.Name, Company: c.Company, Rule: d.Rule, Deadline: d.At})
		out[i].Total++
	}
	for i := range out {
		for _, o := range out[i].Owners {
			slices.SortFunc(o.Customers, func(a, b PreviewCustomer) int { return cmp.Compare(a.ID, b.ID) })
		}
		slices.SortFunc(out[i].Owners, func(a, b PreviewOwner) int {
			return cmp.Compare(a.OwnerName+a.OwnerID, b.OwnerName+b.OwnerID)
		})
	}
	return out
}
