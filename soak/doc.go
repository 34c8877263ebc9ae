// Package soak holds fault and load runs against real Candor processes:
// `candor db`, `candor serve` and `candor worker` started from bin/, real
// SMTP servers (Mailpit and the in-process smtptest), all on loopback.
//
// The tests are behind the build tag soak and run with `make soak`; sizes
// and durations come from SOAK_* environment variables (see harness_test.go).
package soak
