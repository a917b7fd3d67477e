package score

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Example is one record of the history: its features, and whether it
// became a won customer.
type Example struct {
	Features
	Won bool
}

// Options tune training; the zero value takes the defaults.
type Options struct {
	// MinWon and MinTotal are how thin a history may be: with fewer won
	// records than MinWon, or fewer records than MinTotal, Train returns
	// the rule table. Defaults DefaultMinWon and DefaultMinTotal.
	MinWon, MinTotal int
	// MinCount is how often a feature's value must occur to get a weight
	// of its own; rarer values weigh nothing. Default 5.
	MinCount int
	// L2 is the weight decay; default 0.001. Epochs are the gradient
	// steps over the whole history; default 300.
	L2     float64
	Epochs int
	Now    time.Time // when the model is trained, as it records
}

// The defaults of how thin a history may be before a model is learned.
const (
	DefaultMinWon   = 30
	DefaultMinTotal = 300
)

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MinWon, DefaultMinWon)
	def(&o.MinTotal, DefaultMinTotal)
	def(&o.MinCount, 5)
	def(&o.Epochs, 300)
	if o.L2 <= 0 {
		o.L2 = 0.001
	}
	return o
}

// Train learns a model from history: a logistic regression with L2 weight
// decay, fitted by full-batch gradient descent (Adam steps), so that the
// same history always gives the same model. Its AUC is measured on every
// fifth record, held out from a first fit; the model returned is then
// fitted on all of them. A history thinner than the options allow gives
// the rule table.
func Train(history []Example, o Options) Model {
	o = o.withDefaults()
	won := 0
	for _, e := range history {
		if e.Won {
			won++
		}
	}
	m := Model{Kind: KindRules, N: len(history), Won: won, TrainedAt: o.Now}
	if won < o.MinWon || len(history) < o.MinTotal || won == len(history) {
		return m
	}
	var train, held []Example
	for i, e := range history {
		if i%5 == 4 {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	if first := fit(train, o); hasBoth(held) {
		m.AUC = AUC(first, held)
	}
	full := fit(history, o)
	m.Kind, m.Bias, m.Weights = KindLogistic, full.Bias, full.Weights
	return m
}

func hasBoth(es []Example) bool {
	var yes, no bool
	for _, e := range es {
		yes, no = yes || e.Won, no || !e.Won
	}
	return yes && no
}

// fit fits a logistic regression to history (which has both outcomes).
func fit(history []Example, o Options) Model {
	// The vocabulary: each feature=value seen MinCount times or more.
	counts := map[string]int{}
	for _, e := range history {
		for _, p := range e.pairs() {
			counts[p.key()]++
		}
	}
	var keys []string
	for k, n := range counts {
		if n >= o.MinCount {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	index := make(map[string]int32, len(keys))
	for i, k := range keys {
		index[k] = int32(i)
	}
	// Each record as the indexes of its weighted pairs, and its label.
	rows := make([][]int32, len(history))
	y := make([]float64, len(history))
	pos := 0.0
	for i, e := range history {
		for _, p := range e.pairs() {
			if j, ok := index[p.key()]; ok {
				rows[i] = append(rows[i], j)
			}
		}
		if e.Won {
			y[i], pos = 1, pos+1
		}
	}
	n := float64(len(history))
	// The bias starts at the base rate, so the weights learn only what
	// moves a record from it.
	bias := math.Log(pos / (n - pos))
	w := make([]float64, len(keys))
	g := make([]float64, len(keys)+1)
	adam := newAdam(len(keys) + 1)
	for range o.Epochs {
		clear(g)
		for i, r := range rows {
			z := bias
			for _, j := range r {
				z += w[j]
			}
			d := (sigmoid(z) - y[i]) / n
			for _, j := range r {
				g[j] += d
			}
			g[len(keys)] += d
		}
		for j := range w {
			g[j] += o.L2 * w[j]
		}
		adam.step(g)
		bias -= adam.delta[len(keys)]
		for j := range w {
			w[j] -= adam.delta[j]
		}
	}
	m := Model{Kind: KindLogistic, Bias: bias, Weights: make(map[string]float64, len(keys))}
	for i, k := range keys {
		if w[i] != 0 {
			m.Weights[k] = w[i]
		}
	}
	return m
}

// adam computes Adam steps: each weight's step scaled by its own running
// gradient size, so that a rare value learns as fast as a common one.
type adam struct {
	m, v, delta []float64
	t           int
}

func newAdam(n int) *adam {
	return &adam{m: make([]float64, n), v: make([]float64, n), delta: make([]float64, n)}
}

// step sets delta to the next step down gradient g.
func (a *adam) step(g []float64) {
	const rate, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
	a.t++
	c1, c2 := 1-math.Pow(b1, float64(a.t)), 1-math.Pow(b2, float64(a.t))
	for j, gj := range g {
		a.m[j] = b1*a.m[j] + (1-b1)*gj
		a.v[j] = b2*a.v[j] + (1-b2)*gj*gj
		a.delta[j] = rate * (a.m[j] / c1) / (math.Sqrt(a.v[j]/c2) + eps)
	}
}

// AUC is the chance that m scores a won record of es above one not won
// (ties count half): 1 ranks perfectly, 0.5 is chance.
func AUC(m Model, es []Example) float64 {
	type scored struct {
		z   float64
		won bool
	}
	s := make([]scored, len(es))
	var pos, neg float64
	for i, e := range es {
		z := m.Bias
		for _, p := range e.pairs() {
			z += m.Weights[p.key()]
		}
		s[i] = scored{z, e.Won}
		if e.Won {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0
	}
	slices.SortFunc(s, func(a, b scored) int { return cmp.Compare(a.z, b.z) })
	// Rank sum of the won records, ties given their mean rank.
	var rankSum float64
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j].z == s[i].z {
			j++
		}
		mean := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if s[k].won {
				rankSum += mean
			}
		}
		i = j
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}
