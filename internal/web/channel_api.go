package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// channelStore is what channels (渠道), intake and its quarantine need of
// the database.
type channelStore interface {
	CreateChannel(ctx context.Context, actor gonghai.User, in gonghai.ChannelInput) (gonghai.Channel, error)
	UpdateChannel(ctx context.Context, actor gonghai.User, id string, in gonghai.ChannelInput) (gonghai.Channel, error)
	RotateChannelKey(ctx context.Context, actor gonghai.User, id string) (gonghai.Channel, error)
	Channel(ctx context.Context, viewer gonghai.User, id string) (gonghai.Channel, error)
	Channels(ctx context.Context, viewer gonghai.User) ([]gonghai.Channel, error)
	ChannelToday(ctx context.Context, viewer gonghai.User) (map[string]store.ChannelDay, error)
	Intake(ctx context.Context, key string, in gonghai.IntakeInput, address string) (gonghai.IntakeResult, error)
	ChannelByKey(ctx context.Context, key string) (gonghai.Channel, error)
	Quarantine(ctx context.Context, viewer gonghai.User, state string, limit int) ([]gonghai.Quarantined, error)
	ReleaseQuarantined(ctx context.Context, actor gonghai.User, id string) (gonghai.Quarantined, error)
	DropQuarantined(ctx context.Context, actor gonghai.User, id string) (gonghai.Quarantined, error)
}

type channelJSON struct {
	ID             string          `json:"id"`
	Name           string          `json:"name" example:"官网表单"`
	Key            string          `json:"key" doc:"The secret a form posts to: /api/v1/intake/{key}"`
	IntakePath     string          `json:"intake_path" example:"/api/v1/intake/k3Y" doc:"Where the channel's forms and programs post"`
	PoolID         string          `json:"pool_id" doc:"The pool its leads go to"`
	Assignment     *AssignmentJSON `json:"assignment,omitempty" doc:"How its new leads are handed out; omitted: as its pool's"`
	DailyCap       int             `json:"daily_cap" doc:"New leads a day handed out automatically; past it they wait unassigned (daily_cap). 0: no cap"`
	Active         bool            `json:"active" doc:"An inactive channel's key is answered not found"`
	RedirectURL    string          `json:"redirect_url" doc:"Where a form post is sent after it is taken; empty: a thank-you page"`
	PerMinute      int             `json:"per_minute" doc:"Submissions a minute to the channel from everywhere; 0: no limit"`
	AddressPerHour int             `json:"address_per_hour" doc:"Submissions an hour from one address; 0: no limit"`
	Created        time.Time       `json:"created_at"`
	Updated        time.Time       `json:"updated_at"`
}

func channelOut(ch gonghai.Channel) channelJSON {
	out := channelJSON{ID: ch.ID, Name: ch.Name, Key: ch.Key, IntakePath: intakePath(ch.Key), PoolID: ch.PoolID,
		DailyCap: ch.DailyCap, Active: ch.Active, RedirectURL: ch.RedirectURL, PerMinute: ch.PerMinute,
		AddressPerHour: ch.AddressPerHour, Created: ch.Created, Updated: ch.Updated}
	if ch.Assignment.Strategy != "" {
		a := assignmentOut(ch.Assignment)
		out.Assignment = &a
	}
	return out
}

// intakePath is where a channel's submissions go.
func intakePath(key string) string { return "/api/v1/intake/" + key }

// channelBody is a channel to create or the fields of one to change.
type channelBody struct {
	Name           *string         `json:"name,omitempty" minLength:"1" maxLength:"100"`
	PoolID         *string         `json:"pool_id,omitempty" maxLength:"64"`
	Assignment     *AssignmentJSON `json:"assignment,omitempty" doc:"Its own strategy; see follows_pool"`
	FollowsPool    bool            `json:"follows_pool,omitempty" doc:"Drop its own strategy: hand out as its pool does"`
	DailyCap       *int            `json:"daily_cap,omitempty" minimum:"0" maximum:"1000000"`
	Active         *bool           `json:"active,omitempty"`
	RedirectURL    *string         `json:"redirect_url,omitempty" maxLength:"500"`
	PerMinute      *int            `json:"per_minute,omitempty" minimum:"0" maximum:"1000000"`
	AddressPerHour *int            `json:"address_per_hour,omitempty" minimum:"0" maximum:"1000000"`
}

func (b channelBody) input() gonghai.ChannelInput {
	in := gonghai.ChannelInput{Name: b.Name, PoolID: b.PoolID, DailyCap: b.DailyCap, Active: b.Active,
		RedirectURL: b.RedirectURL, PerMinute: b.PerMinute, AddressPerHour: b.AddressPerHour}
	switch {
	case b.FollowsPool:
		in.Assignment = &gonghai.Assignment{}
	case b.Assignment != nil:
		a := b.Assignment.assignment()
		in.Assignment = &a
	}
	return in
}

// createChannelIn needs name and pool_id: the store refuses a channel
// without them (invalid, naming the field).
type createChannelIn struct {
	Body channelBody
}

func (s *Server) createChannel(ctx context.Context, in *createChannelIn) (*body[channelJSON], error) {
	return reply(channelOut)(s.store.CreateChannel(ctx, actor(ctx), in.Body.input()))
}

type updateChannelIn struct {
	IDPath
	Body channelBody
}

func (s *Server) updateChannel(ctx context.Context, in *updateChannelIn) (*body[channelJSON], error) {
	return reply(channelOut)(s.store.UpdateChannel(ctx, actor(ctx), in.ID, in.Body.input()))
}

func (s *Server) rotateChannelKey(ctx context.Context, in *IDPath) (*body[channelJSON], error) {
	return reply(channelOut)(s.store.RotateChannelKey(ctx, actor(ctx), in.ID))
}

func (s *Server) getChannel(ctx context.Context, in *IDPath) (*body[channelJSON], error) {
	return reply(channelOut)(s.store.Channel(ctx, actor(ctx), in.ID))
}

func (s *Server) listChannels(ctx context.Context, _ *struct{}) (*list[channelJSON], error) {
	return replyAll(channelOut)(s.store.Channels(ctx, actor(ctx)))
}

type quarantinedJSON struct {
	ID         string     `json:"id"`
	ChannelID  string     `json:"channel_id"`
	Reason     string     `json:"reason" enum:"honeypot,links" doc:"honeypot: the hidden field was filled; links: a message of links"`
	State      string     `json:"state" enum:"held,released,dropped"`
	Submission intakeBody `json:"submission" doc:"What was sent; empty once dropped"`
	At         time.Time  `json:"at"`
	DecidedBy  *string    `json:"decided_by"`
	DecidedAt  *time.Time `json:"decided_at"`
	CustomerID *string    `json:"customer_id" doc:"The lead it became, or the record it joined, once released"`
}

func quarantinedOut(q gonghai.Quarantined) quarantinedJSON {
	return quarantinedJSON{ID: q.ID, ChannelID: q.ChannelID, Reason: q.Reason, State: q.State, Submission: intakeBodyOf(q.Input),
		At: q.At, DecidedBy: optional(q.DecidedBy), DecidedAt: q.DecidedAt, CustomerID: optional(q.CustomerID)}
}

type quarantineIn struct {
	State string `query:"state" enum:"held,released,dropped" default:"held"`
	Limit int    `query:"limit" minimum:"1" maximum:"200" default:"100"`
}

func (s *Server) listQuarantine(ctx context.Context, in *quarantineIn) (*list[quarantinedJSON], error) {
	return replyAll(quarantinedOut)(s.store.Quarantine(ctx, actor(ctx), in.State, in.Limit))
}

func (s *Server) releaseQuarantined(ctx context.Context, in *IDPath) (*body[quarantinedJSON], error) {
	return reply(quarantinedOut)(s.store.ReleaseQuarantined(ctx, actor(ctx), in.ID))
}

func (s *Server) dropQuarantined(ctx context.Context, in *IDPath) (*body[quarantinedJSON], error) {
	return reply(quarantinedOut)(s.store.DropQuarantined(ctx, actor(ctx), in.ID))
}

// invalidChannel turns a channel key that names no active channel, given
// as an option, into the option's refusal.
func invalidChannel(err error) error {
	if gonghai.ErrorCode(err) == gonghai.ENotFound {
		return gonghai.Invalid("channel_key", "no active channel has this key")
	}
	return err
}
