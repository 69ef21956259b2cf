# The one command that runs every test: make test
.PHONY: test check-format vet editors-test e2e-vscode

# -timeout: e2e/vscode drives a whole workbench, several minutes on a
# loaded machine (go test's default limit is 10 minutes per package).
test: check-format vet
	go test -race -timeout 30m ./...
	go -C examples/violations test ./...

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
