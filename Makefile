# The one command that runs every test: make test
.PHONY: test check-format vet editors-test

test: check-format vet
	go test -race ./...
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
