package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// channel makes a channel into pool p with in's settings.
func (f *fixture) channel(name string, p gonghai.Pool, in gonghai.ChannelInput) gonghai.Channel {
	f.t.Helper()
	in.Name, in.PoolID = &name, &p.ID
	ch, err := f.db.CreateChannel(f.ctx, f.admin, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return ch
}

func (f *fixture) intake(ch gonghai.Channel, in gonghai.IntakeInput, address string) gonghai.IntakeResult {
	f.t.Helper()
	res, err := f.db.Intake(f.ctx, ch.Key, in, address)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// TestIntakeLead: a submission makes a lead in the channel's pool with
// its first and latest touch; under claim it waits in the pool, not the
// queue; its created event says the channel and the message.
func TestIntakeLead(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("线索池", gonghai.PoolInput{})
		ch := f.channel("官网表单", p, gonghai.ChannelInput{})
		if len(ch.Key) < 20 || ch.PerMinute != gonghai.DefaultChannelPerMinute || !ch.Active {
			t.Fatalf("channel: %+v", ch)
		}
		res := f.intake(ch, gonghai.IntakeInput{Name: " 王五 ", Company: "星辰科技", Phone: "139 1234 5678", Message: "想了解报价",
			Campaign: "春季展会", UTMSource: "baidu", UTMMedium: "cpc", UTMCampaign: "spring"}, "203.0.113.7")
		if res.Joined || res.Held || res.ID == "" {
			t.Fatalf("result: %+v", res)
		}
		c := f.customer(res.ID)
		if c.Lifecycle != gonghai.LifecycleLead || c.PoolID != p.ID || c.OwnerID != "" || c.Name != "王五" || c.Phone != "139****5678" {
			t.Fatalf("lead: %+v", c)
		}
		ft := c.FirstTouch
		if ft == nil || ft.ChannelID != ch.ID || ft.Campaign != "春季展会" || ft.UTMSource != "baidu" || ft.UTMMedium != "cpc" ||
			ft.UTMCampaign != "spring" || !ft.At.Equal(start) {
			t.Fatalf("first touch: %+v", ft)
		}
		if lt := c.LatestTouch; lt == nil || lt.ChannelID != ch.ID || !lt.At.Equal(start) {
			t.Fatalf("latest touch: %+v", lt)
		}
		if _, queued := store.QueueReason(f.db, res.ID); queued {
			t.Error("a lead of a claim pool waits in the queue")
		}
		h := f.history(res.ID)
		if len(h) != 1 || h[0].Kind != gonghai.EventCreated || h[0].ActorID != "" || h[0].Reason != "来自渠道「官网表单」：想了解报价" {
			t.Fatalf("history: %+v", h)
		}
		today, err := f.db.ChannelToday(f.ctx, f.admin)
		if err != nil || today[ch.ID].Leads != 1 {
			t.Fatalf("today: %v %v", today, err)
		}
	})
}

// TestIntakeRefuses: an unknown, rotated or inactive key is not found; a
// submission with no way to reach the visitor is invalid and makes nothing.
func TestIntakeRefuses(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("线索池", gonghai.PoolInput{})
		ch := f.channel("官网表单", p, gonghai.ChannelInput{})
		_, err := f.db.Intake(f.ctx, "nope", gonghai.IntakeInput{Name: "甲", Phone: "13900000001"}, "a")
		wantCode(t, err, gonghai.ENotFound)
		_, err = f.db.Intake(f.ctx, ch.Key, gonghai.IntakeInput{Name: "甲"}, "a")
		wantCode(t, err, gonghai.EInvalid)
		rotated, err := f.db.RotateChannelKey(f.ctx, f.admin, ch.ID)
		if err != nil || rotated.Key == ch.Key {
			t.Fatalf("rotate: %v", err)
		}
		_, err = f.db.Intake(f.ctx, ch.Key, gonghai.IntakeInput{Name: "甲", Phone: "13900000001"}, "a")
		wantCode(t, err, gonghai.ENotFound)
		if _, err := f.db.UpdateChannel(f.ctx, f.admin, ch.ID, gonghai.ChannelInput{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Intake(f.ctx, rotated.Key, gonghai.IntakeInput{Name: "甲", Phone: "13900000001"}, "a")
		wantCode(t, err, gonghai.ENotFound)
		// Channels are an admin's.
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		_, err = f.db.CreateChannel(f.ctx, rep, gonghai.ChannelInput{Name: ptr("x"), PoolID: &p.ID})
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.Channels(f.ctx, rep)
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.CreateChannel(f.ctx, f.admin, gonghai.ChannelInput{Name: ptr("官网表单"), PoolID: &p.ID})
		wantCode(t, err, gonghai.EInvalid)
		_, err = f.db.CreateChannel(f.ctx, f.admin, gonghai.ChannelInput{Name: ptr("y"), PoolID: ptr("nope")})
		wantCode(t, err, gonghai.EInvalid)
		_, err = f.db.CreateChannel(f.ctx, f.admin, gonghai.ChannelInput{Name: ptr("z"), PoolID: &p.ID,
			RedirectURL: ptr("javascript:alert(1)")})
		wantCode(t, err, gonghai.EInvalid)
	})
}

// TestIntakeJoins: a submission whose phone or company is an existing
// record's joins it: same id, latest touch moved, a touched event on its
// timeline with owner and pool unchanged, and its owner notified.
func TestIntakeJoins(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("线索池", gonghai.PoolInput{MemberUserIDs: &[]string{}})
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		ch := f.channel("官网表单", p, gonghai.ChannelInput{})
		fair := f.channel("展会", p, gonghai.ChannelInput{})
		owned, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: rep.ID,
			CustomerFields: gonghai.CustomerFields{Company: "老客户有限公司", Phone: "13800000001"}})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		res := f.intake(ch, gonghai.IntakeInput{Name: "李四", Phone: "+86 138-0000-0001", Campaign: "夏季", Message: "再问一次"}, "a")
		if !res.Joined || res.ID != owned.ID {
			t.Fatalf("join: %+v", res)
		}
		c := f.customer(owned.ID)
		if c.Lifecycle != gonghai.LifecycleCustomer || c.FirstTouch != nil || c.LatestTouch == nil ||
			c.LatestTouch.ChannelID != ch.ID || c.LatestTouch.Campaign != "夏季" || c.OwnerID != rep.ID || c.Name != "" {
			t.Fatalf("joined: %+v", c)
		}
		h := f.history(owned.ID)
		last := h[len(h)-1]
		if last.Kind != gonghai.EventTouched || last.ToOwnerID != rep.ID || last.FromOwnerID != rep.ID || last.ToPoolID != p.ID ||
			last.Reason != "再次通过渠道「官网表单」提交：再问一次" {
			t.Fatalf("touched: %+v", last)
		}
		f.checkChain(owned.ID)
		ns, _, err := f.db.Notifications(f.ctx, rep, gonghai.Page{Limit: 10})
		if err != nil || len(ns) != 1 || ns[0].Kind != gonghai.NotifyIntakeAgain || ns[0].CustomerID != owned.ID {
			t.Fatalf("notifications: %+v %v", ns, err)
		}
		// A lead comes again through another channel by its company: its
		// first touch stays, its latest moves.
		lead := f.intake(ch, gonghai.IntakeInput{Company: "新线索科技", Email: "a@example.com"}, "b")
		f.clock.Advance(time.Hour)
		again := f.intake(fair, gonghai.IntakeInput{Company: "新线索科技有限公司", WeChat: "wx_new"}, "c")
		if !again.Joined || again.ID != lead.ID {
			t.Fatalf("join by company: %+v %+v", lead, again)
		}
		c = f.customer(lead.ID)
		if c.FirstTouch.ChannelID != ch.ID || c.LatestTouch.ChannelID != fair.ID || !c.LatestTouch.At.After(c.FirstTouch.At) {
			t.Fatalf("touches: %+v %+v", c.FirstTouch, c.LatestTouch)
		}
		// A further contact's phone joins its customer too.
		if _, err := f.db.AddContact(f.ctx, f.admin, owned.ID, gonghai.Contact{Name: "采购", Phone: "13800000077"}); err != nil {
			t.Fatal(err)
		}
		if res := f.intake(ch, gonghai.IntakeInput{Name: "采购", Phone: "138 0000 0077"}, "d"); !res.Joined || res.ID != owned.ID {
			t.Fatalf("join by a further contact: %+v", res)
		}
		today, _ := f.db.ChannelToday(f.ctx, f.admin)
		if today[ch.ID].Leads != 1 || today[ch.ID].Joined != 2 || today[fair.ID].Joined != 1 {
			t.Fatalf("today: %+v", today)
		}
	})
}

// TestIntakeQuarantine: a filled honeypot or a message of links is taken
// like any submission but held: no customer; an admin releases it into a
// lead or drops it (its payload gone), once.
func TestIntakeQuarantine(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("线索池", gonghai.PoolInput{})
		ch := f.channel("官网表单", p, gonghai.ChannelInput{})
		bot := f.intake(ch, gonghai.IntakeInput{Name: "bot", Phone: "13900000009", Honeypot: "http://spam"}, "a")
		links := f.intake(ch, gonghai.IntakeInput{Name: "x", Email: "x@example.com", Message: "http://a.io http://b.io http://c.io"}, "a")
		if !bot.Held || !links.Held {
			t.Fatalf("held: %+v %+v", bot, links)
		}
		if _, err := f.db.Customer(f.ctx, f.admin, bot.ID); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Fatalf("a held submission made a customer: %v", err)
		}
		held, err := f.db.Quarantine(f.ctx, f.admin, gonghai.QuarantineHeld, 10)
		if err != nil || len(held) != 2 || held[0].Reason != gonghai.QuarantineLinks || held[1].Reason != gonghai.QuarantineHoneypot ||
			held[1].Input.Phone != "13900000009" {
			t.Fatalf("held: %+v %v", held, err)
		}
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		_, err = f.db.Quarantine(f.ctx, rep, "", 10)
		wantCode(t, err, gonghai.EForbidden)
		released, err := f.db.ReleaseQuarantined(f.ctx, f.admin, held[1].ID)
		if err != nil || released.State != gonghai.QuarantineReleased || released.CustomerID == "" || released.DecidedBy != f.admin.ID {
			t.Fatalf("release: %+v %v", released, err)
		}
		if c := f.customer(released.CustomerID); c.Lifecycle != gonghai.LifecycleLead || c.FirstTouch.ChannelID != ch.ID {
			t.Fatalf("released lead: %+v", c)
		}
		_, err = f.db.DropQuarantined(f.ctx, f.admin, held[1].ID)
		wantCode(t, err, gonghai.EConflict)
		dropped, err := f.db.DropQuarantined(f.ctx, f.admin, held[0].ID)
		if err != nil || dropped.State != gonghai.QuarantineDropped || dropped.Input != (gonghai.IntakeInput{}) {
			t.Fatalf("drop: %+v %v", dropped, err)
		}
		today, _ := f.db.ChannelToday(f.ctx, f.admin)
		if today[ch.ID].Held != 2 || today[ch.ID].Leads != 1 {
			t.Fatalf("today: %+v", today)
		}
	})
}

// TestIntakeRateLimits: past the per-address limit an address is refused
// with how long to wait, other addresses are not; past the channel's
// limit everyone is, until the window ends.
func TestIntakeRateLimits(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("线索池", gonghai.PoolInput{})
		ch := f.channel("官网表单", p, gonghai.ChannelInput{PerMinute: ptr(4), AddressPerHour: ptr(2)})
		n := 0
		submit := func(address string) error {
			n++
			_, err := f.db.Intake(f.ctx, ch.Key, gonghai.IntakeInput{Name: "访客", Phone: fmt.Sprintf("1370000%04d", n)}, address)
			return err
		}
		for range 2 {
			if err := submit("198.51.100.1"); err != nil {
				t.Fatal(err)
			}
		}
		err := submit("198.51.100.1")
		wantCode(t, err, gonghai.ERateLimited)
		var limited interface{ RetryAfter() time.Duration }
		if !errors.As(err, &limited) || limited.RetryAfter() <= 0 || limited.RetryAfter() > time.Hour {
			t.Fatalf("retry after: %v", err)
		}
		// The refused one counted to the channel: 3 of 4 this minute.
		if err := submit("198.51.100.2"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, submit("198.51.100.3"), gonghai.ERateLimited)
		f.clock.Advance(time.Minute)
		if err := submit("198.51.100.3"); err != nil {
			t.Fatalf("a new minute: %v", err)
		}
		wantCode(t, submit("198.51.100.1"), gonghai.ERateLimited)
		f.clock.Advance(time.Hour)
		if err := submit("198.51.100.1"); err != nil {
			t.Fatalf("a new hour: %v", err)
		}
	})
}

// TestIntakeDailyCap: a channel that hands out by round robin gives its
// new lead to a rep at once (Route after commit); past its daily cap a
// lead is still made but waits in the queue with reason daily_cap, which
// the sweep's retry leaves be until the next day.
func TestIntakeDailyCap(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("线索池", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		ch := f.channel("官网表单", p, gonghai.ChannelInput{DailyCap: ptr(1),
			Assignment: &gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}})
		first := f.intake(ch, gonghai.IntakeInput{Name: "一", Phone: "13600000001"}, "a")
		second := f.intake(ch, gonghai.IntakeInput{Name: "二", Phone: "13600000002"}, "b")
		if c := f.customer(first.ID); c.OwnerID != rep.ID {
			t.Fatalf("within the cap: %+v", c)
		}
		if _, ok := store.QueueReason(f.db, first.ID); ok {
			t.Fatal("an assigned lead waits in the queue")
		}
		if reason, _ := store.QueueReason(f.db, second.ID); reason != gonghai.SkipDailyCap {
			t.Fatalf("over the cap: %q", reason)
		}
		if n, err := f.db.RouteQueued(f.ctx); err != nil || n != 0 {
			t.Fatalf("the same day: %d %v", n, err)
		}
		if c := f.customer(second.ID); c.Lifecycle != gonghai.LifecycleLead || c.OwnerID != "" {
			t.Fatalf("kept, unassigned: %+v", c)
		}
		f.clock.Advance(24 * time.Hour)
		if n, err := f.db.RouteQueued(f.ctx); err != nil || n != 1 {
			t.Fatalf("the next day: %d %v", n, err)
		}
		if c := f.customer(second.ID); c.OwnerID != rep.ID {
			t.Fatalf("handed out: %+v", c)
		}
		h := f.history(second.ID)
		if n := len(h); n != 2 || h[1].Kind != gonghai.EventAssigned {
			t.Fatalf("history: %+v", h)
		}
	})
}

// TestIntakeSameContactAtOnce: many submissions of one new contact at
// once make one lead; the rest join it.
func TestIntakeSameContactAtOnce(t *testing.T) {
	forEachDBAlone(t, func(t *testing.T, f *fixture) {
		p := f.pool("线索池", gonghai.PoolInput{})
		ch := f.channel("官网表单", p, gonghai.ChannelInput{PerMinute: ptr(0), AddressPerHour: ptr(0)})
		const n = 20
		var wg sync.WaitGroup
		results := make([]gonghai.IntakeResult, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				results[i], errs[i] = f.db.Intake(f.ctx, ch.Key, gonghai.IntakeInput{Name: "同一人", Phone: "13512345678"}, "a")
			})
		}
		wg.Wait()
		ids, joined := map[string]bool{}, 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("intake %d: %v", i, errs[i])
			}
			ids[results[i].ID] = true
			if results[i].Joined {
				joined++
			}
		}
		if len(ids) != 1 || joined != n-1 {
			t.Fatalf("%d records, %d joined", len(ids), joined)
		}
	})
}
