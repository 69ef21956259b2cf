package codeactions

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// applyOne applies one edit replacing old (its first occurrence) in src.
func applyOne(t *testing.T, name, src, old, new string) string {
	t.Helper()
	i := strings.Index(src, old)
	if i < 0 {
		t.Fatalf("%q not in source", old)
	}
	out, conflicts, err := Apply(reader(map[string]string{name: src}), []Fix{{Edits: []Edit{{File: name, Start: i, End: i + len(old), New: new}}}})
	if err != nil || len(conflicts) > 0 {
		t.Fatal(err, conflicts)
	}
	return string(out[name])
}

func TestApplyFormatsOnlyTheEditedLines(t *testing.T) {
	src := "package x\n\nvar  a   = 1\n\nfunc f( ) {\n\tb :=  2\n\t_ = b\n}\n"
	got := applyOne(t, "x.go", src, "b :=  2", "b:=3+ 4")
	want := "package x\n\nvar  a   = 1\n\nfunc f( ) {\n\tb := 3 + 4\n\t_ = b\n}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestApplyRealignsTheEditedColumns(t *testing.T) {
	src := "package x\n\nvar  a   = 1\n\ntype T struct {\n\tID       int\n\tLongName string\n\tN        int // n\n}\n"
	got := applyOne(t, "x.go", src, "LongName", "Name")
	want := "package x\n\nvar  a   = 1\n\ntype T struct {\n\tID   int\n\tName string\n\tN    int // n\n}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestApplyKeepsCRLFAndBOM(t *testing.T) {
	src := "\ufeffpackage x\r\n\r\nfunc f() {\r\n\tb := 2\r\n\t_ = b\r\n}\r\n"
	got := applyOne(t, "x.go", src, "\tb := 2\r\n", "\tb := 2\n\tb++\n")
	want := "\ufeffpackage x\r\n\r\nfunc f() {\r\n\tb := 2\r\n\tb++\r\n\t_ = b\r\n}\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = applyOne(t, "x.go", src, "package", "package")
	if got != src {
		t.Errorf("an edit of the first line lost the BOM or the CRLFs: %q", got)
	}
	j := "{\r\n  \"a\": 1\r\n}\r\n"
	got = applyOne(t, "manifest.json", j, "  \"a\": 1\r\n", "  \"a\": 1,\n  \"b\": 2\n")
	if want := "{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n"; got != want {
		t.Errorf("manifest got %q want %q", got, want)
	}
}

func TestUnifiedAppliesWithPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("patch is not installed")
		}
		t.Skip("patch is not installed")
	}
	var old, new strings.Builder
	for i := range 200 {
		line := strings.Repeat("x", i%7) + "\n"
		old.WriteString(line)
		switch {
		case i%37 == 0:
			new.WriteString("changed\r\n")
		case i%53 == 0:
		default:
			new.WriteString(line)
		}
	}
	for _, tc := range []struct{ name, old, new string }{
		{"many hunks", old.String(), new.String()},
		{"no final newline", "a\nb\nc", "a\nB\nc"},
		{"final newline added", "a\nb", "a\nb\n"},
		{"crlf", "a\r\nb\r\n", "a\r\nb\n"},
		{"created", "", "package x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "f.txt")
			if err := os.WriteFile(f, []byte(tc.old), 0o644); err != nil {
				t.Fatal(err)
			}
			d := Unified("a/f.txt", "b/f.txt", []byte(tc.old), []byte(tc.new))
			cmd := exec.Command("patch", "-p1", "--binary")
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(d)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("patch: %v\n%s\ndiff:\n%s", err, out, d)
			}
			got, _ := os.ReadFile(f)
			if string(got) != tc.new {
				t.Errorf("patched %q, want %q\ndiff:\n%s", got, tc.new, d)
			}
		})
	}
}
