// Package stormtest drives claim storms over HTTP, for the tests that
// prove claims race-free under load: against one server or spread over
// several nodes sharing a database.
package stormtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// Rounds is how many rounds of a storm a test runs: full; a few under
// -short; one under the race detector, which slows every claim tenfold and
// more (SQLite's engine is Go, so it is checked too) and would make a full
// storm take many minutes. Every assertion holds in each round, so one
// round checks all of them; the long storm, with the same checks, is
// `gonghai bench claim-storm`.
func Rounds(full int) int {
	switch {
	case Race:
		return 1
	case testing.Short():
		return min(full, 3)
	}
	return full
}

// Refusals are the answers a claim may get besides 200: the claim rules'
// documented codes, each with its status.
var Refusals = map[string]int{
	gonghai.EAlreadyClaimed:  http.StatusConflict,
	gonghai.EHoldingLimit:    http.StatusConflict,
	gonghai.EReclaimCooldown: http.StatusConflict,
	gonghai.EReleaseWait:     http.StatusConflict,
	gonghai.EDailyClaimLimit: http.StatusTooManyRequests,
}

// Storm is one storm: every rep tries every customer once, in random
// order, through Clients concurrent clients, attempt i going to server
// Bases[i % len(Bases)].
type Storm struct {
	Bases     []string // servers, e.g. "http://127.0.0.1:8080"
	Tokens    []string // one bearer token per rep
	Customers []string // customer ids
	Clients   int
}

// Attempt is one claim and what it got.
type Attempt struct {
	Rep      int
	Customer string
	Status   int
	Code     string
	Took     time.Duration
}

// Result is what a storm got.
type Result struct {
	Attempts []Attempt
	Elapsed  time.Duration
	// Won maps each customer someone was told they won to that rep.
	Won map[string]int
}

// Run makes the storm's attempts and returns every answer.
func (s Storm) Run() Result {
	var attempts []Attempt
	for r := range s.Tokens {
		for _, c := range s.Customers {
			attempts = append(attempts, Attempt{Rep: r, Customer: c})
		}
	}
	rand.Shuffle(len(attempts), func(i, j int) { attempts[i], attempts[j] = attempts[j], attempts[i] })
	// One kept-alive connection per client, as browsers and apps hold them.
	transport := &http.Transport{MaxIdleConns: s.Clients, MaxIdleConnsPerHost: s.Clients, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	work := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range s.Clients {
		wg.Go(func() {
			for i := range work {
				a := &attempts[i]
				began := time.Now()
				a.Status, a.Code = claim(client, s.Bases[i%len(s.Bases)], s.Tokens[a.Rep], a.Customer)
				a.Took = time.Since(began)
			}
		})
	}
	for i := range attempts {
		work <- i
	}
	close(work)
	wg.Wait()
	res := Result{Attempts: attempts, Elapsed: time.Since(start), Won: map[string]int{}}
	for _, a := range attempts {
		if a.Status == http.StatusOK {
			res.Won[a.Customer] = a.Rep
		}
	}
	return res
}

// claim makes one attempt and returns the answer's status and code.
func claim(client *http.Client, base, token, customer string) (int, string) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/api/v1/customers/"+customer+"/claim", nil)
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	var p struct{ Code string }
	if res.StatusCode != http.StatusOK {
		_ = json.NewDecoder(res.Body).Decode(&p)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, p.Code
}

// Counts counts the answers: "ok", each refusal's code, and "<status>
// <code>" for anything else.
func (r Result) Counts() map[string]int {
	counts := map[string]int{}
	for _, a := range r.Attempts {
		switch want, refusal := Refusals[a.Code]; {
		case a.Status == http.StatusOK:
			counts["ok"]++
		case refusal && a.Status == want:
			counts[a.Code]++
		default:
			counts[fmt.Sprintf("%d %s", a.Status, a.Code)]++
		}
	}
	return counts
}

// Summary is one line on the storm: its pace, latencies and answers.
func (r Result) Summary() string {
	took := make([]time.Duration, len(r.Attempts))
	for i, a := range r.Attempts {
		took[i] = a.Took
	}
	slices.Sort(took)
	counts := r.Counts()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return fmt.Sprintf("%d attempts in %s (%.0f/s), latency p50 %s p99 %s max %s: %s", len(r.Attempts),
		r.Elapsed.Round(time.Millisecond), float64(len(r.Attempts))/r.Elapsed.Seconds(), took[len(took)/2].Round(time.Millisecond),
		took[len(took)*99/100].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), strings.Join(parts, " "))
}

// Check fails tb for every answer other than 200 and the documented
// refusals, and for a customer two reps were told they won.
func (r Result) Check(tb testing.TB) {
	tb.Helper()
	won := map[string]int{}
	for _, a := range r.Attempts {
		if a.Status != http.StatusOK {
			continue
		}
		if prev, ok := won[a.Customer]; ok {
			tb.Errorf("customer %s won by rep %d and rep %d", a.Customer, prev, a.Rep)
		}
		won[a.Customer] = a.Rep
	}
	counts := r.Counts()
	bad := len(r.Attempts) - counts["ok"]
	for code := range Refusals {
		bad -= counts[code]
	}
	if bad > 0 {
		tb.Fatalf("%d answers outside 200 and the documented refusals: %s", bad, r.Summary())
	}
}

// CheckStore compares the database with the answers: each customer's owner
// is the rep told they won it (reps[i] is rep i), and each has exactly one
// claimed event if won, none otherwise. It returns how many customers
// each rep holds.
func (r Result) CheckStore(tb testing.TB, db *store.DB, admin gonghai.User, reps []gonghai.User) map[string]int {
	tb.Helper()
	ctx := context.Background()
	held := map[string]int{}
	customers := map[string]bool{}
	for _, a := range r.Attempts {
		customers[a.Customer] = true
	}
	for id := range customers {
		got, err := db.Customer(ctx, admin, id)
		if err != nil {
			tb.Fatal(err)
		}
		want := ""
		if rep, ok := r.Won[id]; ok {
			want = reps[rep].ID
		}
		if got.OwnerID != want {
			tb.Errorf("customer %s is owned by %q, the answers say %q", id, got.OwnerID, want)
		}
		if want != "" {
			held[want]++
		}
		claims := Events(tb, db, admin, id, gonghai.EventClaimed)
		if want != "" && claims != 1 || want == "" && claims != 0 {
			tb.Errorf("customer %s has %d claimed events, owner %q", id, claims, want)
		}
	}
	return held
}

// Events counts customer id's ownership events of kind.
func Events(tb testing.TB, db *store.DB, admin gonghai.User, id string, kind gonghai.EventKind) int {
	tb.Helper()
	events, err := db.History(context.Background(), admin, id)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}
