package demo

import (
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gonghai/gonghai/internal/dedup"
	"github.com/google/go-cmp/cmp"
)

// demoSize is the number of customers the demo loads.
const demoSize = 10000

// demoOrg caches Generate(1, demoSize): several tests check the same Org
// and there is no need to build it for each.
var demoOrg = sync.OnceValue(func() Org { return Generate(1, demoSize) })

func TestGenerateDeterministic(t *testing.T) {
	a, b := Generate(42, 2000), Generate(42, 2000)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different Orgs (-first +second):\n%s", diff)
	}
	if c := Generate(43, 2000); cmp.Equal(a.Customers, c.Customers) {
		t.Error("seeds 42 and 43 gave the same customers")
	}
}

func TestGenerateNoSharedSlices(t *testing.T) {
	// Callers may edit an Org; that must not leak into the next one.
	a := Generate(1, 10)
	a.Pools[0].MemberDepartmentKeys[0] = "changed"
	a.Departments[0].Name = "changed"
	b := Generate(1, 10)
	if b.Pools[0].MemberDepartmentKeys[0] == "changed" || b.Departments[0].Name == "changed" {
		t.Error("Generate returns slices shared between calls")
	}
}

func TestGenerateEmptyAndNegative(t *testing.T) {
	for _, n := range []int{0, -5} {
		org := Generate(1, n)
		if len(org.Customers) != 0 {
			t.Errorf("Generate(1, %d): %d customers, want 0", n, len(org.Customers))
		}
		if len(org.Users) == 0 || len(org.Pools) != 4 {
			t.Errorf("Generate(1, %d): %d users, %d pools", n, len(org.Users), len(org.Pools))
		}
	}
}

func TestDepartments(t *testing.T) {
	org := demoOrg()
	keys := map[string]bool{}
	roots := 0
	for _, d := range org.Departments {
		if keys[d.Key] {
			t.Errorf("duplicate department key %q", d.Key)
		}
		keys[d.Key] = true
		if !regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(d.Key) {
			t.Errorf("department key %q is not short ascii", d.Key)
		}
		if d.ParentKey == "" {
			roots++
		}
	}
	if roots != 1 {
		t.Errorf("%d root departments, want 1", roots)
	}
	for _, d := range org.Departments {
		if d.ParentKey != "" && !keys[d.ParentKey] {
			t.Errorf("department %q: unknown parent %q", d.Key, d.ParentKey)
		}
	}
	names := map[string]bool{}
	for _, d := range org.Departments {
		names[d.Name] = true
	}
	for _, want := range []string{"华北销售部", "华北一组", "华北二组", "华东销售部", "华南销售部", "市场部"} {
		if !names[want] {
			t.Errorf("no department %s", want)
		}
	}
}

func TestUsers(t *testing.T) {
	org := demoOrg()
	depts := map[string]bool{}
	for _, d := range org.Departments {
		depts[d.Key] = true
	}
	logins := map[string]bool{}
	names := map[string]bool{}
	admins, reps, juniors := 0, 0, 0
	managers := map[string]string{}
	for _, u := range org.Users {
		if logins[u.Login] {
			t.Errorf("duplicate login %q", u.Login)
		}
		logins[u.Login] = true
		if names[u.Name] {
			t.Errorf("two users named %s", u.Name)
		}
		names[u.Name] = true
		if !depts[u.DepartmentKey] {
			t.Errorf("user %s: unknown department %q", u.Login, u.DepartmentKey)
		}
		if n := len([]rune(u.Name)); n < 2 || n > 5 {
			t.Errorf("user %s: implausible name %q", u.Login, u.Name)
		}
		switch u.Role {
		case RoleAdmin:
			admins++
			if u.Login != AdminLogin {
				t.Errorf("admin has login %q, want %q", u.Login, AdminLogin)
			}
		case RoleManager:
			managers[u.Login] = u.DepartmentKey
		case RoleRep:
			reps++
			switch u.Level {
			case LevelJunior:
				juniors++
			case LevelSenior:
			default:
				t.Errorf("rep %s: level %q", u.Login, u.Level)
			}
			if !regexp.MustCompile(`^rep\d{2}$`).MatchString(u.Login) {
				t.Errorf("rep login %q", u.Login)
			}
			continue
		default:
			t.Errorf("user %s: role %q", u.Login, u.Role)
		}
		if u.Level != "" {
			t.Errorf("non-rep %s has level %q", u.Login, u.Level)
		}
	}
	if admins != 1 {
		t.Errorf("%d admins, want 1", admins)
	}
	for login, dept := range map[string]string{"mgr.north": "north", "mgr.east": "east", "mgr.south": "south"} {
		if managers[login] != dept {
			t.Errorf("manager %s in %q, want %q", login, managers[login], dept)
		}
	}
	if reps != 40 {
		t.Errorf("%d reps, want 40", reps)
	}
	if juniors < reps/2 || juniors > reps*4/5 {
		t.Errorf("%d of %d reps junior, want about 2/3", juniors, reps)
	}
}

func TestPools(t *testing.T) {
	org := demoOrg()
	if len(org.Pools) != 4 {
		t.Fatalf("%d pools, want 4", len(org.Pools))
	}
	depts := map[string]bool{}
	for _, d := range org.Departments {
		depts[d.Key] = true
	}
	users := map[string]bool{}
	for _, u := range org.Users {
		users[u.Login] = true
	}
	keys := map[string]bool{}
	for _, p := range org.Pools {
		if keys[p.Key] {
			t.Errorf("duplicate pool key %q", p.Key)
		}
		keys[p.Key] = true
		if len(p.MemberDepartmentKeys) == 0 {
			t.Errorf("pool %s has no members", p.Key)
		}
		for _, m := range p.MemberDepartmentKeys {
			if !depts[m] {
				t.Errorf("pool %s: unknown member department %q", p.Key, m)
			}
		}
		for _, a := range p.AdminLogins {
			if !users[a] {
				t.Errorf("pool %s: unknown admin %q", p.Key, a)
			}
		}
		if p.Hidden && len(p.AdminLogins) == 0 {
			t.Errorf("hidden pool %s has no admin to assign its customers", p.Key)
		}
		inRange := func(name string, v, lo, hi int) {
			if v < lo || v > hi {
				t.Errorf("pool %s: %s = %d, want %d..%d", p.Key, name, v, lo, hi)
			}
		}
		inRange("DailyClaimLimit", p.DailyClaimLimit, 10, 30)
		inRange("ReclaimCooldownDays", p.ReclaimCooldownDays, 7, 30)
		inRange("ReleaseWaitHours", p.ReleaseWaitHours, 24, 72)
		inRange("HoldingLimit", p.HoldingLimit, 100, 300)
	}
}

// poolRegion is the sales region each regional pool's provinces must be in.
var poolRegion = map[string]string{"north": "华北", "east": "华东", "south": "华南"}

func TestCustomers(t *testing.T) {
	org := demoOrg()
	if len(org.Customers) != demoSize {
		t.Fatalf("%d customers, want %d", len(org.Customers), demoSize)
	}

	parent := map[string]string{}
	for _, d := range org.Departments {
		parent[d.Key] = d.ParentKey
	}
	within := func(key, ancestor string) bool {
		for ; key != ""; key = parent[key] {
			if key == ancestor {
				return true
			}
		}
		return false
	}
	users := map[string]User{}
	for _, u := range org.Users {
		users[u.Login] = u
	}
	pools := map[string]Pool{}
	for _, p := range org.Pools {
		pools[p.Key] = p
	}
	allowed := map[string]map[string]bool{}
	set := func(field string, vs ...string) {
		allowed[field] = map[string]bool{}
		for _, v := range vs {
			allowed[field][v] = true
		}
	}
	set("Category", "A", "B", "C")
	set("Industry", "制造业", "信息技术", "批发零售", "医疗健康", "教育培训", "建筑地产", "物流运输", "金融服务", "餐饮酒店", "能源化工")
	set("ProductLine", "标准版", "专业版", "企业版", "私有化部署")
	set("Source", "官网注册", "展会", "电话营销", "百度推广", "微信公众号", "老客户推荐", "抖音", "合作伙伴")
	set("Stage", "初步接触", "需求确认", "方案报价", "谈判", "赢单")

	phoneRE := regexp.MustCompile(`^1[3-9]\d{9}$`)
	emailRE := regexp.MustCompile(`^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$`)
	companyRE := regexp.MustCompile(`^\p{Han}{4,}(股份)?有限公司$`)
	phones := map[string]bool{}
	companies := map[string]bool{}
	emails := map[string]bool{}
	wechatRE := regexp.MustCompile(`^(wxid_[a-z0-9]{12}|[a-z]+[0-9]{3,6})$`)
	wechats := map[string]bool{}
	count := map[string]map[string]int{}
	owned, withEmail, withWeChat := 0, 0, 0
	holding := map[[2]string]int{}
	for i, c := range org.Customers {
		if !phoneRE.MatchString(c.Phone) {
			t.Errorf("customer %d: phone %q", i, c.Phone)
		}
		if phones[c.Phone] {
			t.Errorf("customer %d: duplicate phone %s", i, c.Phone)
		}
		phones[c.Phone] = true
		if !companyRE.MatchString(c.Company) {
			t.Errorf("customer %d: company %q", i, c.Company)
		}
		if key := dedup.Company(c.Company); companies[key] {
			t.Errorf("customer %d: duplicate company %s", i, c.Company)
		} else {
			companies[key] = true
		}
		if c.Email != "" {
			withEmail++
			if !emailRE.MatchString(c.Email) {
				t.Errorf("customer %d: email %q", i, c.Email)
			}
			if emails[c.Email] {
				t.Errorf("customer %d: duplicate email %s", i, c.Email)
			}
			emails[c.Email] = true
		}
		if c.WeChat != "" {
			withWeChat++
			if !wechatRE.MatchString(c.WeChat) || wechats[c.WeChat] {
				t.Errorf("customer %d: WeChat id %q malformed or taken twice", i, c.WeChat)
			}
			wechats[c.WeChat] = true
		}
		if n := len([]rune(c.Name)); n < 2 || n > 5 {
			t.Errorf("customer %d: contact name %q", i, c.Name)
		}
		for field, v := range map[string]string{
			"Category": c.Category, "Industry": c.Industry, "ProductLine": c.ProductLine,
			"Source": c.Source, "Stage": c.Stage,
		} {
			if !allowed[field][v] {
				t.Errorf("customer %d: %s = %q", i, field, v)
			}
			if count[field] == nil {
				count[field] = map[string]int{}
			}
			count[field][v]++
		}

		parts := strings.Split(c.Region, "/")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			t.Errorf("customer %d: region %q is not 省/市/区", i, c.Region)
		} else if want, ok := poolRegion[c.PoolKey]; ok {
			if got := SalesRegion(parts[0]); got != want {
				t.Errorf("customer %d in pool %s: province %s is in %q, want %q", i, c.PoolKey, parts[0], got, want)
			}
		} else if SalesRegion(parts[0]) == "" {
			t.Errorf("customer %d: province %s has no sales region", i, parts[0])
		}

		pool, ok := pools[c.PoolKey]
		if !ok {
			t.Errorf("customer %d: unknown pool %q", i, c.PoolKey)
			continue
		}
		if c.OwnerLogin == "" {
			continue
		}
		owned++
		u, ok := users[c.OwnerLogin]
		if !ok {
			t.Errorf("customer %d: unknown owner %q", i, c.OwnerLogin)
			continue
		}
		if u.Role != RoleRep {
			t.Errorf("customer %d: owner %s is a %s, not a rep", i, u.Login, u.Role)
		}
		member := false
		for _, m := range pool.MemberDepartmentKeys {
			member = member || within(u.DepartmentKey, m)
		}
		if !member {
			t.Errorf("customer %d: owner %s (%s) is not a member of pool %s", i, u.Login, u.DepartmentKey, pool.Key)
		}
		k := [2]string{pool.Key, u.Login}
		holding[k]++
		if holding[k] == pool.HoldingLimit+1 {
			t.Errorf("rep %s holds more than %d customers of pool %s", u.Login, pool.HoldingLimit, pool.Key)
		}
	}

	// Shares are random, so the bounds are loose: they catch a broken
	// weight table, not sampling noise.
	share := func(what string, got, lo, hi int) {
		if pct := got * 100 / len(org.Customers); pct < lo || pct > hi {
			t.Errorf("%s: %d%%, want %d-%d%%", what, pct, lo, hi)
		}
	}
	share("owned", owned, 20, 30)
	share("with e-mail", withEmail, 55, 65)
	share("with WeChat", withWeChat, 45, 55)
	share("category A", count["Category"]["A"], 12, 18)
	share("category B", count["Category"]["B"], 31, 39)
	share("category C", count["Category"]["C"], 45, 55)
	if count["Stage"]["初步接触"] <= count["Stage"]["谈判"] || count["Stage"]["需求确认"] <= count["Stage"]["赢单"] {
		t.Errorf("stages not weighted to early ones: %v", count["Stage"])
	}
	for field, vs := range allowed {
		for v := range vs {
			if count[field][v] == 0 {
				t.Errorf("%s %q never generated", field, v)
			}
		}
	}
	for _, p := range org.Pools {
		if n := countPool(org.Customers, p.Key); n < demoSize/10 {
			t.Errorf("pool %s: only %d customers", p.Key, n)
		}
	}
}

func countPool(cs []Customer, key string) int {
	n := 0
	for _, c := range cs {
		if c.PoolKey == key {
			n++
		}
	}
	return n
}

func TestCustomersVaried(t *testing.T) {
	// 10,000 customers must not look repetitive: many distinct contact
	// names and surnames, and no single name dominating.
	org := demoOrg()
	names := map[string]int{}
	surnames := map[string]bool{}
	cities := map[string]bool{}
	for _, c := range org.Customers {
		names[c.Name]++
		surnames[string([]rune(c.Name)[0])] = true
		p := strings.Split(c.Region, "/")
		cities[p[0]+p[1]] = true
	}
	if len(names) < demoSize*6/10 {
		t.Errorf("only %d distinct contact names in %d customers", len(names), demoSize)
	}
	for n, k := range names {
		if k > 10 {
			t.Errorf("contact name %s used %d times", n, k)
		}
	}
	if len(surnames) < 100 {
		t.Errorf("only %d surnames", len(surnames))
	}
	if len(cities) < 200 {
		t.Errorf("only %d cities", len(cities))
	}
}

func TestSalesRegion(t *testing.T) {
	for in, want := range map[string]string{
		"北京市":      "华北",
		"内蒙古自治区":   "华北",
		"广东省":      "华南",
		"广西壮族自治区":  "华南",
		"上海":       "华东",
		"湖北省":      "华中",
		"西藏自治区":    "西南",
		"新疆维吾尔自治区": "西北",
		"黑龙江省":     "东北",
		"陕西省":      "西北",
		"山西省":      "华北",
		"香港特别行政区":  "",
		"台湾省":      "",
		"":         "",
		"北":        "",
	} {
		if got := SalesRegion(in); got != want {
			t.Errorf("SalesRegion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAreas(t *testing.T) {
	idx := loadAreas()
	if n := len(idx.all.items); n != 31 {
		t.Errorf("%d mainland provinces, want 31", n)
	}
	for _, reg := range []string{"华北", "华东", "华南", "华中", "西南", "西北", "东北"} {
		if len(idx.byRegion[reg].items) == 0 {
			t.Errorf("no provinces in %s", reg)
		}
	}
	for _, p := range idx.all.items {
		for _, c := range p.cities.items {
			if len(c.districts) == 0 || c.prefix == "" || strings.HasSuffix(c.prefix, "市") {
				t.Errorf("%s %s: districts %d, prefix %q", p.name, c.name, len(c.districts), c.prefix)
			}
		}
	}
}

func TestGenerateDemoSize(t *testing.T) {
	// Not a benchmark: the demo loader calls Generate(1, 10000) on start,
	// so it has to finish comfortably inside a test run. Log a sample for
	// eyeballing with -v.
	org := Generate(1, demoSize)
	for _, c := range org.Customers[:5] {
		t.Logf("%+v", c)
	}
}
