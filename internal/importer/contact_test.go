package importer_test

import (
	"testing"

	"github.com/gonghai/gonghai"
)

// TestImportMatchesContacts: an import row whose phone or WeChat id is a
// further contact's of a customer matches that customer, as one of its
// own would: skipped under the skip policy and recorded as a conflict
// (撞单), never created a second time.
func TestImportMatchesContacts(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		c := f.create("北京星辰科技有限公司", "13800000001")
		if _, err := f.db.AddContact(f.ctx, f.admin, c.ID, gonghai.Contact{Name: "王强", Phone: "13900000002", WeChat: "wq88"}); err != nil {
			t.Fatal(err)
		}
		j := f.run(csv(header,
			"上海新公司甲,王强,13900000002,,",
			"上海新公司乙,,,,WQ88",
			"上海新公司丙,周明,13700000003,,"), gonghai.ImportOptions{Policy: gonghai.ImportSkip})
		if got := counts(j.Counts); got != "created=1 updated=0 skipped=2 conflicts=2 errors=0" {
			t.Fatalf("counts %s", got)
		}
		if all, _ := f.customers(""); all != 2 {
			t.Fatalf("%d customers, want the one there and the one new", all)
		}
	})
}
