package importer_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/gonghai/gonghai"
)

// A dry run gives every row its verdict, duplicates inside the file among
// them, and writes no customer; the run started from it does what the dry
// run said, once, and is audited once with the file's hash and counts.
func TestDryRunThenRun(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		old := f.create("星辰科技", "13800000001")
		data := csv(header,
			"北极星贸易,张三,13800000001,,",              // 2: the phone of an existing customer
			"月亮科技,李四,13900000002,li@example.com,", // 3: new
			"月亮科技,王五,13900000003,,",               // 4: the company of row 3
			",赵六,abc,,",                           // 5: no phone
			"太阳能源,钱七,13900000004,li@example.com,", // 6: the email of row 3
			",,13900000005,,")                     // 7: neither name nor company
		j := f.submit(f.admin, data, gonghai.ImportOptions{DryRun: true})
		if j.Status != gonghai.ImportDryRunDone || j.Total != 6 || j.Done != 6 {
			t.Fatalf("dry run: status %s, %d of %d rows", j.Status, j.Done, j.Total)
		}
		if got, want := counts(j.Counts), "created=1 updated=0 skipped=3 conflicts=3 errors=2"; got != want {
			t.Errorf("dry run counts %s, want %s", got, want)
		}
		v := f.verdicts(j.ID, false)
		for row, want := range map[int]gonghai.ImportRow{
			2: {Verdict: gonghai.VerdictSkip, Field: "phone", MatchedID: old.ID},
			3: {Verdict: gonghai.VerdictCreate},
			4: {Verdict: gonghai.VerdictSkip, Field: "company", InFileRow: 3},
			5: {Verdict: gonghai.VerdictError, Field: "phone"},
			6: {Verdict: gonghai.VerdictSkip, Field: "email", InFileRow: 3},
			7: {Verdict: gonghai.VerdictError, Field: "name"},
		} {
			got := v[row]
			if got.Verdict != want.Verdict || got.Field != want.Field || got.MatchedID != want.MatchedID || got.InFileRow != want.InFileRow {
				t.Errorf("row %d: %+v, want %+v", row, got, want)
			}
			if got.Verdict != gonghai.VerdictCreate && got.Reason == "" {
				t.Errorf("row %d: no reason", row)
			}
		}
		if all, _ := f.customers(""); all != 1 {
			t.Fatalf("the dry run wrote customers: %d, want 1", all)
		}
		if _, err := f.eng.Run(f.ctx, j.ID); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Errorf("a dry run done ran again: %v", err)
		}

		j, err := f.db.StartImport(f.ctx, f.admin, j.ID)
		if err != nil || j.Status != gonghai.ImportQueued {
			t.Fatalf("start: %v, %s", err, j.Status)
		}
		j, err = f.eng.Run(f.ctx, j.ID)
		if err != nil || j.Status != gonghai.ImportDone || j.Done != 6 {
			t.Fatalf("run: %v, %s, %d rows", err, j.Status, j.Done)
		}
		if got, want := counts(j.Counts), "created=1 updated=0 skipped=3 conflicts=3 errors=2"; got != want {
			t.Errorf("run counts %s, want %s", got, want)
		}
		if got, want := counts(j.DryRun), "created=1 updated=0 skipped=3 conflicts=3 errors=2"; got != want {
			t.Errorf("kept dry-run counts %s, want %s", got, want)
		}
		if all, named := f.customers("月亮科技"); all != 2 || named != 1 {
			t.Errorf("customers %d (月亮科技 %d), want 2 (1)", all, named)
		}
		errs := f.verdicts(j.ID, true)
		if len(errs) != 2 || errs[5].Field != "phone" || errs[7].Field != "name" {
			t.Errorf("run's error rows %+v, want rows 5 (phone) and 7 (name)", errs)
		}
		if _, err := f.db.StartImport(f.ctx, f.admin, j.ID); gonghai.ErrorCode(err) != gonghai.EConflict {
			t.Errorf("started twice: %v", err)
		}

		entries, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditImport}, gonghai.Page{})
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit: %v, %d entries, want 1", err, len(entries))
		}
		sum := sha256.Sum256(data)
		d := entries[0].Detail
		if entries[0].ActorID != f.admin.ID || d["sha256"] != hex.EncodeToString(sum[:]) || d["file_name"] != "客户.csv" ||
			d["created"] != "1" || d["skipped"] != "3" || d["errors"] != "2" || d["conflicts"] != "3" {
			t.Errorf("audit entry %+v", entries[0])
		}
	})
}

// Policy update fills the matched customer's empty fields and never
// overwrites one; policy conflict creates the row beside the customer it
// duplicates. Both count the match as a conflict.
func TestPolicies(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		old := f.create("星辰科技", "13800000001")
		data := csv("公司名称,联系人,手机,邮箱,行业",
			"星辰科技二部,张三,13800000001,zhang@example.com,制造") // matches old by phone
		j := f.run(data, gonghai.ImportOptions{Policy: gonghai.ImportUpdate})
		if got, want := counts(j.Counts), "created=0 updated=1 skipped=0 conflicts=1 errors=0"; got != want {
			t.Errorf("update: %s, want %s", got, want)
		}
		c, err := f.db.Customer(f.ctx, f.admin, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		contacts, err := f.db.Reveal(f.ctx, f.admin, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Company != "星辰科技" || c.Name != "张三" || contacts.Email != "zhang@example.com" || c.Industry != "制造" {
			t.Errorf("updated customer %q %q %q %q: want the company kept, the empty fields filled", c.Company, c.Name, contacts.Email, c.Industry)
		}

		j = f.run(data, gonghai.ImportOptions{Policy: gonghai.ImportUpdate})
		if got, want := counts(j.Counts), "created=0 updated=0 skipped=1 conflicts=1 errors=0"; got != want {
			t.Errorf("update with nothing to fill: %s, want %s", got, want)
		}

		j = f.run(data, gonghai.ImportOptions{Policy: gonghai.ImportConflict})
		if got, want := counts(j.Counts), "created=1 updated=0 skipped=0 conflicts=1 errors=0"; got != want {
			t.Errorf("conflict: %s, want %s", got, want)
		}
		if all, named := f.customers("星辰科技二部"); all != 2 || named != 1 {
			t.Errorf("customers %d (the duplicate %d), want 2 (1)", all, named)
		}

		j = f.run(data, gonghai.ImportOptions{Policy: gonghai.ImportSkip})
		if got, want := counts(j.Counts), "created=0 updated=0 skipped=1 conflicts=1 errors=0"; got != want {
			t.Errorf("skip: %s, want %s", got, want)
		}
	})
}

// Imported to an owner, customers are theirs up to their holding limit,
// row by row, with the rest refused as errors; each has its recycle
// deadline and one created event.
func TestOwnerHoldingLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		data := csv(header, "甲公司,,,,", "乙公司,,,,", "丙公司,,,,")
		dry := f.submit(f.admin, data, gonghai.ImportOptions{OwnerID: f.rep.ID, DryRun: true})
		if got, want := counts(dry.Counts), "created=2 updated=0 skipped=0 conflicts=0 errors=1"; got != want {
			t.Errorf("dry run: %s, want %s", got, want)
		}
		if v := f.verdicts(dry.ID, false)[4]; v.Verdict != gonghai.VerdictError || v.Field != "owner" || v.Reason != "over holding limit" {
			t.Errorf("row 4: %+v, want over holding limit", v)
		}
		j := f.run(data, gonghai.ImportOptions{OwnerID: f.rep.ID})
		if got, want := counts(j.Counts), "created=2 updated=0 skipped=0 conflicts=0 errors=1"; got != want {
			t.Errorf("run: %s, want %s", got, want)
		}
		mine, _, err := f.db.MyCustomers(f.ctx, f.rep, gonghai.CustomerFilter{}, gonghai.Page{})
		if err != nil || len(mine) != 2 {
			t.Fatalf("the rep owns %d (%v), want 2", len(mine), err)
		}
		for _, c := range mine {
			if c.Recycle == nil || !c.Recycle.At.Equal(gonghai.AddDays(monday, 8, shanghai())) {
				t.Errorf("%s: deadline %+v, want the start of day 8", c.Company, c.Recycle)
			}
			h, err := f.db.History(f.ctx, f.admin, c.ID)
			if err != nil || len(h) != 1 || h[0].Kind != gonghai.EventCreated || h[0].ToOwnerID != f.rep.ID || h[0].ActorID != f.admin.ID {
				t.Errorf("%s: history %+v (%v), want one created event to the rep", c.Company, h, err)
			}
		}
	})
}

// A row's pool and owner columns send it to that pool and owner, when the
// importer may; a pool or login that is no such is refused on its row.
func TestRowPoolAndOwner(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		name := "华南公海"
		south, err := f.db.CreatePool(f.ctx, f.admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &[]string{f.rep.ID}})
		if err != nil {
			t.Fatal(err)
		}
		data := csv("公司名称,公海,负责人",
			"甲公司,华南公海,",       // 2: into 华南公海
			"乙公司,,rep.li",     // 3: the rep's, in the import's pool
			"丙公司,华南公海,rep.li", // 4: the rep's, in 华南公海
			"丁公司,没有这个池,",      // 5: no such pool
			"戊公司,,nobody")     // 6: no such user
		j := f.run(data, gonghai.ImportOptions{})
		if got, want := counts(j.Counts), "created=3 updated=0 skipped=0 conflicts=0 errors=2"; got != want {
			t.Errorf("%s, want %s", got, want)
		}
		errs := f.verdicts(j.ID, true)
		if errs[5].Field != "pool" || errs[6].Field != "owner" {
			t.Errorf("error rows %+v, want 5 pool and 6 owner", errs)
		}
		page, err := f.db.Customers(f.ctx, f.admin, gonghai.ScopeFilter{PoolID: south.ID}, gonghai.Page{})
		if err != nil || len(page.Customers) != 2 {
			t.Fatalf("华南公海 has %d customers (%v), want 2", len(page.Customers), err)
		}
		mine, _, err := f.db.MyCustomers(f.ctx, f.rep, gonghai.CustomerFilter{}, gonghai.Page{})
		if err != nil || len(mine) != 2 {
			t.Errorf("the rep owns %d (%v), want 2", len(mine), err)
		}
	})
}
