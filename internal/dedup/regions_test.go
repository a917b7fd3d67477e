package dedup

import (
	"encoding/csv"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite regions.txt from ../demo/areas-cn.csv")

// TestRegionList checks that the embedded region list is the one derived
// from China's administrative areas (internal/demo/areas-cn.csv, a copy of
// the shared data); `go generate` (go test -run TestRegionList -update)
// rewrites it when the areas change.
func TestRegionList(t *testing.T) {
	want := deriveRegions(t, "../demo/areas-cn.csv")
	if *update {
		if err := os.WriteFile("regions.txt", []byte(strings.Join(want, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := strings.Fields(regionsText)
	if !slices.Equal(got, want) {
		t.Fatalf("regions.txt is stale (%d names, want %d): run go generate ./internal/dedup", len(got), len(want))
	}
	for _, r := range []string{"北京", "北京市", "上海", "广东省", "广东", "深圳市", "深圳", "内蒙古", "广西", "海淀区", "昆山", "昆山市", "中国"} {
		if !regions[r] {
			t.Errorf("%s is not a region", r)
		}
	}
	for _, r := range []string{"和平", "河东", "移动", "星辰"} {
		if regions[r] {
			t.Errorf("%s is a region: too common a word to strip", r)
		}
	}
}

// deriveRegions reads the areas (id,name,type,parentId; type 2 province,
// 3 city, 4 district or county) and returns every full name of China's
// areas and the short forms people write before a company name: a
// province or city without 省/市/自治区/特别行政区/地区/盟 (广东, 深圳,
// 广西), and a county-level city without 市 (昆山). A district's or
// county's short form (朝阳, 和平) is too often a word of its own.
func deriveRegions(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{"中国": true, "中华人民共和国": true}
	for _, row := range rows[1:] {
		name, typ := row[1], row[2]
		if typ == "1" {
			continue
		}
		set[name] = true
		short := ""
		switch {
		case typ == "2" && strings.HasSuffix(name, "自治区"):
			// 广西壮族自治区 → 广西, 内蒙古自治区 → 内蒙古: the name before the peoples.
			short = strings.TrimSuffix(name, "自治区")
			if short != "内蒙古" {
				short = string([]rune(short)[:2])
			}
		case typ == "2" || typ == "3":
			for _, suffix := range []string{"特别行政区", "地区", "省", "市", "盟"} {
				if s, ok := strings.CutSuffix(name, suffix); ok {
					short = s
					break
				}
			}
		case typ == "4":
			short, _ = strings.CutSuffix(name, "市")
			if short == name {
				short = ""
			}
		}
		if utf8.RuneCountInString(short) >= 2 {
			set[short] = true
		}
	}
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
