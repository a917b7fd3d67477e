package web

import (
	"context"
	"time"

	"github.com/gonghai/gonghai"
)

// importStore is what the imports need of the database: the jobs (made,
// read, listed, started, cancelled), their row verdicts and files, the
// mapping each user last chose for a header, and what a runner needs to
// run a job (internal/importer's Store).
type importStore interface {
	CreateImport(ctx context.Context, actor gonghai.User, in gonghai.NewImport) (gonghai.Import, error)
	Import(ctx context.Context, viewer gonghai.User, id string) (gonghai.Import, error)
	Imports(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Import, string, error)
	ImportRows(ctx context.Context, viewer gonghai.User, id string, verdict gonghai.ImportVerdict, run bool, pg gonghai.Page) ([]gonghai.ImportRow, string, error)
	StartImport(ctx context.Context, actor gonghai.User, id string) (gonghai.Import, error)
	CancelImport(ctx context.Context, actor gonghai.User, id string) (gonghai.Import, error)
	ImportMapping(ctx context.Context, viewer gonghai.User, header []string) (map[string]int, error)
	ImportFile(ctx context.Context, id string) ([]byte, error)
	LeaseImport(ctx context.Context, node, id string, lease time.Duration) (gonghai.Import, error)
	ImportBatch(ctx context.Context, node string, j gonghai.Import, rows []gonghai.ImportLine, seen gonghai.ImportSeen, lease time.Duration) (gonghai.ImportCounts, error)
	FinishImport(ctx context.Context, node string, j gonghai.Import, failure string) (gonghai.Import, error)
}
