package demo

import (
	"math/rand/v2"
	"sort"
	"strings"
)

// weighted picks items with probability proportional to their weight.
// It is built once and only read afterwards, so it is safe to share.
type weighted[T any] struct {
	items []T
	cum   []int // cum[i] = sum of weights[0..i]
}

// newWeighted pairs items with weights; zero or negative weights make an
// item unpickable.
func newWeighted[T any](items []T, weights []int) weighted[T] {
	if len(items) != len(weights) {
		panic("demo: items and weights differ in length")
	}
	w := weighted[T]{items: items, cum: make([]int, len(items))}
	total := 0
	for i, x := range weights {
		if x > 0 {
			total += x
		}
		w.cum[i] = total
	}
	if total == 0 {
		panic("demo: all weights are zero")
	}
	return w
}

// pick returns a random item; a binary search keeps it cheap for the long
// surname table.
func (w weighted[T]) pick(r *rand.Rand) T {
	x := r.IntN(w.cum[len(w.cum)-1])
	return w.items[sort.SearchInts(w.cum, x+1)]
}

// choice is a string with a weight, the shape of most of the tables below.
type choice struct {
	value  string
	weight int
}

// newChoices turns a choice table into a weighted picker.
func newChoices(cs []choice) weighted[string] {
	items := make([]string, len(cs))
	ws := make([]int, len(cs))
	for i, c := range cs {
		items[i], ws[i] = c.value, c.weight
	}
	return newWeighted(items, ws)
}

// surname is a family name with its pinyin (for e-mail handles) and a
// weight roughly proportional to its frequency in China, so that 王, 李
// and 张 dominate as they do in any real customer list.
type surname struct {
	char, pinyin string
	weight       int
}

var surnames = []surname{
	{"王", "wang", 710}, {"李", "li", 700}, {"张", "zhang", 670}, {"刘", "liu", 540}, {"陈", "chen", 450},
	{"杨", "yang", 310}, {"黄", "huang", 220}, {"赵", "zhao", 220}, {"吴", "wu", 200}, {"周", "zhou", 190},
	{"徐", "xu", 170}, {"孙", "sun", 150}, {"马", "ma", 150}, {"朱", "zhu", 140}, {"胡", "hu", 130},
	{"郭", "guo", 120}, {"何", "he", 120}, {"高", "gao", 110}, {"林", "lin", 110}, {"罗", "luo", 100},
	{"郑", "zheng", 100}, {"梁", "liang", 100}, {"谢", "xie", 80}, {"宋", "song", 80}, {"唐", "tang", 80},
	{"许", "xu", 70}, {"韩", "han", 70}, {"冯", "feng", 70}, {"邓", "deng", 70}, {"曹", "cao", 70},
	{"彭", "peng", 60}, {"曾", "zeng", 60}, {"肖", "xiao", 60}, {"田", "tian", 60}, {"董", "dong", 50},
	{"袁", "yuan", 50}, {"潘", "pan", 50}, {"于", "yu", 50}, {"蒋", "jiang", 50}, {"蔡", "cai", 50},
	{"余", "yu", 50}, {"杜", "du", 50}, {"叶", "ye", 50}, {"程", "cheng", 50}, {"苏", "su", 40},
	{"魏", "wei", 40}, {"吕", "lv", 40}, {"丁", "ding", 40}, {"任", "ren", 40}, {"沈", "shen", 40},
	{"姚", "yao", 40}, {"卢", "lu", 40}, {"姜", "jiang", 40}, {"崔", "cui", 40}, {"钟", "zhong", 40},
	{"谭", "tan", 40}, {"陆", "lu", 40}, {"汪", "wang", 30}, {"范", "fan", 30}, {"金", "jin", 30},
	{"石", "shi", 30}, {"廖", "liao", 30}, {"贾", "jia", 30}, {"夏", "xia", 30}, {"韦", "wei", 30},
	{"付", "fu", 30}, {"方", "fang", 30}, {"白", "bai", 30}, {"邹", "zou", 30}, {"孟", "meng", 30},
	{"熊", "xiong", 30}, {"秦", "qin", 30}, {"邱", "qiu", 30}, {"江", "jiang", 30}, {"尹", "yin", 30},
	{"薛", "xue", 20}, {"闫", "yan", 20}, {"段", "duan", 20}, {"雷", "lei", 20}, {"侯", "hou", 20},
	{"龙", "long", 20}, {"史", "shi", 20}, {"陶", "tao", 20}, {"黎", "li", 20}, {"贺", "he", 20},
	{"顾", "gu", 20}, {"毛", "mao", 20}, {"郝", "hao", 20}, {"龚", "gong", 20}, {"邵", "shao", 20},
	{"万", "wan", 20}, {"钱", "qian", 20}, {"严", "yan", 20}, {"武", "wu", 20}, {"戴", "dai", 20},
	{"覃", "qin", 15}, {"莫", "mo", 15}, {"孔", "kong", 15}, {"向", "xiang", 15}, {"汤", "tang", 15},
	{"常", "chang", 15}, {"温", "wen", 15}, {"康", "kang", 12}, {"施", "shi", 12}, {"文", "wen", 12},
	{"牛", "niu", 12}, {"樊", "fan", 12}, {"葛", "ge", 12}, {"邢", "xing", 12}, {"安", "an", 10},
	{"齐", "qi", 10}, {"易", "yi", 10}, {"乔", "qiao", 10}, {"伍", "wu", 10}, {"庞", "pang", 10},
	{"颜", "yan", 10}, {"倪", "ni", 10}, {"庄", "zhuang", 10}, {"聂", "nie", 10}, {"章", "zhang", 10},
	{"鲁", "lu", 10}, {"岳", "yue", 10}, {"翟", "zhai", 10}, {"殷", "yin", 10}, {"詹", "zhan", 8},
	{"申", "shen", 8}, {"欧", "ou", 8}, {"耿", "geng", 8}, {"关", "guan", 8}, {"兰", "lan", 8},
	{"焦", "jiao", 8}, {"俞", "yu", 8}, {"左", "zuo", 8}, {"柳", "liu", 8}, {"甘", "gan", 8},
	{"祝", "zhu", 8}, {"包", "bao", 8}, {"宁", "ning", 8}, {"尚", "shang", 8}, {"符", "fu", 8},
	{"舒", "shu", 8}, {"阮", "ruan", 6}, {"柯", "ke", 6}, {"纪", "ji", 6}, {"梅", "mei", 6},
	{"童", "tong", 6}, {"凌", "ling", 6}, {"毕", "bi", 6}, {"单", "shan", 6}, {"季", "ji", 6},
	{"裴", "pei", 6}, {"霍", "huo", 6}, {"涂", "tu", 6}, {"成", "cheng", 6}, {"苗", "miao", 6},
	{"谷", "gu", 6}, {"盛", "sheng", 6}, {"曲", "qu", 6}, {"翁", "weng", 6}, {"冉", "ran", 5},
	{"骆", "luo", 5}, {"蓝", "lan", 5}, {"路", "lu", 5}, {"游", "you", 5}, {"辛", "xin", 5},
	{"靳", "jin", 5}, {"管", "guan", 5}, {"柴", "chai", 5}, {"蒙", "meng", 5}, {"鲍", "bao", 5},
	{"华", "hua", 5}, {"喻", "yu", 5}, {"祁", "qi", 5}, {"房", "fang", 5}, {"滕", "teng", 5},
	{"屈", "qu", 5}, {"饶", "rao", 5}, {"解", "xie", 5}, {"牟", "mou", 5}, {"艾", "ai", 5},
	{"尤", "you", 5}, {"阳", "yang", 5}, {"时", "shi", 5}, {"穆", "mu", 5}, {"农", "nong", 4},
	{"司", "si", 4}, {"卓", "zhuo", 4}, {"古", "gu", 4}, {"吉", "ji", 4}, {"缪", "miao", 4},
	{"简", "jian", 4}, {"车", "che", 4}, {"项", "xiang", 4}, {"连", "lian", 4}, {"芦", "lu", 4},
	{"麦", "mai", 4}, {"褚", "chu", 4}, {"娄", "lou", 4}, {"窦", "dou", 4}, {"戚", "qi", 4},
	{"岑", "cen", 4}, {"景", "jing", 4}, {"党", "dang", 4}, {"宫", "gong", 4}, {"费", "fei", 4},
	{"卜", "bu", 4}, {"冷", "leng", 4}, {"晏", "yan", 4}, {"席", "xi", 4}, {"卫", "wei", 4},
	{"米", "mi", 4}, {"柏", "bai", 4}, {"宗", "zong", 4}, {"瞿", "qu", 4}, {"桂", "gui", 4},
	{"全", "quan", 4}, {"佟", "tong", 4}, {"应", "ying", 4}, {"臧", "zang", 4}, {"闵", "min", 4},
	{"苟", "gou", 4}, {"邬", "wu", 4}, {"边", "bian", 4}, {"卞", "bian", 4}, {"姬", "ji", 4},
	{"师", "shi", 4}, {"仇", "qiu", 3}, {"栾", "luan", 3}, {"隋", "sui", 3}, {"商", "shang", 3},
	{"沙", "sha", 3}, {"荣", "rong", 3}, {"巫", "wu", 3}, {"寇", "kou", 3}, {"桑", "sang", 3},
	{"郎", "lang", 3}, {"甄", "zhen", 3}, {"丛", "cong", 3}, {"仲", "zhong", 3}, {"虞", "yu", 3},
	{"敖", "ao", 3}, {"巩", "gong", 3}, {"佘", "she", 3}, {"池", "chi", 3}, {"迟", "chi", 3},
	{"苑", "yuan", 3}, {"邝", "kuang", 3}, {"欧阳", "ouyang", 4}, {"上官", "shangguan", 2},
	{"司徒", "situ", 2}, {"诸葛", "zhuge", 1}, {"司马", "sima", 1},
}

// Given-name characters, split by the gender they usually suggest so that a
// name reads as one person rather than a random mix. Strings keep the
// tables compact; they are split into characters once. The lead
// characters only start a two-character name: 晓明 and 子涵 are common,
// 明晓 and 涵子 are not.
const (
	maleGiven   = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国东峰文亮晨博海志成新兵坤锋彬毅洋振宏伦鸿瑞祥泽睿哲铭轩昊天翔宸皓然航远达庆安福荣德胜永坚良栋梁山川江河松柏乐昌盛金宝顺利民生义光耀辰骏驰豪锐锦腾跃清源钧涵彦霖卓逸凡诚恒嘉熙康弘立功忠培树鹤承喜正春晖彪钢璋玮琛炜煜烨朗峻昕晔崇斐屹岳楷瀚灏淼鹰翰麟冠晋森桐"
	femaleGiven = "芳娜敏静丽艳娟霞秀英玲红燕萍梅琳雪婷慧倩颖琴欣丹蕾薇莉月佳怡晶洁璐瑶悦雯婧妍琪岚菲露蓉楠翠媛莹若溪诗梦晴雅淑珍凤兰芬芝彤馨萱雨心瑜琦柔卉茜菁蓓青姗珊苗竹桂香华春秋冬夏文玉美冰宁嘉佩琼翡素雁荷蕊依然娅娴妮婉欢韵虹霏璇婕嫣娇滢澜漪沁潇瑾珂黛芸芷苒茹莎蔓菡萌蕙絮绮纯曼晗昭曦暄朵蝶甜"
	maleLead    = "子一家晓思云志永国建"
	femaleLead  = "子晓思小雨梦欣佳诗"
)

var (
	maleChars   = uniqueRunes(maleGiven)
	femaleChars = uniqueRunes(femaleGiven)
	maleLeads   = uniqueRunes(maleLead)
	femaleLeads = uniqueRunes(femaleLead)
)

// uniqueRunes splits s into its distinct characters in order of first
// appearance, so an accidental repeat in the table does not skew weights.
func uniqueRunes(s string) []string {
	seen := map[rune]bool{}
	var out []string
	for _, r := range s {
		if !seen[r] {
			seen[r] = true
			out = append(out, string(r))
		}
	}
	return out
}

// English names that many Chinese office workers use in e-mail handles.
var (
	maleEnglish = []string{
		"david", "kevin", "jason", "tony", "jack", "leo", "eric", "frank", "peter", "alex",
		"steven", "michael", "vincent", "andy", "ryan", "simon", "sam", "henry", "victor", "allen",
		"jerry", "mark", "ken", "ray", "bruce", "james", "sean", "tom", "bill", "jimmy",
	}
	femaleEnglish = []string{
		"lucy", "amy", "emma", "grace", "cindy", "linda", "helen", "sherry", "vivian", "coco",
		"joyce", "iris", "tina", "anna", "lily", "judy", "jenny", "ivy", "nancy", "sophia",
		"kelly", "sunny", "wendy", "annie", "cathy", "crystal", "elaine", "fiona", "gloria", "rita",
	}
)

var surnamePicker = func() weighted[surname] {
	ws := make([]int, len(surnames))
	for i, s := range surnames {
		ws[i] = s.weight
	}
	return newWeighted(surnames, ws)
}()

// person is a generated Chinese person: the name and what an e-mail handle
// can be derived from without a full pinyin dictionary.
type person struct {
	name          string
	surnamePinyin string
	female        bool
}

// newPerson draws a name: a weighted surname and a one- or two-character
// given name (two characters are far more common today).
func newPerson(r *rand.Rand) person {
	s := surnamePicker.pick(r)
	female := r.IntN(2) == 0
	chars, leads := maleChars, maleLeads
	if female {
		chars, leads = femaleChars, femaleLeads
	}
	var b strings.Builder
	b.WriteString(s.char)
	switch n := r.IntN(100); {
	case n < 28: // 王伟
		b.WriteString(chars[r.IntN(len(chars))])
	case n < 40: // 王晓明
		b.WriteString(leads[r.IntN(len(leads))])
		b.WriteString(chars[r.IntN(len(chars))])
	default: // 王建华
		first := r.IntN(len(chars))
		second := r.IntN(len(chars) - 1)
		if second >= first { // skip the first character: 丽丽-style names exist but read as a generator bug
			second++
		}
		b.WriteString(chars[first])
		b.WriteString(chars[second])
	}
	return person{name: b.String(), surnamePinyin: s.pinyin, female: female}
}

// englishName returns an English name matching the person's gender.
func (p person) englishName(r *rand.Rand) string {
	if p.female {
		return femaleEnglish[r.IntN(len(femaleEnglish))]
	}
	return maleEnglish[r.IntN(len(maleEnglish))]
}

// tradeChar is a character commonly used in a company's trade name (字号),
// with its pinyin so the company can get a believable ascii domain.
type tradeChar struct{ char, pinyin string }

var tradeChars = []tradeChar{
	{"华", "hua"}, {"鑫", "xin"}, {"恒", "heng"}, {"泰", "tai"}, {"盛", "sheng"}, {"达", "da"},
	{"宏", "hong"}, {"远", "yuan"}, {"博", "bo"}, {"创", "chuang"}, {"智", "zhi"}, {"联", "lian"},
	{"通", "tong"}, {"信", "xin"}, {"康", "kang"}, {"瑞", "rui"}, {"丰", "feng"}, {"源", "yuan"},
	{"嘉", "jia"}, {"德", "de"}, {"兴", "xing"}, {"隆", "long"}, {"昌", "chang"}, {"弘", "hong"},
	{"宇", "yu"}, {"科", "ke"}, {"海", "hai"}, {"天", "tian"}, {"中", "zhong"}, {"金", "jin"},
	{"汇", "hui"}, {"新", "xin"}, {"益", "yi"}, {"安", "an"}, {"捷", "jie"}, {"顺", "shun"},
	{"和", "he"}, {"润", "run"}, {"永", "yong"}, {"正", "zheng"}, {"诚", "cheng"}, {"东", "dong"},
	{"方", "fang"}, {"明", "ming"}, {"亿", "yi"}, {"欣", "xin"}, {"美", "mei"}, {"合", "he"},
	{"晟", "sheng"}, {"卓", "zhuo"}, {"越", "yue"}, {"凯", "kai"}, {"拓", "tuo"}, {"锦", "jin"},
	{"荣", "rong"}, {"佳", "jia"}, {"广", "guang"}, {"立", "li"}, {"威", "wei"}, {"众", "zhong"},
	{"诺", "nuo"}, {"腾", "teng"}, {"飞", "fei"}, {"星", "xing"}, {"辰", "chen"}, {"峰", "feng"},
	{"骏", "jun"}, {"泽", "ze"}, {"启", "qi"}, {"航", "hang"}, {"鼎", "ding"}, {"铭", "ming"},
}

// industryWord is the business description in a company name (科技, 贸易 …)
// with a short ascii form for the company's web domain.
type industryWord struct{ word, ascii string }

// industry is one value of Customer.Industry with the company-name words
// that fit it, so a 医疗健康 customer is not called 某某物流有限公司.
type industry struct {
	name   string
	weight int
	words  []industryWord
}

var industries = []industry{
	{"制造业", 22, []industryWord{{"机械", "jixie"}, {"精密机械", "precision"}, {"电子", "dianzi"}, {"新材料", "material"}, {"汽车零部件", "auto"}, {"包装材料", "pack"}, {"五金制品", "hardware"}, {"智能装备", "equip"}}},
	{"信息技术", 15, []industryWord{{"科技", "tech"}, {"信息技术", "it"}, {"软件", "soft"}, {"网络科技", "net"}, {"数据科技", "data"}, {"智能科技", "ai"}}},
	{"批发零售", 14, []industryWord{{"贸易", "trade"}, {"商贸", "trading"}, {"供应链管理", "scm"}, {"电子商务", "ec"}, {"进出口", "imp-exp"}}},
	{"医疗健康", 8, []industryWord{{"医疗器械", "medical"}, {"生物科技", "bio"}, {"医药", "pharm"}, {"健康管理", "health"}}},
	{"教育培训", 7, []industryWord{{"教育咨询", "edu"}, {"教育科技", "edutech"}, {"职业技能培训", "training"}, {"文化传播", "culture"}}},
	{"建筑地产", 8, []industryWord{{"建材", "jiancai"}, {"建筑工程", "build"}, {"装饰工程", "deco"}, {"置业", "land"}, {"物业管理", "pm"}}},
	{"物流运输", 7, []industryWord{{"物流", "logistics"}, {"国际货运代理", "freight"}, {"运输", "transport"}, {"仓储服务", "storage"}}},
	{"金融服务", 5, []industryWord{{"投资管理", "invest"}, {"融资租赁", "leasing"}, {"商业保理", "factoring"}, {"财务咨询", "finance"}}},
	{"餐饮酒店", 7, []industryWord{{"餐饮管理", "food"}, {"酒店管理", "hotel"}, {"食品", "foods"}, {"连锁餐饮", "catering"}}},
	{"能源化工", 7, []industryWord{{"化工", "chem"}, {"新能源", "energy"}, {"能源科技", "power"}, {"环保科技", "eco"}, {"石化", "petro"}}},
}

var industryPicker = func() weighted[*industry] {
	items := make([]*industry, len(industries))
	ws := make([]int, len(industries))
	for i := range industries {
		items[i], ws[i] = &industries[i], industries[i].weight
	}
	return newWeighted(items, ws)
}()
