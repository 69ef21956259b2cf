package checker

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestListingCacheNoticesChanges makes each kind of change that changes
// what go list reports, one after the other, in a small module: after
// each, the listing through the cache is go list's own (compared in full),
// and it was not taken from the record. With nothing changed, or after an
// edit below a file's imports, the recorded listing is used.
func TestListingCacheNoticesChanges(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, name), text, 0o644) }
	write("go.mod", "module example.com/lc\n\ngo 1.24\n")
	write("a/a.go", "package a\n\nimport \"strings\"\n\nfunc A() string { return strings.ToUpper(\"a\") }\n")
	write("b/b.go", "package b\n\nimport \"example.com/lc/a\"\n\nvar B = a.A()\n")
	write("b/b_test.go", "package b\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) {}\n")
	write("c/c.go", "package c\n")
	write("a/tagged.go", "//go:build special\n\npackage a\n\nimport \"bytes\"\n\nvar Buf bytes.Buffer\n")

	c, err := OpenCache(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	patterns := []string{"./..."}
	list := func(step string, wantRecorded bool) {
		t.Helper()
		got, _, recorded, err := cachedGoList(context.Background(), c, listingKey(dir, patterns, true), dir, patterns, true, nil)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if recorded != wantRecorded {
			t.Errorf("%s: listing taken from the record: %v; want %v", step, recorded, wantRecorded)
		}
		want, err := goList(context.Background(), dir, patterns, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the listing differs from go list's:\n got %s\nwant %s", step, describeListing(got), describeListing(want))
		}
	}
	list("first run", false)
	list("nothing changed", true)

	write("b/b.go", "package b\n\nimport \"example.com/lc/a\"\n\n// B is a's.\nvar B = a.A() + \"!\"\n")
	list("an edit below the imports", true)

	for _, step := range []struct {
		name   string
		change func()
	}{
		{"a new file", func() { write("a/more.go", "package a\n\nconst More = 1\n") }},
		{"a new import in a file", func() {
			write("c/c.go", "package c\n\nimport \"example.com/lc/a\"\n\nvar C = a.More\n")
		}},
		{"a new package", func() { write("d/sub/d.go", "package sub\n") }},
		{"a deleted package", func() {
			if err := os.RemoveAll(filepath.Join(dir, "d")); err != nil {
				t.Fatal(err)
			}
		}},
		{"a deleted file", func() {
			if err := os.Remove(filepath.Join(dir, "b", "b_test.go")); err != nil {
				t.Fatal(err)
			}
		}},
		{"a go.mod edit", func() { write("go.mod", "module example.com/lc\n\ngo 1.25\n") }},
		{"a build tag", func() {
			write("a/tagged.go", "//go:build !special\n\npackage a\n\nimport \"bytes\"\n\nvar Buf bytes.Buffer\n")
		}},
		{"GOFLAGS", func() { t.Setenv("GOFLAGS", "-tags=special") }},
		{"a package name", func() { write("c/c.go", "package cc\n\nimport \"example.com/lc/a\"\n\nvar C = a.More\n") }},
		{"an ignored directory becoming a package", func() {
			write("_hidden/h.go", "package h\n")
			if err := os.Rename(filepath.Join(dir, "_hidden"), filepath.Join(dir, "visible")); err != nil {
				t.Fatal(err)
			}
		}},
		{"a go.work above", func() {
			write("go.work", "go 1.25\n\nuse .\n")
		}},
	} {
		step.change()
		list(step.name, false)
		list(step.name+", then nothing", true)
	}
}

func describeListing(ps []*listedPackage) string {
	var b strings.Builder
	for _, p := range ps {
		if p.Standard {
			continue
		}
		ver := ""
		if p.Module != nil {
			ver = p.Module.GoVersion
		}
		b.WriteString("\n  " + p.ImportPath + " " + p.Name + " go" + ver + " " + strings.Join(p.GoFiles, ",") + " " + strings.Join(p.TestGoFiles, ",") + " imports " + strings.Join(p.Imports, ","))
	}
	return b.String()
}
