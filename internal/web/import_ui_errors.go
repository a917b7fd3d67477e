package web

import (
	"context"
	"net/http"

	"github.com/gonghai/gonghai"
)

// importErrorsDownload sends job's error file as the API's import-errors
// answers it: the refused rows as uploaded, with a column saying why.
func (s *Server) importErrorsDownload(w http.ResponseWriter, r *http.Request, v *view) error {
	job, err := s.store.Import(r.Context(), v.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !jobView(job, nil, v.Now).ErrorFile {
		return gonghai.Errorf(gonghai.ENotFound, "this import has no error file")
	}
	out, err := s.importErrors(context.WithValue(r.Context(), userKey{}, v.User), &IDPath{ID: job.ID})
	if err != nil {
		return err
	}
	return sendFile(w, out)
}

// sendFile writes a file the API's handlers made, to download.
func sendFile(w http.ResponseWriter, out *fileOut) error {
	w.Header().Set("Content-Type", out.ContentType)
	w.Header().Set("Content-Disposition", out.ContentDisposition)
	_, err := w.Write(out.Body)
	return err
}
