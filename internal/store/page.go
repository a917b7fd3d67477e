package store

import "github.com/gonghai/gonghai"

// pageOf trims rows fetched with one extra to the page, and returns the key
// of the page's last row when more follow.
func pageOf[T any](rows []T, p gonghai.Page, key func(T) string) ([]T, string) {
	if len(rows) <= p.Size() {
		return rows, ""
	}
	rows = rows[:p.Size()]
	return rows, key(rows[len(rows)-1])
}
