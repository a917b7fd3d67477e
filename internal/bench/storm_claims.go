package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonghai/gonghai"
)

func (s *storm) floorClaimer(t *team) claimFunc {
	return func(ctx context.Context, w int, id string) (bool, error) {
		return s.db.FloorClaim(ctx, id, t.poolID, t.reps[w%len(t.reps)].ID)
	}
}

// apiClaimer claims as a client would: POST /api/v1/customers/{id}/claim
// with the rep's token and the pool it saw the customer in.
func (s *storm) apiClaimer(t *team) claimFunc {
	return func(ctx context.Context, w int, id string) (bool, error) {
		rep := w % len(t.reps)
		body := `{"pool_id":"` + t.poolID + `"}`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/v1/customers/"+id+"/claim", strings.NewReader(body))
		if err != nil {
			return false, err
		}
		req.Header.Set("Authorization", "Bearer "+t.tokens[rep])
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.client.Do(req)
		if err != nil {
			return false, err
		}
		// Read to the end, so the connection goes back to the pool.
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return false, err
		}
		var out struct {
			OwnerID *string `json:"owner_id"`
			Code    string  `json:"code"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return false, fmt.Errorf("claim %s: status %d, unreadable body %.200q", id, resp.StatusCode, raw)
		}
		switch {
		case resp.StatusCode == http.StatusOK && out.OwnerID != nil && *out.OwnerID == t.reps[rep].ID:
			return true, nil
		case resp.StatusCode == http.StatusConflict && out.Code == gonghai.EAlreadyClaimed:
			return false, nil
		default:
			return false, fmt.Errorf("claim %s as %s: status %d: %.300s", id, t.reps[rep].Login, resp.StatusCode, raw)
		}
	}
}

// warmUp has every worker make one authenticated request at once, so that
// the phase starts with its connections open.
func (s *storm) warmUp(ctx context.Context, t *team) error {
	errs := make([]error, s.o.workers)
	var wg sync.WaitGroup
	for w := range s.o.workers {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/api/v1/me", nil)
			if err != nil {
				errs[w] = err
				return
			}
			req.Header.Set("Authorization", "Bearer "+t.tokens[w%len(t.tokens)])
			resp, err := s.client.Do(req)
			if err != nil {
				errs[w] = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs[w] = fmt.Errorf("warm-up: GET /api/v1/me: status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// tally gathers a phase's outcomes from its workers.
type tally struct {
	wins, attempts atomic.Int64
	mu             sync.Mutex
	errs           []error
	nerrs          int
}

func (t *tally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nerrs++
	if len(t.errs) < 5 {
		t.errs = append(t.errs, err)
	}
}

func (t *tally) err() error {
	if t.nerrs == 0 {
		return nil
	}
	return fmt.Errorf("%d claims failed with neither a win nor already_claimed; the first: %w", t.nerrs, errors.Join(t.errs...))
}

// claimed is what the claimers of one customer were told: how many won
// it, and which worker (plus one) won it last.
type claimed struct{ n, by atomic.Int32 }

// try makes one attempt as worker w and records a win in won.
func (t *tally) try(ctx context.Context, claim claimFunc, w int, id string, won *claimed) {
	ok, err := claim(ctx, w, id)
	t.attempts.Add(1)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			t.fail(err)
		}
	case ok:
		t.wins.Add(1)
		won.n.Add(1)
		won.by.Store(int32(w + 1))
	}
}

// check counts the customers that two claimers won and fails on one that
// nobody won, which only a claim wrongly refused could cause. Then it
// holds the database to the answers, as the store's TestClaimStorm does:
// each customer won is owned by the rep told so and has exactly its
// created event and one claimed event to that rep; each customer nobody
// won (a capped phase) has no owner and no claimed event.
func (s *storm) check(ctx context.Context, t *team, ids []string, won []claimed, complete bool) (doubles int, err error) {
	for i := range won {
		switch n := won[i].n.Load(); {
		case n > 1:
			doubles++
		case n == 0 && complete:
			return doubles, fmt.Errorf("customer %s: every attempt lost, yet nobody won it", ids[i])
		}
	}
	for i, id := range ids {
		if won[i].n.Load() > 1 {
			continue // counted above; the database can agree with only one
		}
		want, events := "", 1
		if by := won[i].by.Load(); by > 0 {
			want, events = t.reps[int(by-1)%len(t.reps)].ID, 2
		}
		c, err := s.db.Customer(ctx, s.admin, id)
		if err != nil {
			return doubles, err
		}
		h, err := s.db.History(ctx, s.admin, id)
		if err != nil {
			return doubles, err
		}
		if c.OwnerID != want || len(h) != events || h[events-1].ToOwnerID != want ||
			events == 2 && h[1].Kind != gonghai.EventClaimed {
			return doubles, fmt.Errorf("customer %s: owned by %q with %d events, the answers say owner %q after %d events",
				id, c.OwnerID, len(h), want, events)
		}
	}
	return doubles, nil
}

// fewCustomers is scenario (a): round after round, a few fresh customers,
// and every worker tries to claim every one of them, each in its own
// shuffled order, all starting at once. Nearly every attempt loses; the
// scenario measures how fast losers are turned away while winners commit.
func (s *storm) fewCustomers(ctx context.Context, claim claimFunc, t *team) (phase, error) {
	var p phase
	var tl tally
	for round := range s.o.rounds {
		if s.o.cap > 0 && p.elapsed >= s.o.cap {
			p.capped = true
			break
		}
		ids, err := s.addCustomers(ctx, t, s.o.few)
		if err != nil {
			return p, err
		}
		won := make([]claimed, len(ids))
		deadline := deadlineAfter(s.o.cap, p.elapsed)
		var stopped atomic.Bool
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range s.o.workers {
			// Seeded, so the API and the floor see the same orders.
			order := rand.New(rand.NewPCG(uint64(round), uint64(w))).Perm(len(ids))
			wg.Go(func() {
				<-start
				for _, i := range order {
					if ctx.Err() != nil || past(deadline) {
						stopped.Store(true)
						return
					}
					tl.try(ctx, claim, w, ids[i], &won[i])
				}
			})
		}
		began := time.Now()
		close(start)
		wg.Wait()
		took := time.Since(began)
		p.elapsed += took
		fmt.Fprintf(s.env.Stderr, "  round %d/%d: %s\n", round+1, s.o.rounds, took.Round(time.Millisecond))
		if err := ctx.Err(); err != nil {
			return p, err
		}
		if err := tl.err(); err != nil {
			return p, err
		}
		doubles, err := s.check(ctx, t, ids, won, !stopped.Load())
		p.doubles += doubles
		if err != nil {
			return p, err
		}
		if stopped.Load() {
			p.capped = true
			break
		}
	}
	p.wins, p.attempts = tl.wins.Load(), tl.attempts.Load()
	return p, nil
}

// manyCustomers is scenario (b): many customers, each put on a shared queue
// twice in shuffled order, which the workers drain. Almost every customer
// is won once and lost once; the scenario measures committed claims.
func (s *storm) manyCustomers(ctx context.Context, claim claimFunc, t *team) (phase, error) {
	var p phase
	var tl tally
	ids, err := s.addCustomers(ctx, t, s.o.many)
	if err != nil {
		return p, err
	}
	queue := make([]int, 0, 2*len(ids))
	for i := range ids {
		queue = append(queue, i, i)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
	won := make([]claimed, len(ids))
	deadline := deadlineAfter(s.o.cap, 0)
	var next atomic.Int64
	var stopped atomic.Bool
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range s.o.workers {
		wg.Go(func() {
			<-start
			for {
				k := int(next.Add(1) - 1)
				if k >= len(queue) {
					return
				}
				if ctx.Err() != nil || past(deadline) {
					stopped.Store(true)
					return
				}
				i := queue[k]
				tl.try(ctx, claim, w, ids[i], &won[i])
			}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	p.elapsed = time.Since(began)
	if err := ctx.Err(); err != nil {
		return p, err
	}
	if err := tl.err(); err != nil {
		return p, err
	}
	p.capped = stopped.Load()
	p.doubles, err = s.check(ctx, t, ids, won, !p.capped)
	if err != nil {
		return p, err
	}
	p.wins, p.attempts = tl.wins.Load(), tl.attempts.Load()
	return p, nil
}
