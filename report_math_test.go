package gonghai

import (
	"math"
	"testing"
)

func TestPercentile(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		p    float64
		want float64
		ok   bool
	}{
		{nil, 50, 0, false},
		{[]float64{7}, 90, 7, true},
		{[]float64{4, 1, 3, 2}, 50, 2, true},
		{[]float64{4, 1, 3, 2}, 90, 4, true},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9, true},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50, 5, true},
	} {
		got, ok := Percentile(c.xs, c.p)
		if got != c.want || ok != c.ok {
			t.Errorf("Percentile(%v, %v) = %v, %v; want %v, %v", c.xs, c.p, got, ok, c.want, c.ok)
		}
	}
}

func TestGini(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{0, 0}, 0},
		{[]float64{5, 5, 5, 5}, 0},
		{[]float64{0, 0, 0, 10}, 0.75},
		{[]float64{1, 2, 3, 4}, 0.25},
	} {
		if got := Gini(c.xs); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Gini(%v) = %v; want %v", c.xs, got, c.want)
		}
	}
}
