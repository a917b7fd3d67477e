package sheet

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAutoMap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header []string
		want   Mapping
	}{
		{"chinese", []string{"公司名称", "联系人", "手机号码", "电子邮箱", "微信号", "客户级别", "行业", "省市", "产品线", "渠道", "阶段", "归属人", "备注"},
			Mapping{FieldCompany: 0, FieldName: 1, FieldPhone: 2, FieldEmail: 3, FieldWeChat: 4, FieldCategory: 5, FieldIndustry: 6,
				FieldRegion: 7, FieldProductLine: 8, FieldSource: 9, FieldStage: 10, FieldOwner: 11, FieldNote: 12}},
		{"english, case and spaces", []string{"Company Name", "CONTACT", "Mobile", "E-mail", "WeChat", "Level", "industry", "Region",
			"Product line", "Channel", "Stage", "Owner", "Notes"},
			Mapping{FieldCompany: 0, FieldName: 1, FieldPhone: 2, FieldEmail: 3, FieldWeChat: 4, FieldCategory: 5, FieldIndustry: 6,
				FieldRegion: 7, FieldProductLine: 8, FieldSource: 9, FieldStage: 10, FieldOwner: 11, FieldNote: 12}},
		{"required marks, full-width, brackets", []string{"*企业名称", "姓名＊", "手机（必填）", "Ｅｍａｉｌ", "【微信】"},
			Mapping{FieldCompany: 0, FieldName: 1, FieldPhone: 2, FieldEmail: 3, FieldWeChat: 4}},
		{"a better alias wins over an earlier column", []string{"客户名称", "座机", "电话", "手机"},
			Mapping{FieldCompany: 0, FieldPhone: 3}},
		{"leftmost of equals", []string{"电话1", "电话2"}, Mapping{FieldPhone: 0}},
		{"suffixes after exact matches", []string{"联系人手机", "客户公司名称", "联系人姓名", "所属行业", "Contact Email"},
			Mapping{FieldPhone: 0, FieldCompany: 1, FieldName: 2, FieldIndustry: 3, FieldEmail: 4}},
		{"exact beats suffix", []string{"联系人电话", "手机"}, Mapping{FieldPhone: 1}},
		{"short latin aliases match whole words only", []string{"Hotel", "Box"}, Mapping{}},
		{"unknown and empty", []string{"", "序号", "创建时间"}, Mapping{}},
		{"pool", []string{"公司", "公海"}, Mapping{FieldCompany: 0, FieldPool: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, AutoMap(tc.header)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMappingRow(t *testing.T) {
	m := Mapping{FieldCompany: 0, FieldPhone: 2, FieldNote: 5}
	got := m.Row([]string{"甲", "x", "138"})
	want := map[Field]string{FieldCompany: "甲", FieldPhone: "138", FieldNote: ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Every field has aliases, none shared between fields, each already in
// its normal form (or it could never match).
func TestAliases(t *testing.T) {
	seen := map[string]Field{}
	for _, a := range aliases {
		if len(a.names) == 0 {
			t.Errorf("%s has no alias", a.field)
		}
		for _, n := range a.names {
			if f, ok := seen[n]; ok {
				t.Errorf("alias %q of %s and %s", n, f, a.field)
			}
			seen[n] = a.field
			if normHeader(n) != n {
				t.Errorf("alias %q is not in normal form (%q)", n, normHeader(n))
			}
		}
	}
	if len(Fields()) != 15 || Fields()[0] != FieldCompany {
		t.Errorf("Fields() = %v", Fields())
	}
}

func TestNormHeader(t *testing.T) {
	for in, want := range map[string]string{
		"Company Name *":   "companyname",
		"ＣＯＭＰＡＮＹ":          "company",
		"手机号码（必填）":         "手机号码",
		"电话 2":             "电话",
		"E-mail:":          "email",
		"(手机)":             "手机",
		"2024":             "2024",
		"  联系人 / Contact ": "联系人contact",
	} {
		if got := normHeader(in); got != want {
			t.Errorf("normHeader(%q) = %q, want %q", in, got, want)
		}
	}
}
