package gonghai

import (
	"math"
	"slices"
)

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of xs: the
// smallest value with at least p% of xs at or below it, so that it is
// always one of the values. ok is false for no values.
func Percentile(xs []float64, p float64) (v float64, ok bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1], true
}

// Gini is the Gini coefficient of non-negative xs: 0 when everyone has the
// same, towards 1 when one has everything. No values, or all zero, is 0.
func Gini(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	var sum, weighted float64
	for i, x := range s {
		sum += x
		weighted += float64(i+1) * x
	}
	if sum == 0 {
		return 0
	}
	n := float64(len(s))
	return 2*weighted/(n*sum) - (n+1)/n
}
