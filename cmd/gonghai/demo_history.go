package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/demo"
	"github.com/gonghai/gonghai/internal/store"
)

// demoHistoryDays and demoHistoryCustomers size the demo's past: four
// weeks of a team working a further few hundred customers, so that the
// reports, timelines and countdowns have something true to show.
const (
	demoHistoryDays      = 28
	demoHistoryCustomers = 600
)

// demoHistory plays the last demoHistoryDays working days through the
// store, on db reading clock, which it moves: each weekday the reps claim
// from their pools, follow up what they hold, release some and win some,
// the managers assign, a few reps re-create a colleague's company (撞单),
// and each evening the recycle sweep takes back what nobody contacted.
// Errors the rules answer (a limit, a cooldown, a customer taken first)
// are part of the day; any other stops it.
type demoPlay struct {
	ctx    context.Context
	db     *store.DB
	clock  *gonghai.ManualClock
	rng    *rand.Rand
	pools  map[string][]string // pool id → customers in it
	held   map[string][]string // rep id → customers held
	poolOf map[string]string   // customer → pool id
	may    map[string][]string // rep id → pools they may claim from
	reps   []gonghai.User
	mgrs   []gonghai.User
	names  map[string]string // customer → company
}

func (p *demoPlay) run(days int) error {
	for d := 0; d < days; d++ {
		day := p.clock.Now()
		if wd := day.In(demoZone).Weekday(); wd != time.Saturday && wd != time.Sunday {
			if err := p.workday(); err != nil {
				return err
			}
		}
		// The evening sweep, then the next morning at nine.
		p.clock.Set(gonghai.StartOfDay(day, demoZone).Add(22 * time.Hour))
		for {
			due, err := p.db.DueRecycles(p.ctx, nil, 500)
			if err != nil || len(due) == 0 {
				break
			}
			if _, err := p.db.RecycleBatch(p.ctx, due); err != nil {
				return fmt.Errorf("demo history: sweep: %w", err)
			}
			for _, x := range due {
				p.drop(x.CustomerID)
				p.pools[p.poolOf[x.CustomerID]] = append(p.pools[p.poolOf[x.CustomerID]], x.CustomerID)
			}
		}
		p.clock.Set(gonghai.AddDays(day, 1, demoZone).Add(9 * time.Hour))
	}
	return nil
}

var demoZone = time.FixedZone("CST", 8*3600)

var (
	demoFollowUps = []struct{ kind, text string }{
		{"call", "电话沟通了需求，客户在比较两家供应商"}, {"wechat", "微信发了报价单，约了下周演示"},
		{"visit", "上门拜访，见到了采购负责人"}, {"call", "客户说预算下个季度才批，保持联系"},
		{"email", "发送了产品资料和案例"}, {"call", "确认了试用账号，客户反馈不错"},
	}
	demoReleases = []string{"暂无需求", "联系不上", "预算不足", "已选其他供应商"}
)

func (p *demoPlay) workday() error {
	for _, rep := range p.reps {
		p.clock.Advance(time.Duration(p.rng.IntN(12)) * time.Minute)
		for range p.rng.IntN(3) {
			if err := p.claim(rep); err != nil {
				return err
			}
		}
		held := slices.Clone(p.held[rep.ID])
		p.rng.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
		for i, id := range held[:min(len(held), 2)] {
			if p.rng.IntN(5) == 0 {
				continue // not today: the rules will notice
			}
			f := demoFollowUps[p.rng.IntN(len(demoFollowUps))]
			_, err := p.db.AddFollowUp(p.ctx, rep, id, gonghai.NewFollowUp{Kind: f.kind, Content: f.text})
			if err := p.ruled(err, id); err != nil {
				return err
			}
			switch r := p.rng.IntN(100); {
			case r < 6 && i == 0:
				amount := gonghai.Money((5 + p.rng.IntN(200)) * 100000)
				_, err = p.db.CreateOrder(p.ctx, rep, id, amount, p.clock.Now().In(demoZone).Format(time.DateOnly))
			case r < 14:
				_, err = p.db.Release(p.ctx, rep, id, demoReleases[p.rng.IntN(len(demoReleases))], "")
				if err == nil {
					p.drop(id)
					p.pools[p.poolOf[id]] = append(p.pools[p.poolOf[id]], id)
				}
			}
			if err := p.ruled(err, id); err != nil {
				return err
			}
		}
		// Now and then a rep types in a company a colleague holds.
		if p.rng.IntN(40) == 0 {
			other := p.reps[p.rng.IntN(len(p.reps))]
			if hs := p.held[other.ID]; other.ID != rep.ID && len(hs) > 0 {
				_, err := p.db.CreateCustomer(p.ctx, rep, gonghai.NewCustomer{PoolID: p.poolOf[hs[0]],
					CustomerFields: gonghai.CustomerFields{Company: p.names[hs[0]]}})
				if err := p.ruled(err, ""); err != nil {
					return err
				}
			}
		}
	}
	// Each manager hands a customer of a pool to one of their reps.
	for _, m := range p.mgrs {
		for _, rep := range p.reps {
			if !m.Manages(rep.DeptPath) || p.rng.IntN(4) != 0 {
				continue
			}
			pool := p.may[rep.ID][p.rng.IntN(len(p.may[rep.ID]))]
			if id := p.take(pool); id != "" {
				_, err := p.db.Assign(p.ctx, m, id, rep.ID, "", false)
				if err == nil {
					p.held[rep.ID] = append(p.held[rep.ID], id)
				} else if err := p.ruled(err, ""); err != nil {
					return err
				}
			}
			break
		}
	}
	return nil
}

// claim has rep claim a customer of one of their pools.
func (p *demoPlay) claim(rep gonghai.User) error {
	pools := p.may[rep.ID]
	if len(pools) == 0 {
		return nil
	}
	pool := pools[p.rng.IntN(len(pools))]
	id := p.take(pool)
	if id == "" {
		return nil
	}
	_, err := p.db.Claim(p.ctx, rep, id, pool)
	if err == nil {
		p.held[rep.ID] = append(p.held[rep.ID], id)
		return nil
	}
	p.pools[pool] = append(p.pools[pool], id) // still there for someone else
	return p.ruled(err, "")
}

// take removes a random customer from pool's list.
func (p *demoPlay) take(pool string) string {
	ids := p.pools[pool]
	if len(ids) == 0 {
		return ""
	}
	i := p.rng.IntN(len(ids))
	id := ids[i]
	ids[i] = ids[len(ids)-1]
	p.pools[pool] = ids[:len(ids)-1]
	return id
}

// drop forgets customer id from whoever held it.
func (p *demoPlay) drop(id string) {
	for rep, ids := range p.held {
		if i := slices.Index(ids, id); i >= 0 {
			p.held[rep] = slices.Delete(ids, i, i+1)
		}
	}
}

// ruled passes the answers of the rules (the demo's reps meet them as real
// ones do) and returns any other error. A customer the store no longer
// lets the rep work is forgotten.
func (p *demoPlay) ruled(err error, id string) error {
	if err == nil {
		return nil
	}
	switch gonghai.ErrorCode(err) {
	case "":
	case gonghai.ENotFound:
		if id != "" {
			p.drop(id)
		}
		return nil
	default:
		return nil
	}
	return fmt.Errorf("demo history: %w", err)
}

// demoHistoryStart is nine in the morning demoHistoryDays days before now.
func demoHistoryStart(now time.Time) time.Time {
	return gonghai.AddDays(now, -demoHistoryDays, demoZone).Add(9 * time.Hour)
}

// newDemoPlay sets up the play of customers ids (demo customers cs, in
// their pools) among the organisation's reps and managers.
func newDemoPlay(ctx context.Context, db *store.DB, clock *gonghai.ManualClock, org demo.Org, cs []demo.Customer, ids []string,
	users map[string]gonghai.User, depts map[string]string, pools map[string]string) *demoPlay {
	p := &demoPlay{ctx: ctx, db: db, clock: clock, rng: rand.New(rand.NewPCG(14, 2026)), pools: map[string][]string{},
		held: map[string][]string{}, poolOf: map[string]string{}, may: map[string][]string{}, names: map[string]string{}}
	for i, c := range cs {
		pool := pools[c.PoolKey]
		p.pools[pool] = append(p.pools[pool], ids[i])
		p.poolOf[ids[i]] = pool
		p.names[ids[i]] = c.Company
	}
	parent := map[string]string{}
	for _, d := range org.Departments {
		parent[d.Key] = d.ParentKey
	}
	for _, u := range org.Users {
		got := users[u.Login]
		switch u.Role {
		case demo.RoleManager:
			p.mgrs = append(p.mgrs, got)
		case demo.RoleRep:
			p.reps = append(p.reps, got)
			for _, pl := range org.Pools {
				if !pl.Hidden && (slices.Contains(pl.MemberDepartmentKeys, u.DepartmentKey) ||
					slices.Contains(pl.MemberDepartmentKeys, parent[u.DepartmentKey])) {
					p.may[got.ID] = append(p.may[got.ID], pools[pl.Key])
				}
			}
		}
	}
	return p
}
