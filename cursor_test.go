package gonghai

import (
	"testing"
	"time"
)

// TestPageKeys: a page key reads back as written, in the wire format
// clients have kept ("id", "micros:id"), and a key of one order is no key
// of the other.
func TestPageKeys(t *testing.T) {
	at := time.Date(2026, 3, 2, 1, 0, 0, 123456000, time.UTC)
	due := Customer{ID: "c1", Recycle: &Deadline{At: at, Rule: RuleNoFollowUp}}
	never := Customer{ID: "c2"}
	for _, tc := range []struct {
		sort string
		c    Customer
		wire string
		want PageKey
	}{
		{SortNewest, due, "c1", PageKey{After: true, ID: "c1"}},
		{"", never, "c2", PageKey{After: true, ID: "c2"}},
		{SortUrgent, due, "1772413200123456:c1", PageKey{After: true, Due: at.UnixMicro(), ID: "c1"}},
		{SortUrgent, never, "9223372036854775807:c2", PageKey{After: true, Due: NoDeadline, ID: "c2"}},
	} {
		wire := PageKeyOf(tc.sort, tc.c)
		if wire != tc.wire {
			t.Errorf("PageKeyOf(%q, %s) = %q, want %q", tc.sort, tc.c.ID, wire, tc.wire)
		}
		if got, err := ParsePageKey(tc.sort, wire); err != nil || got != tc.want {
			t.Errorf("ParsePageKey(%q, %q) = %+v, %v, want %+v", tc.sort, wire, got, err, tc.want)
		}
	}
	for _, sort := range []string{SortNewest, "", SortUrgent} {
		if got, err := ParsePageKey(sort, ""); err != nil || got != (PageKey{}) {
			t.Errorf("ParsePageKey(%q, \"\") = %+v, %v, want the first page", sort, got, err)
		}
	}
	for _, tc := range []struct{ sort, after, field string }{
		{SortNewest, "1772413200123456:c1", "cursor"}, // the urgent order's
		{SortUrgent, "c1", "cursor"},                  // the newest order's
		{SortUrgent, "soon:c1", "cursor"},
		{SortUrgent, "99999999999999999999:c1", "cursor"},
		{"name", "", "sort"},
		{"name", "1:c1", "sort"},
	} {
		_, err := ParsePageKey(tc.sort, tc.after)
		if e, ok := err.(*Error); !ok || e.Code != EInvalid || e.Fields[tc.field] == "" {
			t.Errorf("ParsePageKey(%q, %q) = %v, want invalid %s", tc.sort, tc.after, err, tc.field)
		}
	}
}
