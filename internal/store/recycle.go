package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// reschedule recomputes customer r's recycle deadline and next reminder
// from what it carries and its pool's rules, and writes them if they
// changed, in the caller's transaction. Every path that changes what a rule
// reads ends here (invariant 4).
func reschedule(ctx context.Context, c conn, r *customerRow, rules gonghai.RecycleRules, loc *time.Location) error {
	d, reminder, changed := gonghai.Schedule(r.Customer, rules, loc)
	if !changed {
		return nil
	}
	at, rule := deadlineArgs(d)
	_, err := c.exec(ctx, `UPDATE customers SET recycle_at = ?, recycle_rule = ?, warn_at = ? WHERE id = ?`,
		at, rule, nullTime(reminder), r.ID)
	r.Recycle, r.Reminder = d, reminder
	return err
}

func deadlineArgs(d *gonghai.Deadline) (at, rule any) {
	if d == nil {
		return nil, nil
	}
	return micros(d.At), string(d.Rule)
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// rescheduleBatch is how many customers a rule edit reads and rewrites at
// a time.
const rescheduleBatch = 2000

// rescheduleRules reschedules every customer owned from pool p after its
// recycle rules changed from old, in the caller's transaction: in batches
// read by key, each batch written back in one statement. The rule math
// stays in one place (gonghai.Schedule), and a rule edit is as consistent
// as the rest: it commits with every deadline it moved.
func rescheduleRules(ctx context.Context, c conn, p gonghai.Pool, old gonghai.RecycleRules) error {
	s, err := getSettings(ctx, c)
	if err != nil {
		return err
	}
	if !sameKinds(p.Recycle, old) {
		// What counts as a follow-up changed: recount each customer's last one.
		kinds := p.Recycle.CountingKinds
		if kinds == nil {
			kinds = gonghai.DefaultCountingKinds
		}
		last, args := `NULL`, []any{}
		if len(kinds) > 0 {
			for _, k := range kinds {
				args = append(args, k)
			}
			last = `(SELECT MAX(f.at) FROM followups f WHERE f.customer_id = customers.id AND f.kind IN (` + placeholders(len(kinds)) + `))`
		}
		_, err := c.exec(ctx, `UPDATE customers SET last_followup_at = `+last+` WHERE pool_id = ? AND owner_id IS NOT NULL`,
			append(args, p.ID)...)
		if err != nil {
			return err
		}
	}
	restart := old.WarnDays != p.Recycle.WarnDays
	return rescheduleWhere(ctx, c, p.Recycle, s.Location(), restart, "c.pool_id = ? AND c.owner_id IS NOT NULL", p.ID)
}

// rescheduleZone reschedules every owned customer after the organisation's
// time zone changed: days are counted there.
func rescheduleZone(ctx context.Context, c conn, loc *time.Location) error {
	ids, err := queryStrings(ctx, c, `SELECT id FROM pools ORDER BY id`)
	if err != nil {
		return err
	}
	for _, id := range ids {
		p, err := getPoolRules(ctx, c, id)
		if err != nil {
			return err
		}
		if err := rescheduleWhere(ctx, c, p.Recycle, loc, true, "c.pool_id = ? AND c.owner_id IS NOT NULL", id); err != nil {
			return err
		}
	}
	return nil
}

func sameKinds(a, b gonghai.RecycleRules) bool {
	for _, k := range gonghai.FollowUpKinds {
		if a.Counts(k) != b.Counts(k) {
			return false
		}
	}
	return true
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// rescheduleWhere reschedules the customers that match where, under rules.
// restart starts every reminder over, as when the pool's warning days or
// the time zone changed; otherwise a reminder restarts only with a new
// deadline.
func rescheduleWhere(ctx context.Context, c conn, rules gonghai.RecycleRules, loc *time.Location, restart bool, where string, args ...any) error {
	after := ""
	for {
		batch, err := collect(ctx, c, `SELECT `+customerColumns+customerFrom+`WHERE `+where+` AND c.id > ? ORDER BY c.id LIMIT ?`,
			append(args, after, rescheduleBatch), scanCustomer)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		after = batch[len(batch)-1].ID
		if err := writeSchedules(ctx, c, batch, rules, loc, restart); err != nil {
			return err
		}
	}
}

// writeSchedules writes the deadlines of the rows whose schedule changed
// (every row's, and its reminder from scratch, when restart), in statements
// of up to 500 rows.
func writeSchedules(ctx context.Context, c conn, rows []customerRow, rules gonghai.RecycleRules, loc *time.Location, restart bool) error {
	const per = 500
	var values []string
	var args []any
	flush := func() error {
		if len(values) == 0 {
			return nil
		}
		_, err := c.exec(ctx, `WITH v (id, recycle_at, recycle_rule, warn_at) AS (VALUES `+strings.Join(values, ", ")+`)
			UPDATE customers SET recycle_at = v.recycle_at, recycle_rule = v.recycle_rule, warn_at = v.warn_at
			FROM v WHERE customers.id = v.id`, args...)
		values, args = values[:0], args[:0]
		return err
	}
	for i := range rows {
		cust := rows[i].Customer
		if restart {
			cust.Recycle, cust.Reminder = nil, nil
		}
		d, reminder, changed := gonghai.Schedule(cust, rules, loc)
		if !changed && !restart {
			continue
		}
		at, rule := deadlineArgs(d)
		values = append(values, "(CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT))")
		args = append(args, rows[i].ID, at, rule, nullTime(reminder))
		if len(values) == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// DueRecycles lists up to limit owned customers whose deadline has come,
// in deadline order, after the one given (nil for the first page). It
// reads only due rows, through the index on the deadline.
func (db *DB) DueRecycles(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	return db.due(ctx, "recycle_at", after, limit)
}

// DueReminders lists up to limit owned customers whose owner's next
// reminder has come, like DueRecycles.
func (db *DB) DueReminders(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	return db.due(ctx, "warn_at", after, limit)
}

func (db *DB) due(ctx context.Context, column string, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	q := `SELECT id, owner_id, ` + column + `, recycle_at FROM customers WHERE ` + column + ` <= ?`
	args := []any{micros(db.now())}
	if after != nil {
		q += ` AND (` + column + ` > ? OR (` + column + ` = ? AND id > ?))`
		args = append(args, micros(after.At), micros(after.At), after.CustomerID)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY `+column+`, id LIMIT ?`, append(args, limit), func(s scanner) (gonghai.Due, error) {
		var d gonghai.Due
		var owner sql.NullString
		var at, deadline sql.NullInt64
		err := s.Scan(&d.CustomerID, &owner, &at, &deadline)
		d.OwnerID, d.At, d.Deadline = owner.String, fromMicros(at.Int64), fromMicros(deadline.Int64)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("due customers: %w", err)
	}
	return out, nil
}

// lockOrSkip takes customer id's row lock for the transaction, or reports
// false when another transaction holds it: on PostgreSQL, so that several
// sweepers spread over the due rows instead of queueing on the same ones.
// SQLite's writer is alone, so there is nothing to skip.
func lockOrSkip(ctx context.Context, c conn, id string) (bool, error) {
	if c.dialect != Postgres {
		return true, nil
	}
	var got string
	err := c.queryRow(ctx, `SELECT id FROM customers WHERE id = ? FOR UPDATE SKIP LOCKED`, id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Recycle takes due customer d back to its pool's return pool, in its own
// transaction, if it is still owned by d.OwnerID and still due at d.At:
// the write itself re-checks both, so a follow-up that committed first
// wins. It reports whether it recycled. The previous owner is notified,
// and their re-claim cooldown counts from now.
func (db *DB) Recycle(ctx context.Context, d gonghai.Due) (bool, error) {
	recycled := false
	err := db.inTx(ctx, func(c conn) error {
		recycled = false
		now := db.now()
		if ok, err := lockOrSkip(ctx, c, d.CustomerID); !ok || err != nil {
			return err
		}
		r, err := getCustomer(ctx, c, d.CustomerID)
		if err != nil {
			return err
		}
		if r.OwnerID != d.OwnerID || r.Recycle == nil || !r.Recycle.At.Equal(d.At) || r.Recycle.At.After(now) {
			return nil
		}
		p, err := getPoolRules(ctx, c, r.PoolID)
		if err != nil {
			return err
		}
		rule := r.Recycle.Rule
		_, err = move{kind: gonghai.EventRecycled, customerID: r.ID, fromOwner: d.OwnerID, fromPool: r.PoolID,
			toPool: p.ReturnPool(), reason: string(rule), dueAt: &d.At}.apply(ctx, c, now)
		if errors.Is(err, errMoved) {
			return nil
		}
		if err != nil {
			return err
		}
		recycled = true
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		return notify(ctx, c, s, gonghai.Notification{UserID: d.OwnerID, Kind: gonghai.NotifyRecycled, CustomerID: r.ID,
			CustomerName: displayName(r.Customer), Rule: rule, Deadline: &d.At, Created: now})
	})
	if err != nil {
		return false, fmt.Errorf("recycle customer %s: %w", d.CustomerID, err)
	}
	return recycled, nil
}

// displayName is how notifications name a customer: its company, else its
// name. Neither is a contact field.
func displayName(c gonghai.Customer) string {
	if c.Company != "" {
		return c.Company
	}
	return c.Name
}

// Remind sends the owner of customer d the reminder that is due, once: the
// write that moves the reminder on decides, so two nodes cannot both send
// it. It reports whether it sent.
func (db *DB) Remind(ctx context.Context, d gonghai.Due) (bool, error) {
	sent := false
	err := db.inTx(ctx, func(c conn) error {
		sent = false
		now := db.now()
		if ok, err := lockOrSkip(ctx, c, d.CustomerID); !ok || err != nil {
			return err
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		loc := s.Location()
		var name, company string
		var rule sql.NullString
		err = c.queryRow(ctx, `UPDATE customers SET warn_at = ? WHERE id = ? AND owner_id = ? AND warn_at = ? AND recycle_at = ?
			RETURNING name, company, recycle_rule`,
			nullTime(gonghai.NextReminder(d.Deadline, now, loc)), d.CustomerID, d.OwnerID, micros(d.At), micros(d.Deadline)).
			Scan(&name, &company, &rule)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		sent = true
		return notify(ctx, c, s, gonghai.Notification{UserID: d.OwnerID, Kind: gonghai.NotifyRecycleWarning, CustomerID: d.CustomerID,
			CustomerName: displayName(gonghai.Customer{Name: name, Company: company}), Rule: gonghai.RuleKind(rule.String),
			Deadline: &d.Deadline, DaysLeft: gonghai.DaysLeft(now, d.Deadline, loc), Created: now})
	})
	if err != nil {
		return false, fmt.Errorf("remind about customer %s: %w", d.CustomerID, err)
	}
	return sent, nil
}

// notify writes notification n, and queues it for the webhook when the
// organisation has one, in the caller's transaction. Its text, which names
// the customer, is composed when it is read: only the sealed name is kept.
func notify(ctx context.Context, c conn, s gonghai.Settings, n gonghai.Notification) error {
	var webhook any
	if s.WebhookURL != "" {
		webhook = micros(n.Created)
	}
	_, err := c.exec(ctx, `INSERT INTO notifications (id, user_id, kind, customer_id, rule, deadline_at, days_left, body,
		created_at, webhook_next_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
		newID(), n.UserID, n.Kind, n.CustomerID, string(n.Rule), nullTime(n.Deadline), n.DaysLeft, micros(n.Created), webhook)
	return err
}

const notificationColumns = `n.id, n.user_id, n.kind, n.customer_id, COALESCE(c.company, ''), COALESCE(c.name, ''),
	COALESCE(c.pii_key, ''), n.rule, n.deadline_at, n.days_left, n.created_at, n.read_at`

// notificationScanner reads notifications, opening the customer's name and
// composing the text in the organisation's zone loc.
func (c conn) notificationScanner(loc *time.Location) func(scanner) (gonghai.Notification, error) {
	return func(s scanner) (gonghai.Notification, error) {
		var n gonghai.Notification
		r := customerRow{}
		var deadline, read sql.NullInt64
		var created int64
		err := s.Scan(&n.ID, &n.UserID, &n.Kind, &n.CustomerID, &r.Company, &r.Name, &r.piiKey, &n.Rule, &deadline, &n.DaysLeft, &created, &read)
		if err != nil {
			return n, err
		}
		r.ID = n.CustomerID
		if err := c.openRow(&r); err != nil {
			return n, err
		}
		n.CustomerName = displayName(r.Customer)
		n.Deadline, n.Read, n.Created = nullMicros(deadline), nullMicros(read), fromMicros(created)
		if n.Deadline != nil {
			n.Text = gonghai.NotificationText(n.Kind, n.CustomerName, n.Rule, n.DaysLeft, *n.Deadline, loc)
		}
		return n, nil
	}
}

// Notifications lists viewer's notifications, newest first.
func (db *DB) Notifications(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Notification, string, error) {
	q, args := `SELECT `+notificationColumns+` FROM notifications n LEFT JOIN customers c ON c.id = n.customer_id
		WHERE n.user_id = ?`, []any{viewer.ID}
	if pg.After != "" {
		q, args = q+` AND n.id < ?`, append(args, pg.After)
	}
	c := db.reader()
	out, err := collect(ctx, c, q+` ORDER BY n.id DESC LIMIT ?`, append(args, pg.Size()+1), c.notificationScanner(db.location()))
	if err != nil {
		return nil, "", fmt.Errorf("notifications: %w", err)
	}
	out, next := pageOf(out, pg, func(n gonghai.Notification) string { return n.ID })
	return out, next, nil
}

// MarkNotificationsRead marks viewer's notifications read, up to and
// including upTo ("" for all).
func (db *DB) MarkNotificationsRead(ctx context.Context, viewer gonghai.User, upTo string) (int, error) {
	var n int64
	err := db.inTx(ctx, func(c conn) error {
		q, args := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, []any{micros(db.now()), viewer.ID}
		if upTo != "" {
			q, args = q+` AND id <= ?`, append(args, upTo)
		}
		res, err := c.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// WebhookMaxAttempts is how often a notification is offered to the webhook
// before it is given up.
const WebhookMaxAttempts = 5

// LeaseWebhooks takes up to limit notifications that the webhook has still
// to receive, for lease: until then no other sender takes them. A sender
// that dies mid-way leaves them to be taken again when the lease ends.
func (db *DB) LeaseWebhooks(ctx context.Context, limit int, lease time.Duration) ([]gonghai.WebhookMessage, error) {
	var out []gonghai.WebhookMessage
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		lock := ""
		if c.dialect == Postgres {
			lock = ` FOR UPDATE OF n SKIP LOCKED`
		}
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		scan := c.notificationScanner(s.Location())
		out, err = collect(ctx, c, `SELECT `+notificationColumns+`, u.login, u.name, n.webhook_attempts
			FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN customers c ON c.id = n.customer_id
			WHERE n.webhook_next_at <= ? AND n.webhook_attempts < ? ORDER BY n.webhook_next_at LIMIT ?`+lock,
			[]any{micros(now), WebhookMaxAttempts, limit}, func(s scanner) (gonghai.WebhookMessage, error) {
				var m gonghai.WebhookMessage
				n, err := scan(extraColumns{s: s, after: []any{&m.UserLogin, &m.UserName, &m.Attempt}})
				m.Notification, m.Attempt = n, m.Attempt+1
				return m, err
			})
		if err != nil || len(out) == 0 {
			return err
		}
		args := []any{micros(now.Add(lease))}
		for _, m := range out {
			args = append(args, m.ID)
		}
		_, err = c.exec(ctx, `UPDATE notifications SET webhook_next_at = ?, webhook_attempts = webhook_attempts + 1
			WHERE id IN (`+placeholders(len(out))+`)`, args...)
		return err
	})
	return out, err
}

// WebhookDone records the outcome of offering notification id to the
// webhook: delivered, or failed; a failed one is offered again after
// retryIn, up to WebhookMaxAttempts.
func (db *DB) WebhookDone(ctx context.Context, id string, delivered bool, retryIn time.Duration) error {
	return db.inTx(ctx, func(c conn) error {
		now := db.now()
		if delivered {
			_, err := c.exec(ctx, `UPDATE notifications SET webhook_next_at = NULL, webhook_sent_at = ? WHERE id = ?`, micros(now), id)
			return err
		}
		_, err := c.exec(ctx, `UPDATE notifications SET webhook_next_at = CASE WHEN webhook_attempts >= ? THEN NULL ELSE CAST(? AS BIGINT) END
			WHERE id = ?`, WebhookMaxAttempts, micros(now.Add(retryIn)), id)
		return err
	})
}

// RecyclePreview answers which of pool poolID's owned customers would be
// recycled on each of the next days days, grouped by owner, if nobody did
// anything more: under the pool's rules, or under proposed ones as they
// would be saved now. It changes nothing. Admins and the pool's admins may
// ask.
func (db *DB) RecyclePreview(ctx context.Context, actor gonghai.User, poolID string, proposed *gonghai.RecycleRules, days int) ([]gonghai.PreviewDay, error) {
	if days < 1 || days > gonghai.MaxPreviewDays {
		return nil, gonghai.Invalid("days", fmt.Sprintf("1 to %d", gonghai.MaxPreviewDays))
	}
	c := db.reader()
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return nil, err
	}
	if actor.Role != gonghai.RoleAdmin && !p.IsAdmin(actor.ID) {
		if seesPool(ctx, c, actor, p) {
			return nil, gonghai.Errorf(gonghai.EForbidden, "only admins and the pool's admins preview its rules")
		}
		return nil, gonghai.Errorf(gonghai.ENotFound, "no such pool")
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return nil, err
	}
	now, loc := db.now(), s.Location()
	rules := p.Recycle
	if proposed != nil {
		if err := proposed.Validate(); err != nil {
			return nil, err
		}
		rules = proposed.Started(p.Recycle, now)
	}
	end := gonghai.AddDays(now, days, loc)
	today := gonghai.StartOfDay(now, loc)
	byDay := map[string]map[string]*gonghai.PreviewOwner{}
	rows, err := c.query(ctx, `SELECT `+customerColumns+`, COALESCE(o.name, '')`+customerFrom+
		`WHERE c.pool_id = ? AND c.owner_id IS NOT NULL`, poolID)
	if err != nil {
		return nil, fmt.Errorf("recycle preview: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ownerName string
		r, err := scanCustomer(extraColumns{s: rows, after: []any{&ownerName}})
		if err != nil {
			return nil, err
		}
		d := rules.Deadline(r.Facts(), loc)
		if d == nil || !d.At.Before(end) {
			continue
		}
		if err := c.openRow(&r); err != nil {
			return nil, err
		}
		day := gonghai.StartOfDay(d.At, loc)
		if day.Before(today) {
			day = today
		}
		date := day.In(loc).Format(time.DateOnly)
		owners := byDay[date]
		if owners == nil {
			owners = map[string]*gonghai.PreviewOwner{}
			byDay[date] = owners
		}
		o := owners[r.OwnerID]
		if o == nil {
			o = &gonghai.PreviewOwner{OwnerID: r.OwnerID, OwnerName: ownerName}
			owners[r.OwnerID] = o
		}
		o.Customers = append(o.Customers, gonghai.PreviewCustomer{ID: r.ID, Name: r.Name, Company: r.Company, Rule: d.Rule, Deadline: d.At})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]gonghai.PreviewDay, 0, days)
	for i := 0; i < days; i++ {
		date := gonghai.AddDays(today, i, loc).In(loc).Format(time.DateOnly)
		pd := gonghai.PreviewDay{Date: date, Owners: []gonghai.PreviewOwner{}}
		for _, o := range byDay[date] {
			sort.Slice(o.Customers, func(a, b int) bool { return o.Customers[a].ID < o.Customers[b].ID })
			pd.Owners = append(pd.Owners, *o)
			pd.Total += len(o.Customers)
		}
		sort.Slice(pd.Owners, func(a, b int) bool {
			return pd.Owners[a].OwnerName+pd.Owners[a].OwnerID < pd.Owners[b].OwnerName+pd.Owners[b].OwnerID
		})
		out = append(out, pd)
	}
	return out, nil
}
