package web

import (
	"context"

	"github.com/gonghai/gonghai"
)

// limits are the import limits in force: the server's, the defaults
// where it sets none.
func (s *Server) limits() gonghai.ImportLimits {
	l := s.importLimits
	if l.MaxRows <= 0 {
		l.MaxRows = gonghai.DefaultImportLimits.MaxRows
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = gonghai.DefaultImportLimits.MaxBytes
	}
	return l
}

// runImport runs a started job to its end apart from the request, so that
// its progress shows at once; serve's runners would take it up within
// their interval otherwise. Whichever leases it first runs it.
func (s *Server) runImport(ctx context.Context, id string) {
	go func() {
		if _, err := s.importer().Run(context.WithoutCancel(ctx), id); err != nil && gonghai.ErrorCode(err) != gonghai.ENotFound {
			s.log.Error("import_run_failed", "import_id", id, "err", err.Error())
		}
	}()
}
