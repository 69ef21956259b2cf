package checker

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestSessionTakesTheRecordedListing loads a session again and again on
// a small module: the first load lists the packages with the go command
// and records the listing; the next ones take the record while nothing
// it was made from changed and every unsaved buffer reads to go list as
// its file on disk does (a buffer edited below its imports). A buffer
// that adds an import, and one that exists only in the editor, make the
// go command list the packages with the buffers, which the listing then
// shows. Whatever its source, the listing is the go command's.
func TestSessionTakesTheRecordedListing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, name), text, 0o644) }
	write("go.mod", "module example.com/sl\n\ngo 1.24\n")
	write("a/a.go", "package a\n\nfunc A() string { return \"a\" }\n")
	write("b/b.go", "package b\n\nimport \"example.com/sl/a\"\n\nvar B = a.A()\n")
	cachePath := filepath.Join(t.TempDir(), "cache.db")
	ctx := context.Background()

	pkg := func(s *Session, path string) *listedPackage {
		t.Helper()
		for _, p := range s.state.listed {
			if p.ImportPath == path {
				return p
			}
		}
		t.Fatalf("%s is not listed", path)
		return nil
	}
	load := func(step string, s *Session, wantRecorded bool) {
		t.Helper()
		if s.listedFromRecord != wantRecorded {
			t.Errorf("%s: listing taken from the record: %v; want %v", step, s.listedFromRecord, wantRecorded)
		}
	}

	first, err := NewSessionCache(ctx, dir, nil, cachePath)
	if err != nil {
		t.Fatal(err)
	}
	load("first load", first, false)
	first.Close()

	s, err := NewSessionCache(ctx, dir, nil, cachePath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	load("nothing changed", s, true)
	want, err := goList(ctx, dir, []string{"./..."}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.state.listed, want) {
		t.Errorf("the recorded listing differs from go list's:\n got %s\nwant %s", describeListing(s.state.listed), describeListing(want))
	}

	// reload sets the buffers (nil closes one) and loads the session
	// again.
	reload := func(step string, wantRecorded bool, buffers map[string]string) {
		t.Helper()
		for name, text := range buffers {
			var data []byte
			if text != "" {
				data = []byte(text)
			}
			s.SetOverlay(filepath.Join(dir, name), data)
		}
		if err := s.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		load(step, s, wantRecorded)
	}
	reload("a buffer edited below its imports", true, map[string]string{
		"b/b.go": "package b\n\nimport \"example.com/sl/a\"\n\n// B is a's.\nvar B = a.A() + \"!\"\n",
	})
	reload("a buffer with a new import", false, map[string]string{
		"b/b.go": "package b\n\nimport (\n\t\"strings\"\n\n\t\"example.com/sl/a\"\n)\n\nvar B = strings.ToUpper(a.A())\n",
	})
	if imports := pkg(s, "example.com/sl/b").Imports; !slices.Contains(imports, "strings") {
		t.Errorf("with a buffer importing strings, b imports %q", imports)
	}
	reload("a buffer of a file not on disk", false, map[string]string{"b/b.go": "", "a/extra.go": "package a\n\nconst Extra = 1\n"})
	if files := pkg(s, "example.com/sl/a").GoFiles; !slices.Contains(files, "extra.go") {
		t.Errorf("with a buffer a/extra.go, a's files are %q", files)
	}
	reload("the buffers closed", true, map[string]string{"a/extra.go": ""})
}

// TestSessionLoadTakesBuffersChangedMeanwhile changes a manifest's buffer
// while a load lists the packages, after the load began reading the
// workspace model: the model the load ends with has the buffer as it is
// once the listing is done, not as it was when the load began.
func TestSessionLoadTakesBuffersChangedMeanwhile(t *testing.T) {
	dir, s := seededSession(t, shop)
	manifest := filepath.Join(dir, "modules/standard/shop/manifest.json")
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `"description": "`, `"description": "Edited meanwhile. `, 1)
	if edited == string(data) {
		t.Fatalf("%s has no description", manifest)
	}
	s.afterList = func() { s.SetOverlay(manifest, []byte(edited)) }
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := s.Model().Module(filepath.Dir(manifest))
	if m == nil {
		t.Fatalf("the model has no module in %s", filepath.Dir(manifest))
	}
	if !strings.HasPrefix(m.Manifest.Description, "Edited meanwhile. ") {
		t.Errorf("after a load during which the manifest's buffer changed, the model's description is %q", m.Manifest.Description)
	}
}
