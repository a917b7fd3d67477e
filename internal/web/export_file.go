package web

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
)

// exportJob is one list to export: its kind and name, the summary of its
// filters for the audit log, and how to read a page of it (the list's own
// store method, for the exporter).
type exportJob struct {
	kind, poolID, list string
	params             ExportParams
	filters            map[string]string
	read               func(gonghai.Page) ([]gonghai.Customer, string, error)
}

// exportFile is an export checked, counted and audited: its rows, read
// whole, and what names and heads it.
type exportFile struct {
	name, contentType string
	format            sheet.Format
	encoding          string
	heading           string
	rows              []gonghai.Customer
	owners, pools     map[string]string // logins and pool names by id
	loc               *time.Location
	unmasked          bool
	contacts          map[string]gonghai.Contacts
}

// export reads job's list whole for viewer, up to the rows left of their
// day's quota, refuses one that holds more (nothing counted), counts and
// audits the rest in one write, and returns the file to write.
func (s *Server) export(ctx context.Context, viewer gonghai.User, job exportJob) (exportFile, error) {
	format, encoding, err := job.params.sheetFormat()
	if err != nil {
		return exportFile{}, err
	}
	if job.params.Unmasked {
		if err := gonghai.CanExportUnmasked(viewer); err != nil {
			return exportFile{}, err
		}
	}
	remaining, quota, err := s.store.ExportQuota(ctx, viewer)
	if err != nil {
		return exportFile{}, err
	}
	// The first page is read whatever the quota: a list the viewer may
	// not read answers as the list does (404, 400), not 429.
	var rows []gonghai.Customer
	for pg := (gonghai.Page{Limit: gonghai.MaxPageSize}); ; {
		cs, next, err := job.read(pg)
		if err != nil {
			return exportFile{}, err
		}
		rows = append(rows, cs...)
		if quota == 0 || len(rows) > remaining {
			return exportFile{}, gonghai.ExportQuotaError(len(rows), next != "", remaining, quota)
		}
		if next == "" {
			break
		}
		pg.After = next
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return exportFile{}, err
	}
	f := exportFile{format: format, encoding: encoding, rows: rows, loc: settings.Location(), unmasked: job.params.Unmasked}
	ids := make([]string, len(rows))
	for i, c := range rows {
		ids[i] = c.ID
	}
	rec := gonghai.ListExport{Kind: job.kind, PoolID: job.poolID, Format: string(format), Encoding: encoding, Rows: len(rows),
		Unmasked: job.params.Unmasked, Filters: job.filters}
	if f.contacts, err = s.store.RecordExport(ctx, viewer, rec, ids); err != nil {
		return exportFile{}, err
	}
	if f.owners, f.pools, err = s.exportNames(ctx, viewer); err != nil {
		return exportFile{}, err
	}
	now := s.clock.Now()
	f.name = gonghai.ExportFileName(job.kind, job.list, viewer.Login, now, f.loc, string(format))
	f.contentType = xlsxType
	if format == sheet.FormatCSV {
		f.contentType = csvType + "; charset=" + firstOf(encoding, sheet.EncodingUTF8)
	}
	masking := "联系方式已按列表脱敏"
	if f.unmasked {
		masking = "联系方式完整（未脱敏），请妥善保管"
	}
	f.heading = fmt.Sprintf("导出人：%s（%s）  导出时间：%s  共 %d 行  %s", viewer.Name, viewer.Login,
		now.In(f.loc).Format("2006-01-02 15:04 MST"), len(rows), masking)
	return f, nil
}

// exportNames are the logins of the users viewer sees and the names of
// the pools they see, for the owner and pool columns.
func (s *Server) exportNames(ctx context.Context, viewer gonghai.User) (owners, pools map[string]string, err error) {
	us, err := s.store.SeenUsers(ctx, viewer)
	if err != nil {
		return nil, nil, err
	}
	ps, err := s.store.Pools(ctx, viewer)
	if err != nil {
		return nil, nil, err
	}
	owners, pools = map[string]string{viewer.ID: viewer.Login}, map[string]string{}
	for _, u := range us {
		owners[u.ID] = u.Login
	}
	for _, p := range ps {
		pools[p.ID] = p.Name
	}
	return owners, pools, nil
}

// exportHeader heads an export's columns with the names the import maps
// back (sheet.AutoMap).
var exportHeader = []string{"公司名称", "联系人", "手机", "邮箱", "微信", "分类", "行业", "地区", "产品线", "来源", "阶段",
	"负责人", "公海", "创建时间", "最近跟进", "回收时间", "客户ID"}

// write writes the file to w: the line naming exporter and time, the
// header, and one row per customer.
func (f exportFile) write(w io.Writer) error {
	out, err := sheet.NewWriter(w, f.format, f.encoding)
	if err != nil {
		return err
	}
	if err := out.Write([]string{f.heading}); err != nil {
		return err
	}
	if err := out.Write(exportHeader); err != nil {
		return err
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(f.loc).Format("2006-01-02 15:04")
	}
	for _, c := range f.rows {
		if f.unmasked {
			full := f.contacts[c.ID]
			c.Phone, c.Email, c.WeChat = full.Phone, full.Email, full.WeChat
		}
		var recycle *time.Time
		if c.Recycle != nil {
			recycle = &c.Recycle.At
		}
		owner := f.owners[c.OwnerID]
		if owner == "" {
			owner = c.OwnerID
		}
		if err := out.Write([]string{c.Company, c.Name, c.Phone, c.Email, c.WeChat, c.Category, c.Industry, c.Region,
			c.ProductLine, c.Source, c.Stage, owner, f.pools[c.PoolID], at(&c.Created), at(c.LastFollowUp), at(recycle), c.ID}); err != nil {
			return err
		}
	}
	return out.Close()
}

// disposition is the file's Content-Disposition: its name in UTF-8
// (RFC 5987 filename*), and an ASCII one for old clients.
func (f exportFile) disposition() string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, f.name)
	ascii = strings.TrimLeft(ascii, "-")
	if ascii == "" || strings.HasPrefix(ascii, ".") {
		ascii = "export" + ascii
	}
	var enc strings.Builder
	for _, b := range []byte(f.name) {
		if 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + enc.String()
}
