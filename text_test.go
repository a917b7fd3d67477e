package gonghai

import (
	"strings"
	"testing"
	"time"
)

// TestTextProblem: one line refuses what a note may hold; neither holds
// controls or reordering characters, and no problem quotes the text.
func TestTextProblem(t *testing.T) {
	for _, tc := range []struct {
		in         string
		line, note bool // accepted as one line, as a note
	}{
		{"上海恒信科技有限公司", true, true},
		{"Zoë & Co.", true, true},
		{"👨\u200d👩\u200d👧 家庭套餐", true, true},
		{"第一行\n第二行\r\n\t缩进", false, true},
		{"段落\u2029分隔", false, true},
		{"مرحبا\u200f 123", false, true},
		{"nul\x00", false, false},
		{"bell\a", false, false},
		{"del\x7f", false, false},
		{"c1\u0085", false, false},
		{"c1\u009b31m", false, false},
		{"override\u202e", false, false},
		{"embedding\u202a", false, false},
		{"isolate\u2066x\u2069", false, false},
		{"first strong isolate\u2068", false, false},
		{"bad\xc3", false, false},
	} {
		if got := TextProblem(tc.in, false) == ""; got != tc.line {
			t.Errorf("TextProblem(%q, one line) accepts = %v, want %v", tc.in, got, tc.line)
		}
		if got := TextProblem(tc.in, true) == ""; got != tc.note {
			t.Errorf("TextProblem(%q, lines) accepts = %v, want %v", tc.in, got, tc.note)
		}
		if p := TextProblem(tc.in, false); p != "" && strings.Contains(tc.in, p) {
			t.Errorf("TextProblem(%q) quotes the text: %q", tc.in, p)
		}
	}
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	if err := (NewFollowUp{Kind: "call", Content: "电话\x00沟通"}).Validate(now); ErrorCode(err) != EInvalid {
		t.Errorf("a follow-up with NUL: %v, want invalid", err)
	}
	if err := (NewFollowUp{Kind: "note", Content: "上午拜访\n下午电话"}).Validate(now); err != nil {
		t.Errorf("a follow-up of two lines: %v", err)
	}
}

// TestCleaned: contacts are stored as their owner can use them, without
// the invisible characters, prefixes and full stops that came with them.
func TestCleaned(t *testing.T) {
	got := CustomerFields{Name: " 张伟 ", Phone: " 139\u200b1234\u200b5678 ", Email: "MAILTO:Li.Si@Hengxin.CN.?subject=报价",
		WeChat: "\ufeffzhangwei_88."}.Cleaned()
	want := CustomerFields{Name: "张伟", Phone: "13912345678", Email: "Li.Si@Hengxin.CN", WeChat: "zhangwei_88"}
	if got != want {
		t.Errorf("Cleaned = %+v, want %+v", got, want)
	}
	for in, want := range map[string]string{
		"ｌｉ＠ｈｅｎｇｘｉｎ．ｃｎ":         "li@hengxin.cn",
		"li\u200b@hengxin.cn":   "li@hengxin.cn",
		"mailto: li@hengxin.cn": "li@hengxin.cn",
		"li@hengxin.cn..":       "li@hengxin.cn",
		"li\u00ad@hengxin.cn":   "li@hengxin.cn",
		"张伟@恒信.中国":              "张伟@恒信.中国",
	} {
		if got := CleanEmail(in); got != want {
			t.Errorf("CleanEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
