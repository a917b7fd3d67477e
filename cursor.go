package gonghai

import (
	"strconv"
	"strings"
)

// A listing of customers pages by keyset: each page starts after the key of
// the previous page's last row. The newest order's key is the customer's
// id; the urgent order's is its deadline in unix microseconds and its id,
// "micros:id", since many customers share a deadline or have none; the
// score order's is its score (-1 unscored) and its id, "score:id".

// NoDeadline is the deadline the urgent order gives a customer no rule
// takes back: the latest there is, so that those customers come last.
const NoDeadline = int64(1<<63 - 1)

// PageKey is where a page of customers starts: the first row, or (After)
// the row after customer ID which, in the urgent order, falls due at Due
// (unix microseconds, NoDeadline for none; the newest order leaves it 0).
type PageKey struct {
	After bool
	Due   int64
	ID    string
}

// ParsePageKey reads the key a page of order sort starts after, as
// PageKeyOf wrote it; "" is the first page. It refuses an order that is
// neither SortNewest ("" included) nor SortUrgent, and a key of the other
// order, which would page from nowhere.
func ParsePageKey(sort, after string) (PageKey, error) {
	badKey := Invalid("cursor", "not a cursor of this order")
	switch sort {
	case SortNewest, "":
		if strings.Contains(after, ":") {
			return PageKey{}, badKey
		}
		return PageKey{After: after != "", ID: after}, nil
	case SortUrgent, SortScore:
		if after == "" {
			return PageKey{}, nil
		}
		at, id, ok := strings.Cut(after, ":")
		n, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil {
			return PageKey{}, badKey
		}
		return PageKey{After: true, Due: n, ID: id}, nil
	}
	return PageKey{}, Invalid("sort", "created, recycle_at or score")
}

// ScoreValue returns c's score as the score order sorts it: -1 when
// unscored, so that unscored customers come last.
func (c Customer) ScoreValue() int {
	if c.Score == nil {
		return -1
	}
	return c.Score.Value
}

// Due returns when c falls due in the urgent order: its recycle deadline
// in unix microseconds, NoDeadline when no rule takes it back.
func (c Customer) Due() int64 {
	if c.Recycle == nil {
		return NoDeadline
	}
	return c.Recycle.At.UnixMicro()
}

// PageKeyOf returns the key of c in order sort (one ParsePageKey accepts):
// a page that ends with c continues after it.
func PageKeyOf(sort string, c Customer) string {
	switch sort {
	case SortUrgent:
		return strconv.FormatInt(c.Due(), 10) + ":" + c.ID
	case SortScore:
		return strconv.FormatInt(int64(c.ScoreValue()), 10) + ":" + c.ID
	}
	return c.ID
}
