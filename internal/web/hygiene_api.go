package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

// hygieneStore is what pool hygiene (定期清理公海) needs of the database:
// marks, flags, the archive, restores and the pools' rules.
type hygieneStore interface {
	MarkInvalid(ctx context.Context, actor gonghai.User, id string, m gonghai.InvalidMark) (gonghai.Archived, error)
	FlagInvalid(ctx context.Context, actor gonghai.User, id string, m gonghai.InvalidMark) (gonghai.Flag, error)
	Flags(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Flag, error)
	FlagStates(ctx context.Context, viewer gonghai.User, p gonghai.Pool, cs []gonghai.Customer) (map[string]gonghai.FlagState, error)
	Restore(ctx context.Context, actor gonghai.User, id string) (gonghai.Customer, error)
	Archive(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Archived, string, error)
	Archived(ctx context.Context, viewer gonghai.User, id string) (gonghai.Archived, error)
	ArchiveDays(ctx context.Context) (int, error)
	SetArchiveDays(ctx context.Context, actor gonghai.User, days int) error
	PoolHygiene(ctx context.Context, viewer gonghai.User, id string) (gonghai.HygieneRules, error)
	SetPoolHygiene(ctx context.Context, actor gonghai.User, h gonghai.HygieneRules) (gonghai.HygieneRules, error)
	HygienePreview(ctx context.Context, viewer gonghai.User, h gonghai.HygieneRules) (gonghai.HygieneCount, error)
}

type markIn struct {
	IDPath
	Body struct {
		Reason string `json:"reason" enum:"empty_number,closed,duplicate,no_need,other" doc:"空号, 停业, 重复, 无需求, 其他"`
		Note   string `json:"note,omitempty" maxLength:"200" doc:"Why; required for other"`
	}
}

func (in *markIn) mark() gonghai.InvalidMark {
	return gonghai.InvalidMark{Reason: gonghai.InvalidReason(in.Body.Reason), Note: in.Body.Note}
}

type archivedJSON struct {
	Customer   customerJSON `json:"customer"`
	FromPoolID string       `json:"from_pool_id" doc:"The pool it came from and is restored to"`
	Reason     string       `json:"reason" example:"empty_number" doc:"empty_number, closed, duplicate, no_need, other; stale or flagged when a pool's rule marked it"`
	Note       string       `json:"note"`
	ActorID    *string      `json:"actor_id" doc:"Who marked it; null when a pool's rule did"`
	ArchivedAt time.Time    `json:"archived_at"`
	PurgeAt    time.Time    `json:"purge_at" doc:"When its personal data is erased, unless restored before"`
}

func archivedOut(a gonghai.Archived) archivedJSON {
	return archivedJSON{Customer: customerOut(a.Customer), FromPoolID: a.FromPoolID, Reason: string(a.Reason), Note: a.Note,
		ActorID: optional(a.ActorID), ArchivedAt: a.At, PurgeAt: a.PurgeAt}
}

func (s *Server) markInvalid(ctx context.Context, in *markIn) (*body[archivedJSON], error) {
	return reply(archivedOut)(s.store.MarkInvalid(ctx, actor(ctx), in.ID, in.mark()))
}

type flagJSON struct {
	CustomerID string    `json:"customer_id"`
	UserID     string    `json:"user_id"`
	Reason     string    `json:"reason" example:"empty_number"`
	Note       string    `json:"note"`
	At         time.Time `json:"at"`
}

func flagOut(f gonghai.Flag) flagJSON {
	return flagJSON{CustomerID: f.CustomerID, UserID: f.UserID, Reason: string(f.Reason), Note: f.Note, At: f.At}
}

func (s *Server) flagInvalid(ctx context.Context, in *markIn) (*body[flagJSON], error) {
	return reply(flagOut)(s.store.FlagInvalid(ctx, actor(ctx), in.ID, in.mark()))
}

func (s *Server) listFlags(ctx context.Context, in *IDPath) (*list[flagJSON], error) {
	return replyAll(flagOut)(s.store.Flags(ctx, actor(ctx), in.ID))
}

func (s *Server) restoreCustomer(ctx context.Context, in *IDPath) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.Restore(ctx, actor(ctx), in.ID))
}

func (s *Server) listArchive(ctx context.Context, in *PageParams) (*list[archivedJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	return replyList(archivedOut)(s.store.Archive(ctx, actor(ctx), pg))
}

type archiveSettingsJSON struct {
	ArchiveDays int `json:"archive_days" minimum:"1" maximum:"3650" doc:"Days an invalid customer waits in the archive before it is purged"`
}

type archiveSettingsIn struct {
	Body archiveSettingsJSON
}

func (s *Server) getArchiveSettings(ctx context.Context, _ *struct{}) (*body[archiveSettingsJSON], error) {
	n, err := s.store.ArchiveDays(ctx)
	return reply(func(n int) archiveSettingsJSON { return archiveSettingsJSON{ArchiveDays: n} })(n, err)
}

func (s *Server) setArchiveSettings(ctx context.Context, in *archiveSettingsIn) (*body[archiveSettingsJSON], error) {
	if err := s.store.SetArchiveDays(ctx, actor(ctx), in.Body.ArchiveDays); err != nil {
		return nil, err
	}
	return bodyOf(in.Body), nil
}

type hygieneJSON struct {
	UnclaimedDays int `json:"unclaimed_days" minimum:"0" maximum:"3650" doc:"Mark invalid a customer unclaimed in the pool this many days; 0 off"`
	FlaggedBy     int `json:"flagged_by" minimum:"0" maximum:"1000" doc:"Mark invalid a customer flagged invalid by this many people; 0 off"`
}

type hygieneIn struct {
	IDPath
	Body hygieneJSON
}

func (in *hygieneIn) rules() gonghai.HygieneRules {
	return gonghai.HygieneRules{PoolID: in.ID, UnclaimedDays: in.Body.UnclaimedDays, FlaggedBy: in.Body.FlaggedBy}
}

func hygieneOut(h gonghai.HygieneRules) hygieneJSON {
	return hygieneJSON{UnclaimedDays: h.UnclaimedDays, FlaggedBy: h.FlaggedBy}
}

func (s *Server) getPoolHygiene(ctx context.Context, in *IDPath) (*body[hygieneJSON], error) {
	return reply(hygieneOut)(s.store.PoolHygiene(ctx, actor(ctx), in.ID))
}

func (s *Server) setPoolHygiene(ctx context.Context, in *hygieneIn) (*body[hygieneJSON], error) {
	return reply(hygieneOut)(s.store.SetPoolHygiene(ctx, actor(ctx), in.rules()))
}

type hygieneCountJSON struct {
	Unclaimed int  `json:"unclaimed" doc:"Customers the unclaimed rule would mark invalid now"`
	Flagged   int  `json:"flagged" doc:"Customers the flag rule would mark invalid now"`
	More      bool `json:"more" doc:"A count reached the cap of 10000: there are more"`
}

func (s *Server) previewPoolHygiene(ctx context.Context, in *hygieneIn) (*body[hygieneCountJSON], error) {
	return reply(func(n gonghai.HygieneCount) hygieneCountJSON {
		return hygieneCountJSON{Unclaimed: n.Stale, Flagged: n.Flagged, More: n.More}
	})(s.store.HygienePreview(ctx, actor(ctx), in.rules()))
}
