package gonghai

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Lists a user may export to a file: each with the filters and the
// permission of the list itself.
const (
	ExportPool      = "pool"      // a pool's unowned customers
	ExportMine      = "mine"      // the exporter's private pool (私海)
	ExportCustomers = "customers" // the scoped list: admins every customer, managers their subtree's, reps their own
)

// ListExport is one export of a list, as the quota counts it and the audit
// log records it: never a contact, name or search text.
type ListExport struct {
	Kind     string // ExportPool, ExportMine or ExportCustomers
	PoolID   string // the pool of an ExportPool
	Format   string // "xlsx" or "csv"
	Encoding string // a CSV's encoding
	Rows     int
	Unmasked bool // contacts in full
	Filters  map[string]string
}

// CanExportUnmasked decides whether actor may export contacts in full:
// admins holding the separate export_unmasked permission only. Everyone
// else exports contacts masked exactly as their list shows them.
func CanExportUnmasked(actor User) error {
	if actor.Role != RoleAdmin || !actor.ExportUnmasked {
		return Errorf(EForbidden, "exporting contacts unmasked needs the export_unmasked permission, which only an admin may hold")
	}
	return nil
}

// ExportQuotaError is the refusal of an export of rows rows (or more, when
// more) when remaining of the day's quota rows are left: nothing of it is
// exported or counted, so a narrower export may still pass.
func ExportQuotaError(rows int, more bool, remaining, quota int) error {
	if quota == 0 {
		return Errorf(EExportQuota, "exports are turned off")
	}
	held := strconv.Itoa(rows)
	if more {
		held = "more than " + held
	}
	return Errorf(EExportQuota, "this export holds %s rows, and %d of your %d export rows today remain: narrow the filters or wait until tomorrow",
		held, remaining, quota)
}

// ExportFilters summarises a list's filters for the audit log: which were
// set and to what, but the search text only by its kind ("contact" for a
// phone or email, else "text"), since it may be a person's name or phone.
func ExportFilters(f ScopeFilter) map[string]string {
	out := map[string]string{}
	if q := strings.TrimSpace(f.Q); q != "" {
		out["q"] = "text"
		if ContactShaped(q) {
			out["q"] = "contact"
		}
	}
	for k, v := range map[string]string{"category": f.Category, "industry": f.Industry, "region": f.Region,
		"product_line": f.ProductLine, "source": f.Source, "owner_id": f.OwnerID, "pool_id": f.PoolID, "sort": f.Sort} {
		if v != "" {
			out[k] = v
		}
	}
	if f.Unowned {
		out["unowned"] = "true"
	}
	if f.DueDays > 0 {
		out["due_days"] = strconv.Itoa(f.DueDays)
	}
	return out
}

// ExportFileName names an export's file for who took it and when, in the
// organisation's zone: 公海-华东公海-zhangsan-20261130-1042.xlsx. list
// names the pool of a pool export ("" for the others); characters that
// file systems refuse become _.
func ExportFileName(kind, list, login string, at time.Time, loc *time.Location, ext string) string {
	parts := []string{map[string]string{ExportPool: "公海", ExportMine: "私海", ExportCustomers: "客户"}[kind]}
	if list != "" {
		parts = append(parts, list)
	}
	parts = append(parts, login, at.In(loc).Format("20060102-1504"))
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.Join(parts, "-"))
	return fmt.Sprintf("%s.%s", name, ext)
}
