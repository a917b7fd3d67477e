package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/gonghai/gonghai"
)

// The pool page (公海): a pool's unowned customers, filtered and paged,
// each row saying before the click whether the rep may claim it and why
// not; claim one or a batch, after a confirmation that names the pool's
// real rules.

// poolData is the pool page.
type poolData struct {
	Pools        []gonghai.Pool
	Pool         gonghai.Pool
	Filter       listFilter
	FilterFields template.HTML
	Rows         []poolRowView
	Pager        listPager
	Rules        []string // the pool's rules, one sentence each
	// HXConfirm is the confirmation htmx asks before a claim: the rules.
	HXConfirm string
	// Back is this page's URL, for the forms to come back to.
	Back string
	// MayMark: the viewer marks the pool's customers invalid and sees
	// the archive (hygiene_ui.go).
	MayMark bool
	// Claim, when set, makes the page a claim's confirmation instead (no
	// script: it asks before it posts); Results the outcome of a batch.
	Claim   *claimConfirm
	Results []claimOutcome
	// Ordered: the pool is claimed in order and the viewer is held to it,
	// so the page offers 领取下一个 instead of a claim per row. ByScore
	// lists the pool best-scored first.
	Ordered bool
	ByScore bool
}

// poolRowView is one row as the page shows it. Done, once a claim was
// tried from the row, says how it went instead of the row.
type poolRowView struct {
	poolListRow
	Title      string // the company, or the name when it has none
	Contact    string
	Days       int       // calendar days in the pool
	CameBack   string    // who had it last and how it came back
	CameBackAt time.Time // when
	Reason     string    // the releaser's reason, masked as history is
	Verdict    string    // why the rep may not claim it; "" when they may
	Done       string
	Won        bool // Done says it was claimed
	// MayMark: the viewer marks it invalid, else flags it; Flag is its
	// flags as the viewer may see them (hygiene_ui.go).
	MayMark bool
	Flag    gonghai.FlagState
}

// poolPage shows pool ?pool= (the first the user may see by default).
func (s *Server) poolPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Nav = "pool"
	d, err := s.poolData(r.Context(), v, r.URL.Query())
	if err != nil {
		return err
	}
	return s.render(w, v, http.StatusOK, "pool", d)
}

// poolData reads the pool page for query q.
func (s *Server) poolData(ctx context.Context, v *view, q url.Values) (poolData, error) {
	d := poolData{Filter: filterOf(q)}
	pools, err := s.store.Pools(ctx, v.User)
	if err != nil {
		return d, err
	}
	d.Pools = pools
	if len(pools) == 0 {
		return d, nil
	}
	if d.FilterFields, err = filterFields(v, d.Filter, "pool.f.q_hint"); err != nil {
		return d, err
	}
	d.Pool = pools[0]
	for _, p := range pools {
		if p.ID == q.Get("pool") {
			d.Pool = p
		}
	}
	t, pg, err := trailOf(q)
	if err != nil {
		return d, err
	}
	// A pool claimed by score lists by score unless asked otherwise.
	d.ByScore = q.Get("sort") == gonghai.SortScore || (q.Get("sort") == "" && d.Pool.ClaimOrder == gonghai.ClaimByScore)
	if d.ByScore {
		d.Filter.Sort = gonghai.SortScore
	}
	d.Ordered = gonghai.ClaimInOrder(v.User, d.Pool, true) != nil
	page, err := s.poolRows(ctx, v.User, d.Pool.ID, d.Filter.CustomerFilter, pg)
	if err != nil {
		return d, err
	}
	d.Rows = make([]poolRowView, len(page.Rows))
	for i, row := range page.Rows {
		d.Rows[i] = v.poolRowView(row)
	}
	if err := s.flagRows(ctx, v, d.Pool, d.Rows); err != nil {
		return d, err
	}
	d.MayMark = gonghai.MayMarkInvalid(v.User, d.Pool)
	links := d.Filter.values()
	links.Set("pool", d.Pool.ID)
	if sort := q.Get("sort"); sort == gonghai.SortScore || sort == gonghai.SortNewest {
		links.Set("sort", sort)
	}
	d.Pager = listPager{No: t.No(), Total: page.Total, More: page.More}
	d.Pager.Prev, d.Pager.Next = t.links("/pool", links, page.Next)
	d.Rules = v.poolRules(d.Pool)
	d.HXConfirm = v.T("pool.confirm.lead", d.Pool.Name)
	for _, rule := range d.Rules {
		d.HXConfirm += "\n· " + rule
	}
	d.Back = "/pool?" + links.Encode()
	if t.After != "" {
		d.Back = v.Path
	}
	return d, nil
}

// poolRowView shapes row for the page, in v's language.
func (v *view) poolRowView(row poolListRow) poolRowView {
	c := row.Customer
	out := poolRowView{poolListRow: row, Title: firstOf(c.Company, c.Name), Contact: firstOf(c.Phone, c.Email, c.WeChat)}
	since := c.Created
	if rt := row.Returned; rt != nil {
		since, out.Reason, out.CameBackAt = rt.At, rt.Reason, rt.At
		switch rt.Kind {
		case gonghai.EventReleased:
			out.CameBack = v.T("pool.returned.released", rt.ByName)
		case gonghai.EventRecycled:
			out.CameBack = v.T("pool.returned.recycled", rt.ByName, v.RuleName(rt.Rule))
		default:
			out.CameBack = v.T("pool.returned.other", rt.ByName, v.T("event."+string(rt.Kind)))
		}
	}
	out.Days = gonghai.DaysBetween(since, v.Now, v.Zone)
	if row.Refusal != nil {
		out.Verdict = v.refusalText(row.Refusal)
	}
	return out
}

// refusalText says why a claim is refused, with the figures it was
// decided on: "冷却中，12月15日起可领", "今日已领 20/20", "保有量 150/150".
func (v *view) refusalText(err error) string {
	f, _ := gonghai.ClaimRefusalOf(err)
	switch code := gonghai.ErrorCode(err); code {
	case gonghai.EReclaimCooldown:
		return v.T("pool.refusal.reclaim_cooldown", v.format(f.Until, "fmt.day_month"))
	case gonghai.EReleaseWait:
		return v.T("pool.refusal.release_wait", v.format(f.Until, "fmt.day_month")+" "+v.format(f.Until, "fmt.time"))
	case gonghai.EDailyClaimLimit, gonghai.EHoldingLimit:
		if f.Rule == gonghai.RuleCategoryA {
			return v.T("pool.refusal.a_category", f.Count, f.Limit)
		}
		return v.T("pool.refusal."+code, f.Count, f.Limit)
	case gonghai.EAlreadyClaimed, gonghai.ENotPoolMember, gonghai.EPoolAssignOnly, gonghai.EUserInactive, gonghai.ENotFound:
		return v.T("pool.refusal." + code)
	}
	return v.ErrorText(err)
}

// poolRules says a pool's rules as a claimer meets them: each recycle
// rule that is on, then the claim limits. They are read from the pool,
// never written down twice.
func (v *view) poolRules(p gonghai.Pool) []string {
	var out []string
	for _, r := range p.Recycle.Rules {
		if !r.Enabled {
			continue
		}
		line := v.T("pool.rule."+string(r.Kind), r.Days)
		if r.Kind == gonghai.RuleProtection && r.ExtendDays > 0 {
			line += v.T("pool.rule.extend", r.ExtendDays)
			if r.MaxDays > 0 {
				line += v.T("pool.rule.max", r.MaxDays)
			}
		}
		for _, cat := range gonghai.Categories {
			if n, ok := r.CategoryDays[cat]; ok {
				line += v.T("pool.rule.category", cat, n)
			}
		}
		if r.ExemptWon {
			line += v.T("pool.rule.exempt_won")
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = append(out, v.T("pool.rule.none"))
	}
	if p.HoldingLimit > 0 {
		out = append(out, v.T("pool.rule.holding", p.HoldingLimit))
	}
	if p.DailyClaimLimit > 0 {
		out = append(out, v.T("pool.rule.daily", p.DailyClaimLimit))
	}
	if p.ReclaimCooldownDays > 0 {
		out = append(out, v.T("pool.rule.cooldown", p.ReclaimCooldownDays))
	}
	return out
}

// firstOf is the first of ss that is not empty.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
