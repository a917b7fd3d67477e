package demo

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// areasCSV is China's administrative area tree (id,name,type,parentId).
// Source: file area.csv of the ruoyi-vue-pro project
// (https://github.com/YunaiV/ruoyi-vue-pro), MIT licence,
// Copyright (c) 2021 ruoyi-vue-pro. See README.md in this folder.
//
//go:embed areas-cn.csv
var areasCSV string

// Area types as used in the CSV's type column (1 is a country).
const (
	areaProvince = 2
	areaCity     = 3
	areaDistrict = 4
)

// chinaID is the CSV id of the country row whose children are the provinces;
// the file also lists foreign countries, which we ignore.
const chinaID = 1

// salesRegions maps the short province names to the sales region a Chinese
// sales organisation usually splits the country into. Short names are used
// so that both "广东" and the CSV's full "广东省" match by prefix.
var salesRegions = []struct{ short, region string }{
	{"北京", "华北"}, {"天津", "华北"}, {"河北", "华北"}, {"山西", "华北"}, {"内蒙古", "华北"},
	{"上海", "华东"}, {"江苏", "华东"}, {"浙江", "华东"}, {"安徽", "华东"}, {"福建", "华东"}, {"江西", "华东"}, {"山东", "华东"},
	{"广东", "华南"}, {"广西", "华南"}, {"海南", "华南"},
	{"河南", "华中"}, {"湖北", "华中"}, {"湖南", "华中"},
	{"重庆", "西南"}, {"四川", "西南"}, {"贵州", "西南"}, {"云南", "西南"}, {"西藏", "西南"},
	{"陕西", "西北"}, {"甘肃", "西北"}, {"青海", "西北"}, {"宁夏", "西北"}, {"新疆", "西北"},
	{"辽宁", "东北"}, {"吉林", "东北"}, {"黑龙江", "东北"},
}

// provinceShort returns the short name (广东, 内蒙古 …) of a province name
// given either short or in full, "" when it is not a mainland province
// with a sales region.
func provinceShort(province string) string {
	for _, s := range salesRegions {
		if strings.HasPrefix(province, s.short) {
			return s.short
		}
	}
	return ""
}

// SalesRegion returns the sales region (华北, 华东, 华南, 华中, 西南, 西北 or
// 东北) of a province, given by its short ("广东") or full ("广东省",
// "内蒙古自治区") name. It returns "" for an unknown name and for Hong Kong,
// Macao and Taiwan, which no mainland sales region covers.
func SalesRegion(province string) string {
	for _, s := range salesRegions {
		if strings.HasPrefix(province, s.short) {
			return s.region
		}
	}
	return ""
}

// provinceWeights roughly follow each province's share of GDP, so that the
// demo has many more leads in 广东 or 江苏 than in 西藏, as a real one would.
var provinceWeights = map[string]int{
	"广东": 130, "江苏": 120, "山东": 90, "浙江": 80, "河南": 60, "四川": 60,
	"湖北": 55, "福建": 50, "湖南": 50, "上海": 50, "安徽": 45, "北京": 45,
	"河北": 40, "陕西": 30, "江西": 30, "重庆": 30, "辽宁": 30, "云南": 30,
	"广西": 25, "山西": 25, "内蒙古": 20, "贵州": 20, "新疆": 20, "天津": 16,
	"黑龙江": 16, "吉林": 13, "甘肃": 11, "海南": 7, "宁夏": 5, "青海": 4, "西藏": 2,
}

// bigCities get extra weight besides the provincial capitals because they
// are where much of the business is, even though they are not capitals.
var bigCities = map[string]int{
	"深圳市": 5, "苏州市": 3, "青岛市": 3, "宁波市": 2, "厦门市": 2, "东莞市": 2,
	"佛山市": 2, "无锡市": 2, "大连市": 2, "温州市": 2,
}

// capitalWeight is the weight of a provincial capital (or a municipality's
// single city) against 1 for an ordinary city.
const capitalWeight = 5

// province is a mainland province-level area with its cities, ready for
// weighted picking.
type province struct {
	name   string // full name as in the CSV: 广东省
	short  string // 广东
	region string // 华南
	cities weighted[*city]
}

// city is a prefecture-level area with at least one district.
type city struct {
	name      string
	prefix    string // used in company names: 广州, or the province's short name for 自治州 and the like
	districts []string
}

// areaIndex is the parsed area tree, grouped the way the generator needs it.
type areaIndex struct {
	all      weighted[*province]            // every mainland province
	byRegion map[string]weighted[*province] // sales region → its provinces
}

// loadAreas parses the embedded CSV once; the file is part of the binary,
// so a parse error is a programming error and panics.
var loadAreas = sync.OnceValue(func() *areaIndex {
	idx, err := parseAreas(areasCSV)
	if err != nil {
		panic(fmt.Sprintf("demo: embedded areas-cn.csv: %v", err))
	}
	return idx
})

// parseAreas builds the province → city → district tree from the CSV,
// keeping only mainland provinces that have a sales region and cities that
// have districts, so every generated region has three non-empty parts.
func parseAreas(data string) (*areaIndex, error) {
	rows, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("empty file")
	}
	type row struct {
		id, parent, typ int
		name            string
	}
	parsed := make([]row, 0, len(rows)-1)
	for i, rec := range rows[1:] { // rows[0] is the header
		if len(rec) != 4 {
			return nil, fmt.Errorf("line %d: %d fields, want 4", i+2, len(rec))
		}
		var r row
		var err1, err2, err3 error
		r.id, err1 = strconv.Atoi(rec[0])
		r.typ, err2 = strconv.Atoi(rec[2])
		r.parent, err3 = strconv.Atoi(rec[3])
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("line %d: malformed numbers", i+2)
		}
		r.name = rec[1]
		parsed = append(parsed, r)
	}
	// Ids order the file the way the national code does (capital first
	// within a province); sort to be independent of the file's row order.
	slices.SortFunc(parsed, func(a, b row) int { return a.id - b.id })

	type cityAcc struct {
		id int
		c  *city
	}
	type provAcc struct {
		p      *province
		cities []cityAcc
	}
	var provs []*provAcc
	provByID := map[int]*provAcc{}
	cityByID := map[int]*city{}
	for _, r := range parsed {
		if r.typ != areaProvince || r.parent != chinaID {
			continue
		}
		short := provinceShort(r.name)
		if short == "" {
			continue // 香港, 澳门, 台湾: no mainland sales region
		}
		pa := &provAcc{p: &province{name: r.name, short: short, region: SalesRegion(short)}}
		provs = append(provs, pa)
		provByID[r.id] = pa
	}
	for _, r := range parsed {
		if r.typ != areaCity {
			continue
		}
		pa, ok := provByID[r.parent]
		if !ok {
			continue
		}
		prefix := pa.p.short
		if n, ok := strings.CutSuffix(r.name, "市"); ok {
			prefix = n
		}
		c := &city{name: r.name, prefix: prefix}
		pa.cities = append(pa.cities, cityAcc{id: r.id, c: c})
		cityByID[r.id] = c
	}
	for _, r := range parsed {
		if r.typ != areaDistrict {
			continue
		}
		if c, ok := cityByID[r.parent]; ok {
			c.districts = append(c.districts, r.name)
		}
	}

	idx := &areaIndex{byRegion: map[string]weighted[*province]{}}
	var all []*province
	var allW []int
	regionProvs := map[string][]*province{}
	regionW := map[string][]int{}
	var regionOrder []string
	for _, pa := range provs {
		var cs []*city
		var ws []int
		for _, ca := range pa.cities {
			if len(ca.c.districts) == 0 {
				continue
			}
			w := 1
			if ca.id%10000 == 100 { // xx0100: the capital, or a municipality's only city
				w = capitalWeight
			}
			if bw, ok := bigCities[ca.c.name]; ok {
				w = bw
			}
			cs = append(cs, ca.c)
			ws = append(ws, w)
		}
		if len(cs) == 0 {
			continue
		}
		pa.p.cities = newWeighted(cs, ws)
		pw := provinceWeights[pa.p.short]
		if pw == 0 {
			pw = 1
		}
		all = append(all, pa.p)
		allW = append(allW, pw)
		if _, seen := regionProvs[pa.p.region]; !seen {
			regionOrder = append(regionOrder, pa.p.region)
		}
		regionProvs[pa.p.region] = append(regionProvs[pa.p.region], pa.p)
		regionW[pa.p.region] = append(regionW[pa.p.region], pw)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no provinces found")
	}
	idx.all = newWeighted(all, allW)
	for _, reg := range regionOrder {
		idx.byRegion[reg] = newWeighted(regionProvs[reg], regionW[reg])
	}
	return idx, nil
}
