package gonghai

import "time"

// Token is an API token as its holder and admins see it: never the secret,
// which is shown once when the token is made and then kept only as a hash.
type Token struct {
	ID      string
	UserID  string
	Name    string // what the holder calls it, e.g. "报表脚本"
	Created time.Time
	Expires *time.Time // nil: until revoked
}

// MaxTokenDays bounds how long a token may be made to last.
const MaxTokenDays = 3650

// NewToken is a token to make for a user.
type NewToken struct {
	Name string
	// ExpiresInDays ends the token that many days after it is made; 0 makes
	// a token that lasts until it is revoked.
	ExpiresInDays int
}

// Validate checks a token request.
func (t NewToken) Validate() error {
	if len([]rune(t.Name)) > 100 {
		return Invalid("name", "at most 100 characters")
	}
	if p := TextProblem(t.Name, false); p != "" {
		return Invalid("name", p)
	}
	if t.ExpiresInDays < 0 || t.ExpiresInDays > MaxTokenDays {
		return Invalid("expires_in_days", "0 (no expiry) to 3650")
	}
	return nil
}

// Expiry is when a token made now ends, nil for never.
func (t NewToken) Expiry(now time.Time) *time.Time {
	if t.ExpiresInDays == 0 {
		return nil
	}
	e := now.AddDate(0, 0, t.ExpiresInDays)
	return &e
}

// MayManageToken reports whether actor may list or revoke the tokens of
// the user with holderID: the holder and admins may.
func MayManageToken(actor User, holderID string) bool {
	return actor.ID == holderID || actor.Role == RoleAdmin
}
