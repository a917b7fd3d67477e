package report

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

// chartTable is a table of three rows and two number columns; row b's
// second value is empty; row <c>'s label needs escaping.
func chartTable() gonghai.ReportTable {
	n := func(v float64, drill string) gonghai.ReportCell {
		return gonghai.NumberCell(v, gonghai.ColCount, drill)
	}
	return gonghai.ReportTable{Name: "t", Title: "表",
		Columns: []gonghai.ReportColumn{{Key: "label", Title: "名称", Kind: gonghai.ColText},
			{Key: "x", Title: "领取", Kind: gonghai.ColCount}, {Key: "y", Title: "释放 & 回收", Kind: gonghai.ColCount}},
		Rows: [][]gonghai.ReportCell{
			{gonghai.TextCell("一组"), n(10, "d=a.k=x"), n(4, "")},
			{gonghai.TextCell("b"), n(7, "d=b.k=x"), gonghai.EmptyCell()},
			{gonghai.TextCell(`<c>&"'`), n(0, ""), n(3, "d=c.k=y")},
		}}
}

// parsed walks svg as XML and counts its elements by local name and the
// links' targets; it fails the test on XML that does not parse.
func parsed(t *testing.T, svg string) (map[string]int, []string, string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	count := map[string]int{}
	var hrefs []string
	var texts strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG does not parse: %v\n%s", err, svg)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			count[el.Name.Local]++
			for _, a := range el.Attr {
				if el.Name.Local == "a" && a.Name.Local == "href" {
					hrefs = append(hrefs, a.Value)
				}
				if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("attribute %s breaks the strict CSP", a.Name.Local)
				}
			}
		case xml.CharData:
			texts.Write(el)
		}
	}
	return count, hrefs, texts.String()
}

func link(d string) string { return "/reports/x/customers?drill=" + d + "&from=2026-03-02" }

func TestChartKinds(t *testing.T) {
	for _, tc := range []struct {
		kind          string
		series        []string
		rects, points int
		links         int
	}{
		// bars: one per cell with a value (b's empty y draws none).
		{gonghai.ChartBar, []string{"x", "y"}, 5, 0, 3},
		{gonghai.ChartHistogram, []string{"x"}, 3, 0, 2},
		{gonghai.ChartLine, []string{"x", "y"}, 0, 5, 3},
		{gonghai.ChartFunnel, []string{"x"}, 3, 0, 2},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			c := gonghai.ReportChart{Kind: tc.kind, Title: "图 <一>", Table: "t", Label: "label", Series: tc.series}
			svg := string(SVG(c, chartTable(), link))
			count, hrefs, text := parsed(t, svg)
			if got := strings.Count(svg, `class="bar"`); got != tc.rects {
				t.Errorf("%d bars, want %d", got, tc.rects)
			}
			if got := strings.Count(svg, `class="point"`); got != tc.points {
				t.Errorf("%d points, want %d", got, tc.points)
			}
			if tc.kind == gonghai.ChartLine && count["polyline"] != len(tc.series) {
				t.Errorf("%d polylines, want %d", count["polyline"], len(tc.series))
			}
			if len(hrefs) != tc.links || count["a"] != tc.links {
				t.Errorf("links %v, want %d", hrefs, tc.links)
			}
			for _, h := range hrefs {
				if !strings.HasPrefix(h, "/reports/x/customers?drill=d=") || !strings.Contains(h, "&from=") {
					t.Errorf("link %q", h)
				}
			}
			// a title per mark and one for the chart
			if want := tc.rects + tc.points + 1; count["title"] != want {
				t.Errorf("%d titles, want %d", count["title"], want)
			}
			for _, want := range []string{"图 <一>", "领取"} {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q", want)
				}
			}
			if strings.Contains(svg, "<c>") || strings.Contains(svg, "图 <一>") {
				t.Error("text is not escaped")
			}
			for _, want := range []string{`role="group"`, `aria-label="图 &lt;一&gt;"`, `viewBox="0 0 720 360"`, `width="100%"`, "Noto Sans CJK SC"} {
				if !strings.Contains(svg, want) {
					t.Errorf("svg lacks %s", want)
				}
			}
		})
	}
}

// A chart without links is an image; one over no rows says so.
func TestChartStaticAndEmpty(t *testing.T) {
	c := gonghai.ReportChart{Kind: gonghai.ChartBar, Title: "图", Table: "t", Label: "label", Series: []string{"x"}}
	svg := string(SVG(c, chartTable(), nil))
	if count, _, _ := parsed(t, svg); count["a"] != 0 || !strings.Contains(svg, `role="img"`) {
		t.Errorf("a chart without links: %s", svg)
	}
	empty := chartTable()
	empty.Rows = nil
	svg = string(SVG(c, empty, link))
	if _, _, text := parsed(t, svg); !strings.Contains(text, "无数据") || !strings.Contains(svg, `role="img"`) {
		t.Errorf("an empty chart: %s", svg)
	}
}

func TestScale(t *testing.T) {
	for _, tc := range []struct{ max, hi, step float64 }{{0, 1, 0.25}, {4, 4, 1}, {7, 8, 2}, {10, 10, 2}, {93, 100, 20}, {0.37, 0.4, 0.1}} {
		v := tc.max
		ch := &chart{series: []series{{cells: []gonghai.ReportCell{{Value: &v}}}}}
		if hi, step := ch.scale(); hi != tc.hi || step != tc.step {
			t.Errorf("max %g: scale %g step %g, want %g %g", tc.max, hi, step, tc.hi, tc.step)
		}
	}
}
