package dedup

import "testing"

func TestPhone(t *testing.T) {
	for _, in := range []string{"13812348000", "138 1234 8000", "138-1234-8000", "+86 138 1234 8000", "008613812348000",
		"+86-13812348000", "(+86) 138-1234-8000", "１３８１２３４８０００", " 13812348000 "} {
		if got := Phone(in); got != "+8613812348000" {
			t.Errorf("Phone(%q) = %q, want +8613812348000", in, got)
		}
	}
	for in, want := range map[string]string{
		"010-6552 9988":   "+861065529988",
		"+1 415 555 2671": "+14155552671",
		"":                "",
		"12":              "12",
		"(021) 5888-1234": "+862158881234",
		"+852 9123 4567":  "+85291234567",
	} {
		if got := Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
	if Phone("13812348000") == Phone("13812348001") {
		t.Error("two numbers normalise alike")
	}
}

func TestEmailWeChatName(t *testing.T) {
	cases := []struct {
		f        func(string) string
		in, want string
	}{
		{Email, " Zhang.Wei@Example.CN ", "zhang.wei@example.cn"},
		{Email, "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "zhang@example.cn"},
		{WeChat, " WxID_ABC123 ", "wxid_abc123"},
		{Name, "张 伟", "张伟"},
		{Name, " 张伟 ", "张伟"},
		{Name, "Wei  ZHANG", "wei zhang"},
		{Name, "李 Lei", "李 lei"},
	}
	for _, c := range cases {
		if got := c.f(c.in); got != c.want {
			t.Errorf("(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if Normalise("phone", "+86 138 1234 8000") != "+8613812348000" || Normalise("email", "A@B.CN") != "a@b.cn" {
		t.Error("Normalise does not dispatch by column")
	}
}

// TestTrickForms: the forms that hid a contact from the duplicate check
// (invisible characters, mailto:, a trailing dot, accents on Latin
// letters, width, case) give the contact's one normal form; other
// addresses stay apart.
func TestTrickForms(t *testing.T) {
	for _, tc := range []struct {
		f     func(string) string
		want  string
		forms []string
	}{
		{Email, "li.si@hengxin.cn", []string{
			"li.si@hengxin.cn", " Li.Si@Hengxin.CN ", "li.si@hengxin.cn.", "li.si@hengxin.cn..", "mailto:li.si@hengxin.cn",
			"MAILTO:Li.Si@hengxin.cn", "mailto:li.si@hengxin.cn?subject=报价", "li\u200b.si@hengxin.cn", "\ufeffli.si@hengxin.cn",
			"li.si\u200d@heng\u200cxin.cn", "li.si@hengxin\u00ad.cn", "li.si@hengxin.cn\u2060", "l\u202ei.si@hengxin.cn",
			"lí.si@hengxin.cn", "li\u0301.si@hengxin.cn", "li.si@héngxin.cn", "li.si@hengxin.cñ", "ｌｉ．ｓｉ＠ｈｅｎｇｘｉｎ．ｃｎ",
			"li.si＠hengxin.cn", "ＭＡＩＬＴＯ：li.si@hengxin.cn",
		}},
		{Email, "张伟@恒信.中国", []string{"张伟@恒信.中国", "张\u200b伟@恒信.中国", "mailto:张伟@恒信.中国", "张伟@恒信.中国."}},
		{Email, "иван@почта.рф", []string{"Иван@почта.рф", "иван@почта.рф."}},
		{WeChat, "wxid_rhkvdiki3fsu", []string{"wxid_rhkvdiki3fsu", "WXID_RHKVDIKI3FSU", " wxid_rhkvdiki3fsu ",
			"wxid\u200b_rhkvdiki3fsu", "wxid_rhkvdiki3fsu\u200b", "\ufeffwxid_rhkvdiki3fsu", "wxid_rhkvdiki3fsu.",
			"ｗｘｉｄ＿ｒｈｋｖｄｉｋｉ３ｆｓｕ", "wxid_rhkvdíki3fsu", "wxid_rhkvdiki3fs\u0308u"}},
		{Phone, "+8613912345678", []string{"139\u200b1234\u200b5678", "\ufeff13912345678", "139\u20601234\u00ad5678", "+86\u200d13912345678"}},
		{Name, "张伟", []string{"张\u200b伟", "\ufeff张伟"}},
	} {
		for _, in := range tc.forms {
			if got := tc.f(in); got != tc.want {
				t.Errorf("(%q) = %q, want %q", in, got, tc.want)
			}
		}
	}
	for _, pair := range [][2]string{
		{"li.si@hengxin.cn", "lisi@hengxin.cn"},
		{"li.si@hengxin.cn", "li.si@hengxin.com"},
		{"li.si@hengxin.cn", "li.si@h\u0435ngxin.cn"}, // a Cyrillic е: refused by validation, never folded
		{"ta@ไทย.th", "ta@ไท.th"},                     // Thai marks stay: they are letters of their own
		{"ぱ@example.jp", "は@example.jp"},
	} {
		if Email(pair[0]) == Email(pair[1]) {
			t.Errorf("%q and %q normalise alike", pair[0], pair[1])
		}
	}
}
