package gonghai

import (
	"math"
	"slices"
	"sort"
)

// RFMTier is one tier of the RFM report: its stable key (the drill key
// and the row's identity) and its title.
type RFMTier struct {
	Key   string
	Title string
}

// RFMTiers are the eight classic tiers, in the order the report lists
// them: each of recency, frequency and monetary is high (a quintile score
// of RFMHigh or more) or low, and the three together name the tier.
var RFMTiers = []RFMTier{
	{"important-value", "重要价值"},   // R high, F high, M high
	{"important-keep", "重要保持"},    // R low, F high, M high: a good customer drifting away
	{"important-develop", "重要发展"}, // R high, F low, M high: bought much, recently, seldom
	{"important-retain", "重要挽留"},  // R low, F low, M high: a big buyer about to be lost
	{"general-value", "一般价值"},     // R high, F high, M low
	{"general-keep", "一般保持"},      // R low, F high, M low
	{"general-develop", "一般发展"},   // R high, F low, M low
	{"general-retain", "一般挽留"},    // R low, F low, M low
}

// RFMHigh is the least quintile score that counts as high: the best two
// fifths.
const RFMHigh = 4

// RFMTierOf is the tier of scores r, f and m (1–5, 5 best).
func RFMTierOf(r, f, m int) RFMTier {
	i := 0
	if r < RFMHigh {
		i++
	}
	if f < RFMHigh {
		i += 2
	}
	if m < RFMHigh {
		i += 4
	}
	return RFMTiers[i]
}

// QuintileScores scores each of xs 1 to 5, 5 best, by its rank among xs:
// ceil(5 × the share of xs no better than it). Better is larger, or
// smaller when lowerBetter (days since the last order). Equal values score
// the same, so a tie never splits across two scores, and a lone value, or
// values all equal, score 5.
func QuintileScores(xs []float64, lowerBetter bool) []int {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := float64(len(s))
	out := make([]int, len(xs))
	for i, x := range xs {
		var noBetter int
		if lowerBetter {
			noBetter = len(s) - sort.SearchFloat64s(s, x) // values ≥ x
		} else {
			noBetter = sort.Search(len(s), func(j int) bool { return s[j] > x }) // values ≤ x
		}
		out[i] = min(max(int(math.Ceil(5*float64(noBetter)/n-1e-9)), 1), 5)
	}
	return out
}
