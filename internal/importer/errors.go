package importer

import (
	"bytes"
	"context"
	"io"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
)

// ErrorStore is what the error file needs of the database.
type ErrorStore interface {
	Import(ctx context.Context, viewer gonghai.User, id string) (gonghai.Import, error)
	ImportFile(ctx context.Context, id string) ([]byte, error)
	ImportRows(ctx context.Context, viewer gonghai.User, id string, verdict gonghai.ImportVerdict, run bool, pg gonghai.Page) ([]gonghai.ImportRow, string, error)
}

// ErrorHeader is the title of the error file's added column.
const ErrorHeader = "错误 / Error"

// WriteErrors writes the error file of job id as viewer may have it: the
// refused rows of its run (of its dry run, before it was started), each
// as uploaded with the reason in an added last column, in the file's
// format (a CSV in GB18030 when the upload was, else UTF-8 with a BOM). It
// returns the file's format. The file is read again from the job, so the
// cells are the user's own; ENotFound once the job has expired.
func WriteErrors(ctx context.Context, st ErrorStore, viewer gonghai.User, id string, w io.Writer) (sheet.Format, error) {
	j, err := st.Import(ctx, viewer, id)
	if err != nil {
		return "", err
	}
	run := j.Status != gonghai.ImportDryRun && j.Status != gonghai.ImportDryRunDone
	reasons := map[int]string{}
	for pg := (gonghai.Page{Limit: gonghai.MaxPageSize}); ; {
		rows, next, err := st.ImportRows(ctx, viewer, id, gonghai.VerdictError, run, pg)
		if err != nil {
			return "", err
		}
		for _, r := range rows {
			reasons[r.Row] = r.Field + ": " + r.Reason
		}
		if next == "" {
			break
		}
		pg.After = next
	}
	data, err := st.ImportFile(ctx, id)
	if err != nil {
		return "", err
	}
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), sheet.Options{Encoding: j.Encoding})
	if err != nil {
		return "", err
	}
	defer rd.Close()
	encoding := ""
	if rd.Format() == sheet.FormatCSV && j.Encoding == sheet.EncodingGB18030 {
		encoding = sheet.EncodingGB18030
	}
	out, err := sheet.NewWriter(w, rd.Format(), encoding)
	if err != nil {
		return "", err
	}
	if err := out.Write(append(rd.Header(), ErrorHeader)); err != nil {
		return "", err
	}
	for len(reasons) > 0 {
		cells, line, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if reason, ok := reasons[line]; ok {
			delete(reasons, line)
			if err := out.Write(append(cells, reason)); err != nil {
				return "", err
			}
		}
	}
	return rd.Format(), out.Close()
}
