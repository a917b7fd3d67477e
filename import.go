package gonghai

import (
	"sort"
	"time"
)

// ImportPolicy says what an import does with a row that matches an
// existing customer (by company, phone, email or WeChat id).
type ImportPolicy string

// The duplicate policies of an import. Whatever the policy, every row that
// matched is recorded as a conflict of kind ConflictImport.
const (
	// ImportSkip leaves the existing customer as it is; the row is skipped.
	ImportSkip ImportPolicy = "skip"
	// ImportUpdate fills the existing customer's empty fields from the row,
	// never overwriting one; the importer must be allowed to edit it.
	ImportUpdate ImportPolicy = "update"
	// ImportConflict creates the row as a new customer beside the one it
	// duplicates (Customer.duplicate_of), for an admin to resolve.
	ImportConflict ImportPolicy = "conflict"
)

// Valid reports whether p is one of the policies.
func (p ImportPolicy) Valid() bool {
	return p == ImportSkip || p == ImportUpdate || p == ImportConflict
}

// ImportStatus is where an import job is.
type ImportStatus string

// The statuses of an import job. A dry run checks every row and writes
// nothing but its verdicts; it ends in ImportDryRunDone, from which the job
// may be started for real (queued) or left. A started job is queued until
// a runner leases it, running while one does (a runner that died leaves it
// running until its lease expires, and the next runner resumes it at its
// cursor), and ends done, cancelled or failed.
const (
	ImportDryRun     ImportStatus = "dry_run"      // the dry run is checking the rows
	ImportDryRunDone ImportStatus = "dry_run_done" // verdicts ready; not started
	ImportQueued     ImportStatus = "queued"
	ImportRunning    ImportStatus = "running"
	ImportDone       ImportStatus = "done"
	ImportCancelled  ImportStatus = "cancelled"
	ImportFailed     ImportStatus = "failed"
)

// Finished reports whether s is an end: done, cancelled or failed.
func (s ImportStatus) Finished() bool {
	return s == ImportDone || s == ImportCancelled || s == ImportFailed
}

// ImportVerdict is what an import does, or a dry run would do, with a row.
type ImportVerdict string

// The verdicts of a row.
const (
	VerdictCreate   ImportVerdict = "create"   // a new customer
	VerdictUpdate   ImportVerdict = "update"   // the matched customer's empty fields filled
	VerdictSkip     ImportVerdict = "skip"     // a duplicate, skipped
	VerdictConflict ImportVerdict = "conflict" // created beside the customer it duplicates
	VerdictError    ImportVerdict = "error"    // refused: Field and Reason say why
)

// ImportOptions are the choices of one import.
type ImportOptions struct {
	// PoolID is the pool the customers go into (and, with an owner, belong
	// to); OwnerID, when set, owns every created customer, within their
	// holding limits, row by row.
	PoolID  string
	OwnerID string
	Policy  ImportPolicy
	// Mapping maps a customer field (company, name, phone, email, wechat,
	// category, industry, region, product_line, source, stage, owner) to a
	// column of the header, counted from 0.
	Mapping map[string]int
	// Encoding overrides the detected encoding of a CSV file: utf-8,
	// utf-16le, utf-16be or gb18030; "" detects it.
	Encoding string
	DryRun   bool
	// ChannelID tags the created customers as leads of that channel (bulk
	// intake): lifecycle lead, first and latest touch the channel at the
	// time of the import. "" imports customers.
	ChannelID string
}

// ImportCounts are what an import did, or its dry run would do, row by row.
type ImportCounts struct {
	Created   int
	Updated   int
	Skipped   int
	Conflicts int // rows that matched an existing customer, whatever the policy did
	Errors    int
}

// Add adds the counts of one row's verdict; matched says the row matched
// an existing customer (or an earlier row of the file).
func (c *ImportCounts) Add(v ImportVerdict, matched bool) {
	switch v {
	case VerdictCreate, VerdictConflict:
		c.Created++
	case VerdictUpdate:
		c.Updated++
	case VerdictSkip:
		c.Skipped++
	case VerdictError:
		c.Errors++
	}
	if matched {
		c.Conflicts++
	}
}

// Import is one import job: its file, its options, where it is and what it
// has done. The file itself is kept in the database (so that any node may
// run the job) until Expires, with its error rows.
type Import struct {
	ID       string
	ActorID  string
	FileName string
	FileHash string // SHA-256 of the file, hex
	FileSize int64
	Format   string // csv or xlsx
	Encoding string // the CSV's, detected or given; "" for XLSX
	Header   []string
	Options  ImportOptions
	Status   ImportStatus
	// Total is the file's number of data rows, counted before the first
	// row is written; Done how many are behind the cursor.
	Total  int
	Done   int
	Counts ImportCounts
	// DryRun holds the dry run's counts, kept once the job is started.
	DryRun  ImportCounts
	Failure string // why a failed job failed, safe to show
	Created time.Time
	Updated time.Time
	// Finished is when the job ended; Expires when its file and error
	// rows are deleted (ImportKeep after it was made).
	Finished *time.Time
	Expires  time.Time
}

// ImportKeep is how long an import's file and error file stay downloadable.
const ImportKeep = 7 * 24 * time.Hour

// ImportRow is the verdict of one row: what the import does, or its dry
// run would do, with it. Row is its row number in the file as a
// spreadsheet shows it (the header is row 1).
type ImportRow struct {
	Row     int
	Verdict ImportVerdict
	// Field and Reason say why an error row is refused; for a duplicate
	// Field is what matched (company, phone, email, wechat) and Reason
	// says with what; for an update, which fields it fills.
	Field  string
	Reason string
	// MatchedID is the existing customer the row matched; InFileRow the
	// earlier row of the same file it duplicates (0 for none).
	MatchedID string
	InFileRow int
}

// NewImport is a parsed upload, ready to be stored as a job.
type NewImport struct {
	FileName string
	Data     []byte
	Format   string
	Encoding string
	Header   []string
	Total    int
	Options  ImportOptions
}

// ImportLimits bound an import's file; a file over them is refused before
// any row is written (ETooLarge).
type ImportLimits struct {
	MaxRows  int
	MaxBytes int64
}

// DefaultImportLimits are the limits unless configured otherwise.
var DefaultImportLimits = ImportLimits{MaxRows: 100_000, MaxBytes: 50 << 20}

// CanImport decides whether actor may import into pool p: admins into any
// pool, a pool's admins into their pool. Reps and managers may not: an
// import writes hundreds of customers past the claim rules. Whether the
// actor may give the customers to a target owner is CanOwn's, as for an
// assignment.
func CanImport(actor User, p Pool, m Membership) error {
	switch {
	case actor.Role == RoleAdmin:
		return nil
	case !SeesPool(actor, p, m):
		return Errorf(ENotFound, "no such pool")
	case p.IsAdmin(actor.ID):
		return nil
	default:
		return Errorf(EForbidden, "only an admin, or the pool's admin, imports customers into a pool")
	}
}

// CanImportUpdate decides whether an importer may fill the empty fields of
// an existing customer (policy update): admins always; a pool admin a
// customer waiting in a pool they administer (what UpdateCustomer allows
// them); never a rep's customer.
func CanImportUpdate(actor User, matched Customer, poolAdmin bool) error {
	if actor.Role == RoleAdmin || (matched.OwnerID == "" && poolAdmin) {
		return nil
	}
	return Errorf(EForbidden, "you may not edit the existing customer")
}

// FillEmpty returns existing with every empty field taken from row, and the
// API names of the fields it filled, sorted; it never overwrites.
func FillEmpty(existing, row CustomerFields) (CustomerFields, []string) {
	var filled []string
	for _, x := range []struct {
		name     string
		dst, src *string
	}{
		{"name", &existing.Name, &row.Name}, {"company", &existing.Company, &row.Company},
		{"category", &existing.Category, &row.Category}, {"industry", &existing.Industry, &row.Industry},
		{"region", &existing.Region, &row.Region}, {"product_line", &existing.ProductLine, &row.ProductLine},
		{"source", &existing.Source, &row.Source}, {"stage", &existing.Stage, &row.Stage},
		{"phone", &existing.Phone, &row.Phone}, {"email", &existing.Email, &row.Email}, {"wechat", &existing.WeChat, &row.WeChat},
		{"size", &existing.Size, &row.Size},
	} {
		if *x.dst == "" && *x.src != "" {
			*x.dst = *x.src
			filled = append(filled, x.name)
		}
	}
	sort.Strings(filled)
	return existing, filled
}

// FirstProblem returns the first field (in name order) of an EInvalid error
// and its problem: what an import's error column says of a refused row.
func FirstProblem(err error) (field, problem string) {
	e, ok := err.(*Error)
	if !ok || len(e.Fields) == 0 {
		return "", ErrorMessage(err)
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names[0], e.Fields[names[0]]
}

// ImportLine is one row of a file as an import reads it: its row number
// and its cells mapped to customer fields; Owner is the login of the
// row's owner column, "" for none (then the import's target owner, if
// any, owns it); Pool the name in its pool column, "" for the import's.
type ImportLine struct {
	Row    int
	Fields CustomerFields
	Owner  string
	Pool   string
}

// Blank reports whether the row holds nothing: a blank row of a
// spreadsheet, ignored.
func (l ImportLine) Blank() bool {
	return l.Fields == CustomerFields{} && l.Owner == "" && l.Pool == ""
}

// ImportSeen remembers, across the batches of one dry run, the match keys
// of the rows the run would create and the row that has each: a later row
// with one of them duplicates that row (a duplicate inside the file). The
// keys are opaque to all but the store.
type ImportSeen map[string]int

// ErrImportStopped says an import batch wrote nothing because its job was
// cancelled, or taken over by another runner after this one's lease
// expired: the runner stops, and the job is not its to end.
var ErrImportStopped = Errorf(EConflict, "the import was cancelled or taken over by another runner")
