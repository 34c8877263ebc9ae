// Package fault is the one vocabulary of errors a client may be told
// about: every service says what kind of failure it met (not found,
// forbidden, a conflict, invalid fields, …) and what may be shown of it,
// and the web layer turns the kind into a status in one place.
package fault

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Kind is what sort of failure an error is, which decides how a client is
// answered.
type Kind int

// The kinds. Internal is every error that is not a *Error: the client
// learns only that something went wrong.
const (
	Internal        Kind = iota
	Invalid              // the request's values are wrong
	Unauthenticated      // who is asking is not known
	Forbidden            // the one asking may not
	NotFound             // there is no such thing, or not for this actor
	Conflict             // it clashes with what is stored or with its state
	Gone                 // it existed but has expired
	Unprocessable        // well-formed, but there is nothing to do it with
	TooMany              // too many attempts, or too much at once
	Unavailable          // something it needs is down or busy; try later
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid input",
	Unauthenticated: "unauthenticated",
	Forbidden:       "forbidden",
	NotFound:        "not found",
	Conflict:        "conflict",
	Gone:            "gone",
	Unprocessable:   "unprocessable",
	TooMany:         "too many",
	Unavailable:     "unavailable",
}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Error is a failure of a known kind. Sentinels are *Errors made once by
// New; errors.Is matches them through any wrapping.
type Error struct {
	kind   Kind
	pkg    string            // the package it comes from: "customer"
	text   string            // what Error says after "pkg: "
	public string            // what a client may be told; "" leaves the kind's wording
	fields map[string]string // per-field messages, never changed once made
	cause  error
}

// New returns an error of kind from package pkg whose Error is
// "pkg: text". A client is told text; ShownAs tells it something else.
func New(kind Kind, pkg, text string) *Error {
	return &Error{kind: kind, pkg: pkg, text: text, public: text}
}

// Fields returns an error of kind carrying a message per field, or nil
// when fields is empty, so that a validation can end with
// `return fault.Fields(fault.Invalid, "pkg", problems)`. Its Error is
// "pkg: invalid input: a: msg; b: msg" (fields sorted) whatever the kind:
// a value clashing with a stored one (kind Conflict) is invalid input too.
func Fields(kind Kind, pkg string, fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	public := "invalid input"
	if kind == Conflict {
		public = "conflict with an existing record"
	}
	return &Error{kind: kind, pkg: pkg, text: "invalid input", public: public, fields: maps.Clone(fields)}
}

// ShownAs returns e telling clients public instead of its text; "" leaves
// the kind's own wording, for an error whose text is for logs only. It is
// for making sentinels.
func (e *Error) ShownAs(public string) *Error {
	c := *e
	c.public = public
	return &c
}

// Becausef returns an error of e's kind that says why: clients are told
// the reason, Error is e's followed by ": " and the reason, and errors.Is
// still matches e.
func (e *Error) Becausef(format string, args ...any) *Error {
	reason := fmt.Sprintf(format, args...)
	return &Error{kind: e.kind, pkg: e.pkg, text: e.text + ": " + reason, public: reason, fields: e.fields, cause: e}
}

// Error reads "pkg: text" and then the fields, sorted.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.pkg)
	b.WriteString(": ")
	b.WriteString(e.text)
	for i, f := range e.SortedFields() {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Name + ": " + f.Message)
	}
	return b.String()
}

// Unwrap returns the error this one was made from, if any.
func (e *Error) Unwrap() error { return e.cause }

// Kind is what sort of failure e is.
func (e *Error) Kind() Kind { return e.kind }

// Package is the package e comes from.
func (e *Error) Package() string { return e.pkg }

// Message is what a client may be told; "" when the kind's own wording
// should be used.
func (e *Error) Message() string { return e.public }

// Fields returns a copy of the per-field messages; nil when there are none.
func (e *Error) Fields() map[string]string { return maps.Clone(e.fields) }

// Field is one field's message.
type Field struct {
	Name, Message string
}

// SortedFields returns the per-field messages ordered by field name.
func (e *Error) SortedFields() []Field {
	out := make([]Field, 0, len(e.fields))
	for _, name := range slices.Sorted(maps.Keys(e.fields)) {
		out = append(out, Field{Name: name, Message: e.fields[name]})
	}
	return out
}

// As returns the outermost *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf is the kind of the outermost *Error in err's chain; Internal when
// there is none (or err is nil).
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.kind
	}
	return Internal
}

// FieldsOf returns the per-field messages of the outermost *Error in err's
// chain; nil when it has none.
func FieldsOf(err error) map[string]string {
	if e, ok := As(err); ok {
		return e.Fields()
	}
	return nil
}
