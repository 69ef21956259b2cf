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
	dir, cachePath := contractWorkspace(t)
	ctx := context.Background()
	s, err := NewSessionCache(ctx, dir, nil, cachePath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	contract := filepath.Join(dir, "modules/standard/shop/contract/contract.go")
	s.SetOverlay(contract, voidContract(t, contract))
	impl := filepath.Join(dir, "modules/standard/shop/impl.go")
	ds, err := s.CheckFile(ctx, impl)
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(ds[impl]); !strings.Contains(got, "missing method Void") {
		t.Fatalf("impl.go checked against the contract as saved, not as edited: %q", got)
	}
}

// TestSessionEditKeepsDependencies checks that an edit of a package that
// others import forgets that package and its importers, not the whole
// loader: the framework's types stay loaded, and the next check sees the
// edit.
func TestSessionEditKeepsDependencies(t *testing.T) {
	dir, cachePath := contractWorkspace(t)
	ctx := context.Background()
	s, err := NewSessionCache(ctx, dir, nil, cachePath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	impl := filepath.Join(dir, "modules/standard/shop/impl.go")
	if _, err := s.CheckFile(ctx, impl); err != nil {
		t.Fatal(err)
	}
	const fw = "github.com/modls/modls/framework"
	before := s.state.deps
	if !before.loaded(fw) {
		t.Fatalf("the first check did not load %s", fw)
	}
	contract := filepath.Join(dir, "modules/standard/shop/contract/contract.go")
	s.SetOverlay(contract, voidContract(t, contract))
	ds, err := s.CheckFile(ctx, impl)
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(ds[impl]); !strings.Contains(got, "missing method Void") {
		t.Fatalf("impl.go checked against the contract as saved, not as edited: %q", got)
	}
	if s.state.deps != before || !before.loaded(fw) {
		t.Errorf("the edit of the contract started the loader over (same loader %v, framework loaded %v)", s.state.deps == before, before.loaded(fw))
	}
}

// TestSessionEditRecordsNoStaleExports checks that the types of an edited
// package, checked from its unsaved text, are not recorded as export data
// under the key of its saved text: a later session on the saved files
// must see the saved contract.
func TestSessionEditRecordsNoStaleExports(t *testing.T) {
	dir, cachePath := contractWorkspace(t)
	ctx := context.Background()
	s, err := NewSessionCache(ctx, dir, nil, cachePath)
	if err != nil {
		t.Fatal(err)
	}
	contract := filepath.Join(dir, "modules/standard/shop/contract/contract.go")
	s.SetOverlay(contract, voidContract(t, contract))
	impl := filepath.Join(dir, "modules/standard/shop/impl.go")
	if _, err := s.CheckFile(ctx, impl); err != nil {
		t.Fatal(err)
	}
	// The export data of a check is recorded after it answers; Close
	// waits for it.
	s.Close()

	s, err = NewSessionCache(ctx, dir, nil, cachePath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ds, err := s.CheckFile(ctx, impl)
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(ds[impl]); strings.Contains(got, "Void") {
		t.Fatalf("a session on the saved files took the edited contract's types: %q", got)
	}
}

// contractWorkspace writes the shop workspace with a contract that
// impl.go implements, and a cache in which a batch check recorded the
// contract's types as export data.
func contractWorkspace(t *testing.T) (dir, cachePath string) {
	t.Helper()
	dir = writeWorkspace(t, shop+`
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
	cachePath = filepath.Join(t.TempDir(), "cache.db")
	cache, err := OpenCache(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	if _, err := Check(context.Background(), Options{Dir: dir, Cache: cache}); err != nil {
		t.Fatal(err)
	}
	return dir, cachePath
}

// voidContract is the contract's text with a method Void added, which
// impl.go's Service lacks.
func voidContract(t *testing.T, contract string) []byte {
	t.Helper()
	data, err := os.ReadFile(contract)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Replace(string(data), "Buy(ctx context.Context) error", "Buy(ctx context.Context) error\n\tVoid(ctx context.Context) error", 1))
}
