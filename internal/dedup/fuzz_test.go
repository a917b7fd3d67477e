package dedup

import (
	"testing"
	"unicode/utf8"
)

// The fuzz targets check every normaliser for what the duplicate check
// relies on: no panic, and a stable form (normalising twice changes
// nothing), so a stored key matches the key of the value it came from.
// Their seed corpora in testdata/fuzz run with plain go test.

func fuzzStable(f *testing.F, normalise func(string) string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		once := normalise(in)
		if twice := normalise(once); twice != once {
			t.Fatalf("not stable: %q → %q → %q", in, once, twice)
		}
		if utf8.ValidString(in) && !utf8.ValidString(once) {
			t.Fatalf("%q gives invalid UTF-8 %q", in, once)
		}
	})
}

func FuzzPhone(f *testing.F) {
	fuzzStable(f, Phone, "13812348000", "+86 138 1234 8000", "008613812348000", "１３８１２３４８０００", "010-6552 9988", "12", "", "+1 415 555 2671")
}

func FuzzEmail(f *testing.F) {
	fuzzStable(f, Email, "Li.Si@Hengxin.CN", "mailto:li@x.cn?subject=a", "lí@hengxin.cn", "张伟@恒信.中国.", "ｌｉ＠ｘ．ｃｎ", "")
}

func FuzzWeChat(f *testing.F) {
	fuzzStable(f, WeChat, "WXID_abc", "wxid\u200b_x.", "ｗｘｉｄ", "wxid_rhkvdíki3fsu", "")
}

func FuzzName(f *testing.F) {
	fuzzStable(f, Name, "张 伟", "Wei  ZHANG", "李 Lei", "\ufeff张伟", "")
}

func FuzzCompany(f *testing.F) {
	fuzzStable(f, Company, "北京星辰科技有限公司", "星辰科技（北京）有限公司", "中国移动北京分公司", "Acme Widgets Co., Ltd.", "北京有限公司",
		"（北京）有限公司", "有限公司", "ＸＩＮＧＣＨＥＮ", "星辰科技有限公司上海分公司", "Müller Bau GmbH", "上海交通大学", "")
}
