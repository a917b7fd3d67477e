package recycle

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gonghai/gonghai"
)

// DigestStore is what the sweep needs for the managers' weekly digests:
// writing the week's digests once Monday morning has come (once per
// manager and week across nodes), and offering them to the webhook with
// a lease, as notifications are.
type DigestStore interface {
	DigestSweep(ctx context.Context) (int, error)
	LeaseDigests(ctx context.Context, limit int, lease time.Duration) ([]gonghai.Digest, error)
	DigestDone(ctx context.Context, managerID, week string, delivered bool, retryIn time.Duration) error
}

// DigestPayload is the JSON body of a digest in the json format.
type DigestPayload struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"` // "digest"
	Week        string `json:"week"`
	ManagerID   string `json:"manager_id"`
	ManagerName string `json:"manager_name"`
	Text        string `json:"text"` // markdown
}

// DigestBody returns the webhook body of digest d in format: for the
// robots a markdown message, with the fields DingTalk reads (title,
// text) and the one WeCom reads (content).
func DigestBody(format string, d gonghai.Digest) ([]byte, error) {
	if format == gonghai.WebhookRobotText {
		var robot struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title   string `json:"title"`
				Text    string `json:"text"`
				Content string `json:"content"`
			} `json:"markdown"`
		}
		robot.MsgType = "markdown"
		robot.Markdown.Title, robot.Markdown.Text, robot.Markdown.Content = "公海周报", d.Body, d.Body
		return json.Marshal(robot)
	}
	return json.Marshal(DigestPayload{ID: digestID(d), Kind: "digest", Week: d.Week, ManagerID: d.ManagerID,
		ManagerName: d.ManagerName, Text: d.Body})
}

// digestID names a digest in the webhook's header and body.
func digestID(d gonghai.Digest) string { return "digest-" + d.Week + "-" + d.ManagerID }

// digests writes the digests due and offers the waiting ones to the
// webhook, as deliver offers notifications.
func (s *Sweeper) digests(ctx context.Context) (written, sent, failed int, err error) {
	if written, err = s.Digests.DigestSweep(ctx); err != nil {
		return written, 0, 0, err
	}
	settings, err := s.Store.Settings(ctx)
	if err != nil || settings.WebhookURL == "" {
		return written, 0, 0, err
	}
	sent, failed, err = offer(ctx, s.Digests.LeaseDigests, func(d gonghai.Digest) error {
		body, err := DigestBody(settings.WebhookFormat, d)
		if err == nil {
			err = s.post(ctx, settings, digestID(d), body)
		}
		if err != nil {
			s.logger().Warn("webhook refused a digest", "week", d.Week, "manager", d.ManagerID, "attempt", d.Attempt, "err", err)
		}
		return err
	}, func(d gonghai.Digest, delivered bool) error {
		return s.Digests.DigestDone(ctx, d.ManagerID, d.Week, delivered, webhookRetry)
	})
	return written, sent, failed, err
}
