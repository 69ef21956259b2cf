# The one command that runs every test: make test
.PHONY: test check-format vet node-deps editors-test e2e-vscode

# The modls binary every test package runs (internal/testbin), built once.
TESTBIN := $(CURDIR)/.test/modls

# internal/gotest runs go test -json and reports a line per package, the
# output of failed tests, the packages still running every minute and,
# at the end, which tests were skipped and why and the slowest tests.
# -timeout: e2e/vscode drives a whole workbench, several minutes on a
# loaded machine (go test's default limit is 10 minutes per package).
# Two runs go on at once. Under the race detector: the packages where
# the concurrency lives (the checker, its cache and loader, the server,
# the sandbox, the workspace model). Without it, which makes checks three
# to five times slower: the rules' own tests (analysistest over small
# packages, no concurrency of their own; the checker's and the server's
# tests run every rule concurrently under it) and the command's
# end-to-end tests (cmd/modls: the commands over whole workspaces, whose
# concurrent parts are those packages'), and the tests that drive other
# programs (editors, a browser, the README's commands) and the benchmark
# harnesses' smoke tests, whose own code is a driver of the built binary. A third run at once was slower: six test
# processes and what they start thrash two cores.
# go test starts packages in the order given, so the longest go first
# (the checker beside the server; the sandbox, whose time is mostly its
# child processes', after the first of them).
DRIVER_PKGS = ./e2e/vscode/ ./internal/readme/ ./editors/ ./e2e/
NORACE_PKGS = ./cmd/modls/ $(DRIVER_PKGS) ./bench/... ./rules/...
SLOW_RACE_PKGS = ./checker/ ./lsp/ ./sandbox/
RACE_PKGS = $(SLOW_RACE_PKGS) $(shell go list ./... | grep -v -e '/rules$$' -e '/rules/' -e '/cmd/modls$$' \
	-e '/bench/' $(foreach p,$(SLOW_RACE_PKGS) $(DRIVER_PKGS),-e '/$(patsubst ./%/,%,$(p))$$'))
# The seed cache (checker/cachetest) the test packages start from, made
# once by the first package that needs it.
TESTSEED := $(CURDIR)/.test/seed
test: check-format vet node-deps
	go build -o $(TESTBIN) ./cmd/modls
	rm -rf $(TESTSEED)
	MODLS_TEST_BIN=$(TESTBIN) MODLS_TEST_SEED_DIR=$(TESTSEED) go run ./internal/gotest -race -timeout 30m $(RACE_PKGS) -- -timeout 30m $(NORACE_PKGS)
	go -C examples/violations test ./...

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
