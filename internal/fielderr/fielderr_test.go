package fielderr

import "testing"

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fields map[string]string
		want   string
	}{
		{nil, "x: invalid input: "},
		{map[string]string{"name": "is required"}, "x: invalid input: name: is required"},
		{map[string]string{"b": "two", "a": "one"}, "x: invalid input: a: one; b: two"},
	}
	for _, tt := range tests {
		if got := Format("x", tt.fields); got != tt.want {
			t.Errorf("Format(%v) = %q, want %q", tt.fields, got, tt.want)
		}
	}
}
