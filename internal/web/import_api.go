package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/importer"
	"github.com/gonghai/gonghai/internal/sheet"
)

// importStore is what the imports need of the database: what a runner
// needs to run a job (internal/importer's Store), and the jobs read,
// listed, started and cancelled, with their row verdicts.
type importStore interface {
	importer.Store
	Import(ctx context.Context, viewer gonghai.User, id string) (gonghai.Import, error)
	Imports(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Import, string, error)
	ImportRows(ctx context.Context, viewer gonghai.User, id string, verdict gonghai.ImportVerdict, run bool, pg gonghai.Page) ([]gonghai.ImportRow, string, error)
	StartImport(ctx context.Context, actor gonghai.User, id string) (gonghai.Import, error)
	CancelImport(ctx context.Context, actor gonghai.User, id string) (gonghai.Import, error)
}

// importer is the engine the import routes prepare and dry-run uploads
// with; the server's runners (serve's loop) run the jobs started.
func (s *Server) importer() *importer.Engine {
	return &importer.Engine{Store: s.store, Limits: s.importLimits, Log: s.log}
}

// maxUploadBytes is the body an import's upload may have: the file's limit
// and room for the form around it.
func (s *Server) maxUploadBytes() int64 {
	l := s.importLimits.MaxBytes
	if l <= 0 {
		l = gonghai.DefaultImportLimits.MaxBytes
	}
	return l + 1<<20
}

// WithImportLimits sets the limits of an import's file (default
// gonghai.DefaultImportLimits).
func WithImportLimits(l gonghai.ImportLimits) Option {
	return func(s *Server) { s.importLimits = l }
}

type importCountsJSON struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Skipped   int `json:"skipped"`
	Conflicts int `json:"conflicts" doc:"Rows that matched an existing customer or an earlier row, whatever the policy did"`
	Errors    int `json:"errors"`
}

func countsOut(c gonghai.ImportCounts) importCountsJSON {
	return importCountsJSON{Created: c.Created, Updated: c.Updated, Skipped: c.Skipped, Conflicts: c.Conflicts, Errors: c.Errors}
}

type importJSON struct {
	ID          string            `json:"id"`
	Status      string            `json:"status" enum:"dry_run,dry_run_done,queued,running,done,cancelled,failed"`
	FileName    string            `json:"file_name"`
	FileSHA256  string            `json:"file_sha256"`
	FileSize    int64             `json:"file_size"`
	Format      string            `json:"format" enum:"csv,xlsx"`
	Encoding    string            `json:"encoding,omitempty" doc:"The CSV's encoding, detected or given"`
	Header      []string          `json:"header"`
	Mapping     map[string]int    `json:"mapping" doc:"Customer field → column of the header, from 0"`
	PoolID      string            `json:"pool_id"`
	OwnerID     *string           `json:"owner_id"`
	OnDuplicate string            `json:"on_duplicate" enum:"skip,update,conflict"`
	Total       int               `json:"total" doc:"Data rows in the file, counted before the first was written"`
	Done        int               `json:"done" doc:"Rows handled so far: progress is done/total"`
	Counts      importCountsJSON  `json:"counts"`
	DryRun      *importCountsJSON `json:"dry_run,omitempty" doc:"The dry run's counts, once the job was started from it"`
	Failure     string            `json:"failure,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	FinishedAt  *time.Time        `json:"finished_at"`
	ExpiresAt   time.Time         `json:"expires_at" doc:"When the file and its error file are deleted"`
	// Rows is the first page of the dry run's verdicts, in the answer to
	// a dry-run upload.
	Rows       []importRowJSON `json:"rows,omitempty" doc:"The first page of verdicts, in the answer to a dry run"`
	NextCursor string          `json:"next_cursor,omitempty" doc:"Pass as cursor to GET /api/v1/imports/{id}/rows for more verdicts"`
}

func importOut(j gonghai.Import) importJSON {
	out := importJSON{ID: j.ID, Status: string(j.Status), FileName: j.FileName, FileSHA256: j.FileHash, FileSize: j.FileSize,
		Format: j.Format, Encoding: j.Encoding, Header: nonNil(j.Header), Mapping: j.Options.Mapping, PoolID: j.Options.PoolID,
		OwnerID: optional(j.Options.OwnerID), OnDuplicate: string(j.Options.Policy), Total: j.Total, Done: j.Done,
		Counts: countsOut(j.Counts), Failure: j.Failure, CreatedAt: j.Created, UpdatedAt: j.Updated, FinishedAt: j.Finished,
		ExpiresAt: j.Expires}
	if out.Mapping == nil {
		out.Mapping = map[string]int{}
	}
	if j.DryRun != (gonghai.ImportCounts{}) {
		d := countsOut(j.DryRun)
		out.DryRun = &d
	}
	return out
}

type importRowJSON struct {
	Row       int    `json:"row" doc:"The row number as a spreadsheet shows it: the header is row 1"`
	Verdict   string `json:"verdict" enum:"create,update,skip,conflict,error"`
	Field     string `json:"field,omitempty" doc:"For an error, the field at fault; for a duplicate, what matched"`
	Reason    string `json:"reason,omitempty"`
	MatchedID string `json:"matched_id,omitempty" doc:"The existing customer the row matched"`
	InFileRow int    `json:"in_file_row,omitempty" doc:"The earlier row of the same file the row duplicates"`
}

func importRowOut(r gonghai.ImportRow) importRowJSON {
	return importRowJSON{Row: r.Row, Verdict: string(r.Verdict), Field: r.Field, Reason: r.Reason, MatchedID: r.MatchedID, InFileRow: r.InFileRow}
}

// importForm is an upload: the file and the import's options.
type importForm struct {
	File        huma.FormFile `form:"file" required:"true" contentType:"text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/octet-stream" doc:"The spreadsheet: XLSX, or CSV in UTF-8 (with or without BOM), UTF-16 with BOM or GB18030"`
	PoolID      string        `form:"pool_id" required:"true" maxLength:"64" doc:"The pool the customers go into"`
	OwnerID     string        `form:"owner_id" required:"false" maxLength:"64" doc:"The rep who owns the created customers, within their holding limits row by row"`
	OnDuplicate string        `form:"on_duplicate" required:"false" enum:"skip,update,conflict" default:"skip" doc:"What a row that matches an existing customer does"`
	Encoding    string        `form:"encoding" required:"false" enum:",utf-8,utf-16le,utf-16be,gb18030" doc:"A CSV's encoding; empty detects it"`
	Mapping     string        `form:"mapping" required:"false" maxLength:"2000" doc:"JSON object: customer field → column of the header, from 0; empty maps as you last did for this header, else by the header's texts"`
	ChannelKey  string        `form:"channel_key" required:"false" maxLength:"64" doc:"A channel's key: the created customers are its leads, first touched by it (bulk intake)"`
	DryRun      bool          `form:"dry_run" required:"false" doc:"Check every row and answer the verdicts; write no customer. Start it later with POST /api/v1/imports/{id}/start"`
}

type importUpload struct {
	RawBody huma.MultipartFormFiles[importForm]
}

func (s *Server) createImport(ctx context.Context, in *importUpload) (*body[importJSON], error) {
	form := in.RawBody.Data()
	o := gonghai.ImportOptions{PoolID: form.PoolID, OwnerID: form.OwnerID, Policy: gonghai.ImportPolicy(form.OnDuplicate),
		Encoding: form.Encoding, DryRun: form.DryRun}
	if o.Policy == "" {
		o.Policy = gonghai.ImportSkip
	}
	if form.ChannelKey != "" {
		ch, err := s.store.ChannelByKey(ctx, form.ChannelKey)
		if err != nil {
			return nil, invalidChannel(err)
		}
		o.ChannelID = ch.ID
	}
	if form.Mapping != "" {
		if err := json.Unmarshal([]byte(form.Mapping), &o.Mapping); err != nil {
			return nil, gonghai.Invalid("mapping", "a JSON object of field names to column numbers")
		}
	}
	if form.File.Size > s.importLimits.MaxBytes && s.importLimits.MaxBytes > 0 {
		return nil, gonghai.Errorf(gonghai.ETooLarge, "the file is larger than %d MB", s.importLimits.MaxBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(form.File, s.maxUploadBytes()))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	j, err := s.importer().Submit(ctx, actor(ctx), form.File.Filename, data, o)
	if err != nil {
		return nil, err
	}
	out := importOut(j)
	if j.Status == gonghai.ImportDryRunDone {
		rows, next, err := s.store.ImportRows(ctx, actor(ctx), j.ID, "", false, gonghai.Page{Limit: gonghai.MaxPageSize})
		if err != nil {
			return nil, err
		}
		out.Rows, out.NextCursor = each(rows, importRowOut), encodeCursor(next)
	}
	return bodyOf(out), nil
}

func (s *Server) getImport(ctx context.Context, in *IDPath) (*body[importJSON], error) {
	return reply(importOut)(s.store.Import(ctx, actor(ctx), in.ID))
}

func (s *Server) listImports(ctx context.Context, in *PageParams) (*list[importJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	return replyList(importOut)(s.store.Imports(ctx, actor(ctx), pg))
}

type importRowsIn struct {
	IDPath
	PageParams
	Verdict string `query:"verdict" enum:",create,update,skip,conflict,error" doc:"Only rows of this verdict"`
	Run     bool   `query:"run" doc:"The real run's refused rows instead of the dry run's verdicts"`
}

func (s *Server) listImportRows(ctx context.Context, in *importRowsIn) (*list[importRowJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	return replyList(importRowOut)(s.store.ImportRows(ctx, actor(ctx), in.ID, gonghai.ImportVerdict(in.Verdict), in.Run, pg))
}

func (s *Server) startImport(ctx context.Context, in *IDPath) (*body[importJSON], error) {
	return reply(importOut)(s.store.StartImport(ctx, actor(ctx), in.ID))
}

func (s *Server) cancelImport(ctx context.Context, in *IDPath) (*body[importJSON], error) {
	return reply(importOut)(s.store.CancelImport(ctx, actor(ctx), in.ID))
}

// fileOut is a file to download.
type fileOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// sheetTypes are the content types of the files the import routes answer.
var sheetTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// fileResponse declares op's 200 answer as a spreadsheet, CSV or XLSX.
func fileResponse(op huma.Operation, what string) huma.Operation {
	binary := &huma.Schema{Type: huma.TypeString, Format: "binary"}
	op.Responses = map[string]*huma.Response{"200": {Description: what, Content: map[string]*huma.MediaType{
		"text/csv": {Schema: binary},
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {Schema: binary},
	}}}
	return op
}

// download names a file to save, in ASCII and in full (RFC 6266).
func download(name string) string {
	return `attachment; filename="import.` + path.Ext(name)[1:] + `"; filename*=UTF-8''` + url.PathEscape(name)
}

type templateIn struct {
	Format string `query:"format" enum:"xlsx,csv" default:"xlsx"`
	Lang   string `query:"lang" enum:",zh-CN,en" doc:"The headers' language; default Chinese"`
}

// importTemplate answers the import template, with drop-downs of the
// organisation's categories, the pools the caller may import into and the
// users they see.
func (s *Server) importTemplate(ctx context.Context, in *templateIn) (*fileOut, error) {
	viewer := actor(ctx)
	opt := sheet.TemplateOptions{Categories: gonghai.Categories, Lang: in.Lang}
	pools, err := s.store.Pools(ctx, viewer)
	if err != nil {
		return nil, err
	}
	for _, p := range pools {
		// Pools lists only the pools viewer sees: a member's view.
		if gonghai.CanImport(viewer, p, gonghai.Membership{Member: true}) == nil {
			opt.Pools = append(opt.Pools, p.Name)
		}
	}
	users, err := s.store.SeenUsers(ctx, viewer)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Active && u.Role != gonghai.RoleAdmin {
			opt.Owners = append(opt.Owners, u.Login)
		}
	}
	var b bytes.Buffer
	if err := sheet.Template(&b, sheet.Format(in.Format), opt); err != nil {
		return nil, err
	}
	name := "客户导入模板." + in.Format
	if in.Lang == "en" {
		name = "customer-import-template." + in.Format
	}
	return &fileOut{ContentType: sheetTypes[in.Format], ContentDisposition: download(name), Body: b.Bytes()}, nil
}

// importErrors answers the error file: the refused rows as uploaded, with
// an error column, in the upload's format.
func (s *Server) importErrors(ctx context.Context, in *IDPath) (*fileOut, error) {
	var b bytes.Buffer
	f, err := importer.WriteErrors(ctx, s.store, actor(ctx), in.ID, &b)
	if err != nil {
		return nil, err
	}
	return &fileOut{ContentType: sheetTypes[string(f)], ContentDisposition: download("errors-" + in.ID + "." + string(f)), Body: b.Bytes()}, nil
}
