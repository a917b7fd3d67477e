package sheet

import (
	"fmt"
	"io"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/xuri/excelize/v2"
)

// TemplateOptions are what a template's drop-downs offer (Categories
// defaults to gonghai.Categories) and its language: "en", or zh-CN.
type TemplateOptions struct {
	Categories, Pools, Owners []string
	Lang                      string
}

// headers are the template's column titles; AutoMap maps both languages.
var headers = map[string]map[Field]string{
	"zh-CN": {FieldCompany: "公司名称", FieldName: "联系人", FieldPhone: "手机", FieldEmail: "邮箱", FieldWeChat: "微信",
		FieldCategory: "分类", FieldIndustry: "行业", FieldRegion: "地区", FieldProductLine: "产品线", FieldSource: "来源",
		FieldStage: "阶段", FieldSize: "客户规模", FieldPool: "公海", FieldOwner: "负责人", FieldNote: "备注"},
	"en": {FieldCompany: "Company", FieldName: "Name", FieldPhone: "Phone", FieldEmail: "Email", FieldWeChat: "WeChat",
		FieldCategory: "Category", FieldIndustry: "Industry", FieldRegion: "Region", FieldProductLine: "Product line",
		FieldSource: "Source", FieldStage: "Stage", FieldSize: "Size", FieldPool: "Pool", FieldOwner: "Owner", FieldNote: "Note"},
}

// notes say what each column takes, from the checks of
// gonghai.CustomerFields.Validate: a name or a company, category A/B/C,
// at most 200 characters, no contact in a free-text column.
var notes = map[string]map[Field]string{
	"zh-CN": {
		FieldCompany:     "公司名称与联系人至少填一项",
		FieldName:        "公司名称与联系人至少填一项",
		FieldPhone:       "手机或座机，如 13800138000",
		FieldEmail:       "如 name@example.com",
		FieldWeChat:      "微信号，不含空格",
		FieldCategory:    "A、B 或 C，从下拉列表选择",
		FieldIndustry:    "如 制造业",
		FieldRegion:      "省/市/区，用 / 分隔，如 广东省/深圳市/南山区",
		FieldProductLine: "意向产品线",
		FieldSource:      "如 展会、官网、转介绍",
		FieldStage:       "销售阶段",
		FieldSize:        "小型、中型、大型或重点；留空为未知",
		FieldPool:        "从下拉列表选择；留空则进入导入时选择的公海",
		FieldOwner:       "负责人的登录名，从下拉列表选择；留空则不分配",
		FieldNote:        "其他说明；电话、邮箱、微信请填在各自的列",
	},
	"en": {
		FieldCompany:     "Company or Name: at least one",
		FieldName:        "Company or Name: at least one",
		FieldPhone:       "Mobile or landline, e.g. 13800138000",
		FieldEmail:       "e.g. name@example.com",
		FieldWeChat:      "WeChat id, no spaces",
		FieldCategory:    "A, B or C: pick from the list",
		FieldIndustry:    "e.g. Manufacturing",
		FieldRegion:      "Province/city/district, e.g. 广东省/深圳市/南山区",
		FieldProductLine: "Product line of interest",
		FieldSource:      "e.g. Trade fair, Website, Referral",
		FieldStage:       "Sales stage",
		FieldSize:        "small, medium, large or key; empty: unknown",
		FieldPool:        "Pick from the list; empty: the pool chosen at import",
		FieldOwner:       "The owner's login: pick from the list; empty: nobody",
		FieldNote:        "Anything else; phone, email and WeChat go in their own columns",
	},
}

// noteTexts holds every note, so a Reader skips the notes row of a filled
// template instead of reading it as a customer.
var noteTexts = func() map[string]bool {
	m := map[string]bool{}
	for _, byField := range notes {
		for _, n := range byField {
			m[n] = true
		}
	}
	return m
}()

// isNotesRow reports whether every cell that is not empty is a template
// note, and some cell is.
func isNotesRow(cells []string) bool {
	seen := false
	for _, c := range cells {
		if c == "" {
			continue
		}
		if !noteTexts[c] {
			return false
		}
		seen = true
	}
	return seen
}

func templateLang(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return "en"
	}
	return "zh-CN"
}

// Template writes an import template: FormatXLSX with the header row, a
// notes row and drop-downs (categories, pools, owners given), or FormatCSV
// (the header only, UTF-8 with BOM, which Excel opens as UTF-8).
func Template(w io.Writer, f Format, opt TemplateOptions) error {
	lang := templateLang(opt.Lang)
	head := make([]string, 0, len(aliases))
	for _, fl := range Fields() {
		head = append(head, headers[lang][fl])
	}
	switch f {
	case FormatCSV:
		_, err := io.WriteString(w, "\uFEFF"+strings.Join(head, ",")+"\r\n")
		return err
	case FormatXLSX:
		return templateXLSX(w, lang, head, opt)
	}
	return gonghai.Invalid("format", "must be csv or xlsx")
}

// templateRows is how far down the drop-downs and text formats reach.
const templateRows = DefaultMaxRows + 2

func templateXLSX(w io.Writer, lang string, head []string, opt TemplateOptions) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet, lists := "客户", "下拉选项"
	if lang == "en" {
		sheet, lists = "Customers", "Lists"
	}
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := x.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	row := make([]string, 0, len(head))
	for _, fl := range Fields() {
		row = append(row, notes[lang][fl])
	}
	if err := x.SetSheetRow(sheet, "A2", &row); err != nil {
		return err
	}
	if err := templateStyles(x, sheet, len(head)); err != nil {
		return err
	}
	categories := opt.Categories
	if len(categories) == 0 {
		categories = gonghai.Categories
	}
	// The lists live on a hidden sheet: an inline list holds at most 255
	// characters, too few for a company's logins.
	if _, err := x.NewSheet(lists); err != nil {
		return err
	}
	for i, l := range []struct {
		field  Field
		values []string
	}{{FieldCategory, categories}, {FieldPool, opt.Pools}, {FieldOwner, opt.Owners}} {
		if len(l.values) == 0 {
			continue
		}
		listCol, _ := excelize.ColumnNumberToName(i + 1)
		for j, v := range l.values {
			if err := x.SetCellStr(lists, fmt.Sprintf("%s%d", listCol, j+1), v); err != nil {
				return err
			}
		}
		col, _ := excelize.ColumnNumberToName(fieldColumn(l.field) + 1)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s3:%s%d", col, col, templateRows))
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$1:$%s$%d", lists, listCol, listCol, len(l.values)))
		if err := x.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}
	if err := x.SetSheetVisible(lists, false); err != nil {
		return err
	}
	_, err := x.WriteTo(w)
	return err
}

// fieldColumn is a field's column index in the template.
func fieldColumn(f Field) int {
	for i, fl := range Fields() {
		if fl == f {
			return i
		}
	}
	return -1
}

// templateStyles makes the header bold, the notes grey, both frozen above
// the data, and the contact columns text: a phone typed into a General
// cell becomes a number Excel shows as 1.38E+10.
func templateStyles(x *excelize.File, sheet string, cols int) error {
	last, _ := excelize.ColumnNumberToName(cols)
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	grey, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Size: 9},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	text, err := x.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	for _, f := range []Field{FieldPhone, FieldWeChat} {
		col, _ := excelize.ColumnNumberToName(fieldColumn(f) + 1)
		if err := x.SetColStyle(sheet, col, text); err != nil {
			return err
		}
	}
	for _, s := range []struct {
		row, style int
	}{{1, bold}, {2, grey}} {
		if err := x.SetCellStyle(sheet, fmt.Sprintf("A%d", s.row), fmt.Sprintf("%s%d", last, s.row), s.style); err != nil {
			return err
		}
	}
	if err := x.SetColWidth(sheet, "A", last, 18); err != nil {
		return err
	}
	return x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
}
