package demo

import "strings"

// Places lists the places one level below path in the area tree, in the
// file's order: the provinces for "", a province's cities for "广东省", a
// city's districts for "广东省/深圳市". It is nil for a path it does not
// know and below a district. A region filter offers these as a cascade;
// the tree is the one the demo's regions are drawn from.
func Places(path string) []string {
	idx := loadAreas()
	parts := strings.Split(path, "/")
	if path == "" {
		parts = nil
	}
	var out []string
	for _, p := range idx.all.items {
		switch {
		case len(parts) == 0:
			out = append(out, p.name)
		case p.name != parts[0]:
		case len(parts) == 1:
			for _, c := range p.cities.items {
				out = append(out, c.name)
			}
		case len(parts) == 2:
			for _, c := range p.cities.items {
				if c.name == parts[1] {
					out = append(out, c.districts...)
				}
			}
		}
	}
	return out
}
