package store_test

import (
	"testing"

	"github.com/gonghai/gonghai"
)

func TestDistribute(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.routeTeam(3, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}, gonghai.PoolInput{HoldingLimit: ptr(2)})
		other := f.pool("别的池", gonghai.PoolInput{})
		ids := f.customers(o.pool.ID, 7)
		stray := f.customers(other.ID, 1)[0]
		users := []string{o.reps[0].ID, o.reps[1].ID, o.reps[2].ID}
		before := f.snap(stray)
		res, err := f.db.Distribute(f.ctx, f.admin, o.pool.ID, append(ids, stray), users)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for i, r := range res[:6] {
			if r.Err != nil || r.CustomerID != ids[i] {
				t.Fatalf("row %d: %+v", i, r)
			}
			got[r.UserID]++
			if c := f.customer(r.CustomerID); c.OwnerID != r.UserID {
				t.Fatalf("customer owned by %q, result says %q", c.OwnerID, r.UserID)
			}
		}
		for _, u := range users {
			if got[u] != 2 {
				t.Fatalf("split %v, want 2 each", got)
			}
		}
		// Everyone is at the pool's limit of 2: the seventh is refused.
		wantCode(t, res[6].Err, gonghai.EHoldingLimit)
		wantCode(t, res[7].Err, gonghai.ENotFound)
		f.unchanged(stray, before)
		// A distribution is a manual assignment: the rotation counts it.
		h := f.history(ids[0])
		if e := h[len(h)-1]; e.Kind != gonghai.EventAssigned || e.ActorID != f.admin.ID || e.Reason != "平均分配" {
			t.Fatalf("event %+v", e)
		}
		// A rep may not assign: refused on the row, nothing written.
		res, err = f.db.Distribute(f.ctx, o.reps[0], o.pool.ID, ids[6:], users)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, res[0].Err, gonghai.EForbidden)
		_, err = f.db.Distribute(f.ctx, f.admin, o.pool.ID, nil, users)
		wantCode(t, err, gonghai.EInvalid)
	})
}

func TestPreviewAssignment(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.routeTeam(3, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}, gonghai.PoolInput{})
		ids := f.leads(o.pool.ID, 2)
		f.route(ids[0])
		preview, err := f.db.PreviewAssignment(f.ctx, f.admin, o.pool.ID, "", 6)
		if err != nil {
			t.Fatal(err)
		}
		// The preview says what routing then does, and wrote nothing: the
		// two reps not yet assigned (in either order: ties go by chance),
		// then the one who was, then round again.
		var want []string
		for _, d := range preview {
			want = append(want, d.UserID)
		}
		first := f.customer(ids[0]).OwnerID
		if want[2] != first || want[0] == first || want[1] == first || want[0] == want[1] || want[3] != want[0] || want[5] != want[2] {
			t.Fatalf("preview %v is not the rotation after %s", want, first)
		}
		more := append(ids[1:], f.leads(o.pool.ID, 2)...)
		var got []string
		for _, id := range more {
			got = append(got, f.route(id).UserID)
		}
		if !((got[0] == want[0] && got[1] == want[1]) || (got[0] == want[1] && got[1] == want[0])) || got[2] != first {
			t.Fatalf("routed %v, preview said %v", got, want)
		}
		_, err = f.db.PreviewAssignment(f.ctx, o.reps[0], o.pool.ID, "", 3)
		wantCode(t, err, gonghai.EForbidden)
	})
}
