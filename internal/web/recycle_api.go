package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

type previewCustomerJSON struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Company  string    `json:"company"`
	Rule     string    `json:"rule"`
	Deadline time.Time `json:"deadline"`
}

type previewOwnerJSON struct {
	OwnerID   string                `json:"owner_id"`
	OwnerName string                `json:"owner_name"`
	Count     int                   `json:"count"`
	Customers []previewCustomerJSON `json:"customers"`
}

type previewDayJSON struct {
	Date   string             `json:"date" example:"2026-11-23" doc:"A day in the organisation's time zone"`
	Total  int                `json:"total"`
	Owners []previewOwnerJSON `json:"owners"`
}

type previewOut struct {
	Body struct {
		Days []previewDayJSON `json:"days"`
	}
}

func previewOf(days []gonghai.PreviewDay, err error) (*previewOut, error) {
	if err != nil {
		return nil, err
	}
	out := &previewOut{}
	out.Body.Days = make([]previewDayJSON, len(days))
	for i, d := range days {
		dj := previewDayJSON{Date: d.Date, Total: d.Total, Owners: make([]previewOwnerJSON, len(d.Owners))}
		for j, o := range d.Owners {
			oj := previewOwnerJSON{OwnerID: o.OwnerID, OwnerName: o.OwnerName, Count: len(o.Customers),
				Customers: make([]previewCustomerJSON, len(o.Customers))}
			for k, c := range o.Customers {
				oj.Customers[k] = previewCustomerJSON{ID: c.ID, Name: c.Name, Company: c.Company, Rule: string(c.Rule), Deadline: c.Deadline}
			}
			dj.Owners[j] = oj
		}
		out.Body.Days[i] = dj
	}
	return out, nil
}

type previewIn struct {
	IDPath
	Days int `query:"days" minimum:"1" maximum:"90" default:"7" doc:"How many days ahead, today first"`
}

func (s *Server) recyclePreview(ctx context.Context, in *previewIn) (*previewOut, error) {
	return previewOf(s.store.RecyclePreview(ctx, actor(ctx), in.ID, nil, in.Days))
}

type proposedPreviewIn struct {
	IDPath
	Days int `query:"days" minimum:"1" maximum:"90" default:"7" doc:"How many days ahead, today first"`
	Body struct {
		Recycle RecycleRulesJSON `json:"recycle" doc:"The rules to try, as they would be saved now"`
	}
}

func (s *Server) proposedRecyclePreview(ctx context.Context, in *proposedPreviewIn) (*previewOut, error) {
	rules := in.Body.Recycle.rules()
	return previewOf(s.store.RecyclePreview(ctx, actor(ctx), in.ID, &rules, in.Days))
}

type notificationJSON struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind" enum:"recycle_warning,recycled,follow_up_plan"`
	CustomerID   string     `json:"customer_id"`
	CustomerName string     `json:"customer_name"`
	Rule         string     `json:"rule"`
	Deadline     *time.Time `json:"deadline"`
	DaysLeft     int        `json:"days_left"`
	Text         string     `json:"text"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at"`
}

func notificationOut(n gonghai.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, CustomerID: n.CustomerID, CustomerName: n.CustomerName, Rule: string(n.Rule),
		Deadline: n.Deadline, DaysLeft: n.DaysLeft, Text: n.Text, CreatedAt: n.Created, ReadAt: n.Read}
}

func (s *Server) listNotifications(ctx context.Context, in *PageParams) (*list[notificationJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	return replyList(notificationOut)(s.store.Notifications(ctx, actor(ctx), pg))
}

type readIn struct {
	Body struct {
		UpTo string `json:"up_to,omitempty" maxLength:"64" doc:"Mark read up to and including this notification; omitted: all"`
	}
}

type countOut struct {
	Body struct {
		Count int `json:"count"`
	}
}

func counted(n int, err error) (*countOut, error) {
	if err != nil {
		return nil, err
	}
	out := &countOut{}
	out.Body.Count = n
	return out, nil
}

func (s *Server) readNotifications(ctx context.Context, in *readIn) (*countOut, error) {
	return counted(s.store.MarkNotificationsRead(ctx, actor(ctx), in.Body.UpTo))
}

type handOverIn struct {
	IDPath
	Body struct {
		ToUserID string `json:"to_user_id" doc:"Who takes the customers over"`
		Reason   string `json:"reason" minLength:"1" maxLength:"500" example:"离职交接"`
		Force    bool   `json:"force,omitempty" doc:"Admins only: pass holding limits"`
	}
}

type refusalJSON struct {
	CustomerID string `json:"customer_id"`
	Code       string `json:"code" doc:"Why this one was not moved"`
	Detail     string `json:"detail"`
}

type handOverOut struct {
	Body struct {
		Count   int           `json:"count" doc:"Customers moved"`
		Refused []refusalJSON `json:"refused" doc:"Customers left with their owner because you may not move them"`
	}
}

func (s *Server) handOver(ctx context.Context, in *handOverIn) (*handOverOut, error) {
	res, err := s.store.HandOver(ctx, actor(ctx), in.ID, in.Body.ToUserID, in.Body.Reason, in.Body.Force)
	if err != nil {
		return nil, err
	}
	out := &handOverOut{}
	out.Body.Count, out.Body.Refused = res.Moved, make([]refusalJSON, len(res.Left))
	for i, r := range res.Left {
		p := s.problem(ctx, r.Err)
		out.Body.Refused[i] = refusalJSON{CustomerID: r.CustomerID, Code: p.Code, Detail: p.Detail}
	}
	return out, nil
}
