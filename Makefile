# The one command that runs every test: make test
.PHONY: test check-format vet

test: check-format vet
	go test -race ./...
	go -C examples/violations test ./...

check-format:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '/testdata/')); \
	if [ -n "$$out" ]; then echo "gofmt -l lists unformatted files:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...
	go -C examples/violations vet ./...
