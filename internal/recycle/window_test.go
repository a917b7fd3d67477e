package recycle_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
)

// pagedStore lists due rows in deadline order, page by page after the
// cursor it is given, as the store does, and records what the sweeper
// hands back. Every other row it is handed it reports as taken by
// another writer.
type pagedStore struct {
	due   []gonghai.Due // in (At, CustomerID) order
	calls [][]gonghai.Due
}

func (s *pagedStore) Settings(context.Context) (gonghai.Settings, error) {
	return gonghai.Settings{}, nil
}

func (s *pagedStore) DueRecycles(_ context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	i := 0
	if after != nil {
		i, _ = slices.BinarySearchFunc(s.due, *after, byDeadline)
		i++
	}
	return slices.Clone(s.due[i:min(i+limit, len(s.due))]), nil
}

func (s *pagedStore) RecycleBatch(_ context.Context, due []gonghai.Due) (int, error) {
	s.calls = append(s.calls, slices.Clone(due))
	n := 0
	for _, d := range due {
		if d.CustomerID[len(d.CustomerID)-1]%2 == 0 {
			n++
		}
	}
	return n, nil
}

func (s *pagedStore) DueReminders(context.Context, *gonghai.Due, int) ([]gonghai.Due, error) {
	return nil, nil
}

func (s *pagedStore) RemindBatch(context.Context, []gonghai.Due) (int, error) { return 0, nil }

func (s *pagedStore) DuePlans(context.Context, *gonghai.Due, int) ([]gonghai.Due, error) {
	return nil, nil
}

func (s *pagedStore) PlanBatch(context.Context, []gonghai.Due) (int, error) { return 0, nil }

func (s *pagedStore) LeaseWebhooks(context.Context, int, time.Duration) ([]gonghai.WebhookMessage, error) {
	return nil, nil
}

func (s *pagedStore) WebhookDone(context.Context, string, bool, time.Duration) error { return nil }

func byDeadline(a, b gonghai.Due) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.CustomerID, b.CustomerID))
}

// TestSweepWindows: the sweeper hands every due row to the store exactly
// once, however many windows and pages it takes, in pages no larger than
// its batch and in id order within each window, and counts what the store
// recycled and skipped.
func TestSweepWindows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 49, 50, 51, 999, 1000, 1001, 2600} {
		s := &pagedStore{}
		for i := range n {
			// Ids in no particular order against the deadlines, a few
			// deadlines shared.
			s.due = append(s.due, gonghai.Due{CustomerID: fmt.Sprintf("c%08d", rng.IntN(1e8)*10+i%10),
				At: time.Unix(int64(rng.IntN(n/3+1)), 0)})
		}
		slices.SortFunc(s.due, byDeadline)
		s.due = slices.CompactFunc(s.due, func(a, b gonghai.Due) bool { return a.CustomerID == b.CustomerID })
		rep, err := (&recycle.Sweeper{Store: s, Batch: 50}).Once(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		var handed []gonghai.Due
		for _, c := range s.calls {
			if len(c) == 0 || len(c) > 50 {
				t.Errorf("%d due: a call with %d rows, want 1 to 50", n, len(c))
			}
			for _, d := range c {
				seen[d.CustomerID]++
			}
			handed = append(handed, c...)
		}
		// A window is 20 pages of 50: in id order within, deadline order across.
		for lo := 0; lo < len(handed); lo += 1000 {
			w := handed[lo:min(lo+1000, len(handed))]
			if !slices.IsSortedFunc(w, func(a, b gonghai.Due) int { return cmp.Compare(a.CustomerID, b.CustomerID) }) {
				t.Errorf("%d due: window at %d is not in id order", n, lo)
			}
		}
		recycled := 0
		for _, d := range s.due {
			if seen[d.CustomerID] != 1 {
				t.Errorf("%d due: row %s handed over %d times", n, d.CustomerID, seen[d.CustomerID])
			}
			if d.CustomerID[len(d.CustomerID)-1]%2 == 0 {
				recycled++
			}
		}
		if rep.Recycled != recycled || rep.Skipped != len(s.due)-recycled || len(handed) != len(s.due) {
			t.Errorf("%d due: report %+v after %d rows handed over, want %d recycled and %d skipped", n, rep, len(handed),
				recycled, len(s.due)-recycled)
		}
	}
}
