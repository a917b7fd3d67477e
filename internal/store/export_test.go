package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestExportQuotaRace: exports racing on one user's quota pass together
// only as far as the quota goes; each refused one counts nothing and
// writes no audit entry; a new day in the organisation's zone starts
// afresh.
func TestExportQuotaRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		quota := 10
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{ExportDailyQuota: &quota}); err != nil {
			t.Fatal(err)
		}
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		var wg sync.WaitGroup
		var mu sync.Mutex
		passed, refused := 0, 0
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.db.RecordExport(f.ctx, rep, gonghai.ListExport{Kind: gonghai.ExportMine, Format: "csv", Rows: 3}, nil)
				mu.Lock()
				defer mu.Unlock()
				switch gonghai.ErrorCode(err) {
				case "":
					passed++
				case gonghai.EExportQuota:
					refused++
				default:
					t.Errorf("an export: %v", err)
				}
			}()
		}
		wg.Wait()
		remaining, got, err := f.db.ExportQuota(f.ctx, rep)
		if err != nil || passed != 3 || refused != 9 || remaining != 1 || got != quota {
			t.Fatalf("12 exports of 3 rows against 10: %d passed, %d refused; %d of %d remain (%v); want 3, 9 and 1 of 10",
				passed, refused, remaining, got, err)
		}
		entries, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditListExport}, gonghai.Page{})
		if err != nil || len(entries) != 3 {
			t.Fatalf("%d list_export entries (%v), want one per export that passed", len(entries), err)
		}
		if d := entries[0].Detail; d["rows"] != "3" || d["list"] != "mine" || d["quota"] != "10" {
			t.Errorf("the entry's detail: %v", d)
		}
		// The refusal says what remains; one that fits still passes.
		_, err = f.db.RecordExport(f.ctx, rep, gonghai.ListExport{Kind: gonghai.ExportMine, Rows: 2}, nil)
		if gonghai.ErrorCode(err) != gonghai.EExportQuota || !strings.Contains(gonghai.ErrorMessage(err), "1 of your 10") {
			t.Errorf("2 rows with 1 left: %v", err)
		}
		if _, err := f.db.RecordExport(f.ctx, rep, gonghai.ListExport{Kind: gonghai.ExportMine, Rows: 1}, nil); err != nil {
			t.Errorf("1 row with 1 left: %v", err)
		}
		// Midnight in Shanghai (16:00 UTC) starts a new day.
		f.clock.Set(start.Add(15 * time.Hour))
		if remaining, _, _ := f.db.ExportQuota(f.ctx, rep); remaining != quota {
			t.Errorf("the next day %d rows remain, want %d", remaining, quota)
		}
	})
}

// TestExportUnmasked: an unmasked export needs the permission as stored
// now, which only admins hold, and returns the contacts in full.
func TestExportUnmasked(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("公海", gonghai.PoolInput{})
		ids := f.customers(p.ID, 2)
		e := gonghai.ListExport{Kind: gonghai.ExportPool, PoolID: p.ID, Rows: 2, Unmasked: true}
		if _, err := f.db.RecordExport(f.ctx, f.admin, e, ids); gonghai.ErrorCode(err) != gonghai.EForbidden {
			t.Fatalf("an unmasked export without the permission: %v", err)
		}
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		yes := true
		if _, err := f.db.UpdateUser(f.ctx, f.admin, rep.ID, gonghai.UserPatch{ExportUnmasked: &yes}); gonghai.ErrorCode(err) != gonghai.EInvalid {
			t.Errorf("granting a rep the permission: %v", err)
		}
		admin, err := f.db.UpdateUser(f.ctx, f.admin, f.admin.ID, gonghai.UserPatch{ExportUnmasked: &yes})
		if err != nil || !admin.ExportUnmasked {
			t.Fatalf("granting an admin the permission: %+v %v", admin, err)
		}
		changes, _, _ := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditUserChange, TargetID: f.admin.ID}, gonghai.Page{})
		if len(changes) == 0 || changes[0].Detail["export_unmasked"] != "false->true" {
			t.Errorf("the grant's audit entry: %+v", changes)
		}
		// The stored permission decides, whatever the caller's copy says.
		stale := f.admin
		contacts, err := f.db.RecordExport(f.ctx, stale, e, ids)
		if err != nil || len(contacts) != 2 || strings.Contains(contacts[ids[0]].Phone, "*") || contacts[ids[0]].Phone == "" {
			t.Fatalf("an unmasked export: %v %v", contacts, err)
		}
		entries, _, _ := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditListExport}, gonghai.Page{})
		if len(entries) != 1 || entries[0].Detail["unmasked"] != "true" || entries[0].TargetID != p.ID {
			t.Errorf("the unmasked export's entry: %+v", entries)
		}
		// A second admin made a manager loses the permission with the role.
		other := f.user("admin2", gonghai.RoleAdmin, "", nil)
		f.db.UpdateUser(f.ctx, f.admin, other.ID, gonghai.UserPatch{ExportUnmasked: &yes})
		manager := gonghai.RoleManager
		if u, err := f.db.UpdateUser(f.ctx, f.admin, other.ID, gonghai.UserPatch{Role: &manager}); err != nil || u.ExportUnmasked {
			t.Errorf("a demoted admin: %+v %v", u, err)
		}
	})
}
