package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionContractEditWithRecordedTypes checks that an unsaved edit of
// a package that others import is what they are checked against, when
// the cache holds the export data of its saved text and no check has
// loaded it yet: the session must not take the recorded types of the old
// text.
func TestSessionContractEditWithRecordedTypes(t *testing.T) {
	dir := writeWorkspace(t, shop+`
-- modules/standard/shop/contract/contract.go --
package contract

import "context"

type Shop interface {
	Buy(ctx context.Context) error
}
-- modules/standard/shop/impl.go --
package shop

import "example.com/shop/modules/standard/shop/contract"

var _ contract.Shop = (*Service)(nil)
`)
	ctx := context.Background()
	cachePath := filepath.Join(t.TempDir(), "cache.db")
	cache, err := OpenCache(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	// A batch check records the contract's types as export data.
	if _, err := Check(ctx, Options{Dir: dir, Cache: cache}); err != nil {
		t.Fatal(err)
	}
	cache.Close()

	s, err := NewSessionCache(ctx, dir, nil, cachePath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	contract := filepath.Join(dir, "modules/standard/shop/contract/contract.go")
	data, err := os.ReadFile(contract)
	if err != nil {
		t.Fatal(err)
	}
	s.SetOverlay(contract, []byte(strings.Replace(string(data), "Buy(ctx context.Context) error", "Buy(ctx context.Context) error\n\tVoid(ctx context.Context) error", 1)))
	impl := filepath.Join(dir, "modules/standard/shop/impl.go")
	ds, err := s.CheckFile(ctx, impl)
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(ds[impl]); !strings.Contains(got, "missing method Void") {
		t.Fatalf("impl.go checked against the contract as saved, not as edited: %q", got)
	}
}
