package dedup

import "testing"

func TestSimilarity(t *testing.T) {
	for _, tc := range []struct {
		a, b    string
		similar bool
	}{
		{"星辰科技有限公司", "星晨科技有限公司", true},
		{"北京星辰科技有限公司", "星辰信息科技有限公司", true},
		{"星辰科技", "星辰科技发展有限公司", true},
		{"Acme Widgets Inc.", "Acme Widget Ltd", true},
		{"中国移动北京分公司", "中国移动上海分公司", true},
		{"星辰科技", "北斗科技", false},
		{"中国移动", "中国联通", false},
		{"华为技术有限公司", "小米科技有限责任公司", false},
		{"星辰科技（北京）有限公司", "北京星辰科技有限公司", false}, // one company: a duplicate, not similar
		{"", "星辰科技", false},
		{"星辰1号店", "星辰2号店", false},
		{"杭州云帆001有限公司", "杭州云帆002有限公司", false},
	} {
		if got := Similar(tc.a, tc.b); got != tc.similar {
			t.Errorf("Similar(%q, %q) = %v (%.2f), want %v", tc.a, tc.b, got, Similarity(tc.a, tc.b), tc.similar)
		}
		if Similarity(tc.a, tc.b) != Similarity(tc.b, tc.a) {
			t.Errorf("Similarity(%q, %q) is not symmetric", tc.a, tc.b)
		}
	}
	if Similarity("星辰科技有限公司", "北京星辰科技") != 1 {
		t.Error("one company's spellings are not fully similar")
	}
}
