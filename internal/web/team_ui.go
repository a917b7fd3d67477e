package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
)

// The team page (团队): a manager's department subtree, an admin's whole
// organisation. Its customers by rep, pool and countdown, to assign and
// transfer; the hand-over of a leaver; who drops to the pool this week;
// today's follow-ups. Whose they are is the list of customers' scope
// (gonghai.ListsEveryCustomer, SeesUser); who may move what, the store's
// Assign, Transfer and HandOver decide, as for the API.

// teamPageSize is how many customers one page of the team's list shows.
const teamPageSize = 50

// teamDropDays is how far ahead "who drops this week" looks: today and
// the six days after it.
const teamDropDays = 7

// teamLatest is how many of a rep's follow-ups today the page lists.
const teamLatest = 5

// teamDropsShown is how many of an owner's dropping customers the page
// names; the list of customers, filtered to that owner, has the rest.
const teamDropsShown = 8

// teamFilter is the team list's filters, as the page's URL carries them.
type teamFilter struct {
	Q, Owner, Pool, Sort string
	Lifecycle            string // lead, customer, or "" for both
	Unowned              bool
	Due                  int
	After                string
	Trail                []string // the keys the pages before this one started after, oldest first
}

func teamFilterOf(q url.Values) teamFilter {
	f := teamFilter{Q: strings.TrimSpace(q.Get("q")), Owner: q.Get("rep"), Pool: q.Get("pool"), Sort: gonghai.SortUrgent,
		Unowned: q.Get("holder") == "pool", After: q.Get("after"), Lifecycle: string(lifecycleOf(q))}
	if q.Get("sort") == gonghai.SortNewest {
		f.Sort = gonghai.SortNewest
	}
	if f.Unowned {
		f.Owner, f.Sort = "", gonghai.SortNewest // nobody owns them; none falls due
	}
	f.Due, _ = strconv.Atoi(q.Get("due"))
	if t := q.Get("trail"); t != "" && f.After != "" {
		f.Trail = strings.Split(t, ",")
	}
	return f
}

// scope is the store's filter of f.
func (f teamFilter) scope() gonghai.ScopeFilter {
	return gonghai.ScopeFilter{CustomerFilter: gonghai.CustomerFilter{Q: f.Q, Sort: f.Sort, Lifecycle: gonghai.Lifecycle(f.Lifecycle)}, OwnerID: f.Owner, PoolID: f.Pool,
		Unowned: f.Unowned, DueDays: f.Due}
}

// url is the team page with f's filters, starting after key after, the
// pages before it having started after trail.
func (f teamFilter) url(after string, trail []string) string {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "rep": f.Owner, "pool": f.Pool, "lifecycle": f.Lifecycle, "after": after, "trail": strings.Join(trail, ",")} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Unowned {
		q.Set("holder", "pool")
	}
	if f.Sort == gonghai.SortNewest && !f.Unowned {
		q.Set("sort", f.Sort)
	}
	if f.Due > 0 {
		q.Set("due", strconv.Itoa(f.Due))
	}
	if len(q) == 0 {
		return "/team"
	}
	return "/team?" + q.Encode()
}

// teamData is what the team page shows.
type teamData struct {
	F        teamFilter
	Users    []gonghai.User // whom the viewer sees: the rep filter, the hand-over
	Active   []gonghai.User // those of them who may receive customers
	Pools    []gonghai.Pool
	Rows     []teamRow
	Total    int
	More     bool // more customers than Total: the count stopped
	PageNo   int
	Pages    int
	Prev     string
	Next     string
	NeedPool bool // the unowned are listed by pool, and none is chosen
	CanForce bool // the viewer may move past holding limits
	Back     string
	Drops    []dropOwner
	Dropping int
	Day      []gonghai.RepFollowUps
	DayTotal int
	Form     teamForm
	Given    *giveOutcome
	Handed   *handOverOutcome
}

// teamRow is one customer of the list, with the names of its owner and
// pool.
type teamRow struct {
	gonghai.Customer
	OwnerName, PoolName string
}

// dropOwner is one owner's customers that the rules take back within the
// coming days, soonest first.
type dropOwner struct {
	OwnerID, OwnerName string
	Count              int
	Customers          []gonghai.PreviewCustomer // the first teamDropsShown
	More               int                       // how many more there are
	List               string                    // the team's list of them
}

// teamForm is what the page's forms held when one comes back to it.
type teamForm struct {
	To, From, HandTo, Reason string
	Force                    bool
}

// teamPage shows the team: the filtered list of its customers and its
// week and day.
func (s *Server) teamPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := s.teamData(r.Context(), v, teamFilterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	return s.render(w, v, http.StatusOK, "team", d)
}

// teamData reads what the team page shows with filters f, for v.User:
// reps are refused (gonghai.CanLeadTeam).
func (s *Server) teamData(ctx context.Context, v *view, f teamFilter) (*teamData, error) {
	if err := gonghai.CanLeadTeam(v.User); err != nil {
		return nil, err
	}
	v.Nav = "team"
	d := &teamData{F: f, CanForce: gonghai.CanForce(v.User, true) == nil, Back: f.url(f.After, f.Trail)}
	var err error
	if d.Users, err = s.seenUsers(ctx, v.User); err != nil {
		return nil, err
	}
	for _, u := range d.Users {
		if u.Active {
			d.Active = append(d.Active, u)
		}
	}
	if d.Pools, err = s.store.Pools(ctx, v.User); err != nil {
		return nil, err
	}
	if err := s.teamList(ctx, v, d); err != nil {
		return nil, err
	}
	days, err := s.store.TeamDrops(ctx, v.User, teamDropDays)
	if err != nil {
		return nil, err
	}
	d.Drops, d.Dropping = dropsByOwner(days)
	if d.Day, err = s.store.FollowUpsToday(ctx, v.User, teamLatest); err != nil {
		return nil, err
	}
	for _, r := range d.Day {
		d.DayTotal += r.Count
	}
	return d, nil
}

// teamList reads the page of the team's customers that d.F asks for.
func (s *Server) teamList(ctx context.Context, v *view, d *teamData) error {
	f := d.F
	if f.Unowned && f.Pool == "" && !gonghai.ListsEveryCustomer(v.User) {
		// The unowned are a pool's: the page asks which.
		d.NeedPool = true
		return nil
	}
	page, err := s.store.Customers(ctx, v.User, f.scope(), gonghai.Page{After: f.After, Limit: teamPageSize})
	if err != nil {
		return err
	}
	users := map[string]string{}
	for _, u := range d.Users {
		users[u.ID] = u.Name
	}
	pools := map[string]string{}
	for _, p := range d.Pools {
		pools[p.ID] = p.Name
	}
	for _, c := range page.Customers {
		d.Rows = append(d.Rows, teamRow{Customer: c, OwnerName: users[c.OwnerID], PoolName: pools[c.PoolID]})
	}
	d.Total, d.More = page.Total, page.More
	d.PageNo, d.Pages = 1, max(1, (page.Total+teamPageSize-1)/teamPageSize)
	if f.After != "" {
		d.PageNo = len(f.Trail) + 2
		before, last := f.Trail, ""
		if n := len(before); n > 0 {
			before, last = before[:n-1], before[n-1]
		}
		d.Prev = f.url(last, before)
	}
	if page.Next != "" {
		trail := f.Trail
		if f.After != "" {
			trail = append(slices.Clone(trail), f.After)
		}
		d.Next = f.url(page.Next, trail)
	}
	return nil
}

// seenUsers reads every user viewer sees, by name: a manager's subtree,
// an admin's everyone, the deactivated among them.
func (s *Server) seenUsers(ctx context.Context, viewer gonghai.User) ([]gonghai.User, error) {
	out, err := s.store.SeenUsers(ctx, viewer)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b gonghai.User) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Login, b.Login)) })
	return out, nil
}

// dropsByOwner regroups a preview's days by owner, each owner's customers
// soonest first, the owners who lose most first; and counts them all.
func dropsByOwner(days []gonghai.PreviewDay) ([]dropOwner, int) {
	var out []dropOwner
	at := map[string]int{}
	total := 0
	for _, d := range days {
		for _, o := range d.Owners {
			i, ok := at[o.OwnerID]
			if !ok {
				i = len(out)
				at[o.OwnerID] = i
				out = append(out, dropOwner{OwnerID: o.OwnerID, OwnerName: o.OwnerName})
			}
			out[i].Customers = append(out[i].Customers, o.Customers...)
			total += len(o.Customers)
		}
	}
	for i := range out {
		o := &out[i]
		o.Count = len(o.Customers)
		if o.Count > teamDropsShown {
			o.Customers, o.More = o.Customers[:teamDropsShown], o.Count-teamDropsShown
		}
		o.List = teamFilter{Owner: o.OwnerID, Due: teamDropDays, Sort: gonghai.SortUrgent}.url("", nil)
	}
	slices.SortStableFunc(out, func(a, b dropOwner) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.OwnerName, b.OwnerName))
	})
	return out, total
}
