package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// ExportQuota returns how many rows actor may still export today, in the
// organisation's zone, and the day's quota. An export reads its list up
// to the rows that remain, so that one that holds more is refused before
// anything is counted or written.
func (db *DB) ExportQuota(ctx context.Context, actor gonghai.User) (remaining, quota int, err error) {
	c := db.reader()
	s, err := getSettings(ctx, c)
	if err != nil {
		return 0, 0, err
	}
	used, err := exportedToday(ctx, c, actor.ID, exportDay(s.Location(), db.now()))
	return max(0, s.ExportDailyQuota-used), s.ExportDailyQuota, err
}

// exportDay is the key of now's day in export_counts.
func exportDay(loc *time.Location, now time.Time) string {
	return gonghai.StartOfDay(now, loc).In(loc).Format(time.DateOnly)
}

func exportedToday(ctx context.Context, c conn, userID, day string) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT n FROM export_counts WHERE user_id = ? AND day = ?`, userID, day).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// RecordExport counts export e's rows against actor's daily quota and
// writes it to the audit log, in one transaction, before its file is
// written. The count is one guarded upsert: concurrent exports on several
// nodes never pass the quota together, and a refused export counts
// nothing. An unmasked export needs gonghai.CanExportUnmasked, decided on
// the actor as stored now (a permission taken away stops the next
// export); its rows' contacts (ids, which the caller's listing gave) are
// returned in full.
func (db *DB) RecordExport(ctx context.Context, actor gonghai.User, e gonghai.ListExport, ids []string) (map[string]gonghai.Contacts, error) {
	err := db.inTx(ctx, func(c conn) error {
		if e.Unmasked {
			u, err := getUser(ctx, c, actor.ID)
			if err != nil {
				return err
			}
			if err := gonghai.CanExportUnmasked(u); err != nil {
				return err
			}
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		now := db.now()
		day := exportDay(s.Location(), now)
		n, err := countExport(ctx, c, actor.ID, day, e.Rows, s.ExportDailyQuota)
		if errors.Is(err, sql.ErrNoRows) {
			used, uerr := exportedToday(ctx, c, actor.ID, day)
			return errors.Join(gonghai.ExportQuotaError(e.Rows, false, max(0, s.ExportDailyQuota-used), s.ExportDailyQuota), uerr)
		}
		if err != nil {
			return err
		}
		kind, target := "list", e.Kind
		if e.Kind == gonghai.ExportPool {
			kind, target = "pool", e.PoolID
		}
		a := auditBy(&actor, gonghai.AuditListExport, kind, target, now)
		a.Detail = map[string]string{"list": e.Kind, "rows": strconv.Itoa(e.Rows), "format": e.Format,
			"unmasked": strconv.FormatBool(e.Unmasked), "today": strconv.Itoa(n), "quota": strconv.Itoa(s.ExportDailyQuota)}
		if e.Encoding != "" {
			a.Detail["encoding"] = e.Encoding
		}
		for k, v := range e.Filters {
			a.Detail["filter_"+k] = v
		}
		return audit(ctx, c, a)
	})
	if err != nil || !e.Unmasked {
		return nil, err
	}
	return db.exportContacts(ctx, ids)
}

// countExport adds rows to user's exported rows of day unless that would
// pass quota: then it returns sql.ErrNoRows and counts nothing. It
// returns the day's rows with these.
func countExport(ctx context.Context, c conn, userID, day string, rows, quota int) (int, error) {
	if rows > quota {
		return 0, sql.ErrNoRows
	}
	var n int
	err := c.queryRow(ctx, `INSERT INTO export_counts (user_id, day, n) VALUES (?, ?, ?)
		ON CONFLICT (user_id, day) DO UPDATE SET n = export_counts.n + ? WHERE export_counts.n + ? <= ?
		RETURNING n`, userID, day, rows, rows, rows, quota).Scan(&n)
	return n, err
}

// exportChunk is how many customers one read of an unmasked export asks
// for: well under either database's limit of parameters.
const exportChunk = 500

// exportContacts reads the contacts of customers ids in full.
func (db *DB) exportContacts(ctx context.Context, ids []string) (map[string]gonghai.Contacts, error) {
	out := make(map[string]gonghai.Contacts, len(ids))
	c := db.reader()
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), exportChunk)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := collect(ctx, c, `SELECT `+customerColumns+customerFrom+`WHERE c.id IN (?`+strings.Repeat(`, ?`, len(chunk)-1)+`)`,
			args, scanCustomer)
		if err == nil {
			err = c.openRows(rows)
		}
		if err != nil {
			return nil, fmt.Errorf("export contacts: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = gonghai.Contacts{Phone: r.Phone, Email: r.Email, WeChat: r.WeChat}
		}
	}
	return out, nil
}
