package web

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// conflictStore is what arbitration (撞单) and merges need of the database.
type conflictStore interface {
	Conflicts(ctx context.Context, viewer gonghai.User, f gonghai.ConflictFilter, pg gonghai.Page) (gonghai.ConflictPage, error)
	Conflict(ctx context.Context, viewer gonghai.User, id string) (gonghai.ConflictDetail, error)
	OpenConflicts(ctx context.Context, viewer gonghai.User) (int, error)
	ResolveConflict(ctx context.Context, actor gonghai.User, id string, r gonghai.Resolution) (gonghai.ConflictView, error)
	ConflictRates(ctx context.Context, viewer gonghai.User, from, to string) ([]gonghai.DepartmentMonth, error)
	Merge(ctx context.Context, actor gonghai.User, m gonghai.Merge) (gonghai.Customer, error)
	MergedHistory(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Event, error)
}

// ConflictRecord is a conflict as the API shows it: exported, so that
// the detail embeds its fields in the document as in the JSON.
type ConflictRecord struct {
	ID               string     `json:"id"`
	Kind             string     `json:"kind" enum:"refused,similar,import" doc:"refused: a create refused as a duplicate; similar: created although like an existing company; import: an import row that matched"`
	Status           string     `json:"status" enum:"open,kept,given,merged,dismissed"`
	At               time.Time  `json:"at"`
	ActorID          *string    `json:"actor_id" doc:"Who tried"`
	ActorName        string     `json:"actor_name"`
	DepartmentID     *string    `json:"department_id" doc:"The actor's department then"`
	Field            string     `json:"field" doc:"What matched: company, phone, email, wechat or similar"`
	Company          string     `json:"company" doc:"The company the actor gave"`
	MatchedID        string     `json:"matched_id" doc:"The existing customer"`
	MatchedCompany   string     `json:"matched_company"`
	MatchedOwnerID   *string    `json:"matched_owner_id" doc:"Its owner then; null in a pool"`
	MatchedOwnerName string     `json:"matched_owner_name"`
	NewID            *string    `json:"new_id" doc:"The customer created anyway, if any"`
	ImportID         *string    `json:"import_id"`
	Row              int        `json:"row" doc:"The import's row number; 0 otherwise"`
	ResolvedBy       *string    `json:"resolved_by"`
	ResolvedByName   string     `json:"resolved_by_name"`
	ResolvedAt       *time.Time `json:"resolved_at"`
	Note             string     `json:"note"`
}

func conflictOut(v gonghai.ConflictView) ConflictRecord {
	return ConflictRecord{ID: v.ID, Kind: string(v.Kind), Status: string(v.Status), At: v.At, ActorID: optional(v.ActorID),
		ActorName: v.ActorName, DepartmentID: optional(v.DepartmentID), Field: v.Field, Company: v.Company, MatchedID: v.MatchedID,
		MatchedCompany: v.MatchedCompany, MatchedOwnerID: optional(v.MatchedOwnerID), MatchedOwnerName: v.MatchedOwnerName,
		NewID: optional(v.NewID), ImportID: optional(v.ImportID), Row: v.Row, ResolvedBy: optional(v.ResolvedBy),
		ResolvedByName: v.ResolvedByName, ResolvedAt: v.ResolvedAt, Note: v.Note}
}

type conflictDetailJSON struct {
	ConflictRecord
	Matched           *sideJSON `json:"matched" doc:"The matched customer, masked as usual; null when you may not see it"`
	New               *sideJSON `json:"new" doc:"The customer created anyway; null when none, or when you may not see it"`
	MatchedSeq        int       `json:"matched_seq" doc:"The matched customer's latest ownership event number (for merge's check)"`
	NewSeq            int       `json:"new_seq" doc:"The created customer's, 0 when none"`
	MatchedMergedInto *string   `json:"matched_merged_into" doc:"Set when the matched customer was merged into another since"`
	NewMergedInto     *string   `json:"new_merged_into" doc:"Set when the created customer was merged into another since"`
}

func conflictDetailOut(d gonghai.ConflictDetail) conflictDetailJSON {
	out := conflictDetailJSON{ConflictRecord: conflictOut(d.ConflictView), MatchedSeq: d.MatchedSeq, NewSeq: d.NewSeq,
		MatchedMergedInto: optional(d.MatchedMergedInto), NewMergedInto: optional(d.NewMergedInto)}
	if d.Matched != nil {
		out.Matched = ptrTo(sideJSON(customerOut(*d.Matched)))
	}
	if d.New != nil {
		out.New = ptrTo(sideJSON(customerOut(*d.New)))
	}
	return out
}

// sideJSON is one customer of a conflict: a customer, or null.
type sideJSON customerJSON

// Schema makes the side an inline customer that may be null.
func (sideJSON) Schema(r huma.Registry) *huma.Schema { return nullableSchema[customerJSON](r) }

type conflictsIn struct {
	PageParams
	Status       string    `query:"status" enum:"open,kept,given,merged,dismissed," doc:"Only this status; every status when empty"`
	Kind         string    `query:"kind" enum:"refused,similar,import,"`
	DepartmentID string    `query:"department_id" maxLength:"64" doc:"The actor's department, or below it"`
	From         time.Time `query:"from" doc:"Recorded at or after (RFC 3339)"`
	To           time.Time `query:"to" doc:"Recorded before (RFC 3339)"`
}

type conflictList struct {
	Body struct {
		Items      []ConflictRecord `json:"items"`
		NextCursor string           `json:"next_cursor" doc:"Pass as cursor for the next page; empty on the last page"`
		Open       int              `json:"open" doc:"Open conflicts you see, whatever the filters (counted up to 10,000)"`
	}
}

func (s *Server) listConflicts(ctx context.Context, in *conflictsIn) (*conflictList, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	f := gonghai.ConflictFilter{Status: gonghai.ConflictStatus(in.Status), Kind: gonghai.ConflictKind(in.Kind),
		DepartmentID: in.DepartmentID, From: in.From, To: in.To}
	p, err := s.store.Conflicts(ctx, actor(ctx), f, pg)
	if err != nil {
		return nil, err
	}
	out := &conflictList{}
	out.Body.Items, out.Body.NextCursor, out.Body.Open = each(p.Conflicts, conflictOut), encodeCursor(p.Next), p.Open
	return out, nil
}

func (s *Server) getConflict(ctx context.Context, in *IDPath) (*body[conflictDetailJSON], error) {
	return reply(conflictDetailOut)(s.store.Conflict(ctx, actor(ctx), in.ID))
}

// mergeFieldsJSON says, per field, which customer's value the merged one
// keeps; a field left out keeps the survivor's, or the other's where the
// survivor's is empty.
type mergeFieldsJSON struct {
	Company     string `json:"company,omitempty" enum:"survivor,merged"`
	Name        string `json:"name,omitempty" enum:"survivor,merged"`
	Phone       string `json:"phone,omitempty" enum:"survivor,merged"`
	Email       string `json:"email,omitempty" enum:"survivor,merged"`
	WeChat      string `json:"wechat,omitempty" enum:"survivor,merged"`
	Category    string `json:"category,omitempty" enum:"survivor,merged"`
	Industry    string `json:"industry,omitempty" enum:"survivor,merged"`
	Region      string `json:"region,omitempty" enum:"survivor,merged"`
	ProductLine string `json:"product_line,omitempty" enum:"survivor,merged"`
	Source      string `json:"source,omitempty" enum:"survivor,merged"`
	Stage       string `json:"stage,omitempty" enum:"survivor,merged"`
	Owner       string `json:"owner,omitempty" enum:"survivor,merged" doc:"Owner and pool together; by default the survivor's, or the other's when only it has an owner"`
}

func (m *mergeFieldsJSON) sides() map[string]gonghai.MergeSide {
	out := map[string]gonghai.MergeSide{}
	if m == nil {
		return out
	}
	for f, v := range map[string]string{"company": m.Company, "name": m.Name, "phone": m.Phone, "email": m.Email,
		"wechat": m.WeChat, "category": m.Category, "industry": m.Industry, "region": m.Region,
		"product_line": m.ProductLine, "source": m.Source, "stage": m.Stage, "owner": m.Owner} {
		if v != "" {
			out[f] = gonghai.MergeSide(v)
		}
	}
	return out
}

type resolveIn struct {
	IDPath
	Body struct {
		Action     string           `json:"action" enum:"keep,give,merge,dismiss" doc:"keep: the owner keeps the matched customer (one created anyway is merged into it); give: it goes to the actor, under holding limits; merge: the two become one; dismiss: not a conflict"`
		Note       string           `json:"note,omitempty" maxLength:"500"`
		Fields     *mergeFieldsJSON `json:"fields,omitempty" doc:"For merge (and the merge keep and give make): which side wins, per field"`
		SurvivorID string           `json:"survivor_id,omitempty" maxLength:"64" doc:"For merge: which of the two survives; the matched customer by default"`
		Force      bool             `json:"force,omitempty" doc:"For give: past the holding limit (admins)"`
	}
}

func (s *Server) resolveConflict(ctx context.Context, in *resolveIn) (*body[ConflictRecord], error) {
	r := gonghai.Resolution{Action: gonghai.ConflictAction(in.Body.Action), Note: in.Body.Note, Fields: in.Body.Fields.sides(),
		SurvivorID: in.Body.SurvivorID, Force: in.Body.Force}
	return reply(conflictOut)(s.store.ResolveConflict(ctx, actor(ctx), in.ID, r))
}

type mergeIn struct {
	IDPath
	Body struct {
		Into        string           `json:"into" maxLength:"64" doc:"The customer that survives; the one in the path is merged into it"`
		Fields      *mergeFieldsJSON `json:"fields,omitempty"`
		Note        string           `json:"note,omitempty" maxLength:"500"`
		IntoSeq     int              `json:"into_seq,omitempty" minimum:"0" doc:"The survivor's ownership event number as you saw it: refused (conflict) if it moved since"`
		CustomerSeq int              `json:"customer_seq,omitempty" minimum:"0" doc:"The merged customer's, likewise"`
	}
}

func (s *Server) mergeCustomer(ctx context.Context, in *mergeIn) (*body[customerJSON], error) {
	return reply(customerOut)(s.store.Merge(ctx, actor(ctx), gonghai.Merge{SurvivorID: in.Body.Into, MergedID: in.ID,
		Fields: in.Body.Fields.sides(), Note: in.Body.Note, SurvivorSeq: in.Body.IntoSeq, MergedSeq: in.Body.CustomerSeq}))
}

func (s *Server) mergedHistory(ctx context.Context, in *IDPath) (*list[eventJSON], error) {
	return replyAll(eventOut)(s.store.MergedHistory(ctx, actor(ctx), in.ID))
}

type ratesIn struct {
	From string `query:"from" pattern:"^[0-9]{4}-[0-9]{2}$" required:"true" doc:"First month, YYYY-MM"`
	To   string `query:"to" pattern:"^[0-9]{4}-[0-9]{2}$" required:"true" doc:"Last month, YYYY-MM (included)"`
}

type departmentMonthJSON struct {
	DepartmentID   *string  `json:"department_id" doc:"null for users in no department"`
	DepartmentName string   `json:"department_name"`
	Month          string   `json:"month"`
	Created        int      `json:"created" doc:"New customers created by the department's users"`
	Conflicts      int      `json:"conflicts"`
	Rate           *float64 `json:"rate" doc:"Conflicts per 100 new customers; null without new customers"`
}

func (s *Server) conflictRates(ctx context.Context, in *ratesIn) (*list[departmentMonthJSON], error) {
	return replyAll(func(d gonghai.DepartmentMonth) departmentMonthJSON {
		out := departmentMonthJSON{DepartmentID: optional(d.DepartmentID), DepartmentName: d.DepartmentName, Month: d.Month,
			Created: d.Created, Conflicts: d.Conflicts}
		if r, ok := d.Rate(); ok {
			out.Rate = &r
		}
		return out
	})(s.store.ConflictRates(ctx, actor(ctx), in.From, in.To))
}
