package recycle_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
)

// TestPlanReminder: the sweep reminds the owner of a follow-up plan once,
// at the start of its day, through a notification and the webhook; the
// note, which may hold a contact, does not go out.
func TestPlanReminder(t *testing.T) {
	forEachDB(t, gonghai.WebhookJSON, func(t *testing.T, f *fixture) {
		c := f.owned()
		if _, err := f.db.SetPlan(f.ctx, f.rep, c.ID, gonghai.NewFollowUpPlan{Day: day(2).In(shanghai).Format(time.DateOnly),
			Note: "带报价单，电话 13812349999"}); err != nil {
			t.Fatal(err)
		}
		f.sweep(day(2).Add(-time.Second), recycle.Report{})
		f.sweep(day(2).Add(time.Hour), recycle.Report{Planned: 1, Webhooks: 1})
		f.sweep(day(2).Add(2*time.Hour), recycle.Report{})

		hits := f.hook.got()
		if len(hits) != 1 {
			t.Fatalf("the webhook got %d requests, want 1", len(hits))
		}
		noContacts(t, hits[0].body)
		var p recycle.Payload
		if err := json.Unmarshal(hits[0].body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Kind != gonghai.NotifyFollowUpPlan || p.CustomerID != c.ID || p.UserID != f.rep.ID ||
			!strings.Contains(p.Text, "【跟进计划】") || !strings.Contains(p.Text, c.Company) || strings.Contains(p.Text, "报价单") {
			t.Errorf("plan reminder payload %+v", p)
		}
		if ns := f.notifications(); len(ns) != 1 || ns[0].Kind != gonghai.NotifyFollowUpPlan || ns[0].Text != p.Text {
			t.Errorf("notifications %+v, want the one plan reminder", ns)
		}
	})
}
