package gonghai

import "testing"

// TestMaskText: the contacts reps type into notes are masked, however they
// are written; the numbers and words of an ordinary note stay as they are.
func TestMaskText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		// Phone numbers.
		{"mobile", "新号码 13912345678", "新号码 139****5678"},
		{"dashes, and an email", "电话 139-1234-5678，邮箱 li.si@example.cn", "电话 139****5678，邮箱 l***@example.cn"},
		{"dots", "打 138.1234.8000 找王总", "打 138****8000 找王总"},
		{"landline", "座机 (010) 6552 9988", "座机 (010****9988"},
		{"full-width digits", "全角 １３９１２３４５６７８", "全角 １３９****５６７８"},
		{"country code", "香港同事转来 +86 139 1234 5678", "香港同事转来 +86****5678"},
		{"bracketed country code", "手机(+86) 138-1234-8000", "手机(+86****8000"},
		{"service number", "总机 400-820-8820 转 8012", "总机 400****8820 转 8012"},
		{"zero-width spaces", "新手机 139\u200b1234\u200b5678 本人", "新手机 139****5678 本人"},
		{"word joiner and soft hyphen", "电话 139\u20601234\u00ad5678", "电话 139****5678"},
		{"zero-width joiner between every digit", "1\u200d3\u200d9\u200d1\u200d2\u200d3\u200d4\u200d5\u200d6\u200d7\u200d8", "139****5678"},
		{"ideographic spaces", "手机：139　1234　5678", "手机：139****5678"},
		{"mobile in the middle of a sentence", "他说13912345678是他私人号码", "他说139****5678是他私人号码"},
		{"second line", "上午拜访\n下午电话 13912345678 确认", "上午拜访\n下午电话 139****5678 确认"},
		{"spaced dashes", "电话 139 - 1234 - 5678 王总", "电话 139****5678 王总"},
		{"slashes", "手机139/1234/5678", "手机139****5678"},
		{"enumeration commas", "号码 139、1234、5678", "号码 139****5678"},
		{"a date with slashes, then a mobile", "2026/11/30 13912345678", "2026/11/30 139****5678"},
		{"a list of quantities stays", "规格 120/240/360/480 件", "规格 120/240/360/480 件"},
		{"a list of numbers with commas stays", "型号 1200、1500、1800", "型号 1200、1500、1800"},
		// Email addresses.
		{"full-width at", "邮箱 li＠hengxin.cn", "邮箱 l***@hengxin.cn"},
		{"spaced at", "邮箱 li @ hengxin.cn 已发报价", "邮箱 l***@hengxin.cn 已发报价"},
		{"full-width address", "ｌｉ＠ｈｅｎｇｘｉｎ．ｃｎ", "l***@hengxin.cn"},
		{"no space before the address", "邮箱li.si@hengxin.cn", "邮箱l***@hengxin.cn"},
		{"zero-width space in the address", "l\u200bi@hengxin.cn", "l***@hengxin.cn"},
		{"QQ mail", "QQ邮箱 12345678@qq.com，已发合同", "QQ邮箱 1***@qq.com，已发合同"},
		{"Chinese address", "邮件发到 张伟@恒信.中国", "邮件发到 张***@恒信.中国"},
		// WeChat ids.
		{"wxid", "已加微信 wxid_rhkvdiki3fsu", "已加微信 wx***"},
		{"wxid with a zero-width space", "已加微信 wxid\u200b_rhkvdiki3fsu，约了周五", "已加微信 wx***，约了周五"},
		{"VX", "客户说 VX: zhangwei_88 随时联系", "客户说 VX: zh*** 随时联系"},
		{"vx, full-width colon", "vx：zhangwei_88", "vx：zh***"},
		{"微信号", "微信号：Zhang-Wei2024，备注恒信", "微信号：Zh***，备注恒信"},
		{"微信 straight before the handle", "加了微信zhangwei88，发了资料", "加了微信zh***，发了资料"},
		{"微信 and a space", "微信 zhangwei 已通过", "微信 zh*** 已通过"},
		{"wx 号", "wx 号 lisi_1990", "wx 号 li***"},
		{"WeChat", "WeChat: lilei_sh", "WeChat: li***"},
		{"wx then a handle with digits", "wx lisi1990", "wx li***"},
		{"微信 then a phone", "微信同号 139 1234 5678", "微信同号 139****5678"},
		// Ordinary text stays.
		{"amount", "报价 12000 元，下周三回访", "报价 12000 元，下周三回访"},
		{"large amount", "报价 1280000 元，等审批", "报价 1280000 元，等审批"},
		{"amount with decimals", "合同额 12800.50，含税", "合同额 12800.50，含税"},
		{"amount in thousands", "合同额 1,280,000.00", "合同额 1,280,000.00"},
		{"month", "2026年12月签约，预算 30 万", "2026年12月签约，预算 30 万"},
		{"date", "2026-12-01 回访", "2026-12-01 回访"},
		{"date and time", "约 2026/12/01 14:30 上门", "约 2026/12/01 14:30 上门"},
		{"dotted date", "2026.12.01 签约", "2026.12.01 签约"},
		{"short order number", "订单号 202611 已发货", "订单号 202611 已发货"},
		{"version", "发了 v2.3 版本说明", "发了 v2.3 版本说明"},
		{"WeChat Pay", "客户在用微信支付，想接微信公众号", "客户在用微信支付，想接微信公众号"},
		{"WeChat in English", "WeChat Official Account 投放", "WeChat Official Account 投放"},
		{"a mention", "对方说 @张伟 跟进", "对方说 @张伟 跟进"},
		{"a web site", "官网 hengxin.cn 已看", "官网 hengxin.cn 已看"},
		{"names with digits", "58同城渠道，1号店，360安全", "58同城渠道，1号店，360安全"},
		{"invisible characters elsewhere stay", "张\u200b伟", "张\u200b伟"},
		{"empty", "", ""},
	} {
		if got := MaskText(tc.in); got != tc.want {
			t.Errorf("%s: MaskText(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
	if !ContactShaped("138 1234 8000") || !ContactShaped("li@x.cn") || !ContactShaped("１３８１２３４８０００") ||
		ContactShaped("恒信科技") || ContactShaped("2026年") {
		t.Error("ContactShaped misjudges")
	}
}

// FuzzMaskText: whatever a note holds, its masked form holds no contact
// the masking would find, and masking does not fail.
func FuzzMaskText(f *testing.F) {
	for _, s := range []string{"新号码 13912345678", "li @ hengxin.cn", "VX: zhangwei_88", "139\u200b1234\u200b5678",
		"已加微信 wxid_rhkvdiki3fsu", "2026-12-01 13912345678", "12345678@qq.com", "ｌｉ＠ｈｅｎｇｘｉｎ．ｃｎ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m := MaskText(s); contactIn(m) != "" {
			t.Errorf("MaskText(%q) = %q, which still holds a %s", s, m, contactIn(m))
		}
	})
}

// BenchmarkMaskText masks a note with a phone number, a WeChat id and an
// address, as a follow-up listing does for each row.
func BenchmarkMaskText(b *testing.B) {
	s := "上午电话沟通，客户对方案比较满意，报价 12000 元，下周三回访；新号码 139 1234 5678，已加微信 wxid_rhkvdiki3fsu，邮箱 li@hengxin.cn。"
	for b.Loop() {
		MaskText(s)
	}
}
