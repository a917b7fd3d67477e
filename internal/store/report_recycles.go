package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghai/gonghai"
)

// The recycles report (回收与释放): the tenures a recycle or a release
// ended in the period, grouped by the recycle's rule or the release's
// reason, by department and rep (the owner who lost the customer); and the
// customers recycled and then won by someone else, who lost each and who
// won it. Every number counts customers, once each however often they
// went back; its drill key names the group:
//
//	<what>.<dim>.<value>
//
// what: rc recycled, rl released, wo recycled then won by another owner;
// dim: all (value "-"), r (a rule or reason: the first 12 hex digits of the
// SHA-256 of its normal form), u (a rep's id), d (a department's id), b (a
// period bucket's first day); or c.<customer id> for one row of the list.
func init() {
	registerReport("recycles", reportDef{run: runRecycles, drill: drillRecycles})
}

// endedTenure is one tenure a recycle or release ended in the period.
type endedTenure struct {
	customer, owner, path, kind, reason string
	seq                                 int64
	ended                               int64
	// Set when the customer was recycled and a later tenure of another
	// owner won it (the first such).
	winner, winnerPath string
	wonAt              int64
}

// recycleRuleTitles name the recycle rules as the pages do
// (messages/common.json rule.*); a reason no rule has is shown as written.
var recycleRuleTitles = map[string]string{
	string(gonghai.RuleNoFollowUp):    "超期未跟进",
	string(gonghai.RuleNotContacted):  "领取后未联系",
	string(gonghai.RuleNotWon):        "超期未成交",
	string(gonghai.RuleStageStalled):  "阶段停滞",
	string(gonghai.RuleNoRepurchase):  "超期未复购",
	string(gonghai.RuleNoOpportunity): "无新商机",
	string(gonghai.RuleProtection):    "保护期到期",
}

// normalReason is a reason as it is grouped, so that reps' spellings of
// one reason meet: runs of spaces (full-width too) are one space, and
// none is kept beside a Chinese character (客户 无意向 is 客户无意向), nor
// a closing full stop; a recycle's rule is named as the pages name it.
// No reason is 未填写 (a recycle written before rules were recorded).
func normalReason(kind, reason string) string {
	words := strings.Fields(strings.TrimRight(strings.TrimSpace(reason), "。."))
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(words[i-1])
			next, _ := utf8.DecodeRuneInString(w)
			if !unicode.Is(unicode.Han, prev) && !unicode.Is(unicode.Han, next) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w)
	}
	reason = b.String()
	if t, ok := recycleRuleTitles[reason]; ok && kind == string(gonghai.EventRecycled) {
		return t
	}
	if reason == "" {
		return "未填写"
	}
	return reason
}

// reasonKey is the drill value of a normal reason: short and URL-safe
// whatever its text.
func reasonKey(reason string) string {
	sum := sha256.Sum256([]byte(reason))
	return hex.EncodeToString(sum[:6])
}

// loadEnded reads the tenures recycles and releases ended in r's period
// and scope (the owner's department then, or the owner), in r's pool and
// channel when set, oldest first, with the later win of each recycled one.
func loadEnded(ctx context.Context, c conn, r *reportReq) ([]endedTenure, error) {
	scope, args := r.ScopeSQL("t.dept_path", "t.owner_id")
	from, to := r.Micros()
	where := `t.end_kind IN ('recycled', 'released') AND t.ended_at >= ? AND t.ended_at < ? AND ` + scope
	args = append([]any{from, to}, args...)
	if r.Q.PoolID != "" {
		where += ` AND t.pool_id = ?`
		args = append(args, r.Q.PoolID)
	}
	if r.Q.ChannelID != "" {
		where += ` AND t.channel_id = ?`
		args = append(args, r.Q.ChannelID)
	}
	ended, err := collect(ctx, c, `SELECT t.customer_id, t.start_seq, t.owner_id, t.dept_path, t.end_kind, t.end_reason, t.ended_at
		FROM tenures t WHERE `+where+` ORDER BY t.ended_at, t.customer_id`, args, func(s scanner) (endedTenure, error) {
		var e endedTenure
		return e, s.Scan(&e.customer, &e.seq, &e.owner, &e.path, &e.kind, &e.reason, &e.ended)
	})
	if err != nil {
		return nil, fmt.Errorf("ended tenures: %w", err)
	}
	// A later tenure of a recycled customer under another owner, won:
	// the first one won. Read by the primary key, for those customers
	// alone, rather than by a second pass over the period.
	var recycled []string
	for _, e := range ended {
		if e.kind == string(gonghai.EventRecycled) {
			recycled = append(recycled, e.customer)
		}
	}
	type win struct {
		customer, owner, path string
		seq, at               int64
	}
	wins := map[string][]win{}
	recycled = distinct(recycled)
	for lo := 0; lo < len(recycled); lo += 500 {
		batch := recycled[lo:min(lo+500, len(recycled))]
		rows, err := collect(ctx, c, `SELECT customer_id, start_seq, owner_id, dept_path, won_at FROM tenures
			WHERE customer_id IN (`+placeholders(len(batch))+`) AND won_at IS NOT NULL ORDER BY won_at, start_seq`,
			anys(batch), func(s scanner) (win, error) {
				var w win
				return w, s.Scan(&w.customer, &w.seq, &w.owner, &w.path, &w.at)
			})
		if err != nil {
			return nil, fmt.Errorf("won by others: %w", err)
		}
		for _, w := range rows {
			wins[w.customer] = append(wins[w.customer], w)
		}
	}
	for i, e := range ended {
		if e.kind != string(gonghai.EventRecycled) {
			continue
		}
		for _, w := range wins[e.customer] {
			if w.seq > e.seq && w.owner != e.owner {
				ended[i].winner, ended[i].winnerPath, ended[i].wonAt = w.owner, w.path, w.at
				break
			}
		}
	}
	return ended, nil
}

// recycleDims are the groups one ended tenure counts in, as drill keys
// without their first part: all, its reason, owner, department, bucket.
func recycleDims(r *reportReq, e endedTenure) []string {
	return []string{"all.-", "r." + reasonKey(normalReason(e.kind, e.reason)), "u." + e.owner,
		"d." + lastID(e.path), "b." + r.Period.Bucket(r.Period.Day(fromMicros(e.ended)))}
}

// recycleWhat is the first part of e's drill keys, and of won ones the
// extra one.
func recycleWhat(e endedTenure) []string {
	if e.kind == string(gonghai.EventReleased) {
		return []string{"rl"}
	}
	if e.winner != "" {
		return []string{"rc", "wo"}
	}
	return []string{"rc"}
}

// lastID is the department id a path ends with, "-" for none (a drill
// value, and a key of no department's name).
func lastID(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return cmp.Or(parts[len(parts)-1], "-")
}

func drillRecycles(ctx context.Context, c conn, r *reportReq, key string) ([]string, error) {
	what, rest, _ := strings.Cut(key, ".")
	if !slices.Contains([]string{"rc", "rl", "wo", "c"}, what) || rest == "" {
		return nil, gonghai.Invalid("drill", "a drill key from the report")
	}
	ended, err := loadEnded(ctx, c, r)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range ended {
		if what == "c" {
			if e.customer == rest && e.winner != "" {
				ids = append(ids, e.customer)
			}
			continue
		}
		if slices.Contains(recycleWhat(e), what) && slices.Contains(recycleDims(r, e), rest) {
			ids = append(ids, e.customer)
		}
	}
	return ids, nil
}
