package store

import "testing"

// Reps' spellings of one reason meet; a rule's key is named only for a
// recycle.
func TestNormalReason(t *testing.T) {
	for _, c := range []struct{ kind, in, want string }{
		{"released", " 客户  无意向。", "客户无意向"},
		{"released", "客户\u3000无意向", "客户无意向"},
		{"released", "no  budget  this year.", "no budget this year"},
		{"released", "预算 for 2027", "预算for 2027"},
		{"released", "", "未填写"},
		{"recycled", "", "未填写"},
		{"recycled", "no_follow_up", "超期未跟进"},
		{"released", "no_follow_up", "no_follow_up"},
	} {
		if got := normalReason(c.kind, c.in); got != c.want {
			t.Errorf("normalReason(%s, %q) = %q, want %q", c.kind, c.in, got, c.want)
		}
	}
}
