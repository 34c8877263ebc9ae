package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts are inline SVG drawn here, on the server: no script, nothing from
// elsewhere. Colours come from classes in candor.css, since the content
// security policy refuses inline styles; geometry goes in SVG attributes,
// which it allows. Every chart sits next to a table of the same numbers,
// so charts are images with a short label and the table is what a screen
// reader reads.

// chartBar is one bar: a value on the chart's scale, or none when its
// numbers are hidden.
type chartBar struct {
	Label string
	Value *float64
	Text  string // shown after the bar: the value, formatted
}

// chartPoint is one point of a line chart; a nil Value is a gap, marked
// as hidden when the period's numbers are suppressed rather than absent.
type chartPoint struct {
	Label  string
	Value  *float64
	Hidden bool
}

// Bar chart layout, in SVG units.
const (
	barLabelWidth = 150.0
	barAreaWidth  = 280.0
	barTextWidth  = 110.0
	barRowHeight  = 26.0
	barHeight     = 16.0
)

// scale maps v in [lo, hi] onto [x0, x1], clamped.
func scale(v, lo, hi, x0, x1 float64) float64 {
	if hi <= lo {
		return x0
	}
	v = math.Max(lo, math.Min(hi, v))
	return x0 + (v-lo)/(hi-lo)*(x1-x0)
}

// barSpan returns where a bar for v starts and how wide it is, on a scale
// from lo to hi drawn from x0 to x1: bars grow from zero, or from lo when
// zero is off the scale, so that negative values point left.
func barSpan(v, lo, hi, x0, x1 float64) (x, w float64) {
	base := scale(math.Max(lo, math.Min(hi, 0)), lo, hi, x0, x1)
	end := scale(v, lo, hi, x0, x1)
	return math.Min(base, end), math.Abs(end - base)
}

// barChart draws horizontal bars on a scale from lo to hi, labelled on
// the left and valued on the right; a hidden bar reads "Suppressed".
func barChart(label string, bars []chartBar, lo, hi float64) template.HTML {
	width := barLabelWidth + barAreaWidth + barTextWidth
	height := barRowHeight*float64(len(bars)) + 4
	x0, x1 := barLabelWidth, barLabelWidth+barAreaWidth
	var b strings.Builder
	openSVG(&b, "chart chart-bars", label, width, height)
	if lo < 0 && hi > 0 {
		zx := scale(0, lo, hi, x0, x1)
		fmt.Fprintf(&b, `<line class="chart-axis" x1="%s" y1="0" x2="%s" y2="%s"/>`, num(zx), num(zx), num(height))
	}
	for i, bar := range bars {
		y := barRowHeight*float64(i) + 2
		mid := y + barHeight/2 + 4
		fmt.Fprintf(&b, `<text class="chart-label" x="%s" y="%s" text-anchor="end">%s</text>`, num(barLabelWidth-8), num(mid), esc(clip(bar.Label, 22)))
		if bar.Value == nil {
			fmt.Fprintf(&b, `<text class="chart-suppressed" x="%s" y="%s">Suppressed</text>`, num(x0+4), num(mid))
			continue
		}
		x, w := barSpan(*bar.Value, lo, hi, x0, x1)
		class := "chart-bar"
		if *bar.Value < 0 {
			class += " chart-bar-negative"
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" rx="2"/>`, class, num(x), num(y), num(math.Max(w, 1)), num(barHeight))
		fmt.Fprintf(&b, `<text class="chart-value" x="%s" y="%s">%s</text>`, num(x1+8), num(mid), esc(bar.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Gauge layout: a half circle around (gaugeCX, gaugeCY).
const (
	gaugeCX, gaugeCY, gaugeR = 110.0, 110.0, 90.0
)

// gaugePoint is where a score from -100 to 100 sits on the gauge's arc:
// -100 at the left end, 0 at the top, 100 at the right end.
func gaugePoint(score float64) (x, y float64) {
	score = math.Max(-100, math.Min(100, score))
	theta := math.Pi * (1 - (score+100)/200)
	return gaugeCX + gaugeR*math.Cos(theta), gaugeCY - gaugeR*math.Sin(theta)
}

// npsGauge draws the NPS on a half circle from -100 to 100.
func npsGauge(score float64) template.HTML {
	var b strings.Builder
	openSVG(&b, "chart chart-gauge", "NPS "+formatScore(score)+" on a scale from −100 to 100", 2*gaugeCX, gaugeCY+24)
	lx, ly := gaugePoint(-100)
	rx, ry := gaugePoint(100)
	px, py := gaugePoint(score)
	fmt.Fprintf(&b, `<path class="gauge-track" d="M%s %s A%s %s 0 0 1 %s %s"/>`, num(lx), num(ly), num(gaugeR), num(gaugeR), num(rx), num(ry))
	if score > -100 {
		fmt.Fprintf(&b, `<path class="gauge-value" d="M%s %s A%s %s 0 0 1 %s %s"/>`, num(lx), num(ly), num(gaugeR), num(gaugeR), num(px), num(py))
	}
	// The needle starts clear of the score written at the centre.
	const inner = 0.5
	fmt.Fprintf(&b, `<line class="gauge-needle" x1="%s" y1="%s" x2="%s" y2="%s"/>`,
		num(gaugeCX+(px-gaugeCX)*inner), num(gaugeCY+(py-gaugeCY)*inner), num(px), num(py))
	fmt.Fprintf(&b, `<text class="gauge-score" x="%s" y="%s" text-anchor="middle">%s</text>`, num(gaugeCX), num(gaugeCY-4), esc(formatScore(score)))
	fmt.Fprintf(&b, `<text class="chart-label" x="%s" y="%s" text-anchor="middle">−100</text>`, num(lx), num(gaugeCY+18))
	fmt.Fprintf(&b, `<text class="chart-label" x="%s" y="%s" text-anchor="middle">100</text>`, num(rx), num(gaugeCY+18))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// splitWidths divides width among counts in proportion; the widths add up
// to width exactly (the last takes the rounding), or are all zero.
func splitWidths(width float64, counts ...int) []float64 {
	total := 0
	for _, n := range counts {
		total += n
	}
	out := make([]float64, len(counts))
	if total == 0 {
		return out
	}
	used := 0.0
	for i, n := range counts {
		if i == len(counts)-1 {
			out[i] = width - used
			break
		}
		out[i] = math.Round(width*float64(n)/float64(total)*10) / 10
		used += out[i]
	}
	return out
}

// npsSplit draws promoters, passives and detractors as one stacked bar.
func npsSplit(promoters, passives, detractors int) template.HTML {
	const width, height = 400.0, 24.0
	var b strings.Builder
	openSVG(&b, "chart chart-split", fmt.Sprintf("%d promoters, %d passives, %d detractors", promoters, passives, detractors), width, height)
	x := 0.0
	for i, w := range splitWidths(width, promoters, passives, detractors) {
		if w > 0 {
			fmt.Fprintf(&b, `<rect class="%s" x="%s" y="0" width="%s" height="%s"/>`, []string{"split-promoters", "split-passives", "split-detractors"}[i], num(x), num(w), num(height))
		}
		x += w
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Line chart layout.
const (
	lineWidth, lineHeight = 560.0, 180.0
	linePadLeft           = 44.0
	linePadRight          = 12.0
	linePadTop            = 10.0
	linePadBottom         = 26.0
)

// linePositions returns the x of each of n points, evenly spread.
func linePositions(n int) []float64 {
	out := make([]float64, n)
	inner := lineWidth - linePadLeft - linePadRight
	for i := range out {
		if n == 1 {
			out[i] = linePadLeft + inner/2
			continue
		}
		out[i] = linePadLeft + inner*float64(i)/float64(n-1)
	}
	return out
}

// linePath joins the points with values; a point without one breaks the
// line, so a hidden period shows as a gap rather than a guess.
func linePath(xs []float64, points []chartPoint, lo, hi, bottom, top float64) string {
	var b strings.Builder
	pen := false
	for i, p := range points {
		if p.Value == nil {
			pen = false
			continue
		}
		y := scale(*p.Value, lo, hi, bottom, top)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if pen {
			b.WriteByte('L')
		} else {
			b.WriteByte('M')
		}
		b.WriteString(num(xs[i]) + " " + num(y))
		pen = true
	}
	return b.String()
}

// lineChart draws one series over periods from lo to hi, with a dot on
// every shown point and the gaps left empty.
func lineChart(label string, points []chartPoint, lo, hi float64) template.HTML {
	var b strings.Builder
	openSVG(&b, "chart chart-line", label, lineWidth, lineHeight)
	bottom, top := lineHeight-linePadBottom, linePadTop
	for _, v := range []float64{lo, (lo + hi) / 2, hi} {
		y := scale(v, lo, hi, bottom, top)
		fmt.Fprintf(&b, `<line class="chart-grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(linePadLeft), num(y), num(lineWidth-linePadRight), num(y))
		if v == math.Trunc(v) { // counts have no halves
			fmt.Fprintf(&b, `<text class="chart-label" x="%s" y="%s" text-anchor="end">%s</text>`, num(linePadLeft-6), num(y+4), esc(formatScore(v)))
		}
	}
	xs := linePositions(len(points))
	if d := linePath(xs, points, lo, hi, bottom, top); d != "" {
		fmt.Fprintf(&b, `<path class="chart-trend" d="%s"/>`, d)
	}
	// Label at most about eight periods, so that labels never overlap.
	every := max(1, (len(points)+7)/8)
	for i, p := range points {
		if p.Value != nil {
			fmt.Fprintf(&b, `<circle class="chart-dot" cx="%s" cy="%s" r="3"/>`, num(xs[i]), num(scale(*p.Value, lo, hi, bottom, top)))
		} else if p.Hidden {
			fmt.Fprintf(&b, `<line class="chart-gap" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(xs[i]), num(top), num(xs[i]), num(bottom))
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="chart-label" x="%s" y="%s" text-anchor="middle">%s</text>`, num(xs[i]), num(lineHeight-8), esc(clip(p.Label, 12)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func openSVG(b *strings.Builder, class, label string, width, height float64) {
	fmt.Fprintf(b, `<svg class="%s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s" preserveAspectRatio="xMinYMin meet">`,
		class, num(width), num(height), num(width), num(height), esc(label))
}

// niceMax rounds a positive maximum up to 1, 2 or 5 times a power of ten,
// so that a chart's top line is a round number.
func niceMax(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// num formats an SVG coordinate: at most one decimal, no trailing zeros.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// formatScore formats a score or percentage for people: one decimal at
// most, and a real minus sign.
func formatScore(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, "-", "−", 1)
}

func esc(s string) string { return html.EscapeString(s) }

// clip shortens a label to n characters with an ellipsis; the table next
// to the chart has it whole.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Sparkline layout: small enough for a table cell.
const sparkWidth, sparkHeight, sparkPad = 96.0, 24.0, 3.0

// sparkline draws one series from lo to hi without axes or labels, for a
// table cell whose neighbours carry the numbers; a hidden point breaks
// the line.
func sparkline(label string, points []chartPoint, lo, hi float64) template.HTML {
	var b strings.Builder
	openSVG(&b, "chart chart-spark", label, sparkWidth, sparkHeight)
	xs := make([]float64, len(points))
	for i := range xs {
		xs[i] = sparkPad + (sparkWidth-2*sparkPad)*float64(i)/float64(max(1, len(points)-1))
	}
	if d := linePath(xs, points, lo, hi, sparkHeight-sparkPad, sparkPad); d != "" {
		fmt.Fprintf(&b, `<path class="chart-trend" d="%s"/>`, d)
	}
	for i, p := range points {
		if p.Hidden {
			fmt.Fprintf(&b, `<line class="chart-gap" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(xs[i]), num(sparkPad), num(xs[i]), num(sparkHeight-sparkPad))
		}
	}
	if last := points[len(points)-1]; last.Value != nil {
		fmt.Fprintf(&b, `<circle class="chart-dot" cx="%s" cy="%s" r="2"/>`, num(xs[len(xs)-1]), num(scale(*last.Value, lo, hi, sparkHeight-sparkPad, sparkPad)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// TrendPoint is one point of an NPS trend drawn on another page: a score,
// or none when the point's numbers are hidden (Hidden) or absent.
type TrendPoint struct {
	Label  string
	Score  *float64
	Hidden bool
}

// NPSTrend draws an NPS trend from -100 to 100 as the dashboard draws
// one, for pages outside reports (an account's relationship).
func NPSTrend(label string, points []TrendPoint) template.HTML {
	cps := make([]chartPoint, len(points))
	for i, p := range points {
		cps[i] = chartPoint{Label: p.Label, Value: p.Score, Hidden: p.Hidden}
	}
	return lineChart(label, cps, -100, 100)
}

// FormatNPS writes an NPS as the dashboard does: one decimal at most, and
// a true minus sign.
func FormatNPS(v float64) string { return formatScore(v) }
