package survey_test

import (
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

func TestNPSCategory(t *testing.T) {
	t.Parallel()
	want := map[int]survey.Category{
		-1: "", 0: survey.Detractor, 1: survey.Detractor, 6: survey.Detractor,
		7: survey.Passive, 8: survey.Passive, 9: survey.Promoter, 10: survey.Promoter, 11: "",
	}
	for score, cat := range want {
		if got := survey.NPSCategory(score); got != cat {
			t.Errorf("NPSCategory(%d) = %q, want %q", score, got, cat)
		}
	}
}

func TestNPS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		promoters, passives, detractors int
		want                            float64
		ok                              bool
	}{
		{0, 0, 0, 0, false},
		{10, 0, 0, 100, true},
		{0, 0, 10, -100, true},
		{0, 5, 0, 0, true},
		{50, 30, 20, 30, true},
		{1, 1, 1, 0, true},
		{2, 1, 1, 25, true},
	}
	for _, tt := range tests {
		got, ok := survey.NPS(tt.promoters, tt.passives, tt.detractors)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NPS(%d, %d, %d) = %v, %v; want %v, %v", tt.promoters, tt.passives, tt.detractors, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCSAT(t *testing.T) {
	t.Parallel()
	for score, want := range map[int]bool{0: false, 1: false, 3: false, 4: true, 5: true, 6: false} {
		if got := survey.CSATSatisfied(score); got != want {
			t.Errorf("CSATSatisfied(%d) = %v, want %v", score, got, want)
		}
	}
	tests := []struct {
		satisfied, total int
		want             float64
		ok               bool
	}{
		{0, 0, 0, false},
		{3, 4, 75, true},
		{0, 7, 0, true},
		{7, 7, 100, true},
	}
	for _, tt := range tests {
		got, ok := survey.CSAT(tt.satisfied, tt.total)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CSAT(%d, %d) = %v, %v; want %v, %v", tt.satisfied, tt.total, got, ok, tt.want, tt.ok)
		}
	}
}
