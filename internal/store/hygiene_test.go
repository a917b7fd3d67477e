package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
)

// hygieneOrg is a pool with an admin who is a rep (pa), two member reps
// and n customers.
type hygieneOrg struct {
	pool      gonghai.Pool
	pa        gonghai.User
	rep, rep2 gonghai.User
	ids       []string
}

func (f *fixture) hygieneOrg(n int) hygieneOrg {
	f.t.Helper()
	o := hygieneOrg{pa: f.user("pool.admin", gonghai.RoleRep, "", nil), rep: f.user("rep.a", gonghai.RoleRep, "", nil),
		rep2: f.user("rep.b", gonghai.RoleRep, "", nil)}
	members, admins := []string{o.rep.ID, o.rep2.ID}, []string{o.pa.ID}
	o.pool = f.pool("公海", gonghai.PoolInput{MemberUserIDs: &members, AdminUserIDs: &admins})
	o.ids = f.customers(o.pool.ID, n)
	return o
}

func (f *fixture) mark(actor gonghai.User, id string, reason gonghai.InvalidReason) gonghai.Archived {
	f.t.Helper()
	a, err := f.db.MarkInvalid(f.ctx, actor, id, gonghai.InvalidMark{Reason: reason})
	if err != nil {
		f.t.Fatalf("%s marks %s invalid: %v", actor.Login, id, err)
	}
	return a
}

// auditOn lists the audit entries of action on customer id.
func (f *fixture) auditOn(action, id string) []gonghai.AuditEntry {
	f.t.Helper()
	es, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: action, TargetID: id}, gonghai.Page{})
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

func (f *fixture) hygieneSweep() recycle.Report {
	f.t.Helper()
	rep, err := (&recycle.Sweeper{Store: f.db, Hygiene: f.db}).Once(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// TestMarkInvalid: a pool admin marks a pool customer invalid: it leaves
// the pool's list with one invalidated event in the archive pool, the
// archive lists it with its reason, a claim of it fails for reps and
// admins alike, and the mark is audited. Reps may not mark; an owned
// customer, a bad reason and an archived customer are refused, and change
// nothing.
func TestMarkInvalid(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.hygieneOrg(3)
		c := o.ids[0]
		wantCode(t, errOf(f.db.MarkInvalid(f.ctx, o.rep, c, gonghai.InvalidMark{Reason: gonghai.ReasonClosed})), gonghai.EForbidden)
		wantCode(t, errOf(f.db.MarkInvalid(f.ctx, o.pa, c, gonghai.InvalidMark{Reason: "stale"})), gonghai.EInvalid)
		wantCode(t, errOf(f.db.MarkInvalid(f.ctx, o.pa, c, gonghai.InvalidMark{Reason: gonghai.ReasonOther})), gonghai.EInvalid)
		outsider := f.user("outsider", gonghai.RoleRep, "", nil)
		wantCode(t, errOf(f.db.MarkInvalid(f.ctx, outsider, c, gonghai.InvalidMark{Reason: gonghai.ReasonClosed})), gonghai.ENotFound)

		a := f.mark(o.pa, c, gonghai.ReasonEmptyNumber)
		if a.FromPoolID != o.pool.ID || a.Reason != gonghai.ReasonEmptyNumber || a.ActorID != o.pa.ID ||
			!a.PurgeAt.Equal(gonghai.AddDays(a.At, gonghai.DefaultArchiveDays, f.zone())) {
			t.Errorf("archived %+v", a)
		}
		if ids := f.poolIDs(o.rep, o.pool.ID, gonghai.CustomerFilter{}); slices.Contains(ids, c) || len(ids) != 2 {
			t.Errorf("pool lists %v after the mark, want the 2 others", ids)
		}
		_, err := f.db.Claim(f.ctx, o.rep, c, "")
		wantCode(t, err, gonghai.ENotFound)
		_, err = f.db.Claim(f.ctx, f.admin, c, "")
		wantCode(t, err, gonghai.EArchived)
		h := f.history(c)
		if last := h[len(h)-1]; len(h) != 2 || last.Kind != gonghai.EventInvalidated || last.FromPoolID != o.pool.ID ||
			last.ActorID != o.pa.ID || last.Reason != string(gonghai.ReasonEmptyNumber) {
			t.Errorf("history %+v", h)
		}
		f.checkChain(c)
		if es := f.auditOn(gonghai.AuditInvalidMark, c); len(es) != 1 || es[0].ActorID != o.pa.ID || es[0].Detail["reason"] != "empty_number" {
			t.Errorf("audit %+v", es)
		}
		list, _, err := f.db.Archive(f.ctx, o.pa, gonghai.Page{})
		if err != nil || len(list) != 1 || list[0].Customer.ID != c || list[0].Reason != gonghai.ReasonEmptyNumber {
			t.Fatalf("archive for the pool admin: %+v, %v", list, err)
		}
		_, _, err = f.db.Archive(f.ctx, o.rep, gonghai.Page{})
		wantCode(t, err, gonghai.EForbidden)
		wantCode(t, errOf(f.db.MarkInvalid(f.ctx, f.admin, c, gonghai.InvalidMark{Reason: gonghai.ReasonClosed})), gonghai.EArchived)
		wantCode(t, errOf(f.db.FlagInvalid(f.ctx, f.admin, c, gonghai.InvalidMark{Reason: gonghai.ReasonClosed})), gonghai.EArchived)

		// An owned customer is its owner's to release first.
		owned := o.ids[1]
		if _, err := f.db.Claim(f.ctx, o.rep, owned, o.pool.ID); err != nil {
			t.Fatal(err)
		}
		before := f.snap(owned)
		wantCode(t, errOf(f.db.MarkInvalid(f.ctx, o.pa, owned, gonghai.InvalidMark{Reason: gonghai.ReasonClosed})), gonghai.ECustomerOwned)
		wantCode(t, errOf(f.db.FlagInvalid(f.ctx, o.rep2, o.ids[1], gonghai.InvalidMark{Reason: gonghai.ReasonClosed})), gonghai.ENotFound)
		f.unchanged(owned, before)
	})
}

func errOf[T any](_ T, err error) error { return err }

// TestRestore: a restored customer is back in the pool it came from, with
// one restored event chained to the invalidated one, its flags gone, the
// restore audited; a rep may not restore, and a customer restored is no
// longer in the archive.
func TestRestore(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.hygieneOrg(2)
		c := o.ids[0]
		if _, err := f.db.FlagInvalid(f.ctx, o.rep, c, gonghai.InvalidMark{Reason: gonghai.ReasonNoNeed}); err != nil {
			t.Fatal(err)
		}
		f.mark(o.pa, c, gonghai.ReasonDuplicate)
		wantCode(t, errOf(f.db.Restore(f.ctx, o.rep, c)), gonghai.ENotFound)
		got, err := f.db.Restore(f.ctx, o.pa, c)
		if err != nil || got.PoolID != o.pool.ID || got.OwnerID != "" {
			t.Fatalf("restore: %+v, %v", got, err)
		}
		if ids := f.poolIDs(o.rep, o.pool.ID, gonghai.CustomerFilter{}); !slices.Contains(ids, c) {
			t.Errorf("pool lists %v after the restore", ids)
		}
		h := f.history(c)
		if len(h) != 3 || h[2].Kind != gonghai.EventRestored || h[2].ToPoolID != o.pool.ID || h[2].ActorID != o.pa.ID {
			t.Errorf("history %+v", h)
		}
		f.checkChain(c)
		if es := f.auditOn(gonghai.AuditRestore, c); len(es) != 1 {
			t.Errorf("restore audit %+v", es)
		}
		if fl, err := f.db.Flags(f.ctx, o.pa, c); err != nil || len(fl) != 0 {
			t.Errorf("flags after the restore: %+v, %v", fl, err)
		}
		wantCode(t, errOf(f.db.Restore(f.ctx, o.pa, c)), gonghai.ENotFound)
		if list, _, err := f.db.Archive(f.ctx, f.admin, gonghai.Page{}); err != nil || len(list) != 0 {
			t.Errorf("archive after the restore: %+v, %v", list, err)
		}
		// Back in its pool, it may be claimed again.
		if _, err := f.db.Claim(f.ctx, o.rep, c, o.pool.ID); err != nil {
			t.Fatal(err)
		}
		f.checkChain(c)
	})
}

// TestPurgeAfterArchiveDays: an archived customer waits the organisation's
// archive days, then one sweep purges it: its personal fields erased, its
// flags gone, audited, no longer listed or restorable. A second sweep, and
// purges racing on two connections, purge nothing more.
func TestPurgeAfterArchiveDays(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.hygieneOrg(3)
		wantCode(t, f.db.SetArchiveDays(f.ctx, o.pa, 7), gonghai.EForbidden)
		wantCode(t, f.db.SetArchiveDays(f.ctx, f.admin, 0), gonghai.EInvalid)
		if err := f.db.SetArchiveDays(f.ctx, f.admin, 7); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.FlagInvalid(f.ctx, o.rep, o.ids[0], gonghai.InvalidMark{Reason: gonghai.ReasonOther, Note: "电话 13800001111 打不通"}); err != nil {
			t.Fatal(err)
		}
		var purgeAt time.Time
		for _, id := range o.ids[:2] {
			purgeAt = f.mark(o.pa, id, gonghai.ReasonClosed).PurgeAt
		}
		// At the start of the 7th day after (Shanghai time).
		if want := time.Date(2026, 3, 9, 0, 0, 0, 0, f.zone()); !purgeAt.Equal(want) {
			t.Fatalf("purge at %v, want %v", purgeAt, want)
		}
		f.clock.Set(purgeAt.Add(-time.Minute))
		if rep := f.hygieneSweep(); rep.Purged != 0 {
			t.Fatalf("purged %d before the wait ended", rep.Purged)
		}
		f.clock.Set(purgeAt)
		// Two sweepers at once: the conditional write lets one purge each.
		due, err := f.db.DuePurges(f.ctx, nil, 100)
		if err != nil || len(due) != 2 {
			t.Fatalf("due purges %+v, %v", due, err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 2 {
			wg.Go(func() {
				n, err := f.db.PurgeBatch(f.ctx, due)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != 2 {
			t.Fatalf("two sweepers purged %d, want 2", total)
		}
		if rep := f.hygieneSweep(); rep.Purged != 0 {
			t.Errorf("a second sweep purged %d", rep.Purged)
		}
		for _, id := range o.ids[:2] {
			c := f.customer(id)
			if c.Name != "" || c.Phone != "" || c.Email != "" || c.WeChat != "" || c.Company == "" {
				t.Errorf("purged customer %+v", c)
			}
			if es := f.auditOn(gonghai.AuditPurge, id); len(es) != 1 || es[0].ActorID != "" {
				t.Errorf("purge audit %+v", es)
			}
			wantCode(t, errOf(f.db.Restore(f.ctx, f.admin, id)), gonghai.ENotFound)
			f.checkChain(id)
		}
		if fl, err := f.db.Flags(f.ctx, f.admin, o.ids[0]); err != nil || len(fl) != 0 {
			t.Errorf("flags after the purge: %+v, %v", fl, err)
		}
		if list, _, err := f.db.Archive(f.ctx, f.admin, gonghai.Page{}); err != nil || len(list) != 0 {
			t.Errorf("archive after the purge: %+v, %v", list, err)
		}
		if c := f.customer(o.ids[2]); c.Phone == "" {
			t.Errorf("a customer never archived lost its phone")
		}
	})
}

// TestFlags: reps flag a pool customer once each; the pool's admins see
// who and why, reps do not; a page learns counts and its viewer's own
// flags in one read.
func TestFlags(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.hygieneOrg(2)
		c := o.ids[0]
		if _, err := f.db.FlagInvalid(f.ctx, o.rep, c, gonghai.InvalidMark{Reason: gonghai.ReasonEmptyNumber}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, errOf(f.db.FlagInvalid(f.ctx, o.rep, c, gonghai.InvalidMark{Reason: gonghai.ReasonClosed})), gonghai.EAlreadyFlagged)
		wantCode(t, errOf(f.db.FlagInvalid(f.ctx, o.rep2, c, gonghai.InvalidMark{Reason: "nope"})), gonghai.EInvalid)
		if _, err := f.db.FlagInvalid(f.ctx, o.rep2, c, gonghai.InvalidMark{Reason: gonghai.ReasonClosed}); err != nil {
			t.Fatal(err)
		}
		fl, err := f.db.Flags(f.ctx, o.pa, c)
		if err != nil || len(fl) != 2 || fl[0].UserID != o.rep.ID || fl[1].Reason != gonghai.ReasonClosed {
			t.Errorf("flags %+v, %v", fl, err)
		}
		wantCode(t, errOf(f.db.Flags(f.ctx, o.rep, c)), gonghai.EForbidden)
		cs := []gonghai.Customer{f.customer(o.ids[0]), f.customer(o.ids[1])}
		st, err := f.db.FlagStates(f.ctx, o.rep, o.pool, cs)
		if err != nil || st[c] != (gonghai.FlagState{Mine: true}) || st[o.ids[1]] != (gonghai.FlagState{}) {
			t.Errorf("rep's flag states %+v, %v", st, err)
		}
		if st, _ := f.db.FlagStates(f.ctx, o.pa, o.pool, cs); st[c] != (gonghai.FlagState{Count: 2}) {
			t.Errorf("pool admin's flag states %+v", st)
		}
		if es := f.auditOn(gonghai.AuditInvalidFlag, c); len(es) != 2 {
			t.Errorf("flag audit %+v", es)
		}
	})
}

// TestHygieneRules: a pool's rules, saved by its admin after a preview,
// are applied by the sweep: customers unclaimed for the rule's days and
// those flagged by the rule's number of reps move to the archive with the
// rule as their reason; a customer claimed meanwhile or flagged too few
// times stays. Reps may not set rules.
func TestHygieneRules(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.hygieneOrg(4)
		rules := gonghai.HygieneRules{PoolID: o.pool.ID, UnclaimedDays: 10, FlaggedBy: 2}
		wantCode(t, errOf(f.db.SetPoolHygiene(f.ctx, o.rep, rules)), gonghai.EForbidden)
		wantCode(t, errOf(f.db.SetPoolHygiene(f.ctx, o.pa, gonghai.HygieneRules{PoolID: o.pool.ID, FlaggedBy: -1})), gonghai.EInvalid)
		if _, err := f.db.SetPoolHygiene(f.ctx, o.pa, rules); err != nil {
			t.Fatal(err)
		}
		if got, err := f.db.PoolHygiene(f.ctx, o.rep, o.pool.ID); err != nil || got != rules {
			t.Errorf("rules %+v, %v", got, err)
		}
		for _, u := range []gonghai.User{o.rep, o.rep2} {
			if _, err := f.db.FlagInvalid(f.ctx, u, o.ids[0], gonghai.InvalidMark{Reason: gonghai.ReasonNoNeed}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.db.FlagInvalid(f.ctx, o.rep, o.ids[1], gonghai.InvalidMark{Reason: gonghai.ReasonNoNeed}); err != nil {
			t.Fatal(err)
		}
		if n, err := f.db.HygienePreview(f.ctx, o.pa, rules); err != nil || n != (gonghai.HygieneCount{Flagged: 1}) {
			t.Errorf("preview now %+v, %v", n, err)
		}
		if rep := f.hygieneSweep(); rep.Archived != 1 {
			t.Fatalf("sweep archived %d, want the twice-flagged one", rep.Archived)
		}
		if h := f.history(o.ids[0]); h[len(h)-1].Reason != string(gonghai.ReasonFlagged) || h[len(h)-1].ActorID != "" {
			t.Errorf("flag rule's event %+v", h[len(h)-1])
		}
		// From the start of the tenth day on, the rest are stale but for
		// the one claimed.
		f.clock.Set(time.Date(2026, 3, 11, 23, 59, 0, 0, f.zone()))
		if _, err := f.db.Claim(f.ctx, o.rep, o.ids[3], o.pool.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.db.HygienePreview(f.ctx, o.pa, rules); n.Stale != 0 {
			t.Errorf("stale before the tenth day: %+v", n)
		}
		f.clock.Set(time.Date(2026, 3, 12, 0, 0, 0, 0, f.zone()))
		if n, err := f.db.HygienePreview(f.ctx, o.pa, rules); err != nil || n.Stale != 2 {
			t.Errorf("preview ten days on %+v, %v", n, err)
		}
		if rep := f.hygieneSweep(); rep.Archived != 2 {
			t.Fatalf("sweep archived %d, want 2 stale", rep.Archived)
		}
		list, _, err := f.db.Archive(f.ctx, o.pa, gonghai.Page{})
		if err != nil || len(list) != 3 || list[0].Customer.ID != o.ids[2] || list[1].Customer.ID != o.ids[1] ||
			list[0].Reason != gonghai.ReasonStale || list[2].Reason != gonghai.ReasonFlagged {
			t.Fatalf("archive %+v, %v", list, err)
		}
		if es := f.auditOn(gonghai.AuditInvalidMark, o.ids[1]); len(es) != 1 || es[0].Detail["by"] != "rule" {
			t.Errorf("rule's audit %+v", es)
		}
		for _, id := range o.ids {
			f.checkChain(id)
		}
		// Restored, a customer comes back for a full new wait.
		if _, err := f.db.Restore(f.ctx, o.pa, o.ids[1]); err != nil {
			t.Fatal(err)
		}
		if rep := f.hygieneSweep(); rep.Archived != 0 {
			t.Errorf("a just restored customer was archived again")
		}
	})
}

// TestMarkRacesClaim: a pool admin marks invalid each of 20 customers at
// the same moment a rep claims it: exactly one of the two wins each time,
// the loser told why, and every customer's events stay chained.
func TestMarkRacesClaim(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.hygieneOrg(20)
		marked, claimed := 0, 0
		for _, id := range o.ids {
			start := make(chan struct{})
			var wg sync.WaitGroup
			var markErr, claimErr error
			wg.Go(func() {
				<-start
				_, markErr = f.db.MarkInvalid(f.ctx, o.pa, id, gonghai.InvalidMark{Reason: gonghai.ReasonClosed})
			})
			wg.Go(func() {
				<-start
				_, claimErr = f.db.Claim(f.ctx, o.rep, id, o.pool.ID)
			})
			close(start)
			wg.Wait()
			switch {
			case markErr == nil && claimErr == nil:
				t.Fatalf("customer %s both marked and claimed", id)
			case markErr == nil:
				marked++
				if c := gonghai.ErrorCode(claimErr); c != gonghai.ENotFound && c != gonghai.EConflict {
					t.Errorf("claim lost with %v", claimErr)
				}
			case claimErr == nil:
				claimed++
				wantCode(t, markErr, gonghai.ECustomerOwned)
			default:
				t.Fatalf("neither won: %v / %v", markErr, claimErr)
			}
			f.checkChain(id)
		}
		t.Logf("%s: marked %d, claimed %d", f.db.Dialect(), marked, claimed)
		list, _, err := f.db.Archive(f.ctx, f.admin, gonghai.Page{Limit: 100})
		if err != nil || len(list) != marked {
			t.Errorf("archive holds %d, want %d marked (%v)", len(list), marked, err)
		}
	})
}

// zone is the organisation's time zone, where rules count days.
func (f *fixture) zone() *time.Location {
	f.t.Helper()
	s, err := f.db.Settings(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return s.Location()
}
