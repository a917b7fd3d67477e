package gonghai

import (
	"fmt"
	"strings"
	"time"
)

// DigestHour is the hour of Monday, in the organisation's zone, from which
// the week's digest goes out to every active manager.
const DigestHour = 9

// DigestWeek decides the weekly digest at now in loc: the week it is for
// (its Monday, YYYY-MM-DD) and whether it is due (Monday DigestHour:00
// has come). A digest not sent on Monday, the servers being down, is due
// all week.
func DigestWeek(now time.Time, loc *time.Location) (week string, due bool) {
	d := now.In(loc)
	week = time.Date(d.Year(), d.Month(), d.Day()-(int(d.Weekday())+6)%7, 0, 0, 0, 0, loc).Format(time.DateOnly)
	_, _, at, _ := DigestDays(week, loc)
	return week, !now.Before(at)
}

// DigestDays resolves week (a Monday, YYYY-MM-DD) in loc: the days the
// digest reports (the Monday to Sunday before) and its sending time.
func DigestDays(week string, loc *time.Location) (from, to string, at time.Time, err error) {
	monday, err := time.ParseInLocation(time.DateOnly, week, loc)
	if err != nil || monday.Weekday() != time.Monday {
		return "", "", at, Invalid("week", "a Monday as YYYY-MM-DD")
	}
	at = time.Date(monday.Year(), monday.Month(), monday.Day(), DigestHour, 0, 0, 0, loc)
	return monday.AddDate(0, 0, -7).Format(time.DateOnly), monday.AddDate(0, 0, -1).Format(time.DateOnly), at, nil
}

// Digest is one manager's weekly digest, as written and sent.
type Digest struct {
	ManagerID   string
	ManagerName string
	Week        string // the Monday it went out on
	Body        string // markdown: counts and rep names, no customer
	Created     time.Time
	Sent        *time.Time
	Attempt     int // 1 on the first offer to the webhook
}

// DigestDrop is one rep's customers due to be recycled this week.
type DigestDrop struct {
	Rep       string
	Customers int
}

// DigestFacts are what a manager's digest says: the pool flow report of
// the team's last week (its pools table), whose customers drop this week,
// and the conflicts open in the team.
type DigestFacts struct {
	From, To  string
	Flow      Report
	Drops     []DigestDrop
	Conflicts int
}

// DigestText writes a digest in the markdown the DingTalk and WeCom
// robots show: counts and the reps' names only, never a customer.
func DigestText(f DigestFacts) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### 公海周报 · %s\n\n上周（%s 至 %s）\n\n**公海流转**\n\n", f.Flow.Scope, f.From, f.To)
	pools := 0
	for _, t := range f.Flow.Tables {
		if t.Name != "pools" {
			continue
		}
		for _, row := range t.Rows {
			cell := map[string]string{}
			for i, c := range t.Columns {
				cell[c.Key] = row[i].Text
			}
			pools++
			fmt.Fprintf(&b, "- %s：流入 %s，流出 %s，易手 %s，周转率 %s\n", cell["pool"], cell["entered"], cell["left"],
				cell["changed_hands"], cell["turnover"])
		}
	}
	if pools == 0 {
		b.WriteString("- 无可见公海\n")
	}
	b.WriteString("\n**本周将被回收**（7 天内到期）\n\n")
	for _, d := range f.Drops {
		fmt.Fprintf(&b, "- %s：%d 个客户\n", d.Rep, d.Customers)
	}
	if len(f.Drops) == 0 {
		b.WriteString("- 无\n")
	}
	fmt.Fprintf(&b, "\n**未处理撞单**：%d 起\n", f.Conflicts)
	return b.String()
}
