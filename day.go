package gonghai

import "time"

// DefaultTimeZone is where a Chinese sales team's days begin and end.
const DefaultTimeZone = "Asia/Shanghai"

// StartOfDay returns the instant, in UTC, at which the calendar day holding
// t begins in loc. Daily limits and day-counted rules start from it.
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
}

// AddDays returns the start of the calendar day n days after the day of t,
// in loc. Rules count calendar days, not 24-hour spans: a customer released
// on the evening of the 1st with a one-day cooldown may be taken back from
// the start of the 2nd. time.Date normalises across daylight-saving changes.
func AddDays(t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+n, 0, 0, 0, 0, loc).UTC()
}
