package fault_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/candorhq/candor/internal/fault"
)

var errGone = fault.New(fault.NotFound, "thing", "not found")

func TestKindOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want fault.Kind
	}{
		{"nil", nil, fault.Internal},
		{"plain", errors.New("boom"), fault.Internal},
		{"sentinel", errGone, fault.NotFound},
		{"wrapped", fmt.Errorf("svc: load: %w", errGone), fault.NotFound},
		{"joined", errors.Join(errors.New("cleanup failed"), errGone), fault.NotFound},
		{"fields", fault.Fields(fault.Invalid, "thing", map[string]string{"a": "is required"}), fault.Invalid},
		{"conflict fields", fault.Fields(fault.Conflict, "thing", map[string]string{"a": "is taken"}), fault.Conflict},
		{"reason", errGone.Becausef("the %s left", "thing"), fault.NotFound},
		// The outermost fault decides.
		{"outermost", fault.New(fault.Unavailable, "svc", "busy").Becausef("%v", errGone), fault.Unavailable},
	}
	for _, tt := range tests {
		if got := fault.KindOf(tt.err); got != tt.want {
			t.Errorf("%s: KindOf = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIs(t *testing.T) {
	t.Parallel()
	other := fault.New(fault.NotFound, "thing", "not found")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"itself", errGone, true},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", errGone)), true},
		{"with a reason", errGone.Becausef("it moved"), true},
		{"a reason, wrapped", fmt.Errorf("a: %w", errGone.Becausef("it moved")), true},
		{"same words, another sentinel", other, false},
		{"shown otherwise is another sentinel", errGone.ShownAs("missing"), false},
		{"fields", fault.Fields(fault.NotFound, "thing", map[string]string{"a": "b"}), false},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, errGone); got != tt.want {
			t.Errorf("%s: errors.Is = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMessages(t *testing.T) {
	t.Parallel()
	conflict := fault.New(fault.Conflict, "customer", "conflict")
	tests := []struct {
		name      string
		err       *fault.Error
		wantError string
		wantShown string
	}{
		{"sentinel", errGone, "thing: not found", "not found"},
		{"shown as", fault.New(fault.NotFound, "auth", "user not found").ShownAs("not found"), "auth: user not found", "not found"},
		{"logs only", fault.New(fault.Unavailable, "chain", "busy").ShownAs(""), "chain: busy", ""},
		{"reason", conflict.Becausef("the account still has %d contacts", 3),
			"customer: conflict: the account still has 3 contacts", "the account still has 3 contacts"},
		{"reason on a reason", conflict.Becausef("a").Becausef("b"), "customer: conflict: a: b", "b"},
		{"fields sorted", asFault(t, fault.Fields(fault.Invalid, "customer", map[string]string{"b": "two", "a": "one"})),
			"customer: invalid input: a: one; b: two", "invalid input"},
		{"conflicting fields", asFault(t, fault.Fields(fault.Conflict, "customer", map[string]string{"name": "is taken"})),
			"customer: invalid input: name: is taken", "conflict with an existing record"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.wantError {
			t.Errorf("%s: Error = %q, want %q", tt.name, got, tt.wantError)
		}
		if got := tt.err.Message(); got != tt.wantShown {
			t.Errorf("%s: Message = %q, want %q", tt.name, got, tt.wantShown)
		}
	}
}

func asFault(t *testing.T, err error) *fault.Error {
	t.Helper()
	e, ok := fault.As(err)
	if !ok {
		t.Fatalf("%v is not a *fault.Error", err)
	}
	return e
}

func TestFields(t *testing.T) {
	t.Parallel()
	if err := fault.Fields(fault.Invalid, "x", nil); err != nil {
		t.Errorf("no fields: %v, want nil", err)
	}
	in := map[string]string{"title": "is required", "a.b": "must be short", "Z": "upper first"}
	err := fmt.Errorf("wrapped: %w", fault.Fields(fault.Invalid, "x", in))
	in["title"] = "changed afterwards"

	e := asFault(t, err)
	want := []fault.Field{{"Z", "upper first"}, {"a.b", "must be short"}, {"title", "is required"}}
	if got := e.SortedFields(); !reflect.DeepEqual(got, want) {
		t.Errorf("SortedFields = %v, want %v", got, want)
	}
	got := fault.FieldsOf(err)
	got["title"] = "changed by a caller"
	if e.Fields()["title"] != "is required" {
		t.Errorf("the error's fields changed with its input or a caller's copy: %v", e.Fields())
	}
	if fault.FieldsOf(errGone) != nil || fault.FieldsOf(errors.New("plain")) != nil {
		t.Error("FieldsOf without fields is not nil")
	}
	if len(errGone.SortedFields()) != 0 {
		t.Error("a sentinel has fields")
	}
}

func TestAs(t *testing.T) {
	t.Parallel()
	if _, ok := fault.As(errors.New("plain")); ok {
		t.Error("As found a fault in a plain error")
	}
	e, ok := fault.As(fmt.Errorf("x: %w", errGone))
	if !ok || e != errGone || e.Package() != "thing" || e.Kind() != fault.NotFound {
		t.Errorf("As = %v, %v; want the sentinel", e, ok)
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	for k := fault.Internal; k <= fault.Unavailable; k++ {
		if s := k.String(); s == "" || s[0] == 'k' {
			t.Errorf("kind %d has no name: %q", int(k), s)
		}
	}
	if s := fault.Kind(99).String(); s != "kind(99)" {
		t.Errorf("unknown kind = %q", s)
	}
}
