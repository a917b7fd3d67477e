package web

import (
	"net/http"
	"strconv"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/score"
)

// Scores on the pages: the pool list's score column and the customer
// page's score card say a score and its top factors in the reader's
// language; an ordered pool's page claims the next one (领取下一个).

// scoreView is a score as a page shows it: its value, a band for its
// colour, and its factors as sentences ("分类 A 类 +25").
type scoreView struct {
	Value   int
	Band    string // high (≥ 60), mid (≥ 30) or low
	Factors []string
}

// Score shapes s for a page; nil while the record is unscored.
func (v *view) Score(s *gonghai.Score) *scoreView {
	if s == nil {
		return nil
	}
	out := &scoreView{Value: s.Value, Band: "low"}
	switch {
	case s.Value >= 60:
		out.Band = "high"
	case s.Value >= 30:
		out.Band = "mid"
	}
	for _, f := range s.Factors {
		out.Factors = append(out.Factors, v.factorText(f))
	}
	return out
}

// factorText says one factor: the feature, its value, and its points
// with their sign.
func (v *view) factorText(f gonghai.ScoreFactor) string {
	value := f.Value
	switch {
	case f.Value == "":
		value = v.T("score.v.none")
	case f.Feature == score.FCategory:
		value = v.T("category." + f.Value)
	case f.Feature == score.FFollowUps, f.Feature == score.FFirstFollowUp:
		value = v.T("score.v." + f.Feature + "." + f.Value)
	}
	points := strconv.FormatFloat(f.Points, 'f', -1, 64)
	if f.Points > 0 {
		points = "+" + points
	}
	return v.T("score.factor", v.T("score.f."+f.Feature), value, points)
}

// claimNextForm claims the next customer of pool ?pool= in its claim
// order for the user and opens it; a pool with none left goes back to
// the pool page saying so. Other refusals (limits) show as errors do.
func (s *Server) claimNextForm(w http.ResponseWriter, r *http.Request, v *view) error {
	poolID := r.PostForm.Get("pool")
	c, err := s.store.ClaimNext(r.Context(), v.User, poolID)
	switch {
	case err == nil:
		return s.seeOther(w, r, withFlash("/customers/"+c.ID, "pool.flash.claimed"))
	case gonghai.ErrorCode(err) == gonghai.ENotFound:
		if _, perr := s.store.Pool(r.Context(), v.User, poolID); perr == nil {
			return s.seeOther(w, r, withFlash(backTo(r.PostForm.Get("back"), poolID), "score.flash.none_left"))
		}
	}
	return err
}
