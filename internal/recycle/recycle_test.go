package recycle_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation(gonghai.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

// monday is a fixed Monday morning in Shanghai, 2026-03-02 09:00 CST.
var monday = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// day returns the start of the Shanghai calendar day n days after monday.
func day(n int) time.Time { return gonghai.AddDays(monday, n, shanghai) }

// Customers are owned from monday under 7 days without a follow-up and 3
// days of warning: reminded at the start of day 5 and of day 7, due at the
// start of day 8.
var (
	deadline      = day(8)
	firstReminder = day(5)
	lastReminder  = day(7)
)

// hit is one request the webhook received.
type hit struct {
	notification string // the X-Gonghai-Notification header
	contentType  string
	body         []byte
}

// receiver is a webhook on loopback that answers status (200 unless set).
type receiver struct {
	srv    *httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	hits   []hit
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.status.Store(http.StatusOK)
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if req.Method != http.MethodPost {
			t.Errorf("webhook got %s, want POST", req.Method)
		}
		rc.mu.Lock()
		rc.hits = append(rc.hits, hit{req.Header.Get("X-Gonghai-Notification"), req.Header.Get("Content-Type"), body})
		rc.mu.Unlock()
		w.WriteHeader(int(rc.status.Load()))
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// fixture is an organisation whose rep 李娜 (login rep.li) owns customers of
// a pool with recycle rules, a sweeper, and a webhook receiver the
// organisation's settings point at.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	clock   *gonghai.ManualClock
	admin   gonghai.User
	rep     gonghai.User
	pool    gonghai.Pool
	hook    *receiver
	sweeper *recycle.Sweeper
	n       int
}

func forEachDB(t *testing.T, format string, test func(t *testing.T, f *fixture)) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) { test(t, newFixture(t, dsn, format)) })
}

func newFixture(t *testing.T, dsn, format string) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := gonghai.NewManualClock(monday)
	db := storetest.Open(t, dsn, clock, nil)
	f := &fixture{t: t, ctx: ctx, db: db, clock: clock, hook: newReceiver(t)}
	f.admin = f.must2(db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "管理员", Role: gonghai.RoleAdmin}))
	team := f.mustDept(db.CreateDepartment(ctx, f.admin, "华东组", ""))
	f.rep = f.must2(db.CreateUser(ctx, nil, gonghai.NewUser{Login: "rep.li", Name: "李娜", Role: gonghai.RoleRep, DepartmentID: team.ID}))
	name := "华东公海"
	var err error
	f.pool, err = db.CreatePool(ctx, f.admin, gonghai.PoolInput{Name: &name, MemberDepartmentIDs: &[]string{team.ID},
		Recycle: &gonghai.RecycleRules{WarnDays: 3, Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 7}}}})
	if err != nil {
		t.Fatal(err)
	}
	hook := f.hook.srv.URL + "/robot/send?access_token=test"
	if _, err := db.UpdateSettings(ctx, f.admin, gonghai.SettingsPatch{WebhookURL: &hook, WebhookFormat: &format}); err != nil {
		t.Fatal(err)
	}
	f.sweeper = &recycle.Sweeper{Store: db, Client: &http.Client{Timeout: 5 * time.Second}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return f
}

func (f *fixture) must2(u gonghai.User, err error) gonghai.User {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) mustDept(d gonghai.Department, err error) gonghai.Department {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// owned creates a customer owned by the rep since now, with a phone number
// and an email that must never reach the webhook.
func (f *fixture) owned() gonghai.Customer {
	f.t.Helper()
	f.n++
	c, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: f.pool.ID, OwnerID: f.rep.ID,
		CustomerFields: gonghai.CustomerFields{Name: fmt.Sprintf("张伟%d", f.n), Company: fmt.Sprintf("上海恒信科技有限公司%d", f.n),
			Phone: fmt.Sprintf("1381234%04d", f.n), Email: fmt.Sprintf("zhang.wei%d@hengxin.cn", f.n)}})
	if err != nil {
		f.t.Fatal(err)
	}
	if c.Recycle == nil || !c.Recycle.At.Equal(deadline) {
		f.t.Fatalf("customer %s owned from %v is due %+v, want %v", c.ID, f.clock.Now(), c.Recycle, deadline)
	}
	return c
}

// sweep runs one sweep at t and fails unless it reports want.
func (f *fixture) sweep(at time.Time, want recycle.Report) {
	f.t.Helper()
	f.clock.Set(at)
	got, err := f.sweeper.Once(f.ctx)
	if err != nil || got != want {
		f.t.Fatalf("sweep at %v: %+v %v, want %+v", at, got, err, want)
	}
}

// notifications lists the rep's notifications, newest first.
func (f *fixture) notifications() []gonghai.Notification {
	f.t.Helper()
	ns, _, err := f.db.Notifications(f.ctx, f.rep, gonghai.Page{Limit: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	return ns
}

var (
	// phoneRE is a mainland mobile number; emailRE anything like an address.
	phoneRE = regexp.MustCompile(`1[3-9]\d{9}`)
	// uuidRE masks ids before phoneRE looks: a random id may hold 11 digits.
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// noContacts fails if a webhook body carries a phone number or an email.
func noContacts(t *testing.T, body []byte) {
	t.Helper()
	masked := uuidRE.ReplaceAllString(string(body), "<id>")
	if m := phoneRE.FindString(masked); m != "" {
		t.Errorf("webhook body carries a phone number %q: %s", m, body)
	}
	if strings.Contains(string(body), "@") {
		t.Errorf("webhook body carries an email address: %s", body)
	}
	if strings.Contains(string(body), "1381234") || strings.Contains(string(body), "hengxin.cn") {
		t.Errorf("webhook body carries a customer's contact: %s", body)
	}
}

// TestWebhookJSON: every reminder and recycle notice reaches the webhook
// exactly once, as gonghai's JSON payload, with no contact field.
func TestWebhookJSON(t *testing.T) {
	forEachDB(t, gonghai.WebhookJSON, func(t *testing.T, f *fixture) {
		c1, c2 := f.owned(), f.owned()
		ids := map[string]string{c1.ID: c1.Company, c2.ID: c2.Company}

		f.sweep(monday, recycle.Report{})
		f.sweep(firstReminder.Add(-time.Second), recycle.Report{})
		if n := len(f.hook.got()); n != 0 {
			t.Fatalf("the webhook got %d requests before any reminder", n)
		}

		f.sweep(firstReminder.Add(time.Hour), recycle.Report{Reminded: 2, Webhooks: 2})
		f.sweep(firstReminder.Add(2*time.Hour), recycle.Report{})
		f.sweep(lastReminder.Add(time.Hour), recycle.Report{Reminded: 2, Webhooks: 2})
		f.sweep(lastReminder.Add(time.Hour), recycle.Report{})
		f.sweep(deadline.Add(time.Hour), recycle.Report{Recycled: 2, Webhooks: 2})
		f.sweep(deadline.Add(time.Hour), recycle.Report{})
		f.sweep(deadline.Add(48*time.Hour), recycle.Report{})

		hits := f.hook.got()
		ns := f.notifications()
		if len(ns) != 6 || len(hits) != len(ns) {
			t.Fatalf("%d notifications, %d webhook requests; want 6 of each", len(ns), len(hits))
		}
		byID := map[string]gonghai.Notification{}
		for _, n := range ns {
			byID[n.ID] = n
		}
		seen := map[string]bool{}
		count := map[string]int{}
		for i, h := range hits {
			noContacts(t, h.body)
			if h.contentType != "application/json" {
				t.Errorf("request %d: content type %q", i, h.contentType)
			}
			var p recycle.Payload
			dec := json.NewDecoder(strings.NewReader(string(h.body)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				t.Fatalf("request %d is no payload: %v: %s", i, err, h.body)
			}
			n, ok := byID[p.ID]
			if !ok || h.notification != p.ID || seen[p.ID] {
				t.Fatalf("request %d: payload id %q, header %q: not one new notification of %v", i, p.ID, h.notification, ns)
			}
			seen[p.ID] = true
			if p.Kind != n.Kind || p.CustomerID != n.CustomerID || p.Rule != "no_follow_up" || p.DaysLeft != n.DaysLeft ||
				p.UserID != f.rep.ID || p.UserLogin != "rep.li" || p.UserName != "李娜" || p.Text != n.Text ||
				p.CustomerName != ids[p.CustomerID] || p.Deadline == nil || !p.Deadline.Equal(deadline) || !p.CreatedAt.Equal(n.Created) {
				t.Fatalf("request %d: payload %+v for notification %+v", i, p, n)
			}
			var want int
			var text string
			switch {
			case i < 2:
				want, text = 3, "【回收提醒】"
			case i < 4:
				want, text = 1, "【回收提醒】"
			default:
				want, text = 0, "【公海回收】"
			}
			if kind := map[bool]string{true: gonghai.NotifyRecycled, false: gonghai.NotifyRecycleWarning}[want == 0]; p.Kind != kind ||
				p.DaysLeft != want || !strings.Contains(p.Text, text) || !strings.Contains(p.Text, "超期未跟进") {
				t.Fatalf("request %d: %s with %d days left, %q; want %s with %d days left", i, p.Kind, p.DaysLeft, p.Text, kind, want)
			}
			count[p.CustomerID]++
		}
		if count[c1.ID] != 3 || count[c2.ID] != 3 {
			t.Fatalf("requests per customer: %v, want 3 each", count)
		}
		for _, c := range []gonghai.Customer{c1, c2} {
			got, err := f.db.Customer(f.ctx, f.admin, c.ID)
			if err != nil || got.OwnerID != "" || got.PoolID != f.pool.ID {
				t.Fatalf("customer %s after its deadline: owner %q pool %q %v", c.ID, got.OwnerID, got.PoolID, err)
			}
		}
	})
}

// TestWebhookRobotText: DingTalk and WeCom robots get their text message,
// naming the rep, in Chinese, and nothing else.
func TestWebhookRobotText(t *testing.T) {
	forEachDB(t, gonghai.WebhookRobotText, func(t *testing.T, f *fixture) {
		c := f.owned()
		f.sweep(firstReminder.Add(time.Hour), recycle.Report{Reminded: 1, Webhooks: 1})
		f.sweep(deadline.Add(time.Hour), recycle.Report{Recycled: 1, Webhooks: 1})
		f.sweep(deadline.Add(2*time.Hour), recycle.Report{})
		hits := f.hook.got()
		if len(hits) != 2 {
			t.Fatalf("%d webhook requests, want 2", len(hits))
		}
		want := []string{
			"@李娜 【回收提醒】客户「" + c.Company + "」还剩 3 天将按规则「超期未跟进」回收到公海（2026-03-10 00:00 起），请及时跟进。",
			"@李娜 【公海回收】客户「" + c.Company + "」已按规则「超期未跟进」回收到公海。",
		}
		for i, h := range hits {
			var msg map[string]any
			if err := json.Unmarshal(h.body, &msg); err != nil {
				t.Fatalf("request %d: %v: %s", i, err, h.body)
			}
			text, _ := msg["text"].(map[string]any)
			if len(msg) != 2 || msg["msgtype"] != "text" || len(text) != 1 || text["content"] != want[i] {
				t.Fatalf("request %d: %s, want {\"msgtype\":\"text\",\"text\":{\"content\":%q}}", i, h.body, want[i])
			}
			if h.contentType != "application/json" || h.notification == "" {
				t.Errorf("request %d: content type %q, notification %q", i, h.contentType, h.notification)
			}
			// The robot's @ names the rep; no other @ and no phone number.
			rest := strings.TrimPrefix(text["content"].(string), "@李娜 ")
			if strings.Contains(rest, "@") || phoneRE.MatchString(rest) {
				t.Errorf("request %d carries a contact: %q", i, rest)
			}
		}
	})
}

// TestWebhookRetry: a webhook that answers 500 is offered the notification
// again on a later sweep once the retry interval has passed, and given up
// after store.WebhookMaxAttempts attempts.
func TestWebhookRetry(t *testing.T) {
	forEachDB(t, gonghai.WebhookJSON, func(t *testing.T, f *fixture) {
		f.owned()
		f.hook.status.Store(http.StatusInternalServerError)
		at := firstReminder.Add(time.Hour)
		f.sweep(at, recycle.Report{Reminded: 1, Failed: 1})
		f.sweep(at.Add(30*time.Second), recycle.Report{}) // before the retry interval
		if n := len(f.hook.got()); n != 1 {
			t.Fatalf("%d requests before the retry interval passed, want 1", n)
		}
		for attempt := 2; attempt <= store.WebhookMaxAttempts; attempt++ {
			at = at.Add(61 * time.Second)
			f.sweep(at, recycle.Report{Failed: 1})
			if n := len(f.hook.got()); n != attempt {
				t.Fatalf("attempt %d: the webhook got %d requests", attempt, n)
			}
		}
		// Given up: neither time nor a webhook that answers again brings it back.
		f.hook.status.Store(http.StatusOK)
		f.sweep(at.Add(2*time.Minute), recycle.Report{})
		f.sweep(at.Add(24*time.Hour), recycle.Report{})
		hits := f.hook.got()
		if len(hits) != store.WebhookMaxAttempts {
			t.Fatalf("%d requests in all, want %d", len(hits), store.WebhookMaxAttempts)
		}
		for _, h := range hits {
			if h.notification != hits[0].notification || string(h.body) != string(hits[0].body) {
				t.Fatalf("retries differ: %q %s and %q %s", hits[0].notification, hits[0].body, h.notification, h.body)
			}
			noContacts(t, h.body)
		}
		// The rep still has the reminder in the app.
		if ns := f.notifications(); len(ns) != 1 || ns[0].ID != hits[0].notification {
			t.Fatalf("notifications %+v", ns)
		}
		// Later notifications still go out.
		f.sweep(lastReminder.Add(time.Hour), recycle.Report{Reminded: 1, Webhooks: 1})
		if n := len(f.hook.got()); n != store.WebhookMaxAttempts+1 {
			t.Fatalf("%d requests after the next reminder, want %d", n, store.WebhookMaxAttempts+1)
		}
	})
}

// TestWebhookRecovers: a notification refused once is delivered on the
// retry and then never again.
func TestWebhookRecovers(t *testing.T) {
	forEachDB(t, gonghai.WebhookJSON, func(t *testing.T, f *fixture) {
		f.owned()
		f.hook.status.Store(http.StatusServiceUnavailable)
		at := firstReminder.Add(time.Hour)
		f.sweep(at, recycle.Report{Reminded: 1, Failed: 1})
		f.hook.status.Store(http.StatusOK)
		f.sweep(at.Add(2*time.Minute), recycle.Report{Webhooks: 1})
		f.sweep(at.Add(10*time.Minute), recycle.Report{})
		if hits := f.hook.got(); len(hits) != 2 || hits[0].notification != hits[1].notification {
			t.Fatalf("requests: %d, want the same notification twice", len(hits))
		}
	})
}

// TestNoWebhook: without a webhook URL the sweep still notifies in the app
// and sends nothing; setting a URL later does not replay old notices.
func TestNoWebhook(t *testing.T) {
	forEachDB(t, gonghai.WebhookJSON, func(t *testing.T, f *fixture) {
		s, err := f.db.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		url, none := s.WebhookURL, ""
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{WebhookURL: &none}); err != nil {
			t.Fatal(err)
		}
		f.owned()
		f.sweep(firstReminder.Add(time.Hour), recycle.Report{Reminded: 1})
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{WebhookURL: &url}); err != nil {
			t.Fatal(err)
		}
		f.sweep(firstReminder.Add(2*time.Hour), recycle.Report{})
		if n, ns := len(f.hook.got()), f.notifications(); n != 0 || len(ns) != 1 {
			t.Fatalf("%d webhook requests, %d notifications; want 0 and 1", n, len(ns))
		}
	})
}
