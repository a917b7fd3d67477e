// Package score rates how likely a lead or pool customer is to become a
// won customer, 0 to 100, from the organisation's own history: a
// logistic regression over a few facts of each record, trained by
// gradient descent, or a fixed rule table while the history is too thin
// to learn from. Every score explains itself by the factors that weigh
// most in it. The package is pure: the store reads the facts and writes
// the scores.
package score

import (
	"strings"
	"time"
)

// Features are the facts of one record that its score is computed from,
// as the store reads them: all known before the record is won, so that a
// score can be given to a new lead as well as learned from old customers.
type Features struct {
	Channel  string // the channel of its first touch (name or id), "" for none
	Industry string
	Region   string // "省/市/区": only the province counts
	Category string // A, B, C or ""
	Size     string // one of gonghai.Sizes or ""
	Source   string
	// FollowUps counts its follow-ups (before it was won, for a won one).
	FollowUps int
	// FirstFollowUp is how long after it was created it was first followed
	// up; nil when never.
	FirstFollowUp *time.Duration
}

// The features' names, as factors and the model's weights name them.
const (
	FChannel       = "channel"
	FIndustry      = "industry"
	FProvince      = "province"
	FCategory      = "category"
	FSize          = "size"
	FSource        = "source"
	FFollowUps     = "follow_ups"
	FFirstFollowUp = "first_follow_up"
)

// Province returns the first part of a region path.
func Province(region string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(region), "/")
	return p
}

// FollowUpBucket names a count of follow-ups by its range: numbers are
// bucketed so that each bucket has a weight of its own and reads as a
// reason ("follow_ups 3+").
func FollowUpBucket(n int) string {
	switch {
	case n <= 0:
		return "0"
	case n <= 2:
		return "1-2"
	case n <= 5:
		return "3-5"
	}
	return "6+"
}

// FirstFollowUpBucket names how soon a record was first followed up.
func FirstFollowUpBucket(d *time.Duration) string {
	switch {
	case d == nil:
		return "never"
	case *d <= 24*time.Hour:
		return "24h"
	case *d <= 72*time.Hour:
		return "72h"
	case *d <= 7*24*time.Hour:
		return "7d"
	}
	return "later"
}

// pair is one active feature: its name and value.
type pair struct{ feature, value string }

// key is how a pair is written in a model's weights.
func (p pair) key() string { return p.feature + "=" + p.value }

// pairs returns the features' active pairs, one per feature, in a fixed
// order. An empty text value is "" and has a weight like any other.
func (f Features) pairs() []pair {
	return []pair{
		{FChannel, strings.TrimSpace(f.Channel)},
		{FIndustry, strings.TrimSpace(f.Industry)},
		{FProvince, Province(f.Region)},
		{FCategory, strings.TrimSpace(f.Category)},
		{FSize, strings.TrimSpace(f.Size)},
		{FSource, strings.TrimSpace(f.Source)},
		{FFollowUps, FollowUpBucket(f.FollowUps)},
		{FFirstFollowUp, FirstFollowUpBucket(f.FirstFollowUp)},
	}
}
