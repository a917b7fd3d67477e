package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/stormtest"
	"github.com/gonghai/gonghai/internal/vault"
)

// The sizes of the three-node test: the storm (14 reps × 50
// customers from 200 clients) spread over the nodes, and enough due
// customers and reminders that all three sweepers meet on them.
const (
	nodeCount       = 3
	nodeReps        = 14
	nodeCustomers   = 50
	nodeClients     = 200
	nodeDue         = 60 // owned 40 days ago under a 7-day rule: due now
	nodeReminders   = 60 // owned 5 days ago: due in 2 days, reminded 3 days ahead
	nodeSweepPeriod = "1s"
)

// TestThreeNodes proves the multi-node promise end to end: three serve
// processes of the built binary on one PostgreSQL database, a claim storm
// spread across them while all three sweep every second, and a webhook
// receiver counting what they send. 0 double owners, events = successful
// claims, each due customer recycled exactly once (one recycled event,
// one notice), each reminder sent exactly once, and nothing logged as an
// error by any node.
func TestThreeNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers")
	}
	dsn := pgtest.NewDatabase(t)
	keys := vault.Ephemeral()
	ctx := context.Background()
	db := storetest.Open(t, dsn, gonghai.SystemClock{}, keys)
	hook := &webhookLog{seen: map[string]int{}}
	receiver := httptest.NewServer(hook)
	t.Cleanup(receiver.Close)

	org := seedNodes(t, db, receiver.URL)
	bin := buildBinary(t)
	var bases []string
	var logs []*syncBuffer
	for i := range nodeCount {
		base, log := startNode(t, bin, dsn, keys.List(), i)
		bases, logs = append(bases, base), append(logs, log)
	}

	// Customers that fall due, and owners to remind, appear while the
	// three sweep: made through stores whose clocks stand in the past,
	// under rules in force since then.
	past := func(ago time.Duration) *store.DB {
		return storetest.Open(t, dsn, gonghai.NewManualClock(time.Now().Add(-ago)), keys)
	}
	aging := org.pool(t, past(40*24*time.Hour), "华东老客户")
	due := org.owned(t, past(40*24*time.Hour), aging, nodeDue, "到期")
	reminded := org.owned(t, past(5*24*time.Hour), aging, nodeReminders, "提醒")

	res := stormtest.Storm{Bases: bases, Tokens: org.tokens, Customers: org.storm, Clients: nodeClients}.Run()
	t.Logf("storm over %d nodes: %s", nodeCount, res.Summary())
	res.Check(t)
	res.CheckStore(t, db, org.admin, org.reps)

	// Wait for the sweeps to take back every due customer and for the
	// webhook to hear of it and of every reminder; then give them a few
	// more sweeps to do anything twice.
	deadline := time.Now().Add(60 * time.Second)
	for !hook.heard(due, gonghai.NotifyRecycled) || !hook.heard(reminded, gonghai.NotifyRecycleWarning) {
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s the webhook has heard %d notifications, want a recycle notice for each of %d due customers "+
				"and a reminder for each of %d others; node 1 logged:\n%s", hook.total(), len(due), len(reminded), logs[0].String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)

	for _, id := range due {
		if recycled := stormtest.Events(t, db, org.admin, id, gonghai.EventRecycled); recycled != 1 {
			t.Errorf("due customer %s has %d recycled events, want 1", id, recycled)
		}
		if n := hook.count(id, gonghai.NotifyRecycled); n != 1 {
			t.Errorf("due customer %s: the webhook heard of its recycling %d times, want 1", id, n)
		}
		if n := hook.count(id, gonghai.NotifyRecycleWarning); n > 1 {
			t.Errorf("due customer %s: %d reminders, want at most 1", id, n)
		}
	}
	for _, id := range reminded {
		if n := hook.count(id, gonghai.NotifyRecycleWarning); n != 1 {
			t.Errorf("customer %s: the webhook heard its reminder %d times, want 1", id, n)
		}
		if c, err := db.Customer(ctx, org.admin, id); err != nil || c.OwnerID == "" {
			t.Errorf("customer %s, not yet due, was taken back (%v)", id, err)
		}
	}
	for id, n := range hook.byID() {
		if n != 1 {
			t.Errorf("notification %s delivered %d times", id, n)
		}
	}
	if doubles, err := db.DoubleClaims(ctx); err != nil || doubles != 0 {
		t.Errorf("double claims: %d (%v)", doubles, err)
	}
	for i, log := range logs {
		sweeps := 0
		for line := range strings.SplitSeq(log.String(), "\n") {
			if strings.Contains(line, "level=ERROR") {
				t.Errorf("node %d logged: %s", i+1, line)
			}
			if strings.Contains(line, "msg=\"recycle sweep\"") {
				sweeps++
			}
		}
		t.Logf("node %d: %d sweeps that did something", i+1, sweeps)
	}
}

// nodeOrg is the organisation the nodes serve.
type nodeOrg struct {
	admin  gonghai.User
	reps   []gonghai.User
	tokens []string
	dept   string
	storm  []string // customers of the storm's pool
}

// seedNodes makes the organisation: reps with tokens, a pool of customers
// for the storm, and the webhook.
func seedNodes(t *testing.T, db *store.DB, webhook string) *nodeOrg {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	o := &nodeOrg{}
	var err error
	o.admin, err = db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "管理员", Role: gonghai.RoleAdmin})
	must(err)
	_, err = db.UpdateSettings(ctx, o.admin, gonghai.SettingsPatch{WebhookURL: &webhook, WebhookFormat: ptr(gonghai.WebhookJSON)})
	must(err)
	dept, err := db.CreateDepartment(ctx, o.admin, "华东大区", "")
	must(err)
	for i := range nodeReps {
		login := fmt.Sprintf("rep%02d", i+1)
		u, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: "销售" + login, Role: gonghai.RoleRep, DepartmentID: dept.ID})
		must(err)
		tok, err := db.CreateToken(ctx, login)
		must(err)
		o.reps, o.tokens = append(o.reps, u), append(o.tokens, tok)
	}
	o.dept = dept.ID
	stormPool := o.pool(t, db, "华东公海")
	in := make([]gonghai.NewCustomer, nodeCustomers)
	for i := range in {
		in[i] = gonghai.NewCustomer{PoolID: stormPool.ID, CustomerFields: gonghai.CustomerFields{
			Company: fmt.Sprintf("风暴客户%d", i), Phone: fmt.Sprintf("1391000%04d", i)}}
	}
	_, err = db.ImportCustomers(ctx, o.admin, in)
	must(err)
	page, _, err := db.PoolCustomers(ctx, o.admin, stormPool.ID, gonghai.CustomerFilter{}, gonghai.Page{Limit: nodeCustomers})
	must(err)
	for _, c := range page {
		o.storm = append(o.storm, c.ID)
	}
	return o
}

// pool makes a pool of the reps' department whose customers must be
// contacted within 7 days of being taken; owners are reminded 3 days
// ahead.
func (o *nodeOrg) pool(t *testing.T, db *store.DB, name string) gonghai.Pool {
	t.Helper()
	rules := gonghai.RecycleRules{WarnDays: 3, Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNotContacted, Enabled: true, Days: 7}}}
	p, err := db.CreatePool(context.Background(), o.admin, gonghai.PoolInput{Name: &name, MemberDepartmentIDs: &[]string{o.dept}, Recycle: &rules})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// owned makes n customers of pool p owned by the reps, now as db's clock
// tells it, and returns their ids.
func (o *nodeOrg) owned(t *testing.T, db *store.DB, p gonghai.Pool, n int, label string) []string {
	t.Helper()
	var ids []string
	for i := range n {
		c, err := db.CreateCustomer(context.Background(), o.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: o.reps[i%len(o.reps)].ID,
			CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("%s客户%d", label, i)}, AllowSimilar: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

// buildBinary builds gonghai into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gonghai")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startNode runs `gonghai serve` as its own process on a free port,
// sweeping every second, and returns its address and its log. The node is
// stopped as serve is in service, by SIGTERM, when the test ends.
func startNode(t *testing.T, bin, dsn, keys string, i int) (string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--recycle-interval", nodeSweepPeriod)
	cmd.Env = append(os.Environ(), "GONGHAI_DB="+dsn, "GONGHAI_KEYS="+keys)
	out, log := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("node %d ended with %v\n%s", i+1, err, log.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("node %d did not stop on SIGINT", i+1)
		}
	})
	return waitForListen(t, out, done), log
}

// webhookLog is a webhook receiver that counts what it is sent.
type webhookLog struct {
	mu   sync.Mutex
	seen map[string]int // notification id → deliveries
	got  []recycle.Payload
}

func (h *webhookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var p recycle.Payload
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.seen[p.ID]++
	h.got = append(h.got, p)
	h.mu.Unlock()
}

func (h *webhookLog) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got)
}

// count is how many deliveries of kind named customer id.
func (h *webhookLog) count(id, kind string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.got {
		if p.CustomerID == id && p.Kind == kind {
			n++
		}
	}
	return n
}

// heard reports whether a notification of kind has come for each of ids.
func (h *webhookLog) heard(ids []string, kind string) bool {
	for _, id := range ids {
		if h.count(id, kind) == 0 {
			return false
		}
	}
	return true
}

func (h *webhookLog) byID() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.seen))
	for id, n := range h.seen {
		out[id] = n
	}
	return out
}
