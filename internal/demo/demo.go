// Package demo generates a deterministic demo organisation for gonghai: a
// sales company with regional departments, managers and reps, four lead
// pools and as many realistic Chinese B2B customers as asked for.
//
// It is pure data generation: no database and no I/O apart from the
// embedded area file, so loaders, seeders and tests can all share it and a
// seed always yields the same Org.
package demo

import (
	"fmt"
	"math/rand/v2"
)

// Org is a whole generated demo organisation, deterministic for a given seed.
type Org struct {
	Departments []Department
	Users       []User
	Pools       []Pool
	Customers   []Customer
}

// Department is a node of the organisation tree.
type Department struct {
	Key       string // stable short ascii id such as "north" or "north-1"
	Name      string
	ParentKey string // "" for the root
}

// User is a person who logs into the CRM.
type User struct {
	Login         string
	Name          string // a Chinese person name (姓+名), or 系统管理员 for admin
	Role          string // "admin", "manager" or "rep"
	DepartmentKey string
	Level         string // "junior" or "senior" for reps, "" otherwise
}

// Pool is a lead pool (公海) with its claiming rules.
type Pool struct {
	Key                  string
	Name                 string
	Hidden               bool     // assign-only: members cannot browse or claim, pool admins assign
	MemberDepartmentKeys []string // members are the users of these departments and their sub-departments
	AdminLogins          []string
	DailyClaimLimit      int // claims per rep per day
	ReclaimCooldownDays  int // days before a rep may claim back a customer they released
	ReleaseWaitHours     int // hours a released customer waits before anyone may claim it
	HoldingLimit         int // customers from this pool a rep may hold at once
}

// Customer is a lead or customer company with its contact person.
type Customer struct {
	PoolKey     string
	OwnerLogin  string // "" = in the pool; otherwise a rep who is a member of the pool
	Name        string // contact person
	Company     string
	Category    string // "A", "B" or "C"
	Industry    string
	Region      string // 省/市/区, e.g. 广东省/深圳市/南山区
	ProductLine string
	Source      string
	Stage       string
	Phone       string // 11-digit mobile number, unique within the Org
	Email       string // "" for about 40% of customers, unique otherwise
	WeChat      string // "" for about half of the customers, unique otherwise
}

// Roles and levels, spelled as the User fields carry them.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleRep     = "rep"

	LevelJunior = "junior"
	LevelSenior = "senior"
)

// AdminLogin is the login of the single system administrator.
const AdminLogin = "admin"

// salesDept describes one regional sales department: its key, its region
// (which decides where its pool's customers are) and the login of its
// manager.
type salesDept struct {
	key, region, manager string
}

var salesDepts = []salesDept{
	{"north", "华北", "mgr.north"},
	{"east", "华东", "mgr.east"},
	{"south", "华南", "mgr.south"},
}

// departments is fixed: the demo's point is the data volume and realism of
// names, not a random org chart, and stable keys let docs and tests refer
// to them.
var departments = []Department{
	{"hq", "总部", ""},
	{"north", "华北销售部", "hq"},
	{"north-1", "华北一组", "north"},
	{"north-2", "华北二组", "north"},
	{"east", "华东销售部", "hq"},
	{"east-1", "华东一组", "east"},
	{"east-2", "华东二组", "east"},
	{"south", "华南销售部", "hq"},
	{"south-1", "华南一组", "south"},
	{"south-2", "华南二组", "south"},
	{"marketing", "市场部", "hq"},
}

// repTeams lists the teams reps are spread over, in order; with 40 reps the
// first four get 7 and the last two 6.
var repTeams = []string{"north-1", "north-2", "east-1", "east-2", "south-1", "south-2"}

// repCount is the number of sales reps, rep01 … rep40.
const repCount = 40

// marketingManager runs 市场部 and assigns the leads of the hidden
// marketing pool.
const marketingManager = "mgr.mkt"

// poolSpec is a pool plus what the generator needs to fill it.
type poolSpec struct {
	Pool
	region string // sales region of its customers' provinces; "" = anywhere
	share  int    // relative share of all customers
}

// poolSpecs returns fresh pool definitions on each call so that no two
// generated Orgs share slices.
func poolSpecs() []poolSpec {
	return []poolSpec{
		{Pool{Key: "north", Name: "华北公海", MemberDepartmentKeys: []string{"north"}, AdminLogins: []string{"mgr.north"},
			DailyClaimLimit: 20, ReclaimCooldownDays: 15, ReleaseWaitHours: 48, HoldingLimit: 150}, "华北", 24},
		{Pool{Key: "east", Name: "华东公海", MemberDepartmentKeys: []string{"east"}, AdminLogins: []string{"mgr.east"},
			DailyClaimLimit: 30, ReclaimCooldownDays: 15, ReleaseWaitHours: 48, HoldingLimit: 200}, "华东", 34},
		{Pool{Key: "south", Name: "华南公海", MemberDepartmentKeys: []string{"south"}, AdminLogins: []string{"mgr.south"},
			DailyClaimLimit: 20, ReclaimCooldownDays: 10, ReleaseWaitHours: 24, HoldingLimit: 150}, "华南", 24},
		// Campaign leads from 市场部 are distributed by marketing rather
		// than grabbed by whoever is fastest, hence hidden (assign-only)
		// with the marketing manager as pool admin.
		{Pool{Key: "leads", Name: "市场线索池", Hidden: true, MemberDepartmentKeys: []string{"north", "east", "south"},
			AdminLogins:     []string{marketingManager},
			DailyClaimLimit: 10, ReclaimCooldownDays: 30, ReleaseWaitHours: 72, HoldingLimit: 100}, "", 18},
	}
}

// ownedPercent is the share of customers already held by a rep.
const ownedPercent = 25

// emailPercent is the share of customers with an e-mail address; phone is
// what Chinese sales teams live on.
const emailPercent = 60

// wechatPercent of customers have given a WeChat id.
const wechatPercent = 50

var (
	categoryPicker = newChoices([]choice{{"A", 15}, {"B", 35}, {"C", 50}})

	// Bigger customers buy bigger editions.
	productByCategory = map[string]weighted[string]{
		"A": newChoices([]choice{{"标准版", 10}, {"专业版", 25}, {"企业版", 40}, {"私有化部署", 25}}),
		"B": newChoices([]choice{{"标准版", 20}, {"专业版", 45}, {"企业版", 30}, {"私有化部署", 5}}),
		"C": newChoices([]choice{{"标准版", 60}, {"专业版", 32}, {"企业版", 8}}),
	}

	// Leads in a pool are mostly untouched; owned ones have progressed.
	poolStage  = newChoices([]choice{{"初步接触", 55}, {"需求确认", 25}, {"方案报价", 12}, {"谈判", 6}, {"赢单", 2}})
	ownedStage = newChoices([]choice{{"初步接触", 30}, {"需求确认", 28}, {"方案报价", 20}, {"谈判", 14}, {"赢单", 8}})

	// Marketing leads come from campaigns; regional pools also get the
	// sales teams' own channels.
	marketingSource = newChoices([]choice{{"官网注册", 25}, {"百度推广", 22}, {"微信公众号", 18}, {"抖音", 15}, {"展会", 15}, {"合作伙伴", 5}})
	regionSource    = newChoices([]choice{{"电话营销", 22}, {"老客户推荐", 18}, {"展会", 15}, {"合作伙伴", 13}, {"官网注册", 12}, {"百度推广", 10}, {"微信公众号", 6}, {"抖音", 4}})

	companySuffix = newChoices([]choice{{"有限公司", 88}, {"股份有限公司", 12}})

	// Real number-segment prefixes of China Mobile, Unicom and Telecom.
	phonePrefixes = []string{
		"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
		"150", "151", "152", "153", "155", "156", "157", "158", "159",
		"166", "177",
		"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
		"198", "199",
	}

	emailKind = newChoices([]choice{{"qq.com", 35}, {"163.com", 20}, {"126.com", 8}, {"139.com", 5}, {"foxmail.com", 4}, {"sina.com", 3}, {"", 25}}) // "" = company domain
)

// generator holds the random source and the uniqueness sets of one run.
type generator struct {
	r         *rand.Rand
	areas     *areaIndex
	names     map[string]bool // user names, so two colleagues are not namesakes
	companies map[string]bool
	domains   map[string]bool
	phones    map[string]bool
	emails    map[string]bool
	wechats   map[string]bool
}

// Generate builds the demo organisation with the given number of customers
// (negative counts as zero). The random source is a PCG seeded from seed,
// so the same seed and count always give the same Org.
func Generate(seed uint64, customers int) Org {
	customers = max(customers, 0)
	g := &generator{
		// The second PCG word is a fixed odd constant: only seed varies.
		r:         rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		areas:     loadAreas(),
		names:     map[string]bool{},
		companies: make(map[string]bool, customers),
		domains:   map[string]bool{},
		phones:    make(map[string]bool, customers),
		emails:    make(map[string]bool, customers),
		wechats:   make(map[string]bool, customers),
	}
	var org Org
	org.Departments = append([]Department(nil), departments...)
	org.Users = g.users()
	specs := poolSpecs()
	for _, s := range specs {
		org.Pools = append(org.Pools, s.Pool)
	}
	org.Customers = g.customers(customers, specs, org.Users)
	return org
}

// users creates the admin, the managers and the reps. Structure and logins
// are fixed; names and rep levels come from the seed.
func (g *generator) users() []User {
	users := []User{{Login: AdminLogin, Name: "系统管理员", Role: RoleAdmin, DepartmentKey: "hq"}}
	for _, d := range salesDepts {
		users = append(users, User{Login: d.manager, Name: g.userName(), Role: RoleManager, DepartmentKey: d.key})
	}
	users = append(users, User{Login: marketingManager, Name: g.userName(), Role: RoleManager, DepartmentKey: "marketing"})

	// Consecutive logins per team (rep01-rep07 in 华北一组 …), as when a
	// team is hired together; about a third of each team is senior.
	per, extra := repCount/len(repTeams), repCount%len(repTeams)
	n := 0
	for t, team := range repTeams {
		size := per
		if t < extra {
			size++
		}
		seniors := (size + 1) / 3
		senior := make([]bool, size)
		for _, i := range g.r.Perm(size)[:seniors] {
			senior[i] = true
		}
		for i := range size {
			n++
			level := LevelJunior
			if senior[i] {
				level = LevelSenior
			}
			users = append(users, User{
				Login: fmt.Sprintf("rep%02d", n), Name: g.userName(), Role: RoleRep,
				DepartmentKey: team, Level: level,
			})
		}
	}
	return users
}

// userName draws a person name not yet used by another user.
func (g *generator) userName() string {
	for {
		p := newPerson(g.r)
		if !g.names[p.name] {
			g.names[p.name] = true
			return p.name
		}
	}
}

// rep is a pool member who can own customers, with a weight: seniors hold
// more customers than juniors.
type rep struct {
	login  string
	region string // sales region of the rep's department
	weight int
}

// customers creates n customers spread over the pools.
func (g *generator) customers(n int, specs []poolSpec, users []User) []Customer {
	parent := map[string]string{}
	for _, d := range departments {
		parent[d.Key] = d.ParentKey
	}
	regionOf := map[string]string{}
	for _, d := range salesDepts {
		regionOf[d.key] = d.region
	}
	// deptRegion walks up to the sales department to find a team's region.
	deptRegion := func(key string) string {
		for ; key != ""; key = parent[key] {
			if r, ok := regionOf[key]; ok {
				return r
			}
		}
		return ""
	}
	within := func(key, ancestor string) bool {
		for ; key != ""; key = parent[key] {
			if key == ancestor {
				return true
			}
		}
		return false
	}

	// Owner candidates per pool, and per pool and region so that a 广东
	// lead of the marketing pool goes to a 华南 rep, as routing would do.
	type owners struct {
		all      weighted[rep]
		byRegion map[string]weighted[rep]
	}
	poolOwners := make([]owners, len(specs))
	for i, s := range specs {
		var all []rep
		var allW []int
		regReps := map[string][]rep{}
		regW := map[string][]int{}
		for _, u := range users {
			if u.Role != RoleRep {
				continue
			}
			member := false
			for _, m := range s.MemberDepartmentKeys {
				member = member || within(u.DepartmentKey, m)
			}
			if !member {
				continue
			}
			w := 2
			if u.Level == LevelSenior {
				w = 3
			}
			rp := rep{login: u.Login, region: deptRegion(u.DepartmentKey), weight: w}
			all = append(all, rp)
			allW = append(allW, w)
			regReps[rp.region] = append(regReps[rp.region], rp)
			regW[rp.region] = append(regW[rp.region], w)
		}
		if len(all) == 0 {
			continue
		}
		o := owners{all: newWeighted(all, allW), byRegion: map[string]weighted[rep]{}}
		for reg, rs := range regReps {
			o.byRegion[reg] = newWeighted(rs, regW[reg])
		}
		poolOwners[i] = o
	}

	shares := make([]int, len(specs))
	idx := make([]int, len(specs))
	for i, s := range specs {
		shares[i], idx[i] = s.share, i
	}
	poolPicker := newWeighted(idx, shares)
	// holding[pool][login] counts owned customers, so that no rep is over
	// the pool's holding limit whatever n is.
	holding := make([]map[string]int, len(specs))
	for i := range holding {
		holding[i] = map[string]int{}
	}

	out := make([]Customer, 0, n)
	for range n {
		pi := poolPicker.pick(g.r)
		spec := specs[pi]

		provs := g.areas.all
		if spec.region != "" {
			provs = g.areas.byRegion[spec.region]
		}
		prov := provs.pick(g.r)
		c := prov.cities.pick(g.r)
		district := c.districts[g.r.IntN(len(c.districts))]

		ind := industryPicker.pick(g.r)
		company, word, trade := g.company(c.prefix, ind)
		contact := newPerson(g.r)
		category := categoryPicker.pick(g.r)

		owner := ""
		if g.r.IntN(100) < ownedPercent && len(poolOwners[pi].all.items) > 0 {
			cands := poolOwners[pi].all
			if rc, ok := poolOwners[pi].byRegion[prov.region]; ok {
				cands = rc
			}
			if rp := cands.pick(g.r); holding[pi][rp.login] < spec.HoldingLimit {
				holding[pi][rp.login]++
				owner = rp.login
			}
		}
		stage := poolStage
		if owner != "" {
			stage = ownedStage
		}
		source := regionSource
		if spec.region == "" {
			source = marketingSource
		}

		cust := Customer{
			PoolKey:     spec.Key,
			OwnerLogin:  owner,
			Name:        contact.name,
			Company:     company,
			Category:    category,
			Industry:    ind.name,
			Region:      prov.name + "/" + c.name + "/" + district,
			ProductLine: productByCategory[category].pick(g.r),
			Source:      source.pick(g.r),
			Stage:       stage.pick(g.r),
			Phone:       g.phone(),
		}
		if g.r.IntN(100) < emailPercent {
			cust.Email = g.email(contact, trade, word)
		}
		if g.r.IntN(100) < wechatPercent {
			cust.WeChat = g.wechat(contact)
		}
		out = append(out, cust)
	}
	return out
}
