package gonghai_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

func TestExportFileName(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 11, 30, 2, 42, 0, 0, time.UTC) // 10:42 in Shanghai
	for _, c := range []struct{ kind, list, want string }{
		{gonghai.ExportPool, "华东公海", "公海-华东公海-zhangsan-20261130-1042.xlsx"},
		{gonghai.ExportPool, `a/b\c:d*?"<>|`, "公海-a_b_c_d______-zhangsan-20261130-1042.xlsx"},
		{gonghai.ExportMine, "", "私海-zhangsan-20261130-1042.xlsx"},
		{gonghai.ExportCustomers, "", "客户-zhangsan-20261130-1042.xlsx"},
	} {
		if got := gonghai.ExportFileName(c.kind, c.list, "zhangsan", at, sh, "xlsx"); got != c.want {
			t.Errorf("ExportFileName(%s, %q) = %q, want %q", c.kind, c.list, got, c.want)
		}
	}
}

// TestExportFilters: the audit's summary names the filters, never the
// search text, which may be a person's name or phone.
func TestExportFilters(t *testing.T) {
	got := gonghai.ExportFilters(gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Q: "13812345678", Category: "A",
		Region: "广东省"}, Unowned: true, DueDays: 3})
	want := map[string]string{"q": "contact", "category": "A", "region": "广东省", "unowned": "true", "due_days": "3"}
	if len(got) != len(want) {
		t.Fatalf("ExportFilters = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("ExportFilters[%s] = %q, want %q", k, got[k], v)
		}
	}
	if q := gonghai.ExportFilters(gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Q: "张伟"}})["q"]; q != "text" {
		t.Errorf("a name searched is summarised as %q", q)
	}
}

func TestCanExportUnmasked(t *testing.T) {
	for _, u := range []gonghai.User{{Role: gonghai.RoleAdmin}, {Role: gonghai.RoleManager, ExportUnmasked: true}, {Role: gonghai.RoleRep}} {
		if gonghai.ErrorCode(gonghai.CanExportUnmasked(u)) != gonghai.EForbidden {
			t.Errorf("%+v may export unmasked", u)
		}
	}
	if err := gonghai.CanExportUnmasked(gonghai.User{Role: gonghai.RoleAdmin, ExportUnmasked: true}); err != nil {
		t.Errorf("an admin with the permission: %v", err)
	}
}
