package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// An import batch's decisions, row by row (importPlan.decide), and its
// writes (importPlan.write).
// importPlan is what one batch decides its rows by.
type importPlan struct {
	j      gonghai.Import
	actor  gonghai.User
	s      gonghai.Settings
	pools  map[string]gonghai.Pool
	owners map[string]*importOwner // by ownerKey
	found  map[string]existing
	seen   gonghai.ImportSeen
	dry    bool
	// creates are the customers the batch makes, in row order; inBatch
	// maps a key of one of them to its index.
	creates []customerRow
	inBatch map[string]int
	// updates are the existing customers the batch fills, by id.
	updates map[string]*importUpdate
}

// importUpdate is an existing customer an update row fills, as filled.
type importUpdate struct {
	r      customerRow
	before gonghai.CustomerFields
	f      gonghai.CustomerFields
}

// decide reaches row r's verdict, and in a real run queues what it writes.
func (b *importPlan) decide(ctx context.Context, c conn, r *importRow) {
	if r.v.Verdict == gonghai.VerdictError {
		return
	}
	var match existing
	var pending = -1
	for _, k := range r.keys {
		if e, ok := b.found[k.id()]; ok {
			match, r.v.Field = e, k.field
			break
		}
		if i, ok := b.inBatch[k.id()]; ok {
			pending, r.v.Field = i, k.field
			match = existing{id: b.creates[i].ID, ownerID: b.creates[i].OwnerID, poolID: b.creates[i].PoolID}
			r.v.InFileRow = b.creates[i].fileRow
			break
		}
		if row, ok := b.seen[k.id()]; ok && b.dry {
			r.v.Field, r.v.InFileRow = k.field, row
			break
		}
	}
	r.matched = r.v.Field != ""
	r.v.MatchedID, r.matchOwner = match.id, match.ownerID
	if r.matched {
		r.v.Reason = "the " + r.v.Field + " of an existing customer"
		if r.v.InFileRow > 0 {
			r.v.Reason = fmt.Sprintf("the %s of row %d of this file", r.v.Field, r.v.InFileRow)
		}
	}
	switch {
	case !r.matched:
		b.create(r, "")
	case b.j.Options.Policy == gonghai.ImportSkip:
		r.v.Verdict = gonghai.VerdictSkip
	case b.j.Options.Policy == gonghai.ImportConflict:
		field, reason := r.v.Field, r.v.Reason
		if b.create(r, match.id) {
			r.v.Verdict, r.v.Field, r.v.Reason = gonghai.VerdictConflict, field, reason
		}
	default:
		b.update(ctx, c, r, match, pending)
	}
}

// create queues row r as a new customer, beside duplicateOf when set,
// within its owner's holding limits; false when it may not be made.
func (b *importPlan) create(r *importRow, duplicateOf string) bool {
	if r.ownerID != "" {
		o := b.owners[ownerKey(r.ownerID, r.poolID)]
		if o.err != nil {
			field, problem := gonghai.FirstProblem(o.err)
			if field == "" {
				field = "owner"
			}
			r.v.Verdict, r.v.Field, r.v.Reason = gonghai.VerdictError, field, problem
			return false
		}
		if err := gonghai.CheckHolding(b.s, o.pool, o.user, o.holding()); err != nil {
			r.v.Verdict, r.v.Field, r.v.Reason = gonghai.VerdictError, "owner", "over holding limit"
			return false
		}
		*o.overall++
		o.inPool++
		if b.dry {
			b.seen[plannedKey(r.ownerID)]++
			b.seen[plannedKey(ownerKey(r.ownerID, r.poolID))]++
		}
	}
	r.v.Verdict = gonghai.VerdictCreate
	if b.dry {
		if duplicateOf == "" {
			for _, k := range r.keys {
				if _, ok := b.seen[k.id()]; !ok {
					b.seen[k.id()] = r.line.Row
				}
			}
		}
		return true
	}
	f := r.f
	row := customerRow{Customer: gonghai.Customer{ID: newID(), Name: f.Name, Company: f.Company, Category: f.Category,
		Industry: f.Industry, Region: f.Region, ProductLine: f.ProductLine, Source: f.Source, Stage: f.Stage,
		Phone: f.Phone, Email: f.Email, WeChat: f.WeChat, OwnerID: r.ownerID, PoolID: r.poolID, Size: f.Size},
		duplicateOf: duplicateOf, fileRow: r.line.Row}
	r.v.MatchedID = duplicateOf
	r.pending = len(b.creates)
	b.creates = append(b.creates, row)
	if duplicateOf == "" {
		if b.inBatch == nil {
			b.inBatch = map[string]int{}
		}
		for _, k := range r.keys {
			if _, ok := b.inBatch[k.id()]; !ok {
				b.inBatch[k.id()] = r.pending
			}
		}
	}
	return true
}

// update fills the empty fields of the customer row r matched (policy
// update): one created earlier in the batch (pending), or an existing one
// the importer may edit (gonghai.CanImportUpdate). A contact whose key is
// another customer's is not filled: it would be a duplicate of that one.
func (b *importPlan) update(ctx context.Context, c conn, r *importRow, match existing, pending int) {
	r.v.Verdict = gonghai.VerdictUpdate
	if b.dry && match.id == "" {
		// A row of this file the dry run would create: filled at the run.
		r.v.Reason = fmt.Sprintf("fills the empty fields of row %d of this file", r.v.InFileRow)
		return
	}
	if pending < 0 {
		p, ok := b.pools[match.poolID]
		poolAdmin := ok && p.IsAdmin(b.actor.ID)
		if err := gonghai.CanImportUpdate(b.actor, gonghai.Customer{OwnerID: match.ownerID}, poolAdmin); err != nil {
			r.v.Verdict, r.v.Reason = gonghai.VerdictError, gonghai.ErrorMessage(err)
			return
		}
	}
	var before gonghai.CustomerFields
	var u *importUpdate
	switch {
	case pending >= 0:
		before = fieldsOf(b.creates[pending].Customer)
	case b.updates[match.id] != nil:
		u = b.updates[match.id]
		before = u.f
	default:
		cr, err := getCustomer(ctx, c, match.id)
		if err != nil {
			r.v.Verdict, r.v.Reason = gonghai.VerdictError, "the existing customer could not be read"
			return
		}
		u = &importUpdate{r: cr, before: fieldsOf(cr.Customer)}
		before = u.before
	}
	row := r.f
	for _, k := range r.keys {
		if e, ok := b.found[k.id()]; ok && e.id != match.id && k.field != "company" {
			// Another customer's contact: filling it would duplicate that one.
			*contactField(&row, k.field) = ""
		}
	}
	filled, names := gonghai.FillEmpty(before, row)
	if len(names) == 0 {
		r.v.Verdict, r.v.Reason = gonghai.VerdictSkip, r.v.Reason+"; no empty field to fill"
		return
	}
	r.v.Reason = r.v.Reason + "; fills " + strings.Join(names, ", ")
	if b.dry {
		return
	}
	if pending >= 0 {
		cr := &b.creates[pending]
		cr.Name, cr.Company, cr.Category, cr.Industry, cr.Region = filled.Name, filled.Company, filled.Category, filled.Industry, filled.Region
		cr.ProductLine, cr.Source, cr.Stage, cr.Phone, cr.Email, cr.WeChat = filled.ProductLine, filled.Source, filled.Stage, filled.Phone, filled.Email, filled.WeChat
		return
	}
	u.f = filled
	if b.updates == nil {
		b.updates = map[string]*importUpdate{}
	}
	b.updates[match.id] = u
}

// plannedKey is the key of seen that counts the customers a dry run
// would give owner id: no match key has this form.
func plannedKey(id string) string { return "owner\x00\x00" + id }

// contactField points at f's contact field by name.
func contactField(f *gonghai.CustomerFields, name string) *string {
	switch name {
	case "phone":
		return &f.Phone
	case "email":
		return &f.Email
	default:
		return &f.WeChat
	}
}

// write writes what a real run's batch decided: the new customers through
// the bulk path (their events, deadlines and counts with them), the filled
// customers (rescheduled), a conflict per matched row, and the refused
// rows for the error file.
func (b *importPlan) write(ctx context.Context, c conn, rows []importRow, pools map[string]gonghai.Pool, now time.Time) error {
	loc := b.s.Location()
	for i := range b.creates {
		b.creates[i].Created, b.creates[i].Updated = now, now
		if b.creates[i].OwnerID != "" {
			b.creates[i].OwnedSince = &b.creates[i].Created
		}
	}
	if len(b.creates) > 0 {
		if err := insertBulk(ctx, c, b.actor.ID, b.creates, pools, loc); err != nil {
			return err
		}
		if err := tagLeads(ctx, c, b.j.Options.ChannelID, b.creates, now); err != nil {
			return err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(b.updates)) {
		u := b.updates[id]
		p, ok := pools[u.r.PoolID]
		if !ok {
			var err error
			if p, err = lockPoolRules(ctx, c, u.r.PoolID); err != nil {
				return err
			}
			pools[u.r.PoolID] = p
		}
		f := u.f
		set, args := c.fieldsSet(u.r.ID, &f)
		if err := touch(ctx, c, &u.r, p, loc, now, set, args...); err != nil {
			return err
		}
	}
	var refused []importRow
	for _, r := range rows {
		if r.v.Verdict == gonghai.VerdictError {
			refused = append(refused, r)
		}
		if !r.matched {
			continue
		}
		k := gonghai.Conflict{Kind: gonghai.ConflictImport, At: now, ActorID: b.actor.ID, Field: r.v.Field,
			Company: r.f.Company, MatchedID: r.v.MatchedID, ImportID: b.j.ID, Row: r.line.Row}
		if r.v.Verdict == gonghai.VerdictConflict {
			k.NewID = b.creates[r.pending].ID
		}
		k.MatchedOwnerID = r.matchOwner
		if _, err := insertConflict(ctx, c, k, loc); err != nil {
			return err
		}
	}
	return writeVerdicts(ctx, c, b.j.ID, "run", refused)
}

// writeVerdicts records rows' verdicts for job id, a statement per chunk.
func writeVerdicts(ctx context.Context, c conn, id, phase string, rows []importRow) error {
	const width = 8
	for lo := 0; lo < len(rows); lo += bulkRows {
		chunk := rows[lo:min(lo+bulkRows, len(rows))]
		args := make([]any, 0, width*len(chunk))
		for _, r := range chunk {
			args = append(args, id, phase, r.line.Row, string(r.v.Verdict), r.v.Field, r.v.Reason, nullString(r.v.MatchedID), r.v.InFileRow)
		}
		_, err := c.exec(ctx, `INSERT INTO import_rows (import_id, phase, row_number, verdict, field, reason, matched_id, in_file_row)
			VALUES `+valuesList(len(chunk), width), args...)
		if err != nil {
			return fmt.Errorf("import verdicts: %w", mapErr(err))
		}
	}
	return nil
}
