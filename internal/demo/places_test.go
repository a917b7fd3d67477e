package demo

import (
	"slices"
	"testing"
)

func TestPlaces(t *testing.T) {
	provinces := Places("")
	if len(provinces) < 30 || !slices.Contains(provinces, "广东省") || slices.Contains(provinces, "蒙古") {
		t.Fatalf("provinces: %v", provinces)
	}
	if cities := Places("广东省"); !slices.Contains(cities, "深圳市") || slices.Contains(cities, "杭州市") {
		t.Errorf("cities of 广东省: %v", cities)
	}
	if districts := Places("广东省/深圳市"); !slices.Contains(districts, "南山区") {
		t.Errorf("districts of 深圳市: %v", districts)
	}
	for _, path := range []string{"火星", "广东省/杭州市", "广东省/深圳市/南山区", "/"} {
		if got := Places(path); got != nil {
			t.Errorf("%q: %v", path, got)
		}
	}
}
