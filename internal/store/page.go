package store

// MaxPageSize is the most rows one page holds.
const MaxPageSize = 200

// Page asks for up to Limit rows after the key After ("" for the first
// page), in the listing's order.
type Page struct {
	After string
	Limit int
}

func (p Page) limit() int {
	if p.Limit <= 0 || p.Limit > MaxPageSize {
		return MaxPageSize
	}
	return p.Limit
}

// pageOf trims rows fetched with one extra to the page, and returns the key
// of the page's last row when more follow.
func pageOf[T any](rows []T, p Page, key func(T) string) ([]T, string) {
	if len(rows) <= p.limit() {
		return rows, ""
	}
	rows = rows[:p.limit()]
	return rows, key(rows[len(rows)-1])
}
