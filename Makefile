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
# Every test runs once. Under the race detector, in a lane of its own at
# the same time: the packages where concurrency lives that are cheap to
# run so (the sandbox first, whose time is mostly its child processes',
# confinement, the framework and the example application on it, the
# workspace model's parallel load, the shared seed cache, this reporter),
# then, of the checker and the server, whose every test runs a concurrent
# check and costs three to four times as much under the race detector,
# the tests whose subject is concurrency: sessions edited while they
# check, the shared cache, cancellation, the server under load, a client
# that stops reading, the first check racing the load. make test-race
# runs every test of those two under it. Without it, in the other lane,
# everything else, the checker and the server whole among them (a race
# build of a small package without goroutines of its own costs a link
# and no coverage).
# go test starts packages in the order given, so the longest go first.
RACE_DIRS = sandbox sandbox/harness internal/confine framework examples/app workspace checker/cachetest internal/gotest
FOCUS_PKGS = ./checker/ ./lsp/
LONG_DIRS = cmd/modls e2e/vscode internal/readme editors e2e checker lsp
dirs = $(foreach d,$(1),./$(d)/)
RACE_PKGS = $(call dirs,$(RACE_DIRS)) ./examples/app/modules/...
NORACE_PKGS = $(call dirs,$(LONG_DIRS)) $(shell go list ./... | grep -v -e '/examples/app/' \
	$(foreach d,$(RACE_DIRS) $(LONG_DIRS),-e '/$(d)$$'))
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
