package sheet

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Field is a customer field a column maps to.
type Field string

// The fields an import fills, by their API names. FieldOwner takes a
// user's login.
const (
	FieldCompany     Field = "company"
	FieldName        Field = "name"
	FieldPhone       Field = "phone"
	FieldEmail       Field = "email"
	FieldWeChat      Field = "wechat"
	FieldCategory    Field = "category"
	FieldIndustry    Field = "industry"
	FieldRegion      Field = "region"
	FieldProductLine Field = "product_line"
	FieldSource      Field = "source"
	FieldStage       Field = "stage"
	FieldSize        Field = "size" // small, medium, large, key or their Chinese names (gonghai.ParseSize)
	FieldPool        Field = "pool" // a pool's name: the row's target, over the import's
	FieldOwner       Field = "owner"
	FieldNote        Field = "note"
)

// Fields returns every field, in template order.
func Fields() []Field {
	out := make([]Field, len(aliases))
	for i, a := range aliases {
		out[i] = a.field
	}
	return out
}

// aliases are the header texts each field is known by, in template order,
// as normHeader leaves them; within a field, the most telling first (a
// sheet with both 手机 and 座机 maps phone to 手机).
var aliases = []struct {
	field Field
	names []string
}{
	{FieldCompany, []string{"公司名称", "企业名称", "客户名称", "单位名称", "公司", "企业", "单位", "客户", "公司全称",
		"企业全称", "客户公司", "机构名称", "机构", "商户名称", "名称", "company", "companyname", "account", "accountname",
		"organization", "organisation", "customer", "customername", "business"}},
	{FieldName, []string{"联系人", "姓名", "客户姓名", "联系人姓名", "名字", "称呼", "name", "contact", "contactname",
		"contactperson", "fullname", "person"}},
	{FieldPhone, []string{"手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "移动电话", "联系方式", "联系手机",
		"座机", "固定电话", "固话", "mobile", "phone", "tel", "telephone", "mobilephone", "phonenumber", "mobilenumber",
		"cellphone", "cell"}},
	{FieldEmail, []string{"邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "email", "mail", "emailaddress"}},
	{FieldWeChat, []string{"微信", "微信号", "微信id", "wechat", "wechatid", "weixin", "wx"}},
	{FieldCategory, []string{"分类", "客户分类", "客户级别", "级别", "等级", "客户等级", "类别", "category", "level",
		"grade", "class", "rating"}},
	{FieldIndustry, []string{"行业", "所属行业", "行业类别", "industry", "sector"}},
	{FieldRegion, []string{"地区", "区域", "省市", "所在地区", "所在地", "省份", "城市", "region", "area", "city",
		"province", "location"}},
	{FieldProductLine, []string{"产品线", "意向产品", "产品", "productline", "product"}},
	{FieldSource, []string{"来源", "渠道", "客户来源", "来源渠道", "获客渠道", "source", "channel", "leadsource"}},
	{FieldStage, []string{"阶段", "销售阶段", "客户阶段", "跟进阶段", "状态", "stage", "status"}},
	{FieldPool, []string{"公海", "公海池", "所属公海", "客户池", "线索池", "pool", "leadpool"}},
	{FieldOwner, []string{"负责人", "归属人", "所属人", "跟进人", "客户经理", "销售", "业务员", "销售人员", "所属销售",
		"owner", "salesrep", "sales", "assignee", "accountmanager"}},
	{FieldNote, []string{"备注", "说明", "描述", "备注信息", "附注", "note", "notes", "remark", "remarks", "comment",
		"comments", "description"}},
	// Size comes last, after the fields templates had before it: a
	// template filled in earlier keeps its columns.
	{FieldSize, []string{"客户规模", "规模", "企业规模", "公司规模", "size", "companysize"}},
}

// aliasIndex maps each alias to its field and rank within the field.
var aliasIndex = func() map[string]struct {
	field Field
	rank  int
} {
	m := map[string]struct {
		field Field
		rank  int
	}{}
	for _, a := range aliases {
		for i, n := range a.names {
			m[n] = struct {
				field Field
				rank  int
			}{a.field, i}
		}
	}
	return m
}()

// Mapping maps fields to column indexes of the header.
type Mapping map[Field]int

// AutoMap maps header texts by Chinese and English aliases. Matching
// ignores case, spaces, full-width forms, punctuation (the "*" of a
// required column), text in brackets ("手机（必填）") and a trailing number
// ("电话2"). A header that is no alias but ends with one maps to it
// ("联系人手机" is phone, "客户公司名称" company), after every exact match.
// Each field takes one column: the one whose alias ranks first, else the
// leftmost.
func AutoMap(header []string) Mapping {
	type match struct{ col, rank int }
	best := map[Field]match{}
	for col, h := range header {
		f, rank, ok := aliasOf(normHeader(h))
		if !ok {
			continue
		}
		if b, seen := best[f]; !seen || rank < b.rank {
			best[f] = match{col, rank}
		}
	}
	m := Mapping{}
	for f, b := range best {
		m[f] = b.col
	}
	return m
}

// aliasOf finds the field a normalised header names: exactly, or, ranked
// after every exact match, by the longest alias it ends with.
func aliasOf(h string) (Field, int, bool) {
	if h == "" {
		return "", 0, false
	}
	if a, ok := aliasIndex[h]; ok {
		return a.field, a.rank, true
	}
	found, rank, length := Field(""), 0, 0
	for alias, a := range aliasIndex {
		// One-letter and two-letter Latin aliases ("wx", "tel") would
		// match the end of unrelated words.
		if len(alias) > length && len(h) > len(alias) && strings.HasSuffix(h, alias) && (len(alias) > 3 || !isASCII(alias)) {
			found, rank, length = a.field, 1000+a.rank, len(alias)
		}
	}
	return found, rank, found != ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// normHeader folds a header text for matching: NFKC (full-width to
// half-width), lower case, text in brackets dropped, only letters and
// digits kept, a trailing number dropped. normHeader(normHeader(h)) ==
// normHeader(h).
func normHeader(h string) string {
	h = strings.ToLower(norm.NFKC.String(h))
	if out := dropBracketed(h); strings.IndexFunc(out, isWord) >= 0 {
		h = out
	}
	h = strings.Map(func(r rune) rune {
		if isWord(r) {
			return r
		}
		return -1
	}, h)
	if t := strings.TrimRightFunc(h, unicode.IsDigit); t != "" {
		h = t
	}
	// Lower case and NFKC again: a letter that folds or composes only once
	// its neighbours are gone must read the same the second time.
	h = strings.ToLower(norm.NFKC.String(h))
	return h
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// dropBracketed removes the text inside (), [], 【】 and 〔〕 (after NFKC,
// full-width brackets are ASCII), brackets included.
func dropBracketed(h string) string {
	var b strings.Builder
	depth := 0
	for _, r := range h {
		switch r {
		case '(', '[', '【', '〔', '{':
			depth++
		case ')', ']', '】', '〕', '}':
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// Row returns the mapped cells of one row, by field. A column past the
// row's end reads as "".
func (m Mapping) Row(cells []string) map[Field]string {
	out := make(map[Field]string, len(m))
	for f, i := range m {
		if i >= 0 && i < len(cells) {
			out[f] = cells[i]
		} else {
			out[f] = ""
		}
	}
	return out
}
