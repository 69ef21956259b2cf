# The one command that runs every test: make test
.PHONY: test test-race check-format vet node-deps editors-test e2e-vscode

# The modls binary every test package runs (internal/testbin), built once.
TESTBIN := $(CURDIR)/.test/modls

# internal/gotest runs go test -json and reports a line per package, the
# output of failed tests, the packages still running every minute and,
# at the end, which tests were skipped and why and the slowest tests.
# -timeout: e2e/vscode drives a whole workbench, several minutes on a
# loaded machine (go test's default limit is 10 minutes per package).
#
# Every test runs once without the race detector. Under it, in a second
# lane at the same time: the packages where concurrency lives that are
# cheap to run so (the sandbox, the workspace model, confinement, the
# small packages), then, of the checker and the server, whose every test
# runs a concurrent check and costs three to four times as much under the
# race detector, the tests whose subject is concurrency: sessions edited
# while they check, the shared cache, cancellation, the server under
# load, a client that stops reading, the first check racing the load.
# make test-race runs every test of those two under it.
# go test starts packages in the order given, so the longest go first.
DRIVER_PKGS = ./e2e/vscode/ ./internal/readme/ ./editors/ ./e2e/
FOCUS_PKGS = ./checker/ ./lsp/
NORACE_PKGS = ./cmd/modls/ $(DRIVER_PKGS) $(FOCUS_PKGS) ./bench/... ./rules/...
RACE_PKGS = ./sandbox/ $(shell go list ./... | grep -v -e '/rules$$' -e '/rules/' -e '/cmd/modls$$' \
	-e '/bench/' $(foreach p,./sandbox/ $(FOCUS_PKGS) $(DRIVER_PKGS),-e '/$(patsubst ./%/,%,$(p))$$'))
RACE_FOCUS = ^(TestSession$$|TestSessionEditRecordsNoStaleExports|TestSessionKeepsSyntax|TestSessionCompiledFirst|TestTestVariantsSession|TestViolationsWorkspace|TestCheckCache$$|TestCutoffBodyEdit|TestSoak|TestClientNotReading|TestOutgoingQueue|TestRunKeepsAffectedWhenCancelled|TestCancelRequest|TestProgressCancel|TestFirstPublishBeforeLoad|TestAutomaticCodeActionsDoNotWait|TestNothingPublishedAfterShutdown|TestUnitTestLensEndsEverything|TestCompileFindingsFirst|TestNavigationYieldsToChecks)
# The seed cache (checker/cachetest) the test packages start from, made
# once by the first package that needs it.
TESTSEED := $(CURDIR)/.test/seed
test: check-format vet node-deps
	go build -o $(TESTBIN) ./cmd/modls
	rm -rf $(TESTSEED)
	MODLS_TEST_BIN=$(TESTBIN) MODLS_TEST_SEED_DIR=$(TESTSEED) go run ./internal/gotest \
		-race -timeout 30m $(RACE_PKGS) --then -race -timeout 30m -run '$(RACE_FOCUS)' $(FOCUS_PKGS) \
		-- -timeout 30m $(NORACE_PKGS)
	go -C examples/violations test ./...

# Every test of the checker and the server under the race detector
# (about four minutes more of work than make test's chosen set).
test-race:
	go build -o $(TESTBIN) ./cmd/modls
	MODLS_TEST_BIN=$(TESTBIN) go run ./internal/gotest -race -timeout 30m $(FOCUS_PKGS)

# The Node packages the editor tests use, installed exactly as locked when
# node_modules is missing or older than package-lock.json.
NODE_DIRS := e2e/node editors/vscode e2e/vscode
node-deps:
	@for d in $(NODE_DIRS); do \
		if [ ! -f $$d/node_modules/.package-lock.json ] || [ $$d/package-lock.json -nt $$d/node_modules/.package-lock.json ]; then \
			echo "npm ci in $$d"; \
			(cd $$d && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || exit 1; \
		fi; \
	done

check-format:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '/testdata/')); \
	if [ -n "$$out" ]; then echo "gofmt -l lists unformatted files:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...
	go -C examples/violations vet ./...

# The editor integrations alone (go test ./... in test runs them too): the
# VS Code extension's build and tests, the Neovim plugin in headless nvim.
editors-test:
	go test ./editors/ ./internal/genvscode/

# The VS Code extension inside code-server, driven in headless Chromium
# (e2e/vscode/install.sh installs code-server and Chromium; npm ci in
# e2e/vscode installs playwright-core). Screenshots of each step go to
# $MODLS_E2E_ARTIFACTS when it is set.
e2e-vscode:
	go test -count=1 -timeout 30m -v -run TestVSCodeWorkbench ./e2e/vscode/
