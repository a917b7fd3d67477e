package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gonghai/gonghai"
)

// Reveal shows customer id's contact fields in full to actor. Its owner sees
// them anyway; the owner's managers and admins, and for a customer in a
// pool its pool admins, may reveal them one customer at a time: each reveal
// is counted against the organisation's daily quota per user and written
// to the audit log, in one transaction. The count is one guarded upsert,
// so concurrent reveals on several nodes never pass the quota.
func (db *DB) Reveal(ctx context.Context, actor gonghai.User, id string) (gonghai.Contacts, error) {
	var out gonghai.Contacts
	err := db.inTx(ctx, func(c conn) error {
		r, _, err := customerFor(ctx, c, actor, id, getPoolRules, gonghai.CanReveal)
		if err != nil {
			return err
		}
		out = gonghai.Contacts{Phone: r.Phone, Email: r.Email, WeChat: r.WeChat}
		if out.Others, err = customerContacts(ctx, c, r.ID); err != nil {
			return err
		}
		if gonghai.SeesContacts(actor, r.Customer) {
			return nil
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		if s.RevealDailyQuota == 0 {
			return gonghai.Errorf(gonghai.ERevealQuota, "reveals are turned off")
		}
		now := db.now()
		n, err := countToday(ctx, c, actor.ID, "", s.RevealDailyQuota, s.Location(), now)
		if errors.Is(err, sql.ErrNoRows) {
			return gonghai.Errorf(gonghai.ERevealQuota, "you have revealed %d customers' contacts today, the most allowed", s.RevealDailyQuota)
		}
		if err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditReveal, "customer", id, now)
		e.Detail = map[string]string{"today": strconv.Itoa(n), "quota": strconv.Itoa(s.RevealDailyQuota)}
		return audit(ctx, c, e)
	})
	if err != nil {
		return gonghai.Contacts{}, fmt.Errorf("reveal customer %s: %w", id, err)
	}
	return out, nil
}

// countToday counts one more of what kind names ("" for reveals) for user
// today, in the organisation's zone, unless that would pass quota: then it
// returns sql.ErrNoRows. It is one guarded upsert, so concurrent counts on
// several nodes never pass the quota.
func countToday(ctx context.Context, c conn, userID, kind string, quota int, loc *time.Location, now time.Time) (int, error) {
	day := gonghai.StartOfDay(now, loc).In(loc).Format(time.DateOnly) + kind
	var n int
	err := c.queryRow(ctx, `INSERT INTO reveal_counts (user_id, day, n) VALUES (?, ?, 1)
		ON CONFLICT (user_id, day) DO UPDATE SET n = reveal_counts.n + 1 WHERE reveal_counts.n < ?
		RETURNING n`, userID, day, quota).Scan(&n)
	return n, err
}

// lookedUp counts a look-up by phone or email for actor, in its own
// transaction, and refuses one past the day's quota.
func (db *DB) lookedUp(ctx context.Context, actor gonghai.User) error {
	loc := db.location()
	return db.inTx(ctx, func(c conn) error {
		_, err := countToday(ctx, c, actor.ID, " lookup", gonghai.ContactLookupDailyQuota, loc, db.now())
		if errors.Is(err, sql.ErrNoRows) {
			return gonghai.Errorf(gonghai.ELookupQuota, "you have looked up %d phones or emails today, the most allowed", gonghai.ContactLookupDailyQuota)
		}
		return err
	})
}

// adminFor reads customer id for what only admins do: others who see it
// are forbidden, those who do not get not_found.
func adminFor(ctx context.Context, c conn, actor gonghai.User, id, what string) (customerRow, error) {
	r, _, err := customerFor(ctx, c, actor, id, getPoolRules, func(actor gonghai.User, f gonghai.CustomerFacts) error {
		return gonghai.CanAdminPersonal(actor, f, what)
	})
	return r, err
}

// ExportCustomer returns everything held about customer id, for a data
// subject request; admins only. The export is written to the audit log
// before anything is read.
func (db *DB) ExportCustomer(ctx context.Context, actor gonghai.User, id string) (gonghai.SubjectExport, error) {
	out := gonghai.SubjectExport{Exported: db.now()}
	err := db.inTx(ctx, func(c conn) error {
		if _, err := adminFor(ctx, c, actor, id, "exports"); err != nil {
			return err
		}
		return audit(ctx, c, auditBy(&actor, gonghai.AuditExport, "customer", id, out.Exported))
	})
	if err != nil {
		return out, fmt.Errorf("export customer %s: %w", id, err)
	}
	c := db.reader()
	r, err := getCustomer(ctx, c, id)
	if err != nil {
		return out, err
	}
	out.Customer = db.counted(r.Customer)
	if out.Contacts, err = customerContacts(ctx, c, id); err != nil {
		return out, err
	}
	if out.FollowUps, err = collect(ctx, c, `SELECT `+followUpColumns+` FROM followups WHERE customer_id = ? ORDER BY at, id`,
		[]any{id}, scanFollowUp); err != nil {
		return out, err
	}
	// The subject's export holds their data in full: titles unmasked.
	if out.Opportunities, err = collect(ctx, c, `SELECT `+opportunityColumns+` FROM opportunities WHERE customer_id = ? ORDER BY id DESC`,
		[]any{id}, scanOpportunity); err != nil {
		return out, err
	}
	if out.Orders, err = db.Orders(ctx, actor, id); err != nil {
		return out, err
	}
	if out.History, err = events(ctx, c, id); err != nil {
		return out, err
	}
	if out.Notifications, err = collect(ctx, c, `SELECT `+notificationColumns+` FROM notifications n
		LEFT JOIN customers c ON c.id = n.customer_id WHERE n.customer_id = ? ORDER BY n.id`, []any{id},
		c.notificationScanner(db.location())); err != nil {
		return out, err
	}
	out.Audit, err = collect(ctx, c, `SELECT id, at, actor_id, action, target_kind, target_id, address, detail FROM audit_log
		WHERE target_kind = 'customer' AND target_id = ? ORDER BY id`, []any{id}, scanAudit)
	return out, err
}

// EraseCustomer erases customer id's personal data; admins only. Its name,
// phone, email and WeChat id and their blind indexes are cleared, so no
// duplicate check matches them again, and the texts of its follow-ups are
// emptied. What remains (company, category, region, stage, orders, the
// ownership history) names no person: the history holds ids only.
func (db *DB) EraseCustomer(ctx context.Context, actor gonghai.User, id string) (gonghai.Customer, error) {
	var out gonghai.Customer
	err := db.inTx(ctx, func(c conn) error {
		r, err := adminFor(ctx, c, actor, id, "erases")
		if err != nil {
			return err
		}
		now := db.now()
		if err := erase(ctx, c, id, now); err != nil {
			return err
		}
		e := auditBy(&actor, gonghai.AuditErase, "customer", id, now)
		e.Detail = erasedDetail
		if err := audit(ctx, c, e); err != nil {
			return err
		}
		if r, err = getCustomer(ctx, c, id); err != nil {
			return err
		}
		out = db.view(r, actor)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("erase customer %s: %w", id, err)
	}
	return out, nil
}

// erasedDetail names what erase clears, for the audit log.
var erasedDetail = map[string]string{"fields": "name,phone,email,wechat,contacts,followups,opportunity_titles"}

// erase clears customer id's personal data in the caller's transaction:
// its name, phone, email and WeChat id with their blind indexes, its
// further contacts, and the
// texts of its follow-ups, plans and opportunities. An admin's erasure and
// the archive's purge both erase with it.
func erase(ctx context.Context, c conn, id string, now time.Time) error {
	empty := make([]*string, len(personalColumns))
	for i := range empty {
		empty[i] = new(string)
	}
	cols, args := c.sealed(id, empty)
	args = append(args, micros(now), micros(now), id)
	if _, err := c.exec(ctx, `UPDATE customers SET `+setList(cols)+`, erased_at = ?, updated_at = ? WHERE id = ?`, args...); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM contacts WHERE customer_id = ?`, // each a person, all theirs
		`UPDATE followups SET content = '' WHERE customer_id = ?`,
		`UPDATE follow_up_plans SET note = '' WHERE customer_id = ?`,
		`UPDATE opportunities SET title = '' WHERE customer_id = ?`} {
		if _, err := c.exec(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}
