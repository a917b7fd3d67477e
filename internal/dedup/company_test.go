package dedup

import "testing"

// TestCompany: the spellings of one company give one form; real
// companies that differ keep apart.
func TestCompany(t *testing.T) {
	for _, tc := range []struct {
		want  string
		forms []string
	}{
		{"星辰科技", []string{"北京星辰科技有限公司", "星辰科技（北京）有限公司", "星辰科技", "星辰科技有限公司", "北京市星辰科技有限公司",
			"星辰科技(北京)有限公司", "星辰科技【北京】有限公司", " 星辰 科技 有限 公司 ", "星辰科技有限责任公司", "星辰科技股份有限公司",
			"星辰科技集团有限公司", "星辰科技集团", "星辰科技（集团）有限公司", "星辰科技股份公司", "北京市海淀区星辰科技有限公司",
			"星\u200b辰科技有限公司", "星辰科技（中国）有限公司", "星辰科技公司", "ＸＸ"[:0] + "星辰科技有限公司。"}},
		{"华为技术", []string{"华为技术有限公司", "深圳市华为技术有限公司", "广东省华为技术有限公司", "华为技术（深圳）有限公司"}},
		{"字节跳动科技", []string{"北京字节跳动科技有限公司", "字节跳动科技（北京）有限公司"}},
		{"阿里巴巴", []string{"阿里巴巴（中国）有限公司", "阿里巴巴集团", "Alibaba"[:0] + "阿里巴巴（中国）有限公司"}},
		{"xingchen", []string{"ＸＩＮＧＣＨＥＮ", "Xingchen Co., Ltd.", "XingChen Co.,Ltd", "XINGCHEN LIMITED", "Xingchen Inc.", "xingchen llc", "Xingchen Corp.", "Xingchen GmbH"}},
		{"acmewidgets", []string{"ACME Widgets, Inc.", "Acme Widgets Co., Ltd.", "acme-widgets ltd", "Ａｃｍｅ Ｗｉｄｇｅｔｓ"}},
		{"mullerbau", []string{"Müller Bau GmbH", "Muller Bau GmbH"}},
		{"costco", []string{"Costco", "Costco Co."}},
		{"中国移动北京分公司", []string{"中国移动北京分公司", "中国移动北京市分公司", "中国移动有限公司北京分公司", "中国移动（北京）分公司"[:0] + "中国移动北京分公司"}},
		{"星辰科技上海分公司", []string{"星辰科技有限公司上海分公司", "北京星辰科技有限公司上海分公司", "星辰科技上海分公司"}},
		{"中国移动", []string{"中国移动", "中国移动有限公司", "中国移动通信集团"[:0] + "中国移动集团"}},
		{"上海银行", []string{"上海银行股份有限公司", "上海银行"}},
		{"北京银行", []string{"北京银行股份有限公司"}},
		{"北京同仁堂", []string{"北京同仁堂股份有限公司"}},
		{"北京", []string{"北京有限公司", "北京市有限公司", "（北京）有限公司"}},
		{"有限公司", []string{"有限公司", "有限公司有限公司"[:12]}},
		{"公司", []string{"公司"}},
		{"limited", []string{"Limited", "LIMITED."}},
		{"", []string{"", "   ", "（）", "---", "\u200b"}},
		{"3m", []string{"3M", "３Ｍ", "3M Co."}},
		{"风暴客户1-12", []string{"风暴客户 1-12", "风暴客户1 12", "风暴客户１－１２"}},
	} {
		for _, in := range tc.forms {
			if got := Company(in); got != tc.want {
				t.Errorf("Company(%q) = %q, want %q", in, got, tc.want)
			}
			if got := Company(Company(in)); got != Company(in) {
				t.Errorf("Company(Company(%q)) = %q, not stable", in, got)
			}
		}
	}
	for _, pair := range [][2]string{
		{"中国移动北京分公司", "中国移动"},
		{"中国移动北京分公司", "中国移动上海分公司"},
		{"上海银行", "北京银行"},
		{"北京同仁堂", "南京同仁堂"},
		{"ＸＩＮＧＣＨＥＮ", "星辰科技"},
		{"星辰科技", "星晨科技"},
		{"Costco", "Cost"},
		{"上海交通大学", "西安交通大学"},
		{"风暴客户 1-12", "风暴客户 11-2"},
	} {
		if Company(pair[0]) == Company(pair[1]) {
			t.Errorf("%q and %q normalise alike (%q)", pair[0], pair[1], Company(pair[0]))
		}
	}
}
