package gonghai

import "testing"

func TestMaskText(t *testing.T) {
	for in, want := range map[string]string{
		"新号码 13912345678":                      "新号码 139****5678",
		"电话 139-1234-5678，邮箱 li.si@example.cn": "电话 139****5678，邮箱 l***@example.cn",
		"打 138.1234.8000 找王总":                  "打 138****8000 找王总",
		"座机 (010) 6552 9988":                   "座机 (010****9988",
		"全角 １３９１２３４５６７８":                       "全角 １３９****５６７８",
		"报价 12000 元，下周三回访":                     "报价 12000 元，下周三回访",
		"":                                     "",
	} {
		if got := MaskText(in); got != want {
			t.Errorf("MaskText(%q) = %q, want %q", in, got, want)
		}
	}
	if !ContactShaped("138 1234 8000") || !ContactShaped("li@x.cn") || !ContactShaped("１３８１２３４８０００") ||
		ContactShaped("恒信科技") || ContactShaped("2026年") {
		t.Error("ContactShaped misjudges")
	}
}
