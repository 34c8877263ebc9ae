package reports

import (
	"math"
	"strings"
	"testing"
)

func floatPtr(v float64) *float64 { return &v }

func TestGaugePoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		score, x, y float64
	}{
		{-100, gaugeCX - gaugeR, gaugeCY},
		{0, gaugeCX, gaugeCY - gaugeR},
		{100, gaugeCX + gaugeR, gaugeCY},
		{-500, gaugeCX - gaugeR, gaugeCY}, // clamped
		{50, gaugeCX + gaugeR*math.Cos(math.Pi/4), gaugeCY - gaugeR*math.Sin(math.Pi/4)},
	}
	for _, tt := range tests {
		x, y := gaugePoint(tt.score)
		if math.Abs(x-tt.x) > 1e-9 || math.Abs(y-tt.y) > 1e-9 {
			t.Errorf("gaugePoint(%v) = (%v, %v), want (%v, %v)", tt.score, x, y, tt.x, tt.y)
		}
	}
}

func TestBarSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v, lo, hi, x, w float64
	}{
		{50, 0, 100, 0, 100},      // half of 200 units
		{100, 0, 100, 0, 200},     // full
		{0, 0, 100, 0, 0},         // nothing
		{50, -100, 100, 100, 50},  // from the middle, rightwards
		{-50, -100, 100, 50, 50},  // from the middle, leftwards
		{-100, -100, 100, 0, 100}, // the whole left half
		{150, 0, 100, 0, 200},     // clamped
	}
	for _, tt := range tests {
		x, w := barSpan(tt.v, tt.lo, tt.hi, 0, 200)
		if x != tt.x || w != tt.w {
			t.Errorf("barSpan(%v, %v..%v) = %v+%v, want %v+%v", tt.v, tt.lo, tt.hi, x, w, tt.x, tt.w)
		}
	}
}

func TestSplitWidths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		counts []int
		want   []float64
	}{
		{[]int{1, 1, 2}, []float64{100, 100, 200}},
		{[]int{0, 0, 0}, []float64{0, 0, 0}},
		{[]int{3, 0, 0}, []float64{400, 0, 0}},
		{[]int{1, 1, 1}, []float64{133.3, 133.3, 133.4}}, // the last takes the rounding
	}
	for _, tt := range tests {
		got := splitWidths(400, tt.counts...)
		sum := 0.0
		for i := range got {
			sum += got[i]
			if math.Abs(got[i]-tt.want[i]) > 1e-9 {
				t.Errorf("splitWidths(%v) = %v, want %v", tt.counts, got, tt.want)
				break
			}
		}
		if sum != 0 && math.Abs(sum-400) > 1e-9 {
			t.Errorf("splitWidths(%v) adds up to %v, want 400", tt.counts, sum)
		}
	}
}

func TestLinePathBreaksAtGaps(t *testing.T) {
	t.Parallel()
	xs := []float64{10, 20, 30, 40, 50}
	bottom, top := lineHeight-linePadBottom, linePadTop
	tests := []struct {
		name   string
		points []chartPoint
		want   string
	}{
		{"joined", []chartPoint{{Value: floatPtr(0)}, {Value: floatPtr(100)}}, "M10 " + num(bottom) + " L20 " + num(top)},
		{"gap", []chartPoint{{Value: floatPtr(0)}, {}, {Value: floatPtr(100)}, {Value: floatPtr(0)}}, "M10 " + num(bottom) + " M30 " + num(top) + " L40 " + num(bottom)},
		{"all hidden", []chartPoint{{}, {}}, ""},
	}
	for _, tt := range tests {
		if got := linePath(xs, tt.points, 0, 100, lineHeight-linePadBottom, linePadTop); got != tt.want {
			t.Errorf("%s: linePath = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNiceMaxAndFormat(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ v, want float64 }{{0, 1}, {3, 5}, {7, 10}, {12, 20}, {180, 200}, {500, 500}} {
		if got := niceMax(tt.v); got != tt.want {
			t.Errorf("niceMax(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
	for _, tt := range []struct {
		v    float64
		want string
	}{{12.345, "12.3"}, {-40, "−40"}, {-0.01, "0"}, {100, "100"}} {
		if got := formatScore(tt.v); got != tt.want {
			t.Errorf("formatScore(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestChartsEscapeLabelsAndMarkHiddenBars(t *testing.T) {
	t.Parallel()
	svg := string(barChart(`<script>"x"`, []chartBar{{Label: "<b>EMEA</b>", Value: floatPtr(40), Text: "40%"}, {Label: "APAC"}}, 0, 100))
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") {
		t.Errorf("labels not escaped: %s", svg)
	}
	if strings.Count(svg, "<rect") != 1 || !strings.Contains(svg, ">Suppressed</text>") {
		t.Errorf("want one bar and one suppressed label: %s", svg)
	}
	if strings.Contains(svg, "style=") {
		t.Errorf("inline style, which the content security policy refuses: %s", svg)
	}
}

func TestLineChartMarksOnlyHiddenPeriodsAsGaps(t *testing.T) {
	t.Parallel()
	svg := string(lineChart("NPS", []chartPoint{{Label: "a", Value: floatPtr(10)}, {Label: "b"}, {Label: "c", Hidden: true}}, -100, 100))
	if n := strings.Count(svg, `class="chart-gap"`); n != 1 {
		t.Errorf("%d gap marks, want 1 (for the hidden period, not the empty one): %s", n, svg)
	}
	if n := strings.Count(svg, `class="chart-dot"`); n != 1 {
		t.Errorf("%d dots, want 1: %s", n, svg)
	}
}
