package web

// The import wizard's pages: my imports, and the upload that starts one.
// An upload is stored as a job whose dry run checks every row and writes
// nothing; the mapping, the dry run's verdicts, the real run's progress
// and its result are the job's page (import_ui_job.go).

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"

	"github.com/gonghai/gonghai"
)

// errNoImports refuses the import pages to whoever may import into no pool.
var errNoImports = gonghai.Errorf(gonghai.EForbidden, "only an admin, or a pool's admin, imports customers")

// importEncodings are what the upload's encoding select offers: "" detects.
var importEncodings = []string{"", "utf-8", "gb18030", "utf-16le", "utf-16be"}

// importPolicies are the duplicate policies, in the order the form shows them.
var importPolicies = []gonghai.ImportPolicy{gonghai.ImportSkip, gonghai.ImportUpdate, gonghai.ImportConflict}

// importListSize is how many of one's recent imports the list shows.
const importListSize = 50

// importsPage lists the viewer's recent imports.
func (s *Server) importsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	pools, err := s.importPools(ctx, v)
	if err != nil {
		return err
	}
	jobs, _, err := s.store.Imports(ctx, v.User, gonghai.Page{Limit: importListSize})
	if err != nil {
		return err
	}
	if len(pools) == 0 && len(jobs) == 0 {
		return errNoImports
	}
	names, err := s.importNames(ctx, v, jobs...)
	if err != nil {
		return err
	}
	rows := make([]importJob, len(jobs))
	for i, j := range jobs {
		rows[i] = jobView(j, names, v.Now)
	}
	v.Nav = "imports"
	lim := s.limits()
	return s.render(w, v, http.StatusOK, "imports", map[string]any{"Jobs": rows, "MaxRows": lim.MaxRows, "MaxMB": lim.MaxBytes >> 20})
}

// importPools are the pools the viewer may import into
// (gonghai.CanImport): every pool for an admin, their own for a pool's
// admin, none for anyone else.
func (s *Server) importPools(ctx context.Context, v *view) ([]gonghai.Pool, error) {
	pools, err := s.store.Pools(ctx, v.User)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(pools, func(p gonghai.Pool) bool {
		return gonghai.CanImport(v.User, p, gonghai.Membership{}) != nil
	}), nil
}

// importNames names the pools and owners of jobs, by id, for the viewer.
func (s *Server) importNames(ctx context.Context, v *view, jobs ...gonghai.Import) (map[string]string, error) {
	names := map[string]string{}
	pools, err := s.store.Pools(ctx, v.User)
	if err != nil {
		return nil, err
	}
	for _, p := range pools {
		names[p.ID] = p.Name
	}
	for _, j := range jobs {
		if id := j.Options.OwnerID; id != "" && names[id] == "" {
			if u, err := s.store.User(ctx, v.User, id); err == nil {
				names[id] = u.Name
			}
		}
	}
	return names, nil
}

// uploadForm is the upload form as sent, for showing it again.
type uploadForm struct {
	Encoding string
	PoolID   string
	OwnerID  string
	Policy   gonghai.ImportPolicy
}

// uploadData is what the upload step shows.
type uploadData struct {
	importStep
	Form       uploadForm
	Errors     map[string]string
	Pools      []gonghai.Pool
	Owners     []gonghai.User
	Encodings  []string
	Policies   []gonghai.ImportPolicy
	MaxRows    int
	MaxMB      int64
	Problem    string
	Job        *importJob
	Remembered bool
}

// newImportPage shows the upload form.
func (s *Server) newImportPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.showUpload(w, r, v, http.StatusOK, uploadForm{Policy: gonghai.ImportSkip, PoolID: r.URL.Query().Get("pool")}, nil, "")
}

func (s *Server) showUpload(w http.ResponseWriter, r *http.Request, v *view, status int, f uploadForm, errs map[string]string, problem string) error {
	ctx := r.Context()
	pools, err := s.importPools(ctx, v)
	if err != nil {
		return err
	}
	if len(pools) == 0 {
		return errNoImports
	}
	owners, err := s.store.SeenUsers(ctx, v.User)
	if err != nil {
		return err
	}
	owners = slices.DeleteFunc(owners, func(u gonghai.User) bool { return !u.Active })
	lim := s.limits()
	v.Nav = "imports"
	return s.render(w, v, status, "import", uploadData{importStep: stepOf("upload"), Form: f, Errors: errs, Pools: pools,
		Owners: owners, Encodings: importEncodings, Policies: importPolicies, MaxRows: lim.MaxRows, MaxMB: lim.MaxBytes >> 20,
		Problem: problem})
}

// uploadImportForm reads the upload, parses the file's header and counts
// its rows, and stores it as a job whose dry run starts at once with the
// mapping the viewer chose last time for this header, or the automatic
// one. The file is read within the import limits: a larger one is refused
// before anything is stored.
func (s *Server) uploadImportForm(w http.ResponseWriter, r *http.Request, v *view) error {
	pools, err := s.importPools(r.Context(), v)
	if err != nil {
		return err
	}
	if len(pools) == 0 {
		return errNoImports
	}
	lim := s.limits()
	f, name, data, err := readUpload(r, uploadBody(r), lim.MaxBytes)
	if !slices.ContainsFunc(pools, func(p gonghai.Pool) bool { return p.ID == f.PoolID }) {
		f.PoolID = ""
	}
	errs := map[string]string{}
	switch {
	case gonghai.ErrorCode(err) == gonghai.ETooLarge:
		errs["file"] = v.T("import.error.too_large", lim.MaxRows, lim.MaxBytes>>20)
	case err != nil:
		return err
	case len(data) == 0:
		errs["file"] = v.T("import.error.no_file")
	}
	if !slices.Contains(importEncodings, f.Encoding) {
		f.Encoding = ""
	}
	if !f.Policy.Valid() {
		errs["policy"] = v.T("import.error.policy")
	}
	if f.PoolID == "" {
		errs["target"] = v.T("import.error.target")
	}
	if len(errs) > 0 {
		return s.showUpload(w, r, v, http.StatusUnprocessableEntity, f, errs, "")
	}
	ctx, e := r.Context(), s.importer()
	in, err := e.Prepare(ctx, v.User, name, data, gonghai.ImportOptions{PoolID: f.PoolID, OwnerID: f.OwnerID,
		Policy: f.Policy, Encoding: f.Encoding, DryRun: true})
	// A header none of whose columns maps to company or name is mapped
	// by hand: the job is stored, its dry run waits for the mapping.
	unmapped := err != nil && in.Header != nil && gonghai.ErrorCode(err) == gonghai.EInvalid
	if err != nil && !unmapped {
		if text := uploadProblem(v, err, lim); text != "" {
			errs["file"] = text
			return s.showUpload(w, r, v, http.StatusUnprocessableEntity, f, errs, "")
		}
		return err
	}
	remembered := !sameMapping(in.Options.Mapping, autoMapping(in.Header))
	job, err := s.store.CreateImport(ctx, v.User, in)
	if err != nil {
		if gonghai.ErrorCode(err) == gonghai.EInvalid {
			return s.showUpload(w, r, v, http.StatusUnprocessableEntity, f, errs, v.ErrorText(err))
		}
		return err
	}
	if !unmapped {
		if job, err = e.Run(ctx, job.ID); err != nil {
			return err
		}
	}
	next := "/imports/" + job.ID + "/mapping"
	if remembered {
		next += "?from=last"
	}
	return s.seeOther(w, r, next)
}

// uploadProblem is what the form says of a file that cannot be imported,
// "" for an error that is not the file's. It never repeats the file's
// content.
func uploadProblem(v *view, err error, lim gonghai.ImportLimits) string {
	switch gonghai.ErrorCode(err) {
	case gonghai.ETooLarge:
		return v.T("import.error.too_large", lim.MaxRows, lim.MaxBytes>>20)
	case gonghai.EInvalid:
		return v.T("import.error.unreadable")
	}
	return ""
}

// readUpload reads the multipart upload from body: the form's fields and
// the file, at most limit bytes of it (ETooLarge past that).
func readUpload(r *http.Request, body io.Reader, limit int64) (uploadForm, string, []byte, error) {
	var f uploadForm
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return f, "", nil, gonghai.Errorf(gonghai.EInvalid, "send the form as multipart/form-data")
	}
	mr := multipart.NewReader(body, params["boundary"])
	var name string
	var data []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return f, name, data, nil
		}
		if err != nil {
			return f, "", nil, uploadErr(err)
		}
		if part.FormName() == "file" {
			name = part.FileName()
			var buf bytes.Buffer
			n, err := io.Copy(&buf, io.LimitReader(part, limit+1))
			if err != nil {
				return f, "", nil, uploadErr(err)
			}
			if n > limit {
				return f, "", nil, gonghai.Errorf(gonghai.ETooLarge, "the file is over the import limit")
			}
			data = buf.Bytes()
			continue
		}
		value, err := io.ReadAll(io.LimitReader(part, 1024))
		if err != nil {
			return f, "", nil, uploadErr(err)
		}
		switch part.FormName() {
		case "encoding":
			f.Encoding = string(value)
		case "pool":
			f.PoolID = string(value)
		case "owner":
			f.OwnerID = string(value)
		case "policy":
			f.Policy = gonghai.ImportPolicy(value)
		}
	}
}

// uploadErr says what went wrong reading an upload: too large when the
// body passed its limit, else a form that could not be read.
func uploadErr(err error) error {
	if e := (*http.MaxBytesError)(nil); errors.As(err, &e) {
		return gonghai.Errorf(gonghai.ETooLarge, "the file is over the import limit")
	}
	return gonghai.Errorf(gonghai.EInvalid, "the form could not be read")
}

// uploadKey holds, in an upload's context, its body within the upload
// limit: the pages' own limit is a form's.
type uploadKey struct{}

// uploadPage registers an upload form for signed-in users: as page, but
// with a body up to the import limit and some room for the form.
func (s *Server) uploadPage(mux router, pattern string, h pageHandler) {
	inner := s.pageFunc(h, true)
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := http.MaxBytesReader(w, r.Body, s.maxUploadBytes())
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), uploadKey{}, body)))
	}))
}

// uploadBody is an upload's body within the import limit.
func uploadBody(r *http.Request) io.Reader {
	if b, ok := r.Context().Value(uploadKey{}).(io.Reader); ok {
		return b
	}
	return r.Body
}
