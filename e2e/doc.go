// Package e2e walks Candor's whole story in a real browser: staff sign in,
// import contacts, build a survey and send a campaign; respondents answer from
// their emailed links, with and without consent; an analyst reads the
// dashboard. The tests are behind the build tag e2e, so `make test` leaves
// them out; `make e2e` runs them against a freshly built binary and the
// Chromium that .ci/chromium installs.
package e2e
