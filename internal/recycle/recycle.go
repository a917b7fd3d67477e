// Package recycle runs the recycle sweep: it takes due customers back to
// their pools, reminds owners before their deadlines and delivers
// notifications to the organisation's webhook. It has no SQL of its own;
// the store decides each recycle and reminder in one conditional write per
// customer, a page of them per transaction, so any number of sweepers may
// run at once, on one node or many.
package recycle

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
)

// Store is what the sweep needs of the database.
type Store interface {
	Settings(ctx context.Context) (gonghai.Settings, error)
	DueRecycles(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error)
	// RecycleBatch recycles those of due still owned and due as listed,
	// and returns how many; RemindBatch sends the reminders still due.
	RecycleBatch(ctx context.Context, due []gonghai.Due) (int, error)
	DueReminders(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error)
	RemindBatch(ctx context.Context, due []gonghai.Due) (int, error)
	// DuePlans lists the follow-up plans whose day has come, as Due rows;
	// PlanBatch reminds their owners, once.
	DuePlans(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error)
	PlanBatch(ctx context.Context, due []gonghai.Due) (int, error)
	LeaseWebhooks(ctx context.Context, limit int, lease time.Duration) ([]gonghai.WebhookMessage, error)
	WebhookDone(ctx context.Context, id string, delivered bool, retryIn time.Duration) error
}

// HygieneStore is what the sweep needs of the database for pool hygiene
// (定期清理公海): the pools' rules that mark customers invalid, and the
// archive's purges. Like the recycles, each is decided by a conditional
// write per customer.
type HygieneStore interface {
	HygieneRulesOn(ctx context.Context) ([]gonghai.HygieneRules, error)
	DueStale(ctx context.Context, rule gonghai.HygieneRules, after *gonghai.Due, limit int) ([]gonghai.Due, error)
	DueFlagged(ctx context.Context, rule gonghai.HygieneRules, after *gonghai.Due, limit int) ([]gonghai.Due, error)
	// ArchiveBatch archives those of due still unowned in their pool and
	// due under its rules as they are now, and returns how many.
	ArchiveBatch(ctx context.Context, due []gonghai.Due) (int, error)
	DuePurges(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error)
	PurgeBatch(ctx context.Context, due []gonghai.Due) (int, error)
}

// QueueStore is what the sweep needs to retry the unassigned queue: it
// routes every waiting customer again (a rep came back, resumed or has
// room), each by its own conditional writes, so sweepers on many nodes
// may retry at once.
type QueueStore interface {
	RouteQueued(ctx context.Context) (int, error)
}

// ScoreStore is what the sweep needs of the database for scoring: once a
// day (across nodes) the model is retrained and every lead and pool
// customer rescored; on every sweep the records created since are scored.
type ScoreStore interface {
	ScoreSweep(ctx context.Context) (trained bool, scored int, err error)
}

// Sweeper sweeps one store.
type Sweeper struct {
	Store Store
	// Queue, when set, also retries the unassigned queue.
	Queue QueueStore
	// Hygiene, when set, also applies the pools' hygiene rules and purges
	// the archive's customers whose wait has ended.
	Hygiene HygieneStore
	// Scores, when set, also retrains the conversion score daily and
	// scores new records (docs/scoring.md).
	Scores ScoreStore
	// Digests, when set, also writes and sends the managers' weekly
	// digests (docs/reports/digest.md).
	Digests DigestStore
	Client  *http.Client // for the webhook; nil means a client with a 10 s timeout
	Log     *slog.Logger
	// Batch is how many due rows one read takes, and the store acts on
	// in one call; 0 means 500.
	Batch int
	// Observe, when set, is told what each sweep of Run did, failed
	// sweeps too (what they did before failing): serve counts it in
	// /metrics.
	Observe func(Report)
}

// Report counts what one sweep did.
type Report struct {
	Recycled int  // customers taken back to a pool
	Skipped  int  // due when read, but followed up, moved or taken by another sweeper first
	Reminded int  // reminders sent
	Planned  int  // follow-up plan reminders sent (下次跟进)
	Archived int  // customers marked invalid by their pool's hygiene rules
	Purged   int  // archived customers purged: their wait ended
	Trained  bool // the day's score model was trained, and every record rescored
	Scored   int  // records whose score was written
	Webhooks int  // notifications the webhook accepted
	Failed   int  // notifications the webhook refused or did not answer
	Routed   int  // waiting customers the unassigned queue's retry assigned
	Digests  int  // managers' weekly digests written (sent ones count in Webhooks)
}

// Once runs one sweep: recycles every customer due now, sends the reminders
// and the follow-up plans' reminders that are due, applies hygiene, scores
// (retraining once a day), retries the unassigned queue, and offers waiting
// notifications to the webhook, then writes and sends the weekly digests
// that are due. Plans go after the recycles, so that a
// customer recycled in this sweep reminds its old owner of nothing.
func (s *Sweeper) Once(ctx context.Context) (Report, error) {
	var rep Report
	var err error
	rep.Recycled, rep.Skipped, err = s.each(ctx, s.Store.DueRecycles, s.Store.RecycleBatch)
	if err != nil {
		return rep, err
	}
	if rep.Reminded, _, err = s.each(ctx, s.Store.DueReminders, s.Store.RemindBatch); err != nil {
		return rep, err
	}
	if rep.Planned, _, err = s.each(ctx, s.Store.DuePlans, s.Store.PlanBatch); err != nil {
		return rep, err
	}
	if rep.Archived, rep.Purged, err = s.hygiene(ctx); err != nil {
		return rep, err
	}
	if s.Scores != nil {
		if rep.Trained, rep.Scored, err = s.Scores.ScoreSweep(ctx); err != nil {
			return rep, err
		}
	}
	if s.Queue != nil {
		// After the recycles, which may have made room under a limit.
		if rep.Routed, err = s.Queue.RouteQueued(ctx); err != nil {
			return rep, err
		}
	}
	if rep.Webhooks, rep.Failed, err = s.deliver(ctx); err != nil || s.Digests == nil {
		return rep, err
	}
	var sent, failed int
	rep.Digests, sent, failed, err = s.digests(ctx)
	rep.Webhooks, rep.Failed = rep.Webhooks+sent, rep.Failed+failed
	return rep, err
}

// hygiene applies each pool's hygiene rules, then purges the archived
// customers whose wait has ended. A customer archived now waits its days
// before any purge.
func (s *Sweeper) hygiene(ctx context.Context) (archived, purged int, err error) {
	h := s.Hygiene
	if h == nil {
		return 0, 0, nil
	}
	rules, err := h.HygieneRulesOn(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rules {
		for _, list := range []func(context.Context, gonghai.HygieneRules, *gonghai.Due, int) ([]gonghai.Due, error){h.DueStale, h.DueFlagged} {
			n, _, err := s.each(ctx, func(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
				return list(ctx, r, after, limit)
			}, h.ArchiveBatch)
			if archived += n; err != nil {
				return archived, 0, err
			}
		}
	}
	purged, _, err = s.each(ctx, h.DuePurges, h.PurgeBatch)
	return archived, purged, err
}

// windowPages is how many pages of due rows a sweep reads before it acts
// on them. Due rows come in deadline order, scattered over the table;
// taken in id order, a window of many pages lets each batch write rows
// that lie close together and touch fewer pages (on a backlog of 10,000
// due, about a third less time). A sweep that finds fewer rows due acts
// on what it found.
const windowPages = 20

// each walks the due rows in windows of pages and hands each window to act
// in id order, a page at a time; done counts the rows acted on, skipped
// those another writer got to first. The writes re-check every row, so a
// row that changed since it was read is skipped, not harmed.
func (s *Sweeper) each(ctx context.Context, list func(context.Context, *gonghai.Due, int) ([]gonghai.Due, error),
	act func(context.Context, []gonghai.Due) (int, error)) (done, skipped int, err error) {
	batch := s.Batch
	if batch <= 0 {
		batch = 500
	}
	var after *gonghai.Due
	for last := false; !last; {
		var window []gonghai.Due
		for !last && len(window) < windowPages*batch {
			due, err := list(ctx, after, batch)
			if err != nil {
				return done, skipped, err
			}
			window = append(window, due...)
			if last = len(due) < batch; !last {
				// A copy: the window is sorted below.
				next := due[len(due)-1]
				after = &next
			}
		}
		slices.SortFunc(window, func(a, b gonghai.Due) int { return cmp.Compare(a.CustomerID, b.CustomerID) })
		for lo := 0; lo < len(window); lo += batch {
			page := window[lo:min(lo+batch, len(window))]
			n, err := act(ctx, page)
			if err != nil {
				return done + n, skipped, err
			}
			done, skipped = done+n, skipped+len(page)-n
		}
	}
	return done, skipped, nil
}

// webhookLease is how long a sender holds notifications it is delivering;
// webhookRetry how long a refused one waits before it is offered again.
// A lease covers a batch posted one by one at the client's timeout, and
// a sender stops offering once half of it has gone, so that no other
// sender takes a notification this one still holds.
const (
	webhookLease   = 5 * time.Minute
	webhookRetry   = time.Minute
	webhookBatch   = 10
	webhookTimeout = 10 * time.Second
)

func (s *Sweeper) deliver(ctx context.Context) (sent, failed int, err error) {
	settings, err := s.Store.Settings(ctx)
	if err != nil || settings.WebhookURL == "" {
		return 0, 0, err
	}
	return offer(ctx, s.Store.LeaseWebhooks, func(m gonghai.WebhookMessage) error {
		err := s.postMessage(ctx, settings, m)
		if err != nil {
			s.logger().Warn("webhook refused a notification", "notification", m.ID, "attempt", m.Attempt, "err", err)
		}
		return err
	}, func(m gonghai.WebhookMessage, delivered bool) error {
		return s.Store.WebhookDone(ctx, m.ID, delivered, webhookRetry)
	})
}

// offer leases waiting messages through lease, a batch at a time, posts
// each and records through done whether the webhook took it.
func offer[T any](ctx context.Context, lease func(context.Context, int, time.Duration) ([]T, error),
	post func(T) error, done func(T, bool) error) (sent, failed int, err error) {
	for {
		msgs, err := lease(ctx, webhookBatch, webhookLease)
		if err != nil || len(msgs) == 0 {
			return sent, failed, err
		}
		leased := time.Now()
		for _, m := range msgs {
			if time.Since(leased) > webhookLease/2 {
				// The rest go back to the outbox when the lease ends.
				return sent, failed, nil
			}
			postErr := post(m)
			if postErr != nil {
				failed++
			} else {
				sent++
			}
			if err := done(m, postErr == nil); err != nil {
				return sent, failed, err
			}
		}
		if failed > 0 {
			// A webhook that refuses is tried again on a later sweep.
			return sent, failed, nil
		}
	}
}

// Payload is the JSON body of a webhook in the json format. It names the
// customer by id and company or name only: no contact field leaves the
// server in a webhook.
type Payload struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	Text         string     `json:"text"`
	UserID       string     `json:"user_id"`
	UserLogin    string     `json:"user_login"`
	UserName     string     `json:"user_name"`
	CustomerID   string     `json:"customer_id"`
	CustomerName string     `json:"customer_name"`
	Rule         string     `json:"rule"`
	Deadline     *time.Time `json:"deadline"`
	DaysLeft     int        `json:"days_left"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Body returns the webhook body for m in format.
func Body(format string, m gonghai.WebhookMessage) ([]byte, error) {
	if format == gonghai.WebhookRobotText {
		// DingTalk and WeCom group robots both take this text message.
		var robot struct {
			MsgType string `json:"msgtype"`
			Text    struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		robot.MsgType = "text"
		robot.Text.Content = fmt.Sprintf("@%s %s", m.UserName, m.Text)
		return json.Marshal(robot)
	}
	return json.Marshal(Payload{ID: m.ID, Kind: m.Kind, Text: m.Text, UserID: m.UserID, UserLogin: m.UserLogin, UserName: m.UserName,
		CustomerID: m.CustomerID, CustomerName: m.CustomerName, Rule: string(m.Rule), Deadline: m.Deadline, DaysLeft: m.DaysLeft,
		CreatedAt: m.Created})
}

func (s *Sweeper) postMessage(ctx context.Context, settings gonghai.Settings, m gonghai.WebhookMessage) error {
	body, err := Body(settings.WebhookFormat, m)
	if err != nil {
		return err
	}
	return s.post(ctx, settings, m.ID, body)
}

// post offers body, the message id, to the organisation's webhook.
func (s *Sweeper) post(ctx context.Context, settings gonghai.Settings, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, settings.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Gonghai-Notification", id)
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: webhookTimeout}
	}
	resp, err := client.Do(req)
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// The URL of a robot carries its access token: keep it out of logs.
		return fmt.Errorf("post to the webhook: %w", urlErr.Err)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

func (s *Sweeper) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Run sweeps every interval until ctx ends. A failed sweep is logged and
// the next one tries again.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := s.Once(ctx)
		if s.Observe != nil {
			s.Observe(rep)
		}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.logger().Error("recycle sweep failed", "err", err)
		case rep != Report{}:
			s.logger().Info("recycle sweep", "recycled", rep.Recycled, "skipped", rep.Skipped, "reminded", rep.Reminded, "planned", rep.Planned,
				"archived", rep.Archived, "purged", rep.Purged, "score_trained", rep.Trained, "scored", rep.Scored,
				"webhooks", rep.Webhooks, "webhook_failures", rep.Failed, "digests", rep.Digests)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
