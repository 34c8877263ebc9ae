package store_test

import (
	"context"
	"testing"
)

func TestMarkers(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	if v, err := st.Markers.Marker(ctx, "reseal"); err != nil || v != "" {
		t.Fatalf("unset marker = %q, %v; want empty", v, err)
	}
	for _, want := range []string{"k2", "k3"} {
		if err := st.Markers.SetMarker(ctx, "reseal", want); err != nil {
			t.Fatal(err)
		}
		if v, err := st.Markers.Marker(ctx, "reseal"); err != nil || v != want {
			t.Errorf("marker = %q, %v; want %q", v, err, want)
		}
	}
	if v, _ := st.Markers.Marker(ctx, "other"); v != "" {
		t.Errorf("another marker = %q; want empty", v)
	}
}
