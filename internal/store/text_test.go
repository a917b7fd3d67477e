package store_test

import (
	"errors"
	"reflect"
	"strings"
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
		// The admin edits other's contacts below: he has seen them in full.
		if _, err := f.db.Reveal(f.ctx, f.admin, other.ID); err != nil {
			t.Fatal(err)
		}
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

// TestHiddenCharactersRefused: NUL (which PostgreSQL cannot store), other
// control characters and text-reordering characters are refused in every
// free-text input, naming the field and writing nothing; notes and
// reasons may still have several lines.
func TestHiddenCharactersRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.user("rep.a", gonghai.RoleRep, "", nil)
		b := f.user("rep.b", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{a.ID, b.ID}})
		owned := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "恒信"})
		if _, err := f.db.Assign(f.ctx, f.admin, owned.ID, a.ID, "", false); err != nil {
			t.Fatal(err)
		}
		before, settings := f.snap(owned.ID), f.settings()
		for _, bad := range []string{"\x00", "\x07", "\u0085", "\u202e", "\u2066"} {
			for i, tc := range []struct {
				field string
				do    func() error
			}{
				{"name", func() error {
					_, err := f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "x", Name: "张" + bad + "伟", Role: gonghai.RoleRep})
					return err
				}},
				{"level", func() error {
					_, err := f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "x", Name: "张伟", Role: gonghai.RoleRep, Level: "jun" + bad + "ior"})
					return err
				}},
				{"name", func() error {
					_, err := f.db.UpdateUser(f.ctx, f.admin, b.ID, gonghai.UserPatch{Name: ptr("李" + bad + "四")})
					return err
				}},
				{"level", func() error {
					_, err := f.db.UpdateUser(f.ctx, f.admin, b.ID, gonghai.UserPatch{Level: ptr("sen" + bad + "ior")})
					return err
				}},
				{"name", func() error {
					_, err := f.db.CreateDepartment(f.ctx, f.admin, "华东"+bad+"销售部", "")
					return err
				}},
				{"name", func() error {
					_, err := f.db.CreatePool(f.ctx, f.admin, gonghai.PoolInput{Name: ptr("华东" + bad + "公海")})
					return err
				}},
				{"name", func() error {
					_, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{Name: ptr("公" + bad + "海")})
					return err
				}},
				{"stages", func() error {
					_, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{Stages: &[]string{"初步接触", "谈" + bad + "判"}})
					return err
				}},
				{"level_holding_limits", func() error {
					_, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{LevelHoldingLimits: &map[string]int{"jun" + bad + "ior": 3}})
					return err
				}},
				{"name", func() error {
					_, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Name: "张" + bad + "伟"}})
					return err
				}},
				{"company", func() error {
					_, err := f.db.UpdateCustomer(f.ctx, a, owned.ID, gonghai.CustomerPatch{Company: ptr("恒信" + bad + "科技")})
					return err
				}},
				{"content", func() error {
					_, err := f.db.AddFollowUp(f.ctx, a, owned.ID, gonghai.NewFollowUp{Kind: "call", Content: "电话" + bad + "沟通"})
					return err
				}},
				{"title", func() error {
					_, err := f.db.CreateOpportunity(f.ctx, a, owned.ID, "年度"+bad+"采购", 100)
					return err
				}},
				{"reason", func() error { _, err := f.db.Release(f.ctx, a, owned.ID, "暂无"+bad+"需求", ""); return err }},
				{"reason", func() error {
					_, err := f.db.Transfer(f.ctx, f.admin, owned.ID, b.ID, "调"+bad+"岗", false)
					return err
				}},
				{"reason", func() error { _, err := f.db.HandOver(f.ctx, f.admin, a.ID, b.ID, "离"+bad+"职", false); return err }},
			} {
				err := tc.do()
				var e *gonghai.Error
				if !errors.As(err, &e) || e.Code != gonghai.EInvalid || e.Fields[tc.field] == "" {
					t.Fatalf("%q in case %d: %v, want invalid naming %s", bad, i, err, tc.field)
				}
				if strings.Contains(e.Message+e.Fields[tc.field], bad) {
					t.Fatalf("the problem echoes the character: %v", e)
				}
			}
		}
		f.unchanged(owned.ID, before)
		if got := f.settings(); !reflect.DeepEqual(got, settings) {
			t.Fatalf("settings changed: %+v, were %+v", got, settings)
		}
		if u, _, err := f.db.Users(f.ctx, f.admin, gonghai.Page{}); err != nil || len(u) != 3 || u[2].Name != "rep.b" {
			t.Fatalf("users after the refusals: %+v (%v)", u, err)
		}
		if ds, err := f.db.Departments(f.ctx); err != nil || len(ds) != 0 {
			t.Fatalf("departments after the refusals: %+v (%v)", ds, err)
		}
		if ps, err := f.db.Pools(f.ctx, f.admin); err != nil || len(ps) != 1 || ps[0].Name != "公海" {
			t.Fatalf("pools after the refusals: %+v (%v)", ps, err)
		}
		if fs, _, err := f.db.FollowUps(f.ctx, a, owned.ID, gonghai.Page{}); err != nil || len(fs) != 0 {
			t.Fatalf("follow-ups after the refusals: %+v (%v)", fs, err)
		}
		if os, err := f.db.Opportunities(f.ctx, a, owned.ID); err != nil || len(os) != 0 {
			t.Fatalf("opportunities after the refusals: %+v (%v)", os, err)
		}
		// Notes and reasons keep their lines.
		if _, err := f.db.AddFollowUp(f.ctx, a, owned.ID, gonghai.NewFollowUp{Kind: "note", Content: "上午拜访\n\t下午电话"}); err != nil {
			t.Fatalf("a note of two lines: %v", err)
		}
		if _, err := f.db.Release(f.ctx, a, owned.ID, "暂无需求\r\n明年再联系", ""); err != nil {
			t.Fatalf("a reason of two lines: %v", err)
		}
	})
}

func (f *fixture) settings() gonghai.Settings {
	f.t.Helper()
	s, err := f.db.Settings(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// TestFilterWithHiddenCharacters: a pool listing filtered by text holding
// NUL or bytes that are not UTF-8 answers invalid, naming the filter, on
// PostgreSQL too (which cannot compare such text and failed internally).
func TestFilterWithHiddenCharacters(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("公海", gonghai.PoolInput{})
		for _, tc := range []struct {
			field  string
			filter gonghai.CustomerFilter
		}{
			{"q", gonghai.CustomerFilter{Q: "恒\x00信"}},
			{"q", gonghai.CustomerFilter{Q: "\xff"}},
			{"industry", gonghai.CustomerFilter{Industry: "软\x00件"}},
			{"region", gonghai.CustomerFilter{Region: "上海\xff"}},
			{"source", gonghai.CustomerFilter{Source: "展\u202e会"}},
		} {
			_, _, err := f.db.PoolCustomers(f.ctx, f.admin, p.ID, tc.filter, gonghai.Page{})
			wantField(t, err, tc.field)
		}
	})
}
