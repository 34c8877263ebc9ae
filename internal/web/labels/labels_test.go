package labels

import (
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	tests := []struct {
		name            string
		active, overdue bool
		in              time.Duration
		class, text     string
	}{
		{"resolved", false, false, time.Hour, "due-closed", ""},
		{"overdue", true, true, -3 * time.Hour, "due-overdue", "Overdue by 3 hours"},
		{"due within a day", true, false, 45 * time.Minute, "due-soon", "Due in 45 minutes"},
		{"due later", true, false, 50 * time.Hour, "due-later", "Due in 2 days 2 hours"},
		{"a minute", true, false, 30 * time.Second, "due-soon", "Due in less than a minute"},
		{"whole days", true, false, 72 * time.Hour, "due-later", "Due in 3 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			class, text := Due(tt.active, tt.overdue, tt.in)
			if class != tt.class || text != tt.text {
				t.Errorf("Due = %q, %q; want %q, %q", class, text, tt.class, tt.text)
			}
		})
	}
}
