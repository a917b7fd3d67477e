package score

import (
	"math/rand/v2"
	"testing"
	"time"
)

func hours(h int) *time.Duration { d := time.Duration(h) * time.Hour; return &d }

func TestBuckets(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0"}, {1, "1-2"}, {2, "1-2"}, {3, "3-5"}, {5, "3-5"}, {6, "6+"}, {40, "6+"}} {
		if got := FollowUpBucket(c.n); got != c.want {
			t.Errorf("FollowUpBucket(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		d    *time.Duration
		want string
	}{{nil, "never"}, {hours(0), "24h"}, {hours(24), "24h"}, {hours(25), "72h"}, {hours(100), "7d"}, {hours(200), "later"}} {
		if got := FirstFollowUpBucket(c.d); got != c.want {
			t.Errorf("FirstFollowUpBucket(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := Province("广东省/深圳市/南山区"); got != "广东省" {
		t.Errorf("Province = %q", got)
	}
}

func TestRuleScore(t *testing.T) {
	for _, c := range []struct {
		name  string
		f     Features
		want  int
		first string // the first factor's feature, "" for none
	}{
		{"nothing known", Features{}, RuleBase, ""},
		{"A and key", Features{Category: "A", Size: "key"}, RuleBase + 25 + 20, FCategory},
		{"C", Features{Category: "C"}, RuleBase - 10, FCategory},
		{"channel lead followed up fast", Features{Channel: "官网", FollowUps: 1, FirstFollowUp: hours(2)}, RuleBase + 5 + 4 + 10, FFirstFollowUp},
		{"everything good caps at 100", Features{Category: "A", Size: "key", Channel: "x", FollowUps: 9, FirstFollowUp: hours(1)}, 100, FCategory},
	} {
		got, fs := RuleScore(c.f)
		if got != c.want {
			t.Errorf("%s: score %d, want %d", c.name, got, c.want)
		}
		if len(fs) > MaxFactors {
			t.Errorf("%s: %d factors", c.name, len(fs))
		}
		if first := ""; len(fs) > 0 {
			first = fs[0].Feature
			if first != c.first {
				t.Errorf("%s: first factor %q, want %q", c.name, first, c.first)
			}
		} else if c.first != "" {
			t.Errorf("%s: no factors, want %q first", c.name, c.first)
		}
	}
}

// synthetic makes a history where industry 制造 and channel 展会 and a
// fast first follow-up raise the chance of a win, and channel 冷呼 lowers
// it; the rest is noise.
func synthetic(n int, seed uint64) []Example {
	r := rand.New(rand.NewPCG(seed, 1))
	industries := []string{"制造", "零售", "教育", "金融"}
	channels := []string{"展会", "官网", "冷呼", ""}
	regions := []string{"广东省/深圳市", "浙江省/杭州市", "北京市"}
	out := make([]Example, n)
	for i := range out {
		f := Features{Industry: industries[r.IntN(4)], Channel: channels[r.IntN(4)], Region: regions[r.IntN(3)],
			Category: []string{"A", "B", "C", ""}[r.IntN(4)], FollowUps: r.IntN(8)}
		if r.IntN(2) == 0 {
			f.FirstFollowUp = hours(r.IntN(300))
		}
		z := -2.5
		if f.Industry == "制造" {
			z += 1.5
		}
		switch f.Channel {
		case "展会":
			z += 1.2
		case "冷呼":
			z -= 1.5
		}
		if FirstFollowUpBucket(f.FirstFollowUp) == "24h" {
			z += 1
		}
		out[i] = Example{Features: f, Won: r.Float64() < sigmoid(z)}
	}
	return out
}

func TestTrainLearnsGoodFeatures(t *testing.T) {
	m := Train(synthetic(4000, 7), Options{})
	if m.Kind != KindLogistic {
		t.Fatalf("kind %q, want logistic", m.Kind)
	}
	w := m.Weights
	for _, c := range []struct{ better, worse string }{
		{"industry=制造", "industry=零售"},
		{"industry=制造", "industry=教育"},
		{"channel=展会", "channel=官网"},
		{"channel=官网", "channel=冷呼"},
		{"first_follow_up=24h", "first_follow_up=never"},
	} {
		if w[c.better] <= w[c.worse] {
			t.Errorf("weight %s = %.3f, not above %s = %.3f", c.better, w[c.better], c.worse, w[c.worse])
		}
	}
	if m.AUC < 0.7 {
		t.Errorf("held-out AUC %.3f, want ≥ 0.7", m.AUC)
	}
	// A record with the good features outscores one with the bad, and
	// says why: its first factors are the good ones.
	good, fs := m.Score(Features{Industry: "制造", Channel: "展会", FirstFollowUp: hours(3)})
	bad, _ := m.Score(Features{Industry: "零售", Channel: "冷呼"})
	if good <= bad {
		t.Errorf("good %d ≤ bad %d", good, bad)
	}
	if len(fs) == 0 || fs[0].Points <= 0 {
		t.Fatalf("factors %+v", fs)
	}
	for _, f := range fs {
		if f.Points <= 0 {
			t.Errorf("a good record's factor %+v counts against it", f)
		}
	}
}

func TestTrainThinHistoryFallsBack(t *testing.T) {
	for _, c := range []struct {
		name string
		h    []Example
	}{
		{"none", nil},
		{"too few", synthetic(DefaultMinTotal-1, 1)},
		{"too few won", func() []Example {
			h := synthetic(2000, 2)
			for i := range h {
				h[i].Won = i < DefaultMinWon-1
			}
			return h
		}()},
	} {
		m := Train(c.h, Options{})
		if m.Kind != KindRules || m.N != len(c.h) {
			t.Errorf("%s: %+v", c.name, m)
		}
		got, _ := m.Score(Features{Category: "A"})
		if want, _ := RuleScore(Features{Category: "A"}); got != want {
			t.Errorf("%s: rules model scored %d, rule table %d", c.name, got, want)
		}
	}
}

func TestTrainDeterministic(t *testing.T) {
	h := synthetic(1000, 3)
	a, b := Train(h, Options{}), Train(h, Options{})
	for k, w := range a.Weights {
		if b.Weights[k] != w {
			t.Fatalf("weight %s: %v then %v", k, w, b.Weights[k])
		}
	}
}

func TestAUC(t *testing.T) {
	m := Model{Kind: KindLogistic, Weights: map[string]float64{"industry=好": 1}}
	es := []Example{{Features{Industry: "好"}, true}, {Features{Industry: "坏"}, false}, {Features{Industry: "好"}, false}}
	if got := AUC(m, es); got != 0.75 {
		t.Errorf("AUC = %v, want 0.75", got)
	}
}
