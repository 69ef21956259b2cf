package codeactions

import (
	"go/ast"
	"os"
	"strings"
	"testing"
)

func reader(files map[string]string) Reader {
	return func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
}

func TestApply(t *testing.T) {
	files := map[string]string{"a.txt": "hello world"}
	fixes := []Fix{
		{Rule: "MOD1", Title: "A", Edits: []Edit{{File: "a.txt", Start: 0, End: 5, New: "howdy"}}},
		{Rule: "MOD1", Title: "A", Edits: []Edit{{File: "a.txt", Start: 0, End: 5, New: "howdy"}}}, // same edit twice
		{Rule: "MOD2", Title: "B", Edits: []Edit{{File: "a.txt", Start: 3, End: 8, New: "x"}}},     // overlaps A
		{Rule: "MOD3", Title: "C", Edits: []Edit{{File: "a.txt", Start: 11, End: 11, New: "!"}, {File: "new.txt", Start: 0, End: 0, New: "created"}}},
	}
	out, conflicts, err := Apply(reader(files), fixes)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out["a.txt"]); got != "howdy world!" {
		t.Errorf("a.txt = %q", got)
	}
	if got := string(out["new.txt"]); got != "created" {
		t.Errorf("new.txt = %q", got)
	}
	if len(conflicts) != 1 || conflicts[0].Fix.Title != "B" || conflicts[0].With.Title != "A" {
		t.Fatalf("conflicts = %+v", conflicts)
	}
	if s := conflicts[0].String(); !strings.Contains(s, `MOD2 "B" conflicts with MOD1 "A"`) {
		t.Errorf("conflict text = %q", s)
	}
}

func TestApplyInsertionsAtSamePlaceConflict(t *testing.T) {
	fixes := []Fix{
		{Title: "A", Edits: []Edit{{File: "a", Start: 2, End: 2, New: "x"}}},
		{Title: "B", Edits: []Edit{{File: "a", Start: 2, End: 2, New: "y"}}},
		{Title: "C", Edits: []Edit{{File: "a", Start: 1, End: 3, New: ""}}},
	}
	out, conflicts, err := Apply(reader(map[string]string{"a": "abcd"}), fixes)
	if err != nil {
		t.Fatal(err)
	}
	if string(out["a"]) != "abxcd" || len(conflicts) != 2 {
		t.Errorf("out %q conflicts %v", out["a"], conflicts)
	}
}

func TestApplyGoFilesFormatted(t *testing.T) {
	files := map[string]string{"x.go": "package x\n"}
	out, _, err := Apply(reader(files), []Fix{{Edits: []Edit{{File: "x.go", Start: 10, End: 10, New: "func  f( ) {}\n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out["x.go"]); got != "package x\n\nfunc f() {}\n" && got != "package x\nfunc f() {}\n" {
		t.Errorf("x.go = %q", got)
	}
}

func TestApplyEditsOutOfRange(t *testing.T) {
	if _, err := ApplyEdits([]byte("ab"), []Edit{{Start: 1, End: 5}}); err == nil {
		t.Error("out-of-range edit applied")
	}
}

func TestApplyDropsImportsTheFixLeftUnused(t *testing.T) {
	src := "package x\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n\t\"os\"\n\n\t\"github.com/modls/modls/framework\"\n)\n\nvar _ = os.Args\n\nfunc f() error { return errors.New(\"boom\") }\n\nfunc g() { fmt.Println() }\n"
	start := strings.Index(src, `errors.New("boom")`)
	fix := Fix{Title: "Wrap in framework.Errorf", Edits: []Edit{{File: "x.go", Start: start, End: start + len(`errors.New("boom")`), New: `framework.Errorf(framework.CodeInternal, "boom")`}}}
	out, _, err := Apply(reader(map[string]string{"x.go": src}), []Fix{fix})
	if err != nil {
		t.Fatal(err)
	}
	got := string(out["x.go"])
	if strings.Contains(got, `"errors"`) {
		t.Errorf("errors is still imported:\n%s", got)
	}
	for _, keep := range []string{`"fmt"`, `"os"`, `"github.com/modls/modls/framework"`} {
		if !strings.Contains(got, keep) {
			t.Errorf("%s was removed:\n%s", keep, got)
		}
	}
}

func TestImportName(t *testing.T) {
	for p, want := range map[string]string{"fmt": "fmt", "gopkg.in/yaml.v3": "yaml", "github.com/x/go-sqlite": "sqlite", "example.com/m/v2": "m", "github.com/modls/modls/framework": "framework"} {
		if got := importName(&ast.ImportSpec{}, p); got != want {
			t.Errorf("importName(%q) = %q, want %q", p, got, want)
		}
	}
}
