package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The rules every violation belongs to.
var rules = func() map[string]bool {
	m := map[string]bool{}
	for i := 1; i <= 12; i++ {
		m[fmt.Sprintf("MOD%03d", i)] = true
	}
	return m
}()

var (
	// literal is a Go string literal, interpreted or raw.
	literal = "(?:\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)"
	// markerRE is a comment of Go violation markers: one or more pairs of a
	// rule and a Go string literal holding a regexp of the message.
	// (Spelt in pieces so that this file holds no marker-like text.)
	markerRE = regexp.MustCompile(`^//` + ` want((?: MOD[0-9]{3} ` + literal + `)+)$`)
	pairRE   = regexp.MustCompile(`(MOD[0-9]{3}) (` + literal + `)`)
	// manifestLineRE is a line of manifest_violations.txt.
	manifestLineRE = regexp.MustCompile(`^([^:\s]+):([1-9][0-9]*): (MOD[0-9]{3}) (` + literal + `)$`)
)

// messageRegexp reads a marker's Go string literal: a regexp that the
// finding's message must match.
func messageRegexp(lit string) (string, error) {
	what, err := strconv.Unquote(lit)
	if err != nil {
		return "", fmt.Errorf("%s is not a Go string literal", lit)
	}
	if strings.TrimSpace(what) == "" {
		return "", fmt.Errorf("%s is empty", lit)
	}
	if _, err := regexp.Compile(what); err != nil {
		return "", fmt.Errorf("%s is not a regexp: %v", lit, err)
	}
	return what, nil
}

// finding is one expected finding, as marked.
type finding struct {
	file string // slash path relative to this directory
	line int
	rule string
	what string // a regexp of the message
}

// goMarkers returns the markers of every Go file under the directory, and
// an error for each comment that looks like a marker but is not one.
func goMarkers(t *testing.T) []finding {
	t.Helper()
	var out []finding
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return err
		}
		lines := strings.Split(string(src), "\n")
		for _, group := range f.Comments {
			for _, c := range group.List {
				out = append(out, checkComment(t, fset, lines, filepath.ToSlash(path), c)...)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkComment(t *testing.T, fset *token.FileSet, lines []string, path string, c *ast.Comment) []finding {
	t.Helper()
	pos := fset.Position(c.Slash)
	body := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(c.Text, "//"), "/*"))
	if !strings.HasPrefix(body, "want") && !strings.Contains(c.Text, "want MOD") {
		return nil
	}
	where := fmt.Sprintf("%s:%d", path, pos.Line)
	m := markerRE.FindStringSubmatch(c.Text)
	if m == nil {
		t.Errorf("%s: malformed marker %q; want a comment: want MODxxx \"regexp of the message\" [MODxxx \"...\"]", where, c.Text)
		return nil
	}
	if before := lines[pos.Line-1][:pos.Column-1]; strings.TrimSpace(before) == "" {
		t.Errorf("%s: marker is not at the end of a line of code", where)
	}
	var out []finding
	for _, p := range pairRE.FindAllStringSubmatch(m[1], -1) {
		if !rules[p[1]] {
			t.Errorf("%s: marker names %s, which is not a rule (MOD001 to MOD012)", where, p[1])
		}
		what, err := messageRegexp(p[2])
		if err != nil {
			t.Errorf("%s: marker of %s: %v", where, p[1], err)
			continue
		}
		out = append(out, finding{file: path, line: pos.Line, rule: p[1], what: what})
	}
	return out
}

// manifestMarkers reads manifest_violations.txt.
func manifestMarkers(t *testing.T) []finding {
	t.Helper()
	f, err := os.Open("manifest_violations.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []finding
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		where := fmt.Sprintf("manifest_violations.txt:%d", n)
		m := manifestLineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Errorf("%s: %q is not <path>:<line>: MODxxx \"regexp of the message\"", where, sc.Text())
			continue
		}
		line, _ := strconv.Atoi(m[2])
		if !rules[m[3]] {
			t.Errorf("%s: %s is not a rule", where, m[3])
		}
		if m[1] != filepath.ToSlash(filepath.Clean(m[1])) || filepath.Base(m[1]) != "manifest.json" || !strings.HasPrefix(m[1], "modules/") {
			t.Errorf("%s: %s is not a clean slash path to a module's manifest.json", where, m[1])
		}
		data, err := os.ReadFile(filepath.FromSlash(m[1]))
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		lines := strings.Split(string(data), "\n")
		if line > len(lines) || strings.TrimSpace(lines[line-1]) == "" {
			t.Errorf("%s: %s has no line %d with text on it", where, m[1], line)
		}
		what, err := messageRegexp(m[4])
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		out = append(out, finding{file: m[1], line: line, rule: m[3], what: what})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMarkers checks that every marker is well-formed and that every rule
// has at least one marked violation.
func TestMarkers(t *testing.T) {
	all := append(goMarkers(t), manifestMarkers(t)...)
	count := map[string]int{}
	for _, f := range all {
		count[f.rule]++
	}
	for i := 1; i <= 12; i++ {
		id := fmt.Sprintf("MOD%03d", i)
		if count[id] == 0 {
			t.Errorf("no violation of %s is marked", id)
		}
		t.Logf("%s: %d marked", id, count[id])
	}
}

// TestReadmeNamesEveryRule checks that README.md says where each rule's
// violations are.
func TestReadmeNamesEveryRule(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for id := range rules {
		if !strings.Contains(string(data), id) {
			t.Errorf("README.md does not mention %s", id)
		}
	}
}
