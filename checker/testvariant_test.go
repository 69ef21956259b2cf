package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testVariants is the shop with tests of both kinds: an in-package test
// file that declares Sold for the external tests, and an external test
// that gets a *shop.Service from a package importing shop. go test
// compiles that package again against shop's test form; a checker that
// did not would see two types named shop.Service and report the test.
const testVariants = shop + `
-- modules/standard/shop/export_test.go --
package shop

// Sold is what the external tests read of a Service.
func Sold(s *Service) int { return 0 }
-- internal/helper/helper.go --
package helper

import "example.com/shop/modules/standard/shop"

// New returns a shop's service.
func New() *shop.Service { return &shop.Service{} }
-- modules/standard/shop/shop_ext_test.go --
package shop_test

import (
	"testing"

	"example.com/shop/internal/helper"
	"example.com/shop/modules/standard/shop"
)

func TestSold(t *testing.T) {
	var s *shop.Service = helper.New()
	if shop.Sold(s) != 0 {
		t.Fatal("sold")
	}
}
`

// compileFindingsIn lists the compile findings of files whose names end in
// suffix, as "base:line: message".
func compileFindingsIn(ds []Diagnostic, suffix string) []string {
	var out []string
	for _, d := range ds {
		if d.Rule == RuleCompile && strings.HasSuffix(d.File, suffix) {
			out = append(out, filepath.Base(d.File)+": "+d.Message)
		}
	}
	return out
}

// TestTestVariantsBatch checks that modls check reports the type errors
// of both kinds of test file, and none in tests that are right, however
// the packages they import depend on the package under test.
func TestTestVariantsBatch(t *testing.T) {
	dir := writeWorkspace(t, testVariants)
	res := check(t, dir, Options{})
	if got := compileFindingsIn(res.Diagnostics, "_test.go"); len(got) > 0 {
		t.Fatalf("compile findings in tests that go test compiles: %q", got)
	}
	shopDir := filepath.Join(dir, "modules/standard/shop")
	appendFile(t, filepath.Join(shopDir, "export_test.go"), "\nvar _ int = \"in-package\"\n")
	appendFile(t, filepath.Join(shopDir, "shop_ext_test.go"), "\nvar _ = shop.Unsold\n")
	res = check(t, dir, Options{})
	got := strings.Join(compileFindingsIn(res.Diagnostics, "_test.go"), "\n")
	for _, want := range []string{
		`export_test.go: cannot use "in-package" (untyped string constant) as int value in variable declaration`,
		`shop_ext_test.go: undefined: shop.Unsold`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in the compile findings of the tests:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 2 {
		t.Errorf("want 2 compile findings in the tests, got %d:\n%s", n, got)
	}
}

// TestTestVariantsSession checks the same of the language server's
// session, with the errors typed into unsaved buffers and then taken out.
func TestTestVariantsSession(t *testing.T) {
	dir, s := seededSession(t, testVariants)
	ctx := context.Background()
	shopDir := filepath.Join(dir, "modules/standard/shop")
	inPkg, ext := filepath.Join(shopDir, "export_test.go"), filepath.Join(shopDir, "shop_ext_test.go")
	ds, err := s.CheckFile(ctx, ext)
	if err != nil {
		t.Fatal(err)
	}
	if got := compileFindingsIn(flatten(ds), "_test.go"); len(got) > 0 {
		t.Fatalf("compile findings in tests that go test compiles: %q", got)
	}
	for _, c := range []struct {
		file, add, want string
	}{
		{inPkg, "\nvar _ int = \"in-package\"\n", `cannot use "in-package" (untyped string constant) as int value in variable declaration`},
		{ext, "\nvar _ = shop.Unsold\n", "undefined: shop.Unsold"},
	} {
		saved, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		s.SetOverlay(c.file, append(saved[:len(saved):len(saved)], c.add...))
		ds, err := s.CheckFile(ctx, c.file)
		if err != nil {
			t.Fatal(err)
		}
		if got := compileFindingsIn(ds[c.file], ""); len(got) != 1 || !strings.Contains(got[0], c.want) {
			t.Errorf("%s with a type error: compile findings %q, want one: %s", filepath.Base(c.file), got, c.want)
		}
		s.SetOverlay(c.file, saved)
		if ds, err = s.CheckFile(ctx, c.file); err != nil {
			t.Fatal(err)
		}
		if got := compileFindingsIn(flatten(ds), ""); len(got) > 0 {
			t.Errorf("%s fixed: compile findings remain: %q", filepath.Base(c.file), got)
		}
	}
}

func flatten(ds Diagnostics) []Diagnostic {
	var out []Diagnostic
	for _, list := range ds {
		out = append(out, list...)
	}
	return out
}

func appendFile(t *testing.T, name, text string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
