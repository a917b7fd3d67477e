package web_test

import "testing"

// TestHiddenTextRefused: a contact typed into a free-text customer field,
// and control or text-reordering characters in any free-text input, are
// refused through the API as invalid, naming the field, and change
// nothing; company names with digits pass.
func TestHiddenTextRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		p, c := o.pool.ID, "/api/v1/customers/"+o.ownedByA
		before := o.snapshot()
		for _, sc := range []struct {
			name, as, method, path, body, field string
		}{
			{"phone in the name", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","name":"张伟 13912345678"}`, "name"},
			{"phone broken by zero-width spaces", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","company":"恒信 139\u200b1234\u200b5678"}`, "company"},
			{"email in the company", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","company":"恒信 li@hengxin.cn"}`, "company"},
			{"full-width at in the industry", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","company":"恒信","industry":"li＠hengxin.cn"}`, "industry"},
			{"WeChat id in the source", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","company":"恒信","source":"VX: zhangwei_88"}`, "source"},
			{"wxid in the region", "rep.a", "PATCH", c, `{"region":"上海 wxid_rhkvdiki3fsu"}`, "region"},
			{"phone in the product line", "rep.a", "PATCH", c, `{"product_line":"(010) 6552 9988"}`, "product_line"},
			{"WeChat handle in the stage", "rep.a", "PATCH", c, `{"stage":"微信号 zhangwei_88"}`, "stage"},
			{"NUL in the company", "admin", "POST", "/api/v1/customers", `{"pool_id":"` + p + `","company":"恒信\u0000科技"}`, "company"},
			{"override in the name", "rep.a", "PATCH", c, `{"name":"张\u202e伟"}`, "name"},
			{"look-alike address", "rep.a", "PATCH", c, `{"email":"zhang@h\u0435ngxin.cn"}`, "email"},
			{"look-alike WeChat id", "rep.a", "PATCH", c, `{"wechat":"zh\u0430ngwei_88"}`, "wechat"},
			{"NUL in a note", "rep.a", "POST", c + "/followups", `{"kind":"call","content":"电话\u0000沟通"}`, "content"},
			{"isolate in a title", "rep.a", "POST", c + "/opportunities", `{"title":"年度\u2066采购"}`, "title"},
			{"C1 control in a reason", "rep.a", "POST", c + "/release", `{"reason":"暂无\u0085需求"}`, "reason"},
			{"NUL in a transfer reason", "admin", "POST", c + "/transfer", `{"user_id":"` + o.b.ID + `","reason":"调\u0000岗"}`, "reason"},
			{"NUL in a user's name", "admin", "POST", "/api/v1/users", `{"login":"x","name":"张\u0000伟","role":"rep"}`, "name"},
			{"override in a pool's name", "admin", "PATCH", "/api/v1/pools/" + p, `{"name":"华东\u202e公海"}`, "name"},
		} {
			t.Run(sc.name, func(t *testing.T) {
				status, body, _ := o.call(sc.as, sc.method, sc.path, sc.body)
				fields, _ := body["fields"].(map[string]any)
				if status != 422 || body["code"] != "invalid" || fields[sc.field] == nil {
					t.Fatalf("%s %s: %d %v, want 422 invalid naming %s", sc.method, sc.path, status, body, sc.field)
				}
				if after := o.snapshot(); after != before {
					t.Fatalf("the refused request changed data:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		for _, company := range []string{"58同城", "360安全科技", "1号店", "北京798艺术区管理有限公司", "微信支付服务商"} {
			if status, body, _ := o.call("admin", "POST", "/api/v1/customers", `{"pool_id":"`+p+`","company":"`+company+`","source":"微信公众号"}`); status != 201 {
				t.Errorf("create %s: %d %v, want 201", company, status, body)
			}
		}
	})
}
