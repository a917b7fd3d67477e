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
