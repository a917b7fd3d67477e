package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

// privacyStore is what reveals, data subject requests and the audit log
// need of the database.
type privacyStore interface {
	Reveal(ctx context.Context, actor gonghai.User, id string) (gonghai.Contacts, error)
	ExportCustomer(ctx context.Context, actor gonghai.User, id string) (gonghai.SubjectExport, error)
	EraseCustomer(ctx context.Context, actor gonghai.User, id string) (gonghai.Customer, error)
	Audit(ctx context.Context, viewer gonghai.User, f gonghai.AuditFilter, pg gonghai.Page) ([]gonghai.AuditEntry, string, error)
}

type contactsJSON struct {
	Phone    string        `json:"phone"`
	Email    string        `json:"email"`
	WeChat   string        `json:"wechat"`
	Contacts []contactJSON `json:"contacts" doc:"The customer's further contacts, in full"`
}

func (s *Server) revealContacts(ctx context.Context, in *IDPath) (*body[contactsJSON], error) {
	return reply(func(c gonghai.Contacts) contactsJSON {
		return contactsJSON{Phone: c.Phone, Email: c.Email, WeChat: c.WeChat, Contacts: each(c.Others, contactOut)}
	})(s.store.Reveal(ctx, actor(ctx), in.ID))
}

type subjectExportJSON struct {
	Customer      customerJSON       `json:"customer" doc:"Contacts in full"`
	Contacts      []contactJSON      `json:"contacts" doc:"The further contacts, in full"`
	FollowUps     []followUpJSON     `json:"follow_ups"`
	Opportunities []opportunityJSON  `json:"opportunities"`
	Orders        []orderJSON        `json:"orders"`
	History       []eventJSON        `json:"history" doc:"Ownership events: ids only"`
	Notifications []notificationJSON `json:"notifications"`
	Audit         []auditJSON        `json:"audit" doc:"Audit entries that name the customer"`
	ExportedAt    time.Time          `json:"exported_at"`
}

func each[S, T any](items []S, out func(S) T) []T {
	r := make([]T, len(items))
	for i, it := range items {
		r[i] = out(it)
	}
	return r
}

func (s *Server) exportCustomer(ctx context.Context, in *IDPath) (*body[subjectExportJSON], error) {
	return reply(func(x gonghai.SubjectExport) subjectExportJSON {
		return subjectExportJSON{Customer: customerOut(x.Customer), Contacts: each(x.Contacts, contactOut), FollowUps: each(x.FollowUps, followUpOut),
			Opportunities: each(x.Opportunities, opportunityOut), Orders: each(x.Orders, orderOut), History: each(x.History, eventOut),
			Notifications: each(x.Notifications, notificationOut), Audit: each(x.Audit, auditOut), ExportedAt: x.Exported}
	})(s.store.ExportCustomer(ctx, actor(ctx), in.ID))
}

func (s *Server) eraseCustomer(ctx context.Context, in *IDPath) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.EraseCustomer(ctx, actor(ctx), in.ID))
}

type auditJSON struct {
	ID         string            `json:"id"`
	At         time.Time         `json:"at"`
	ActorID    *string           `json:"actor_id" doc:"null for the command line or an unknown login"`
	Action     string            `json:"action" example:"reveal"`
	TargetKind string            `json:"target_kind" example:"customer"`
	TargetID   string            `json:"target_id"`
	Address    string            `json:"address,omitempty" doc:"Client IP address of actions over HTTP"`
	Detail     map[string]string `json:"detail,omitempty" doc:"Codes and ids; never personal data"`
}

func auditOut(e gonghai.AuditEntry) auditJSON {
	return auditJSON{ID: e.ID, At: e.At, ActorID: optional(e.ActorID), Action: e.Action, TargetKind: e.TargetKind,
		TargetID: e.TargetID, Address: e.Address, Detail: e.Detail}
}

type auditIn struct {
	PageParams
	Action   string `query:"action" maxLength:"40" doc:"Only this action, e.g. reveal or login_failed"`
	ActorID  string `query:"actor_id" maxLength:"64"`
	TargetID string `query:"target_id" maxLength:"64"`
}

func (s *Server) listAudit(ctx context.Context, in *auditIn) (*list[auditJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	f := gonghai.AuditFilter{Action: in.Action, ActorID: in.ActorID, TargetID: in.TargetID}
	return replyList(auditOut)(s.store.Audit(ctx, actor(ctx), f, pg))
}
