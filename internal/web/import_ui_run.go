package web

import (
	"context"
	"net/http"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/importer"
)

// importEngine prepares and runs the pages' imports.
func (s *Server) importEngine() *importer.Engine {
	return &importer.Engine{Store: runStore{s.store}, Limits: s.importLimits(), Log: s.log,
		Stopped: func(err error) bool { return gonghai.ErrorCode(err) == gonghai.EConflict }}
}

// runStore is the store as the engine needs it for one job: expired jobs
// are the runner loop's to delete, not a page's.
type runStore struct{ Store }

func (runStore) DeleteExpiredImports(context.Context) (int, error) { return 0, nil }

// importLimits are the limits of an uploaded file.
func (s *Server) importLimits() gonghai.ImportLimits { return gonghai.DefaultImportLimits }

// runImport runs a started job to its end, apart from the request.
func (s *Server) runImport(ctx context.Context, id string) {
	go func() { _, _ = s.importEngine().Run(context.WithoutCancel(ctx), id) }()
}

// importErrorsDownload sends a job's error file. (Waits for import12.)
func (s *Server) importErrorsDownload(w http.ResponseWriter, r *http.Request, v *view) error {
	return gonghai.Errorf(gonghai.ENotFound, "no error file")
}
