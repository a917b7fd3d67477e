package web

// The import job's page: the mapping of the file's columns, the dry run's
// verdicts, and the real run's progress bar and result. Which one
// /imports/{id} shows follows the job's status; the progress part is also
// a fragment htmx polls every two seconds while the job runs.

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
)

// importSteps are the wizard's steps, in order.
var importSteps = []string{"upload", "mapping", "dryrun", "progress"}

// importStep is where a page stands in the wizard.
type importStep struct {
	Step   string
	StepNo int // index of Step in Steps
	Steps  []string
}

func stepOf(step string) importStep {
	return importStep{Step: step, StepNo: slices.Index(importSteps, step), Steps: importSteps}
}

// jobData is what the job's page shows.
type jobData struct {
	importStep
	Job          importJob
	Tense        string // ".will" for a dry run's counts, "" for a run's
	Problems     []importProblem
	MoreProblems bool // the table lists the first problemsShown only
	CanStart     bool
	Problem      string
}

// problemsShown is how many rows the problems table shows; the error
// file has them all.
const problemsShown = 100

// importPage shows the job as its status has it: the dry run's progress
// or verdicts, or the real run's progress and result.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := s.jobData(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Nav = "imports"
	return s.render(w, v, http.StatusOK, "import", d)
}

// importProgressFragment is the progress part alone, for htmx's polling.
// Without htmx it is the whole page. When a dry run has just ended, the
// page changes step: htmx is told to load it whole.
func (s *Server) importProgressFragment(w http.ResponseWriter, r *http.Request, v *view) error {
	if !v.HX {
		return s.seeOther(w, r, "/imports/"+r.PathValue("id"))
	}
	d, err := s.jobData(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	if d.Step == "dryrun" && !d.Job.Running {
		return s.seeOther(w, r, "/imports/"+d.Job.ID)
	}
	return s.fragment(w, v, http.StatusOK, "import", "import-progress", d)
}

// jobData reads job id for the viewer, with the rows its page lists.
func (s *Server) jobData(ctx context.Context, v *view, id string) (jobData, error) {
	job, err := s.store.Import(ctx, v.User, id)
	if err != nil {
		return jobData{}, err
	}
	names, err := s.importNames(ctx, v, job)
	if err != nil {
		return jobData{}, err
	}
	d := jobData{Job: jobView(job, names, v.Now)}
	switch job.Status {
	case gonghai.ImportDryRun:
		d.importStep = stepOf("dryrun")
	case gonghai.ImportDryRunDone:
		d.importStep, d.Tense = stepOf("dryrun"), ".will"
		d.CanStart = job.Counts.Created+job.Counts.Updated > 0
	default:
		d.importStep = stepOf("progress")
	}
	if d.Job.Counted {
		d.Problems, d.MoreProblems, err = s.importProblems(ctx, v, job)
		for _, p := range d.Problems {
			if p.inFile {
				d.Job.Counts.InFile++
			}
		}
	}
	return d, err
}

// importProblems lists the first rows of job that were, or would be, not
// simply created: errors, duplicates skipped and conflicts; of a real run,
// its error rows. more says there are more than it lists.
func (s *Server) importProblems(ctx context.Context, v *view, job gonghai.Import) ([]importProblem, bool, error) {
	run := job.Status != gonghai.ImportDryRunDone
	verdicts := []gonghai.ImportVerdict{gonghai.VerdictError, gonghai.VerdictConflict, gonghai.VerdictSkip}
	if run {
		verdicts = verdicts[:1]
	}
	var rows []gonghai.ImportRow
	var more bool
	for _, verdict := range verdicts {
		got, next, err := s.store.ImportRows(ctx, v.User, job.ID, verdict, run, gonghai.Page{Limit: problemsShown})
		if err != nil {
			return nil, false, err
		}
		rows, more = append(rows, got...), more || next != ""
	}
	slices.SortFunc(rows, func(a, b gonghai.ImportRow) int { return cmp.Compare(a.Row, b.Row) })
	if len(rows) > problemsShown {
		rows, more = rows[:problemsShown], true
	}
	out := make([]importProblem, len(rows))
	for i, row := range rows {
		out[i] = problemOf(v, row)
	}
	return out, more, nil
}

// problemOf is one row's verdict in the viewer's language.
func problemOf(v *view, row gonghai.ImportRow) importProblem {
	p := importProblem{Line: row.Row, Verdict: row.Verdict, Class: verdictClass[row.Verdict], Field: row.Field,
		inFile: row.InFileRow > 0}
	if !slices.Contains(importFieldNames, p.Field) {
		p.Field = ""
	}
	p.Reason = reasonText(v, row)
	return p
}

// reasonText says why a row got its verdict, in the viewer's language:
// the catalogue's text for what the store recorded, never the row's
// content.
func reasonText(v *view, row gonghai.ImportRow) string {
	field := row.Field
	if slices.Contains(importFieldNames, field) {
		field = v.T("import.field." + field)
	}
	switch {
	case row.InFileRow > 0:
		return v.T("import.reason.in_file", strconv.Itoa(row.InFileRow))
	case row.Verdict == gonghai.VerdictSkip || row.Verdict == gonghai.VerdictConflict:
		return v.T("import.reason.matched."+string(row.Verdict), field)
	case row.Verdict == gonghai.VerdictUpdate:
		return v.T("import.reason.update")
	}
	if key := "import.reason." + reasonCode(row.Reason); ui.catalogue.keys[key] {
		return v.T(key)
	}
	if row.Field != "" {
		return v.T("import.reason.field", field)
	}
	return v.T("import.reason.other")
}

// reasonCode is the catalogue's name of a stored reason: its words
// joined by underscores.
func reasonCode(reason string) string {
	return strings.Join(strings.Fields(strings.ToLower(reason)), "_")
}

// startImportForm runs the import for real after its dry run.
func (s *Server) startImportForm(w http.ResponseWriter, r *http.Request, v *view) error {
	job, err := s.store.StartImport(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.runImport(r.Context(), job.ID)
	return s.seeOther(w, r, "/imports/"+job.ID+"?flash=import.flash.started")
}

// cancelImportForm stops a running import between two batches.
func (s *Server) cancelImportForm(w http.ResponseWriter, r *http.Request, v *view) error {
	job, err := s.store.CancelImport(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "/imports/"+job.ID+"?flash=import.flash.cancelled")
}

// mappingColumn is one column of the file on the mapping step.
type mappingColumn struct {
	Index   int
	Header  string
	Samples []string
	Field   string // the field it maps to, "" for none
}

// previewRow is one row of the file's preview.
type previewRow struct {
	Line  int
	Cells []string
}

// mappingData is what the mapping step shows.
type mappingData struct {
	importStep
	Job        importJob
	Columns    []mappingColumn
	Fields     []importField
	Preview    []previewRow
	Remembered bool
	Errors     map[string]string
	Problem    string
}

// previewRows is how many rows of the file the mapping step shows.
const previewRows = 5

// importMappingPage shows the file's columns, each with the field it
// maps to, and its first rows.
func (s *Server) importMappingPage(w http.ResponseWriter, r *http.Request, v *view) error {
	job, err := s.store.Import(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.showMapping(w, r, v, http.StatusOK, job, job.Options.Mapping, nil)
}

func (s *Server) showMapping(w http.ResponseWriter, r *http.Request, v *view, status int, job gonghai.Import,
	mapping map[string]int, errs map[string]string) error {
	if job.Status != gonghai.ImportDryRun && job.Status != gonghai.ImportDryRunDone {
		return s.seeOther(w, r, "/imports/"+job.ID)
	}
	ctx := r.Context()
	names, err := s.importNames(ctx, v, job)
	if err != nil {
		return err
	}
	preview, err := s.importPreview(ctx, job, previewRows)
	if err != nil {
		return err
	}
	byColumn := map[int]string{}
	for f, i := range mapping {
		byColumn[i] = f
	}
	cols := make([]mappingColumn, len(job.Header))
	for i, h := range job.Header {
		cols[i] = mappingColumn{Index: i, Header: h, Field: byColumn[i]}
		for _, row := range preview {
			if i < len(row.Cells) && row.Cells[i] != "" && len(cols[i].Samples) < 3 {
				cols[i].Samples = append(cols[i].Samples, row.Cells[i])
			}
		}
	}
	v.Nav = "imports"
	return s.render(w, v, status, "import", mappingData{importStep: stepOf("mapping"), Job: jobView(job, names, v.Now),
		Columns: cols, Fields: importFields(), Preview: preview, Remembered: r.URL.Query().Get("from") == "last",
		Errors: errs})
}

// importMappingForm takes the mapping as chosen. The same mapping goes on
// to the dry run's verdicts; another one runs the dry run again, as a new
// job of the same file (the first is cancelled), and is remembered.
func (s *Server) importMappingForm(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	job, err := s.store.Import(ctx, v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	mapping, problem := parseMapping(v, r.PostForm, len(job.Header))
	if problem != "" {
		return s.showMapping(w, r, v, http.StatusUnprocessableEntity, job, mapping, map[string]string{"mapping": problem})
	}
	if sameMapping(mapping, job.Options.Mapping) {
		return s.seeOther(w, r, "/imports/"+job.ID)
	}
	again, err := s.redoImport(ctx, v.User, job, mapping)
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "/imports/"+again.ID)
}

// parseMapping reads the mapping's selects (col.N = field) and says what
// is wrong with them: a field chosen for two columns, or neither company
// nor name mapped.
func parseMapping(v *view, form url.Values, columns int) (map[string]int, string) {
	mapping := map[string]int{}
	var twice []string
	for i := range columns {
		f := form.Get("col." + strconv.Itoa(i))
		if !slices.Contains(importFieldNames, f) {
			continue
		}
		if _, ok := mapping[f]; ok {
			twice = append(twice, v.T("import.field."+f))
			continue
		}
		mapping[f] = i
	}
	switch {
	case len(twice) > 0:
		return mapping, v.T("import.mapping.twice", strings.Join(twice, v.T("import.list_sep")))
	case !mapped(mapping, "company") && !mapped(mapping, "name"):
		return mapping, v.T("import.mapping.need_name")
	}
	return mapping, ""
}

func mapped(m map[string]int, f string) bool { _, ok := m[f]; return ok }

func sameMapping(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, i := range a {
		if j, ok := b[k]; !ok || i != j {
			return false
		}
	}
	return true
}
