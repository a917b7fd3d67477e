package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/demo"
	"github.com/gonghai/gonghai/internal/store"
)

// The seeded customers are the demo's (internal/demo): Chinese names and
// companies. Their contacts are made unique by row, and the fields the
// listing filters on are drawn by row at the frequencies the list bench's
// filters need: one value, or two together, that select about 9 %, 0.3 %
// and under 0.01 % of a pool.

// Seeded values that the list bench filters on, with their frequencies.
const (
	valueCategory  = "A"           // 9 %
	valueAerospace = "航空航天"        // industry, 0.3 %
	valueCustom    = "定制版"         // product line, 0.005 %
	valueFlagship  = "旗舰版"         // product line, 1 %
	valueWebsite   = "官网注册"        // source, 30 %
	valueFair      = "展会"          // source, 3.33 %
	valueProvince  = "广东省"         // region, 30 %, each a path below it
	valueElsewhere = "浙江省/杭州市/西湖区" // for a demo region in 广东省 on a row not drawn for it
)

// traits are the filtered fields of seeded row i as drawn: from the row
// number alone, so that a bench counts the rows a filter selects without
// asking the database.
type traits struct {
	categoryA, aerospace, custom, flagship, website, fair, guangdong bool
	category, source                                                 string
}

var (
	otherSources = []string{"电话营销", "老客户推荐", "合作伙伴", "百度推广", "微信公众号", "抖音"}
	guangdong    = []string{"广东省/深圳市/南山区", "广东省/广州市/天河区", "广东省/东莞市/南城街道", "广东省/佛山市/顺德区"}
	// phonePrefixes are real mobile number segments; with the row number
	// after them every seeded phone is different.
	phonePrefixes = []string{"130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
		"166", "177", "180", "181", "186", "187", "188", "189", "198", "199"}
)

func traitsOf(i int) traits {
	r := rand.New(rand.NewPCG(uint64(i), 0x6c697374))
	var t traits
	t.categoryA = r.Float64() < 0.09
	t.category = "A"
	if !t.categoryA {
		t.category = []string{"B", "C", "C"}[r.IntN(3)]
	}
	t.aerospace = r.Float64() < 0.003
	product := r.Float64()
	t.custom, t.flagship = product < 0.00005, product >= 0.00005 && product < 0.01005
	source := r.Float64()
	t.website, t.fair = source < 0.30, source >= 0.30 && source < 0.30+0.1/3
	switch {
	case t.website:
		t.source = valueWebsite
	case t.fair:
		t.source = valueFair
	default:
		t.source = otherSources[r.IntN(len(otherSources))]
	}
	t.guangdong = r.Float64() < 0.30
	return t
}

// demoSeed is the seed of the demo generator for the chunk that starts at
// row lo: each chunk draws its own names, so rows are generated a chunk
// at a time and any chunk again without the ones before it.
func demoSeed(lo int) uint64 { return 0x62656e6368 + uint64(lo) }

// fields returns the fields of seeded row i, from the demo customer d.
func fields(i int, d demo.Customer) gonghai.CustomerFields {
	t := traitsOf(i)
	f := gonghai.CustomerFields{Name: d.Name, Company: d.Company, Category: t.category, Industry: d.Industry,
		Region: d.Region, ProductLine: d.ProductLine, Source: t.source, Stage: d.Stage,
		Phone: phonePrefixes[i%len(phonePrefixes)] + fmt.Sprintf("%08d", i/len(phonePrefixes))}
	tag := strconv.FormatInt(int64(i), 36)
	// One company is one customer (the duplicate check reads the normal
	// form): chunks draw their names apart, so each row's company carries
	// its tag before the legal form, 北京汇峰文化传播·2bx有限公司.
	for _, legal := range []string{"股份有限公司", "有限公司"} {
		if base, ok := strings.CutSuffix(f.Company, legal); ok {
			f.Company = base + "·" + tag + legal
			break
		}
	}
	if local, domain, ok := strings.Cut(d.Email, "@"); ok {
		f.Email = local + "." + tag + "@" + domain
	}
	if d.WeChat != "" {
		f.WeChat = d.WeChat + "_" + tag
	}
	if t.aerospace {
		f.Industry = valueAerospace
	}
	switch {
	case t.custom:
		f.ProductLine = valueCustom
	case t.flagship:
		f.ProductLine = valueFlagship
	}
	switch {
	case t.guangdong:
		f.Region = guangdong[i%len(guangdong)]
	case strings.HasPrefix(f.Region, valueProvince+"/"):
		f.Region = valueElsewhere
	}
	return f
}

// chunk returns the demo customers of rows lo … hi-1.
func chunk(lo, hi int) []demo.Customer {
	return demo.Generate(demoSeed(lo), hi-lo).Customers
}

// rows returns seeded rows lo … hi-1, unowned, each in its pool; lo starts
// a chunk.
func (s *seeded) rows(lo, hi int) []store.BulkCustomer {
	out := make([]store.BulkCustomer, hi-lo)
	for k, d := range chunk(lo, hi) {
		i := lo + k
		out[k] = store.BulkCustomer{NewCustomer: gonghai.NewCustomer{PoolID: s.pools[poolOf(i)].ID, CustomerFields: fields(i, d)}}
	}
	return out
}
