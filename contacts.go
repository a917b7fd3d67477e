package gonghai

import (
	"strings"
	"time"
)

// RevealEditWindow is how long after revealing a customer's contacts a
// caller who is not its owner may correct them: they have seen them in
// full, in a logged and counted act.
const RevealEditWindow = time.Hour

// ForCaller decides what patch p may do to customer c's contact fields for
// a caller who saw them in full (full: the owner, or someone who revealed
// them within RevealEditWindow) or as the pool's mask mode shows them.
//
// A form sends back what it was shown: a contact sent exactly as the caller
// was shown it (its mask, or empty when hidden) is left as it is. A contact
// the caller was not shown in full is never overwritten or cleared by them:
// that is forbidden, naming the field. Where a customer has no value yet,
// anyone who may edit it may add one: nothing is lost.
func (p CustomerPatch) ForCaller(c Customer, full bool, mode string) (CustomerPatch, error) {
	if full {
		return p, nil
	}
	shown := c.Masked(mode)
	bad := map[string]string{}
	for _, f := range []struct {
		name           string
		sent           **string
		current, shown string
	}{
		{"phone", &p.Phone, c.Phone, shown.Phone},
		{"email", &p.Email, c.Email, shown.Email},
		{"wechat", &p.WeChat, c.WeChat, shown.WeChat},
	} {
		if *f.sent == nil {
			continue
		}
		switch v := strings.TrimSpace(**f.sent); {
		case v == f.shown:
			*f.sent = nil // sent back as shown: unchanged
		case f.current == "":
		default:
			bad[f.name] = "not shown to you in full: reveal it first, or leave it out"
		}
	}
	if len(bad) > 0 {
		return p, &Error{Code: EForbidden, Message: "you may not change contacts you were not shown in full", Fields: bad}
	}
	return p, nil
}

// ContactChanges names the contact fields that go from before to after
// and how ("cleared", "set", "changed"), for the audit log: every clear,
// and every change by someone other than the owner (byOwner false).
func ContactChanges(before, after CustomerFields, byOwner bool) map[string]string {
	out := map[string]string{}
	for _, f := range []struct{ name, old, new string }{
		{"phone", before.Phone, after.Phone}, {"email", before.Email, after.Email}, {"wechat", before.WeChat, after.WeChat},
	} {
		switch {
		case f.old == f.new:
		case f.new == "":
			out[f.name] = "cleared"
		case byOwner:
		case f.old == "":
			out[f.name] = "set"
		default:
			out[f.name] = "changed"
		}
	}
	return out
}
