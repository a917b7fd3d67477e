package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// displayName is how notifications name a customer: its company, else its
// name. Neither is a contact field.
func displayName(c gonghai.Customer) string {
	if c.Company != "" {
		return c.Company
	}
	return c.Name
}

// notifyBatch is the most notifications one statement of notify writes.
const notifyBatch = 500

// notify writes notifications ns, and queues them for the webhook when the
// organisation has one, in the caller's transaction: in one statement per
// up to notifyBatch of them, as a sweep writes hundreds at a time. Their
// text, which names the customer, is composed when read: only the sealed
// name is kept.
func notify(ctx context.Context, c conn, s gonghai.Settings, ns ...gonghai.Notification) error {
	for lo := 0; lo < len(ns); lo += notifyBatch {
		batch := ns[lo:min(lo+notifyBatch, len(ns))]
		values := make([]string, len(batch))
		args := make([]any, 0, 9*len(batch))
		for i, n := range batch {
			var webhook any
			if s.WebhookURL != "" {
				webhook = micros(n.Created)
			}
			values[i] = "(?, ?, ?, ?, ?, ?, ?, '', ?, ?)"
			args = append(args, newID(), n.UserID, n.Kind, n.CustomerID, string(n.Rule), nullTime(n.Deadline), n.DaysLeft,
				micros(n.Created), webhook)
		}
		_, err := c.exec(ctx, `INSERT INTO notifications (id, user_id, kind, customer_id, rule, deadline_at, days_left, body,
			created_at, webhook_next_at) VALUES `+strings.Join(values, ", "), args...)
		if err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	return nil
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

// UnreadNotifications counts viewer's notifications not yet read: the
// number on the pages' bell.
func (db *DB) UnreadNotifications(ctx context.Context, viewer gonghai.User) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, viewer.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unread notifications: %w", err)
	}
	return n, nil
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
