//go:build race

package report

// raceEnabled trims test volumes: the race detector slows these
// database-heavy tests several times over.
const raceEnabled = true
