// Package report draws a report's charts: server-rendered SVG, inline in
// the page, so that a chart needs no script and passes the strict CSP
// (presentation attributes only, no style attribute). It reads a
// gonghai.ReportChart over its gonghai.ReportTable and knows no SQL and
// no HTTP.
package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/gonghai/gonghai"
)

// The drawing's box: the SVG scales to its container (viewBox, width
// 100%), so these are units, not pixels.
const (
	width   = 720.0
	height  = 360.0
	left    = 64.0  // room for the value axis' ticks
	right   = 16.0  //
	top     = 16.0  //
	bottom  = 100.0 // room for the labels and the legend
	plotW   = width - left - right
	plotH   = height - top - bottom
	fontCSS = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
)

// palette colours the series in turn: distinguishable and dark enough
// for white text beside them.
var palette = []string{"#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#4b5563", "#db2777"}

// Link makes the address of the drill-down page of a cell's drill key.
type Link func(drill string) string

// series is one series of the chart: its column's title, its kind, and
// each row's cell.
type series struct {
	title, kind string
	cells       []gonghai.ReportCell
}

// chart is what SVG draws: the rows' labels and the series.
type chart struct {
	c      gonghai.ReportChart
	labels []string
	series []series
	link   Link
	b      strings.Builder
	// hi and step are the value axis' top and tick step, once worked out.
	hi, step float64
}

// SVG draws chart c over table t as an inline SVG element. Each bar or
// point whose cell has a drill key links (link) to the customers behind
// it. A chart whose columns t lacks draws what it has.
func SVG(c gonghai.ReportChart, t gonghai.ReportTable, link Link) template.HTML {
	ch := &chart{c: c, link: link}
	col := map[string]int{}
	for i, k := range t.Columns {
		col[k.Key] = i
	}
	li, hasLabel := col[c.Label]
	for _, row := range t.Rows {
		label := ""
		if hasLabel && li < len(row) {
			label = row[li].Text
		}
		ch.labels = append(ch.labels, label)
	}
	for _, key := range c.Series {
		i, ok := col[key]
		if !ok {
			continue
		}
		s := series{title: t.Columns[i].Title, kind: t.Columns[i].Kind}
		for _, row := range t.Rows {
			cell := gonghai.EmptyCell()
			if i < len(row) {
				cell = row[i]
			}
			s.cells = append(s.cells, cell)
		}
		ch.series = append(ch.series, s)
	}
	return template.HTML(ch.draw()) // #nosec G203 -- every text is escaped by esc
}

// esc escapes s for XML text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

func (ch *chart) printf(format string, args ...any) { fmt.Fprintf(&ch.b, format, args...) }

// interactive says whether any cell links somewhere.
func (ch *chart) interactive() bool {
	if ch.link == nil {
		return false
	}
	for _, s := range ch.series {
		for _, c := range s.cells {
			if c.Drill != "" {
				return true
			}
		}
	}
	return false
}

func (ch *chart) draw() string {
	// An image's children are hidden from assistive technology, so a chart
	// whose bars are links is a group of links (each named by its title);
	// one without is an image.
	role := "img"
	if ch.interactive() {
		role = "group"
	}
	ch.printf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-%s" viewBox="0 0 %g %g" width="100%%" role="%s" aria-label="%s" font-family="%s" font-size="12">`,
		esc(ch.c.Kind), width, height, role, esc(ch.c.Title), fontCSS)
	ch.printf(`<title>%s</title>`, esc(ch.c.Title))
	if len(ch.labels) == 0 || len(ch.series) == 0 {
		ch.printf(`<text x="%g" y="%g" text-anchor="middle" fill="#6b7280">无数据</text></svg>`, width/2, height/2)
		return ch.b.String()
	}
	switch ch.c.Kind {
	case gonghai.ChartFunnel:
		ch.funnel()
	case gonghai.ChartLine:
		ch.axes()
		ch.lines()
	default:
		ch.axes()
		ch.bars(ch.c.Kind == gonghai.ChartHistogram)
	}
	ch.legend()
	ch.printf(`</svg>`)
	return ch.b.String()
}

// max is the largest value of any series (at least 1, so that an empty
// chart has an axis).
func (ch *chart) max() float64 {
	m := 0.0
	for _, s := range ch.series {
		for _, c := range s.cells {
			if c.Value != nil {
				m = math.Max(m, *c.Value)
			}
		}
	}
	return m
}

// scale is the top of the value axis and its tick step: a round number
// at or above the largest value, in five or fewer steps.
func (ch *chart) scale() (hi, step float64) {
	if ch.hi > 0 {
		return ch.hi, ch.step
	}
	defer func() { ch.hi, ch.step = hi, step }()
	m := ch.max()
	if m <= 0 {
		return 1, 0.25
	}
	raw := m / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if step = f * mag; step >= raw {
			break
		}
	}
	if ch.whole() && step < 1 {
		// Counts go up in whole steps: an axis of 0.2, 0.4 … would read as
		// 0, 0, 1 … once written as counts.
		step = 1
	}
	return math.Ceil(m/step) * step, step
}

// whole reports whether every value drawn is a whole number.
func (ch *chart) whole() bool {
	for _, s := range ch.series {
		for _, c := range s.cells {
			if c.Value != nil && *c.Value != math.Trunc(*c.Value) {
				return false
			}
		}
	}
	return true
}

// y is where value v sits on the value axis.
func (ch *chart) y(v float64) float64 {
	hi, _ := ch.scale()
	return top + plotH - v/hi*plotH
}

// axes draws the value axis' ticks and grid and the labels under the
// plot (as many as fit).
func (ch *chart) axes() {
	hi, step := ch.scale()
	kind := gonghai.ColCount
	if len(ch.series) > 0 {
		kind = ch.series[0].kind
	}
	for v := 0.0; v <= hi+step/2; v += step {
		y := ch.y(v)
		ch.printf(`<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#e5e7eb"/>`, left, width-right, y, y)
		ch.printf(`<text x="%g" y="%.1f" text-anchor="end" dominant-baseline="middle" fill="#4b5563">%s</text>`,
			left-6, y, esc(tickText(v, kind)))
	}
	ch.printf(`<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#9ca3af"/>`, left, width-right, top+plotH, top+plotH)
	n := len(ch.labels)
	every := int(math.Ceil(float64(n) / 12)) // at most 12 labels fit
	slot := plotW / float64(n)
	for i, l := range ch.labels {
		if i%every != 0 {
			continue
		}
		x := left + slot*(float64(i)+0.5)
		ch.printf(`<text x="%.1f" y="%g" text-anchor="end" transform="rotate(-35 %.1f %g)" fill="#374151">%s</text>`,
			x, top+plotH+14, x, top+plotH+14, esc(shorten(l, 12)))
	}
}

// tickText writes an axis value: whole numbers without decimals.
func tickText(v float64, kind string) string {
	if v == math.Trunc(v) && kind != gonghai.ColPercent {
		return fmt.Sprintf("%.0f", v)
	}
	return gonghai.FormatReportValue(v, kind)
}

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// mark wraps element el (a bar or a point) in a link to its cell's
// customers when it has any, and gives it its title: the row's label,
// the series and the value.
func (ch *chart) mark(label string, s series, c gonghai.ReportCell, el string) {
	title := esc(label + " · " + s.title + "：" + c.Text)
	if c.Drill != "" && ch.link != nil {
		ch.printf(`<a href="%s" aria-label="%s"><title>%s</title>%s</a>`, esc(ch.link(c.Drill)), title, title, el)
		return
	}
	ch.printf(`<g class="mark"><title>%s</title>%s</g>`, title, el)
}

// bars draws grouped bars: a group per row, a bar per series; a
// histogram's bars touch.
func (ch *chart) bars(adjacent bool) {
	slot := plotW / float64(len(ch.labels))
	inner := slot * 0.8
	if adjacent {
		inner = slot
	}
	w := inner / float64(len(ch.series))
	base := ch.y(0)
	for i, l := range ch.labels {
		x0 := left + slot*float64(i) + (slot-inner)/2
		for j, s := range ch.series {
			c := s.cells[i]
			if c.Value == nil {
				continue
			}
			y := ch.y(*c.Value)
			stroke := ""
			if adjacent {
				stroke = ` stroke="#ffffff" stroke-width="0.5"`
			}
			ch.mark(l, s, c, fmt.Sprintf(`<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"%s/>`,
				x0+w*float64(j), y, w, base-y, palette[j%len(palette)], stroke))
		}
	}
}

// lines draws a polyline per series with a point per row that has a
// value.
func (ch *chart) lines() {
	slot := plotW / float64(len(ch.labels))
	for j, s := range ch.series {
		colour := palette[j%len(palette)]
		var pts []string
		for i, c := range s.cells {
			if c.Value != nil {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", left+slot*(float64(i)+0.5), ch.y(*c.Value)))
			}
		}
		ch.printf(`<polyline class="line" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), colour)
		for i, c := range s.cells {
			if c.Value == nil {
				continue
			}
			ch.mark(ch.labels[i], s, c, fmt.Sprintf(`<circle class="point" cx="%.1f" cy="%.1f" r="4" fill="%s"/>`,
				left+slot*(float64(i)+0.5), ch.y(*c.Value), colour))
		}
	}
}

// funnel draws the first series as horizontal bars centred on one axis,
// a stage per row, widths in proportion to the largest.
func (ch *chart) funnel() {
	s := ch.series[0]
	m := ch.max()
	rowH := (height - top - bottom) / float64(len(ch.labels))
	for i, l := range ch.labels {
		c := s.cells[i]
		y := top + rowH*float64(i)
		v := 0.0
		if c.Value != nil {
			v = *c.Value
		}
		w := 0.0
		if m > 0 {
			w = v / m * plotW
		}
		ch.mark(l, s, c, fmt.Sprintf(`<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`,
			left+(plotW-w)/2, y+2, w, rowH-4, palette[i%len(palette)]))
		ch.printf(`<text x="%g" y="%.1f" text-anchor="middle" dominant-baseline="middle" fill="#111827">%s</text>`,
			left+plotW/2, y+rowH/2, esc(shorten(l, 16)+"  "+c.Text))
	}
}

// legend names the series under the chart, wrapping into rows.
func (ch *chart) legend() {
	if ch.c.Kind == gonghai.ChartFunnel {
		ch.printf(`<text x="%g" y="%g" fill="#374151">%s</text>`, left, height-12, esc(ch.series[0].title))
		return
	}
	x, y := left, height-30
	for j, s := range ch.series {
		w := 28 + float64(len([]rune(s.title)))*13
		if x+w > width-right {
			x, y = left, y+18
		}
		ch.printf(`<rect x="%g" y="%g" width="12" height="12" fill="%s"/><text x="%g" y="%g" fill="#374151">%s</text>`,
			x, y-10, palette[j%len(palette)], x+16, y, esc(s.title))
		x += w
	}
}
