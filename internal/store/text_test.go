package store_test

import (
	"errors"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestTrickFormsAreDuplicates: an email or WeChat id another customer has,
// retyped with invisible characters, mailto:, a trailing dot, accents,
// full-width forms or another case, is a duplicate, on create, on import
// and on edit; an address with a Cyrillic look-alike letter is refused as
// invalid. None of them writes anything. What is stored is the cleaned
// form, one the owner can write to.
func TestTrickFormsAreDuplicates(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("公海", gonghai.PoolInput{})
		f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "恒信", Email: "li.si@hengxin.cn", WeChat: "zhangwei_88"})
		other := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "乙", Email: "wang@example.cn"})
		before := f.snap(other.ID)
		for _, tc := range []struct{ field, value string }{
			{"email", "li.si\u200b@hengxin.cn"},
			{"email", "\ufeffli.si@hengxin.cn"},
			{"email", "li.si@hengxin.cn."},
			{"email", "mailto:li.si@hengxin.cn"},
			{"email", "MAILTO:Li.Si@Hengxin.CN"},
			{"email", "lí.si@hengxin.cn"},
			{"email", "li\u0301.si@hengxin.cn"},
			{"email", "li.si＠hengxin.cn"},
			{"email", "ｌｉ．ｓｉ＠ｈｅｎｇｘｉｎ．ｃｎ"},
			{"wechat", "zhangwei\u200b_88"},
			{"wechat", "zhangwei_88."},
			{"wechat", "ZhangWei_88"},
			{"wechat", "zhángwei_88"},
			{"wechat", "ｚｈａｎｇｗｅｉ＿８８"},
		} {
			fields := gonghai.CustomerFields{Company: "新公司"}
			patch := gonghai.CustomerPatch{}
			if tc.field == "email" {
				fields.Email, patch.Email = tc.value, &tc.value
			} else {
				fields.WeChat, patch.WeChat = tc.value, &tc.value
			}
			_, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: fields})
			var e *gonghai.Error
			if !errors.As(err, &e) || e.Code != gonghai.EDuplicate || e.Match == nil || e.Match.Field != tc.field {
				t.Errorf("create with %s %q: %v, want a duplicate of the %s", tc.field, tc.value, err, tc.field)
			}
			_, err = f.db.ImportCustomers(f.ctx, f.admin, []gonghai.NewCustomer{
				{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "导入甲"}},
				{PoolID: p.ID, CustomerFields: fields}})
			if gonghai.ErrorCode(err) != gonghai.EDuplicate {
				t.Errorf("import with %s %q: %v, want duplicate", tc.field, tc.value, err)
			}
			if _, err := f.db.UpdateCustomer(f.ctx, f.admin, other.ID, patch); gonghai.ErrorCode(err) != gonghai.EDuplicate {
				t.Errorf("edit to %s %q: %v, want duplicate", tc.field, tc.value, err)
			}
		}
		for _, email := range []string{"li.si@h\u0435ngxin.cn", "l\u0456.si@hengxin.cn", "li.si@hengxin.c\u03bfm"} {
			_, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID,
				CustomerFields: gonghai.CustomerFields{Company: "新公司", Email: email}})
			wantField(t, err, "email")
			_, err = f.db.UpdateCustomer(f.ctx, f.admin, other.ID, gonghai.CustomerPatch{Email: &email})
			wantField(t, err, "email")
		}
		f.unchanged(other.ID, before)
		if cs, _, err := f.db.PoolCustomers(f.ctx, f.admin, p.ID, gonghai.CustomerFilter{}, gonghai.Page{}); err != nil || len(cs) != 2 {
			t.Fatalf("the pool holds %d customers (%v), want the 2 first created", len(cs), err)
		}
		// The owner sees an address to write to.
		c := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "丙", Phone: " 139\u200b1234\u200b5678 ",
			Email: "mailto:Wang.Wu@Hengxin.CN.", WeChat: "\u200bwangwu_1990"})
		x, err := f.db.ExportCustomer(f.ctx, f.admin, c.ID)
		if err != nil || x.Customer.Phone != "13912345678" || x.Customer.Email != "Wang.Wu@Hengxin.CN" || x.Customer.WeChat != "wangwu_1990" {
			t.Fatalf("stored contacts: %q %q %q (%v), want them cleaned", x.Customer.Phone, x.Customer.Email, x.Customer.WeChat, err)
		}
	})
}
