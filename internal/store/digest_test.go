package store_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
)

// robotHook is a DingTalk/WeCom robot stand-in: it keeps the markdown
// messages posted to it.
type robotHook struct {
	mu       sync.Mutex
	markdown []string
	others   int
}

func (h *robotHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var msg struct {
		MsgType  string `json:"msgtype"`
		Markdown struct {
			Title, Text, Content string
		} `json:"markdown"`
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if json.Unmarshal(b, &msg) != nil || msg.MsgType != "markdown" || msg.Markdown.Text != msg.Markdown.Content || msg.Markdown.Title == "" {
		h.others++
		return
	}
	h.markdown = append(h.markdown, msg.Markdown.Text)
}

// TestWeeklyDigest: at Monday 09:00 in the organisation's zone two
// sweepers, on two nodes, at once, send each active manager exactly one
// digest to the robot webhook: the team's pool flow last week (the pool
// flow report's numbers), the reps whose customers drop this week with
// their counts, the conflicts open in the team; no contact. Before 09:00
// nothing goes, and sweeping again sends nothing more. The digests are
// kept and read back.
func TestWeeklyDigest(t *testing.T) {
	forEachNodes(t, 2, func(t *testing.T, f *fixture, nodes []*store.DB) {
		o := flowHistory(f)
		mb := f.user("flow.mb", gonghai.RoleManager, o.db.ID, nil)
		gone := f.user("flow.gone", gonghai.RoleManager, o.da.ID, nil)
		if _, err := f.db.UpdateUser(f.ctx, f.admin, gone.ID, gonghai.UserPatch{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		c2 := f.customer(o.c2)
		if _, err := f.db.SeedConflict(f.ctx, gonghai.Conflict{Kind: gonghai.ConflictRefused, At: f.clock.Now(), ActorID: o.a1.ID,
			Field: "company", Company: c2.Company, MatchedID: c2.ID}); err != nil {
			t.Fatal(err)
		}
		hook := &robotHook{}
		srv := httptest.NewServer(hook)
		defer srv.Close()
		format := gonghai.WebhookRobotText
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{WebhookURL: &srv.URL, WebhookFormat: &format}); err != nil {
			t.Fatal(err)
		}
		sweep := func() (digests int) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			for _, n := range nodes {
				wg.Go(func() {
					rep, err := (&recycle.Sweeper{Store: n, Digests: n}).Once(f.ctx)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					digests += rep.Digests
					mu.Unlock()
				})
			}
			wg.Wait()
			return digests
		}
		f.clock.Set(time.Date(2026, 3, 9, 8, 59, 0, 0, shanghai))
		if n := sweep(); n != 0 || len(hook.markdown) != 0 {
			t.Fatalf("before 09:00: %d digests written, %d sent", n, len(hook.markdown))
		}
		f.clock.Set(time.Date(2026, 3, 9, 9, 0, 0, 0, shanghai))
		if n := sweep(); n != 2 {
			t.Errorf("at 09:00: %d digests written, want 2", n)
		}
		f.clock.Advance(10 * time.Minute)
		if n := sweep(); n != 0 {
			t.Errorf("again at 09:10: %d digests written", n)
		}
		if len(hook.markdown) != 2 || hook.others != 0 {
			t.Fatalf("robot got %d digests and %d other messages, want 2 digests: %q", len(hook.markdown), hook.others, hook.markdown)
		}
		want := map[string][]string{
			"### 公海周报 · 一部": {"上周（2026-03-02 至 2026-03-08）", "- 流转P：流入 3，流出 4，易手 3，周转率 1.11",
				"- 流转Q：流入 0，流出 0，易手 0，周转率 0.00", "- flow.a2：1 个客户", "**未处理撞单**：1 起"},
			"### 公海周报 · 二部": {"- 流转P：流入 1，流出 1，易手 1，周转率 0.37", "**本周将被回收**（7 天内到期）\n\n- 无", "**未处理撞单**：0 起"},
		}
		for _, body := range hook.markdown {
			title := strings.SplitN(body, "\n", 2)[0]
			lines, ok := want[title]
			if !ok {
				t.Errorf("unexpected digest %q", body)
				continue
			}
			delete(want, title)
			for _, l := range lines {
				if !strings.Contains(body, l) {
					t.Errorf("digest %s lacks %q:\n%s", title, l, body)
				}
			}
			if strings.Contains(body, "138") || strings.Contains(body, "测试公司") {
				t.Errorf("digest %s names a customer or a contact:\n%s", title, body)
			}
			if title == "### 公海周报 · 二部" && strings.Contains(body, "流转Q") {
				t.Errorf("department B's manager sees pool Q:\n%s", body)
			}
		}
		if len(want) != 0 {
			t.Errorf("no digest for %v", want)
		}
		kept, err := f.db.Digests(f.ctx, "2026-03-09")
		if err != nil || len(kept) != 2 {
			t.Fatalf("digests kept: %+v, %v", kept, err)
		}
		for _, d := range kept {
			if d.Sent == nil || d.Attempt != 1 || (d.ManagerID != o.m.ID && d.ManagerID != mb.ID) || !strings.Contains(d.Body, "公海周报") {
				t.Errorf("digest kept: %+v", d)
			}
		}
	})
}
