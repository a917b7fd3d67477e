package sheet

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// customerRows writes n rows of 13 customer columns as XLSX (excelize's
// stream writer) or GB18030 CSV: what the import benchmark reads.
func customerRows(b testing.TB, f Format, n int) []byte {
	b.Helper()
	head := []any{"公司名称", "联系人", "手机", "邮箱", "微信", "分类", "行业", "地区", "产品线", "来源", "阶段", "负责人", "备注"}
	row := func(i int) []any {
		return []any{fmt.Sprintf("北京星辰科技第%d有限公司", i), "张三", 13800000000 + i, fmt.Sprintf("u%d@example.com", i),
			fmt.Sprintf("wx%d", i), "A", "制造业", "北京市/朝阳区", "ERP", "展会", "初步接触", "zhangsan", "备注"}
	}
	var out bytes.Buffer
	if f == FormatCSV {
		w := simplifiedchinese.GB18030.NewEncoder().Writer(&out)
		line := func(cells []any) {
			for j, c := range cells {
				if j > 0 {
					io.WriteString(w, ",")
				}
				fmt.Fprint(w, c)
			}
			io.WriteString(w, "\r\n")
		}
		line(head)
		for i := range n {
			line(row(i))
		}
		return out.Bytes()
	}
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	sw.SetRow("A1", head)
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		sw.SetRow(cell, row(i))
	}
	sw.Flush()
	x.WriteTo(&out)
	return out.Bytes()
}

// BenchmarkRead reads 10,000 customer rows: Open (guard and counting
// pass) and every row.
func BenchmarkRead(b *testing.B) {
	for _, f := range []Format{FormatXLSX, FormatCSV} {
		data := customerRows(b, f, 10_000)
		b.Run(string(f), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_, rows, err := readAll(b, data, Options{})
				if err != nil || len(rows) != 10_000 {
					b.Fatal(len(rows), err)
				}
			}
		})
	}
}
