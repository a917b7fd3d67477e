package gonghai

// CanSetAway decides whether actor may change target's availability for
// automatic assignment as away asks: admins anyone's, managers their
// department subtree's, and a rep their own away time and pause but not
// their daily cap, which is their manager's to set. Who may not see the
// target learns nothing of them.
func CanSetAway(actor, target User, away Away) error {
	switch {
	case !SeesUser(actor, target):
		return Errorf(ENotFound, "no such user")
	case actor.Role == RoleAdmin, actor.Manages(target.DeptPath):
		return nil
	case away.DailyCap != nil:
		return Errorf(EForbidden, "your daily cap is set by your manager or an admin")
	}
	return nil
}

// Validate refuses an availability change out of range.
func (a Away) Validate() error {
	if a.DailyCap != nil && (*a.DailyCap < 0 || *a.DailyCap > 100_000) {
		return Invalid("daily_assign_cap", "0 to 100000")
	}
	if a.Until != nil && a.ClearUntil {
		return Invalid("away_until", "a time or null, not both")
	}
	return nil
}

// Apply makes the change to u.
func (a Away) Apply(u *User) {
	if a.ClearUntil {
		u.AwayUntil = nil
	}
	if a.Until != nil {
		t := a.Until.UTC()
		u.AwayUntil = &t
	}
	if a.Paused != nil {
		u.AssignPaused = *a.Paused
	}
	if a.DailyCap != nil {
		u.DailyAssignCap = *a.DailyCap
	}
}
