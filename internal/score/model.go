package score

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
)

// The kinds of model.
const (
	KindLogistic = "logistic" // learned from the organisation's history
	KindRules    = "rules"    // the fixed rule table, while history is thin
)

// MaxFactors is how many factors a score gives as its reasons.
const MaxFactors = 3

// Model scores records: a logistic regression (Kind KindLogistic, Bias and
// Weights per feature=value, in log-odds) or the rule table (KindRules).
// It is stored as JSON, and the same model scores every record of one
// rescoring run.
type Model struct {
	Kind    string             `json:"kind"`
	Bias    float64            `json:"bias,omitempty"`
	Weights map[string]float64 `json:"weights,omitempty"`
	// N and Won count the history it was trained on, AUC is how well it
	// ranked held-out records of it (0.5 is chance; 0 when not measured).
	N         int       `json:"n"`
	Won       int       `json:"won"`
	AUC       float64   `json:"auc"`
	TrainedAt time.Time `json:"trained_at"`
}

// Score returns f's score 0-100 under m, and its top factors, those that
// move it most first.
func (m Model) Score(f Features) (int, []gonghai.ScoreFactor) {
	if m.Kind != KindLogistic {
		return RuleScore(f)
	}
	ps := f.pairs()
	z := m.Bias
	for _, p := range ps {
		z += m.Weights[p.key()]
	}
	value := 100 * sigmoid(z)
	var out []gonghai.ScoreFactor
	for _, p := range ps {
		w := m.Weights[p.key()]
		if w == 0 {
			continue
		}
		// A factor's points are what the score would lose without it: the
		// score less the score with this feature's weight taken out.
		out = append(out, gonghai.ScoreFactor{Feature: p.feature, Value: p.value, Points: round1(value - 100*sigmoid(z-w))})
	}
	return int(math.Round(value)), top(out)
}

// top keeps the MaxFactors factors of most weight either way, dropping
// those that move the score by less than half a point.
func top(fs []gonghai.ScoreFactor) []gonghai.ScoreFactor {
	fs = slices.DeleteFunc(fs, func(f gonghai.ScoreFactor) bool { return math.Abs(f.Points) < 0.5 })
	slices.SortStableFunc(fs, func(a, b gonghai.ScoreFactor) int { return cmp.Compare(math.Abs(b.Points), math.Abs(a.Points)) })
	if len(fs) > MaxFactors {
		fs = fs[:MaxFactors]
	}
	if fs == nil {
		fs = []gonghai.ScoreFactor{}
	}
	return fs
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Rule is one line of the fallback rule table: a record whose Feature has
// Value gets Points.
type Rule struct {
	Feature, Value string
	Points         float64
}

// RuleBase is the fallback score of a record that no rule matches.
const RuleBase = 30

// Rules is the fallback rule table, used while the organisation's history
// is too thin to learn from (docs/scoring.md): the category the reps gave
// the record and its size weigh most, then how soon and how often it was
// followed up, then whether it came through a channel.
var Rules = []Rule{
	{FCategory, "A", 25}, {FCategory, "B", 10}, {FCategory, "C", -10},
	{FSize, "key", 20}, {FSize, "large", 12}, {FSize, "medium", 5},
	{FFirstFollowUp, "24h", 10}, {FFirstFollowUp, "72h", 5},
	{FFollowUps, "3-5", 8}, {FFollowUps, "6+", 10}, {FFollowUps, "1-2", 4},
	{FChannel, "*", 5}, // any channel: it asked to be contacted
}

// RuleScore returns f's score 0-100 under the rule table, and the rules
// that gave it as its factors.
func RuleScore(f Features) (int, []gonghai.ScoreFactor) {
	value := float64(RuleBase)
	var out []gonghai.ScoreFactor
	for _, p := range f.pairs() {
		for _, r := range Rules {
			if r.Feature == p.feature && (r.Value == p.value || r.Value == "*" && p.value != "") {
				value += r.Points
				out = append(out, gonghai.ScoreFactor{Feature: p.feature, Value: p.value, Points: r.Points})
			}
		}
	}
	return int(math.Round(min(100, max(0, value)))), top(out)
}
