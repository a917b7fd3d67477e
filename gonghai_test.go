package gonghai

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"13812348000": "138****8000", "+8613812348000": "+86****8000", "6688123": "*****23", "110": "***", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"zhang.wei@example.cn": "z***@example.cn", "张伟@公司.cn": "张***@公司.cn", "noat": "****", "": ""} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDays(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	late := time.Date(2026, 3, 1, 15, 59, 0, 0, time.UTC) // 23:59 on the 1st in Shanghai
	if got, want := StartOfDay(late, sh), time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("StartOfDay = %v, want %v", got, want)
	}
	if got, want := AddDays(late, 1, sh), time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("AddDays(+1) = %v, want the next midnight in Shanghai %v", got, want)
	}
	// Across a daylight-saving change a day is not 24 hours; calendar days still count.
	ny, _ := time.LoadLocation("America/New_York")
	before := time.Date(2026, 3, 7, 17, 0, 0, 0, ny)
	if got := AddDays(before, 1, ny).In(ny); got.Day() != 8 || got.Hour() != 0 {
		t.Errorf("AddDays across DST = %v, want midnight of the 8th", got)
	}
}

func TestCheckHolding(t *testing.T) {
	five, two := 5, 2
	s := Settings{LevelHoldingLimits: map[string]int{"junior": 3}}
	for _, tc := range []struct {
		name    string
		user    User
		pool    Pool
		held    Holding
		refused bool
	}{
		{"level limit not reached", User{Level: "junior"}, Pool{}, Holding{Overall: 2}, false},
		{"level limit reached", User{Level: "junior"}, Pool{}, Holding{Overall: 3}, true},
		{"personal overrides level", User{Level: "junior", HoldingLimit: &five}, Pool{}, Holding{Overall: 4}, false},
		{"personal limit below level", User{Level: "junior", HoldingLimit: &two}, Pool{}, Holding{Overall: 2}, true},
		{"no level, no limit", User{Level: "senior"}, Pool{}, Holding{Overall: 1000}, false},
		{"pool stricter than overall", User{HoldingLimit: &five}, Pool{HoldingLimit: 1}, Holding{Overall: 1, InPool: 1}, true},
		{"overall stricter than pool", User{HoldingLimit: &two}, Pool{HoldingLimit: 10}, Holding{Overall: 2, InPool: 0}, true},
	} {
		err := CheckHolding(s, tc.pool, tc.user, tc.held)
		if (err != nil) != tc.refused || (err != nil && ErrorCode(err) != EHoldingLimit) {
			t.Errorf("%s: %v, want refused=%v", tc.name, err, tc.refused)
		}
	}
}

func TestCustomerFieldsValidate(t *testing.T) {
	err := CustomerFields{Category: "D", Phone: "call me", Email: "no-at"}.Validate()
	e, ok := err.(*Error)
	if !ok || e.Code != EInvalid || len(e.Fields) != 4 {
		t.Fatalf("Validate = %#v, want invalid naming name, category, phone and email", err)
	}
	if err := (CustomerFields{Company: "杭州恒信科技有限公司", Category: "A", Phone: "+86 138-1234-8000"}).Validate(); err != nil {
		t.Fatalf("a good customer was refused: %v", err)
	}
}

// TestCustomerFieldsRefuseHiddenText: a contact typed into a free-text
// field, control and reordering characters, and look-alike letters in a
// contact are refused, naming the field; ordinary names with digits pass.
func TestCustomerFieldsRefuseHiddenText(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields CustomerFields
		field  string // the field refused; "" when the fields pass
	}{
		{"phone in the name", CustomerFields{Name: "张伟 13912345678"}, "name"},
		{"phone broken by zero-width spaces", CustomerFields{Name: "张伟139\u200b1234\u200b5678"}, "name"},
		{"landline in the company", CustomerFields{Company: "恒信科技 (010) 6552 9988"}, "company"},
		{"email in the industry", CustomerFields{Company: "恒信", Industry: "li@hengxin.cn"}, "industry"},
		{"full-width at in the source", CustomerFields{Company: "恒信", Source: "展会 li＠hengxin.cn"}, "source"},
		{"WeChat id in the region", CustomerFields{Company: "恒信", Region: "上海 VX: zhangwei_88"}, "region"},
		{"wxid in the product line", CustomerFields{Company: "恒信", ProductLine: "wxid_rhkvdiki3fsu"}, "product_line"},
		{"WeChat handle in the stage", CustomerFields{Company: "恒信", Stage: "微信号 zhangwei_88"}, "stage"},
		{"NUL", CustomerFields{Name: "张\x00伟"}, "name"},
		{"C0 control", CustomerFields{Company: "恒信\x1b[31m科技"}, "company"},
		{"C1 control", CustomerFields{Company: "恒信\u0085科技"}, "company"},
		{"right-to-left override", CustomerFields{Company: "恒信\u202e技科"}, "company"},
		{"isolate", CustomerFields{Name: "\u2067张伟\u2069"}, "name"},
		{"right-to-left mark", CustomerFields{Name: "张\u200f伟"}, "name"},
		{"line break", CustomerFields{Name: "张伟\n李四"}, "name"},
		{"tab", CustomerFields{Company: "恒信\t科技"}, "company"},
		{"not UTF-8", CustomerFields{Company: "恒信\xff"}, "company"},
		{"control in a contact", CustomerFields{Company: "恒信", WeChat: "zhang\x00wei"}, "wechat"},
		{"Cyrillic е in the domain", CustomerFields{Company: "恒信", Email: "li@h\u0435ngxin.cn"}, "email"},
		{"Ukrainian і in the local part", CustomerFields{Company: "恒信", Email: "l\u0456@hengxin.cn"}, "email"},
		{"Greek ο in the domain", CustomerFields{Company: "恒信", Email: "li@hengxin.c\u03bfm"}, "email"},
		{"Cyrillic а in a WeChat id", CustomerFields{Company: "恒信", WeChat: "zh\u0430ngwei88"}, "wechat"},

		{"digits in company names", CustomerFields{Company: "58同城"}, ""},
		{"360", CustomerFields{Company: "360安全", Source: "1号店"}, ""},
		{"798", CustomerFields{Company: "北京798艺术区管理有限公司", Region: "北京市/北京市/朝阳区"}, ""},
		{"12306", CustomerFields{Company: "中国铁路12306", Source: "2026春季展会"}, ""},
		{"WeChat as a word", CustomerFields{Company: "微信支付服务商", Source: "微信公众号", Industry: "WeChat Official Account 代运营"}, ""},
		{"zero-width joiner in a name", CustomerFields{Name: "Zo\u200dë"}, ""},
		{"Cyrillic address", CustomerFields{Name: "Иван", Email: "иван@почта.рф"}, ""},
		{"Latin name at a Cyrillic domain", CustomerFields{Name: "Ivan", Email: "ivan@почта.рф"}, ""},
		{"Chinese domain", CustomerFields{Name: "张伟", Email: "张伟@恒信.中国", WeChat: "wxid_rhkvdiki3fsu"}, ""},
		{"accented Latin", CustomerFields{Name: "Jürgen", Email: "jürgen@müller.de", WeChat: "zhangwei_88"}, ""},
		{"Japanese with Latin", CustomerFields{Name: "田中", Email: "tanaka@株式会社abc.jp"}, ""},
	} {
		err := tc.fields.Validate()
		var e *Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &e) || e.Code != EInvalid || e.Fields[tc.field] == ""):
			t.Errorf("%s: %v, want invalid naming %s", tc.name, err, tc.field)
		case tc.field != "" && strings.Contains(e.Fields[tc.field]+e.Message, "13912345678"):
			t.Errorf("%s: the problem quotes the value: %v", tc.name, e.Fields)
		}
	}
}
