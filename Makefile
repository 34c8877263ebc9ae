# Candor — common tasks. `make test` is what CI runs.
GO       ?= go
BIN      := $(CURDIR)/bin
PKGS     := ./...
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: all run build test test-short lint fmt bench fuzz clean testdb e2e soak

all: lint test

## run: start Candor on the embedded defaults (http://127.0.0.1:8080)
run:
	$(GO) run ./cmd/candor

## build: build bin/candor (with the embedded database)
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/candor ./cmd/candor

# The embedded database for tests runs in its own process built without the
# race detector, which would otherwise slow it about six times.
testdb:
	$(GO) build -o $(BIN)/candor-testdb ./cmd/candor

## test: every test, with the race detector
test: testdb
	CANDOR_TEST_DB_BIN=$(BIN)/candor-testdb $(GO) test -race -count=1 -timeout 18m $(PKGS)

## test-short: quick tests without the race detector
test-short: testdb
	CANDOR_TEST_DB_BIN=$(BIN)/candor-testdb $(GO) test -short -count=1 $(PKGS)

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

## e2e: the whole story in headless Chromium (installed by .ci/chromium when
## missing), every page checked with axe-core (installed by .ci/axe);
## screenshots go to CANDOR_E2E_ARTIFACTS (default bin/e2e-artifacts)
e2e: build
	chromium=$$(bash .ci/chromium) && axe=$$(bash .ci/axe) && \
	CANDOR_E2E_BIN=$(BIN)/candor CANDOR_E2E_CHROMIUM="$$chromium" CANDOR_E2E_AXE="$$axe" \
		$(GO) test -tags e2e -count=1 -v -timeout 15m ./e2e/

## bench: benchmarks with ratios against the raw driver baseline, in one run
bench: testdb
	CANDOR_TEST_DB_BIN=$(BIN)/candor-testdb $(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 90m $(PKGS) | tee $(BIN)/bench.txt
	$(GO) run ./internal/tools/benchratio < $(BIN)/bench.txt
	@# Peak memory and time for a campaign of 100,000 invitations (minutes on the embedded database).
	CANDOR_TEST_DB_BIN=$(BIN)/candor-testdb $(GO) test -run '^TestPeakMemory100k$$' -v -count=1 -timeout 1h ./internal/invite/

## soak: fault and load runs against real processes on loopback (about 12
## minutes; sizes from SOAK_* variables, see soak/); Mailpit is built into
## bin/ first, and its run is skipped when it cannot be built
soak: build
	@GOBIN=$(BIN) $(GO) install github.com/axllent/mailpit@v1.27.11 || \
		echo "soak: Mailpit could not be built; its run will be skipped"
	SOAK_CANDOR_BIN=$(BIN)/candor SOAK_MAILPIT_BIN=$(BIN)/mailpit \
		$(GO) test -tags soak -run . -v -count=1 -timeout 30m ./soak/ 2>&1 | tee $(BIN)/soak.txt
	@grep -A4 'SOAK SUMMARY' $(BIN)/soak.txt | grep -v -e '^--$$' -e '^--- ' || true
	@! grep -qE '^(--- FAIL|FAIL|panic:)' $(BIN)/soak.txt

## fuzz: run each fuzz target for a short while (FUZZTIME=20s by default)
FUZZTIME ?= 20s
fuzz:
	@for t in keys:FuzzParse link:FuzzParse mail:FuzzParseSMTPURL survey:FuzzParseAnswers survey:FuzzUnmarshalSurveyJSON i18n:FuzzNormalize i18n:FuzzNegotiate report:FuzzRedact report/release:FuzzRelease web:FuzzDecodeLimited customer:FuzzCheckSearch respond:FuzzOpenStep; do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "== $$fn ./internal/$$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./internal/$$pkg || exit 1; \
	done

clean:
	rm -rf $(BIN)
