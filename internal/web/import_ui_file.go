package web

// The import pages' work on files: reading an upload's header and rows
// (internal/sheet), the preview of its first rows, the templates to
// download, and the same file again with another mapping.

import (
	"bytes"
	"context"
	"net/http"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
)

// autoMapping maps header by its texts, as the engine does without a
// remembered mapping.
func autoMapping(header []string) map[string]int {
	m := map[string]int{}
	for f, col := range sheet.AutoMap(header) {
		m[string(f)] = col
	}
	return m
}

// importPreview reads the first n rows of job's file.
func (s *Server) importPreview(ctx context.Context, job gonghai.Import, n int) ([]previewRow, error) {
	data, err := s.store.ImportFile(ctx, job.ID)
	if err != nil {
		return nil, err
	}
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), sheet.Options{Encoding: job.Encoding})
	if err != nil {
		return nil, nil // the dry run says what is wrong with the file
	}
	defer rd.Close()
	var out []previewRow
	for len(out) < n {
		cells, line, err := rd.Next()
		if err != nil {
			break
		}
		out = append(out, previewRow{Line: line, Cells: cells})
	}
	return out, nil
}

// redoImport makes the dry run of job's file again with another mapping,
// as a new job, and cancels job: one dry run per mapping, the last one
// remembered for the next file with this header.
func (s *Server) redoImport(ctx context.Context, user gonghai.User, job gonghai.Import, mapping map[string]int) (gonghai.Import, error) {
	data, err := s.store.ImportFile(ctx, job.ID)
	if err != nil {
		return gonghai.Import{}, err
	}
	o := job.Options
	o.Mapping, o.DryRun = mapping, true
	again, err := s.importer().Submit(ctx, user, job.FileName, data, o)
	if err != nil {
		return again, err
	}
	if _, err := s.store.CancelImport(ctx, user, job.ID); err != nil && gonghai.ErrorCode(err) != gonghai.EConflict {
		return again, err
	}
	return again, nil
}

// importTemplatePage downloads the import template, as the API's
// import-template answers it, in the page's language.
func (s *Server) importTemplatePage(format sheet.Format) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		pools, err := s.importPools(r.Context(), v)
		if err != nil {
			return err
		}
		if len(pools) == 0 {
			return errNoImports
		}
		ctx := context.WithValue(r.Context(), userKey{}, v.User)
		out, err := s.importTemplate(ctx, &templateIn{Format: string(format), Lang: v.Lang})
		if err != nil {
			return err
		}
		return sendFile(w, out)
	}
}
