package gonghai

import (
	"testing"
	"time"
)

// TestDigestWeek: the digest of a week is due from its Monday 09:00 in the
// organisation's zone to the next Monday's, and reports the week before.
func TestDigestWeek(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, c := range []struct {
		at   time.Time
		week string
		due  bool
	}{
		{time.Date(2026, 3, 9, 8, 59, 59, 0, sh), "2026-03-09", false},
		{time.Date(2026, 3, 9, 9, 0, 0, 0, sh), "2026-03-09", true},
		{time.Date(2026, 3, 15, 23, 59, 0, 0, sh), "2026-03-09", true},
		{time.Date(2026, 3, 16, 0, 30, 0, 0, sh), "2026-03-16", false},
		// 01:00 UTC on Monday is 09:00 in Shanghai; Sunday 17:00 UTC is
		// already Monday 01:00 there.
		{time.Date(2026, 3, 9, 1, 0, 0, 0, time.UTC), "2026-03-09", true},
		{time.Date(2026, 3, 8, 17, 0, 0, 0, time.UTC), "2026-03-09", false},
	} {
		week, due := DigestWeek(c.at, sh)
		if week != c.week || due != c.due {
			t.Errorf("at %s: week %s due %v, want %s %v", c.at, week, due, c.week, c.due)
		}
	}
	from, to, at, err := DigestDays("2026-03-09", sh)
	if err != nil || from != "2026-03-02" || to != "2026-03-08" || !at.Equal(time.Date(2026, 3, 9, 9, 0, 0, 0, sh)) {
		t.Errorf("days of 2026-03-09: %s %s %s %v", from, to, at, err)
	}
	for _, bad := range []string{"2026-03-10", "09/03/2026", ""} {
		if _, _, _, err := DigestDays(bad, sh); ErrorCode(err) != EInvalid {
			t.Errorf("week %q: %v", bad, err)
		}
	}
}
