package gonghai

import (
	"slices"
	"testing"
)

func TestQuintileScores(t *testing.T) {
	for _, tc := range []struct {
		name        string
		xs          []float64
		lowerBetter bool
		want        []int
	}{
		{"none", nil, false, []int{}},
		{"one", []float64{7}, false, []int{5}},
		{"one lower better", []float64{7}, true, []int{5}},
		{"five", []float64{10, 50, 30, 20, 40}, false, []int{1, 5, 3, 2, 4}},
		{"five lower better", []float64{10, 50, 30, 20, 40}, true, []int{5, 1, 3, 4, 2}},
		{"ten", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false, []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}},
		{"ties score alike", []float64{1, 1, 1, 2}, false, []int{4, 4, 4, 5}},
		{"ties lower better", []float64{3, 3, 9, 9}, true, []int{5, 5, 3, 3}},
		{"all equal", []float64{2, 2, 2}, true, []int{5, 5, 5}},
		{"three", []float64{100, 200, 300}, false, []int{2, 4, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := QuintileScores(tc.xs, tc.lowerBetter); !slices.Equal(got, tc.want) {
				t.Errorf("QuintileScores(%v, %v) = %v, want %v", tc.xs, tc.lowerBetter, got, tc.want)
			}
		})
	}
}

func TestRFMTierOf(t *testing.T) {
	for _, tc := range []struct {
		r, f, m int
		want    string
	}{
		{5, 5, 5, "重要价值"}, {4, 4, 4, "重要价值"}, {3, 4, 4, "重要保持"}, {4, 3, 5, "重要发展"},
		{1, 1, 4, "重要挽留"}, {5, 4, 3, "一般价值"}, {2, 5, 1, "一般保持"}, {4, 1, 1, "一般发展"}, {3, 3, 3, "一般挽留"},
	} {
		if got := RFMTierOf(tc.r, tc.f, tc.m); got.Title != tc.want {
			t.Errorf("RFMTierOf(%d, %d, %d) = %s, want %s", tc.r, tc.f, tc.m, got.Title, tc.want)
		}
	}
	keys := map[string]bool{}
	for _, tier := range RFMTiers {
		keys[tier.Key] = true
	}
	if len(keys) != 8 {
		t.Errorf("RFM tiers have %d distinct keys, want 8", len(keys))
	}
}

// TestGiniCountsZeros: the fairness report counts a rep who got nothing,
// so that a team where one rep is left out reads unequal.
func TestGiniCountsZeros(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3, 3}, 0},
		{[]float64{3, 3, 0}, 1.0 / 3},
		{[]float64{2, 1, 0, 1}, 0.375},
		{[]float64{0, 0, 0, 0, 4}, 0.8},
	} {
		if got := Gini(tc.xs); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("Gini(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}
