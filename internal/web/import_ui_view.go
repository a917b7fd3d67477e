package web

// What the import pages show of a job: its facts turned into the few
// things a template needs (a status badge, a percentage, the counts by
// verdict), so that the templates hold no arithmetic.

import (
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
)

// importJob is one import as the pages show it.
type importJob struct {
	ID, FileName string
	Target       string // the pool's name, and the owner's when there is one
	Policy       gonghai.ImportPolicy
	Status       gonghai.ImportStatus
	StatusKey    string // catalogue key of the status
	StatusClass  string // the badge's class
	Created      time.Time
	Done, Total  int
	Max          int // the progress bar's max: Total, at least 1
	Percent      int
	Counts       importCounts
	Counted      bool // the counts mean something: a dry run or a run has ended
	Running      bool // the page polls while this holds
	Ended        bool // a real run ended: done, cancelled or failed
	ErrorFile    bool // an error file can be downloaded
	ErrorUntil   time.Time
	ListHref     string // where the imported customers are listed
}

// importCounts are a job's rows by verdict, as the pages count them.
type importCounts struct {
	Create, Update, Skip, Conflict, Error, InFile int
}

// statusClass is the badge of each status.
var statusClass = map[gonghai.ImportStatus]string{
	gonghai.ImportDryRun:     "badge-muted",
	gonghai.ImportDryRunDone: "",
	gonghai.ImportQueued:     "badge-muted",
	gonghai.ImportRunning:    "badge-warn",
	gonghai.ImportDone:       "badge-ok",
	gonghai.ImportCancelled:  "badge-muted",
	gonghai.ImportFailed:     "badge-danger",
}

// jobView turns job into what the pages show; targets names the pools
// and owners by id.
func jobView(job gonghai.Import, names map[string]string, now time.Time) importJob {
	j := importJob{ID: job.ID, FileName: job.FileName, Policy: job.Options.Policy, Status: job.Status,
		StatusKey: "import.status." + string(job.Status), StatusClass: statusClass[job.Status],
		Created: job.Created, Done: job.Done, Total: job.Total, Max: max(job.Total, 1)}
	j.Target = names[job.Options.PoolID]
	if o := names[job.Options.OwnerID]; o != "" {
		j.Target += " → " + o
	}
	if job.Total > 0 {
		j.Percent = min(100, job.Done*100/job.Total)
	}
	c := job.Counts // a dry run's while it is one; the real run's once started
	j.Counts = importCounts{Create: c.Created, Update: c.Updated, Skip: c.Skipped, Conflict: c.Conflicts, Error: c.Errors}
	j.Running = !job.Status.Finished() && job.Status != gonghai.ImportDryRunDone
	j.Ended = job.Status.Finished()
	j.Counted = job.Status == gonghai.ImportDryRunDone || j.Ended
	if j.Ended && job.Status == gonghai.ImportDone {
		j.Done, j.Percent = job.Total, 100
	}
	j.ErrorFile = (j.Ended || job.Status == gonghai.ImportDryRunDone) && c.Errors > 0 && now.Before(job.Expires)
	j.ErrorUntil = job.Expires
	if j.Ended && c.Created+c.Updated > 0 {
		if job.Options.OwnerID != "" {
			j.ListHref = "/team"
		} else {
			j.ListHref = "/pool?pool=" + job.Options.PoolID
		}
	}
	return j
}

// importProblem is one row of the problems table.
type importProblem struct {
	Line    int
	Verdict gonghai.ImportVerdict
	Class   string
	Field   string // a field of the customer, "" for none
	Reason  string // in the viewer's language
	inFile  bool   // it repeats an earlier row of the file
}

var verdictClass = map[gonghai.ImportVerdict]string{
	gonghai.VerdictCreate: "badge-ok", gonghai.VerdictUpdate: "badge-ok", gonghai.VerdictSkip: "badge-muted",
	gonghai.VerdictConflict: "badge-warn", gonghai.VerdictError: "badge-danger",
}

// importFieldNames are the customer fields a column may map to, in the
// template's order.
var importFieldNames = func() []string {
	var out []string
	for _, f := range sheet.Fields() {
		out = append(out, string(f))
	}
	return out
}()

// importField is one choice of the mapping's selects.
type importField struct {
	Name     string
	Required bool // one of the fields a row needs one of: company or name
}

func importFields() []importField {
	out := make([]importField, len(importFieldNames))
	for i, f := range importFieldNames {
		out[i] = importField{Name: f, Required: f == string(sheet.FieldCompany) || f == string(sheet.FieldName)}
	}
	return out
}
