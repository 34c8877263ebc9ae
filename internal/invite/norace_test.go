//go:build !race

package invite_test

// raceEnabled reports whether the race detector is on, which slows the
// large tests beyond use.
const raceEnabled = false
