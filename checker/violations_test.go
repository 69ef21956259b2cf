package checker

import (
	"bufio"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/rules"
)

// marker is one finding the examples/violations workspace expects: a
// `// want MODxxx "regexp"` pair in a Go comment, or a line of
// manifest_violations.txt. As with analysistest's `// want`, the
// regexp must match the finding's message, and a line with two findings
// needs two markers.
type marker struct {
	file string // slash path relative to the workspace
	line int
	rule string
	text string // the regexp, as written
	re   *regexp.Regexp
}

func (m marker) String() string { return fmt.Sprintf("%s:%d: %s %q", m.file, m.line, m.rule, m.text) }

var (
	// wantRE is a Go comment of markers: "want", then one or more pairs of
	// a rule and a Go string literal holding the regexp.
	wantRE = regexp.MustCompile("^// want((?: MOD[0-9]{3} (?:\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`))+)$")
	pairRE = regexp.MustCompile("(MOD[0-9]{3}) (\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")
	// manifestLineRE is a line of manifest_violations.txt.
	manifestLineRE = regexp.MustCompile("^([^:\\s]+):([1-9][0-9]*): (MOD[0-9]{3}) (\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)$")
)

// newMarker makes a marker from its parts; the text is a Go string literal.
func newMarker(file string, line int, rule, literal string) (marker, error) {
	text, err := strconv.Unquote(literal)
	if err != nil {
		return marker{}, fmt.Errorf("%s:%d: %s is not a Go string literal", file, line, literal)
	}
	if strings.TrimSpace(text) == "" {
		return marker{}, fmt.Errorf("%s:%d: the marker of %s has an empty regexp", file, line, rule)
	}
	re, err := regexp.Compile(text)
	if err != nil {
		return marker{}, fmt.Errorf("%s:%d: the marker of %s is not a regexp: %v", file, line, rule, err)
	}
	return marker{file: file, line: line, rule: rule, text: text, re: re}, nil
}

// readMarkers returns every marker of the workspace at root, and an error
// for each comment or line that looks like a marker but is not one.
func readMarkers(root string) ([]marker, []error) {
	var out []marker
	var bad []error
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// What go list leaves out of ./... holds no markers either.
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, group := range f.Comments {
			for _, c := range group.List {
				ms, err := commentMarkers(rel, fset.Position(c.Slash).Line, c)
				out = append(out, ms...)
				if err != nil {
					bad = append(bad, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, []error{err}
	}
	f, err := os.Open(filepath.Join(root, "manifest_violations.txt"))
	if err != nil {
		return nil, []error{err}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		m := manifestLineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			bad = append(bad, fmt.Errorf("manifest_violations.txt:%d: %q is not <path>:<line>: MODxxx \"regexp\"", n, sc.Text()))
			continue
		}
		line, _ := strconv.Atoi(m[2])
		mk, err := newMarker(m[1], line, m[3], m[4])
		if err != nil {
			bad = append(bad, fmt.Errorf("manifest_violations.txt:%d: %v", n, err))
			continue
		}
		out = append(out, mk)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, err)
	}
	return out, bad
}

// commentMarkers returns the markers of one comment: none if it is not a
// marker comment, an error if it looks like one but is malformed.
func commentMarkers(file string, line int, c *ast.Comment) ([]marker, error) {
	if !strings.HasPrefix(c.Text, "// want") && !strings.Contains(c.Text, "want MOD") {
		return nil, nil
	}
	if !wantRE.MatchString(c.Text) {
		return nil, fmt.Errorf("%s:%d: malformed marker %q; want // want MODxxx \"regexp\" [MODxxx \"regexp\"...]", file, line, c.Text)
	}
	var out []marker
	for _, p := range pairRE.FindAllStringSubmatch(strings.TrimPrefix(c.Text, "// want"), -1) {
		m, err := newMarker(file, line, p[1], p[2])
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// finding is what a marker is matched against: a diagnostic's file
// (relative, slash-separated), line, rule and message.
type finding struct {
	file    string
	line    int
	rule    string
	message string
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d: %s %s", f.file, f.line, f.rule, f.message)
}

// matchMarkers pairs findings with markers as analysistest does: each
// finding consumes one marker of its file, line and rule whose regexp
// matches its message. It returns a line per problem: a marker naming no
// registered rule, a finding whose message its line's marker does not
// match, a finding no marker expects (a duplicate included) and a marker
// no finding matched.
func matchMarkers(markers []marker, findings []finding, registered map[string]bool) []string {
	var problems []string
	type place struct {
		file string
		line int
		rule string
	}
	open := map[place][]marker{}
	for _, m := range markers {
		if !registered[m.rule] {
			problems = append(problems, fmt.Sprintf("%s: names %s, which is not a registered rule", m, m.rule))
			continue
		}
		k := place{m.file, m.line, m.rule}
		open[k] = append(open[k], m)
	}
	var unmatched []finding
	for _, f := range findings {
		k := place{f.file, f.line, f.rule}
		found := false
		for i, m := range open[k] {
			if m.re.MatchString(f.message) {
				open[k] = append(open[k][:i:i], open[k][i+1:]...)
				found = true
				break
			}
		}
		if !found {
			unmatched = append(unmatched, f)
		}
	}
	for _, f := range unmatched {
		k := place{f.file, f.line, f.rule}
		if ms := open[k]; len(ms) > 0 {
			problems = append(problems, fmt.Sprintf("%s: message does not match the marker %q", f, ms[0].text))
			open[k] = ms[1:]
			continue
		}
		problems = append(problems, fmt.Sprintf("reported but not marked: %s", f))
	}
	for _, ms := range open {
		for _, m := range ms {
			problems = append(problems, fmt.Sprintf("marked but not reported: %s", m))
		}
	}
	sort.Strings(problems)
	return problems
}

func registeredRules() map[string]bool {
	out := map[string]bool{}
	for _, r := range rules.All() {
		out[r.Doc.ID] = true
	}
	return out
}

// TestViolationsWorkspace checks that modls reports exactly the violations
// marked in examples/violations: every finding matches a marker of its
// line and rule, every marker is matched by one finding, and nothing else
// is reported.
func TestViolationsWorkspace(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "examples", "violations"))
	if err != nil {
		t.Fatal(err)
	}
	markers, bad := readMarkers(root)
	for _, err := range bad {
		t.Error(err)
	}
	if len(markers) < 12 {
		t.Fatalf("read %d markers; examples/violations marks a violation of every rule", len(markers))
	}
	res, err := Check(context.Background(), Options{Dir: root, Patterns: []string{"./..."}, Cache: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	var findings []finding
	for _, d := range res.Diagnostics {
		d = d.Relative(root)
		findings = append(findings, finding{d.File, d.Line, d.Rule, d.Message})
	}
	for _, p := range matchMarkers(markers, findings, registeredRules()) {
		t.Error(p)
	}
	t.Logf("%d markers, %d findings", len(markers), len(findings))
}

// TestMatchMarkers checks the matching itself, so that the workspace test
// cannot pass by ignoring what a marker says.
func TestMatchMarkers(t *testing.T) {
	mk := func(file string, line int, rule, re string) marker {
		m, err := newMarker(file, line, rule, strconv.Quote(re))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	registered := registeredRules()
	a := finding{"a.go", 3, "MOD005", "database write (INSERT) through DB.Query outside an IntegritySession"}
	b := finding{"a.go", 3, "MOD006", "no such table: x"}
	for _, tc := range []struct {
		name     string
		markers  []marker
		findings []finding
		want     []string // substrings of the problems, one each, in order
	}{
		{"exact", []marker{mk("a.go", 3, "MOD005", `write \(INSERT\)`)}, []finding{a}, nil},
		{"two findings on a line, two markers",
			[]marker{mk("a.go", 3, "MOD006", "no such table"), mk("a.go", 3, "MOD005", "INSERT")}, []finding{a, b}, nil},
		{"the same finding twice, one marker",
			[]marker{mk("a.go", 3, "MOD005", "INSERT")}, []finding{a, a}, []string{"reported but not marked: a.go:3: MOD005 database write"}},
		{"the same finding twice, two markers",
			[]marker{mk("a.go", 3, "MOD005", "INSERT"), mk("a.go", 3, "MOD005", "INSERT")}, []finding{a, a}, nil},
		{"the message disagrees with the marker",
			[]marker{mk("a.go", 3, "MOD005", "DELETE")}, []finding{a}, []string{`a.go:3: MOD005 database write (INSERT) through DB.Query outside an IntegritySession: message does not match the marker "DELETE"`}},
		{"a marker of an unregistered rule",
			[]marker{mk("a.go", 3, "MOD005", "INSERT"), mk("a.go", 9, "MOD099", "anything")}, []finding{a}, []string{"names MOD099, which is not a registered rule"}},
		{"a marker of another rule",
			[]marker{mk("a.go", 3, "MOD006", "INSERT")}, []finding{a}, []string{"marked but not reported: a.go:3: MOD006", "reported but not marked: a.go:3: MOD005"}},
		{"a marker of another line",
			[]marker{mk("a.go", 4, "MOD005", "INSERT")}, []finding{a}, []string{"marked but not reported: a.go:4: MOD005", "reported but not marked: a.go:3: MOD005"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := matchMarkers(tc.markers, tc.findings, registered)
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.Contains(got[i], tc.want[i])
			}
			if !ok {
				t.Errorf("problems:\n%s\nwant, in order, lines containing:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestReadMarkers checks that malformed markers are errors, not silently
// skipped, and that one comment can hold several markers.
func TestReadMarkers(t *testing.T) {
	dir := t.TempDir()
	src := "package p\n\n" +
		"var a = 1 // want MOD005 \"write\" MOD006 `no such (table|column)`\n" +
		"var b = 2 // want MOD005 write outside\n" +
		"var c = 3 // want MOD005 \"(unclosed\"\n" +
		"var d = 4 // want MOD005 \"\"\n" +
		"var e = 5 // a comment that wants nothing\n"
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	list := "m/manifest.json:2: MOD012 `version \"1\\.0\" is not semantic`\n" +
		"m/manifest.json:3: MOD012 a description, not a quoted regexp\n"
	if err := os.WriteFile(filepath.Join(dir, "manifest_violations.txt"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	markers, bad := readMarkers(dir)
	var got []string
	for _, m := range markers {
		got = append(got, m.String())
	}
	want := []string{
		`p.go:3: MOD005 "write"`,
		`p.go:3: MOD006 "no such (table|column)"`,
		`m/manifest.json:2: MOD012 "version \"1\\.0\" is not semantic"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("markers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var errs []string
	for _, err := range bad {
		errs = append(errs, err.Error())
	}
	for _, w := range []string{"p.go:4: malformed marker", "p.go:5: the marker of MOD005 is not a regexp", "p.go:6: the marker of MOD005 has an empty regexp", "manifest_violations.txt:2: "} {
		if !strings.Contains(strings.Join(errs, "\n"), w) {
			t.Errorf("no error %q among:\n%s", w, strings.Join(errs, "\n"))
		}
	}
	if len(errs) != 4 {
		t.Errorf("%d errors, want 4:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}

// TestExampleAppIsClean checks that the reference application, compliant
// by hand, gets no findings at all.
func TestExampleAppIsClean(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "examples", "app"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(context.Background(), Options{Dir: root, Patterns: []string{"./..."}, Cache: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("unexpected finding: %s", d.Relative(root))
	}
	if res.Packages < 7 {
		t.Errorf("checked %d packages; examples/app has at least 7", res.Packages)
	}
}

// TestViolationsModuleByModule checks each module of examples/violations
// alone, as the language server's first check and `modls check DIR` do,
// with the workspace model reading the other modules in part: the
// findings are those of the whole run in that module's packages.
func TestViolationsModuleByModule(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "examples", "violations"))
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Check(context.Background(), Options{Dir: root, Patterns: []string{"./..."}, Cache: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	if whole.partial != 0 {
		t.Errorf("the whole run read %d modules in part", whole.partial)
	}
	dirs, err := filepath.Glob(filepath.Join(root, "modules", "*", "*"))
	if err != nil || len(dirs) < 10 {
		t.Fatalf("%d module directories: %v", len(dirs), err)
	}
	// The modules where a rule that reads other modules (MOD001, MOD010,
	// MOD012) found something: what a model read in part could change.
	crossModule := map[string]bool{"MOD001": true, "MOD010": true, "MOD012": true}
	alone := seeded(t)
	checked := 0
	for _, dir := range dirs {
		var want []string
		cross := false
		for _, d := range whole.Diagnostics {
			if filepath.Dir(d.File) == dir {
				want = append(want, d.Relative(root).String())
				cross = cross || crossModule[d.Rule]
			}
		}
		if !cross {
			continue
		}
		checked++
		res, err := Check(context.Background(), Options{Dir: root, Patterns: []string{dir}, Cache: alone})
		if err != nil {
			t.Fatal(err)
		}
		if res.partial == 0 {
			t.Errorf("%s: every module read in full", dir)
		}
		if got := lines(root, res.Diagnostics); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s alone:\n%s\nin the whole run:\n%s", dir, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if checked < 4 {
		t.Errorf("%d modules with findings of rules that read other modules; examples/violations has more", checked)
	}
}

// TestViolationsAfterAnEdit checks a copy of examples/violations whole
// through a cache, then makes one edit after another: the next check keys
// its packages with every module read in part and reads in full only the
// modules of the packages it analyses again; it finds what a check
// without the cache finds.
func TestViolationsAfterAnEdit(t *testing.T) {
	t.Parallel()
	root, edit := violationsCopy(t)
	// The files' states are trusted only well after their last change:
	// the checks after an edit read the others only as they need them.
	time.Sleep(racyWindow + 100*time.Millisecond)
	cache := seeded(t)
	opts := Options{Dir: root, Patterns: []string{"./..."}}
	check := func(name string, c *Cache) *Result {
		t.Helper()
		o := opts
		o.Cache = c
		res, err := Check(context.Background(), o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res
	}
	first := check("first check", cache)
	if first.partial != 0 {
		t.Errorf("first check: %d modules read in part", first.partial)
	}
	seen := map[string]bool{}
	for _, c := range []struct {
		name, file, old, new string
		partial              bool // some modules stay read in part
		// ahead: the direct imports read ahead are taken (the check
		// before read the same ones); stale: they are not (the edit
		// changes them).
		ahead, stale bool
	}{
		{"a comment in tracker", "modules/standard/tracker/service.go", "package tracker\n", "package tracker\n\n// Edited.\n", true, true, false},
		// tracker imports the contract: its packages' keys wait for the
		// contract's interface, then miss.
		{"inventory's contract grows", "modules/standard/inventory/contract/contract.go", "n int) error\n}\n", "n int) error\n}\n\n// Levels is new.\ntype Levels interface{ Of(sku string) int }\n", true, false, false},
		{"a column of tracker's table renamed", "modules/standard/tracker/schema.go", "amount     INTEGER", "amout      INTEGER", true, false, false},
		{"another column of tracker's table renamed", "modules/standard/tracker/schema.go", "name       TEXT", "title      TEXT", true, false, false},
		{"inventory's service renamed", "modules/standard/inventory/module.go", `RegisterService("inventory.stock"`, `RegisterService("inventory.stocks"`, false, false, false},
		// What the main module imports changes: what was read ahead is
		// not what the check needs.
		{"tracker imports a package nothing imported", "modules/standard/tracker/service.go", "package tracker\n", "package tracker\n\nimport \"hash/crc32\"\n\nvar _ = crc32.ChecksumIEEE\n", true, false, true},
	} {
		edit(c.file, c.old, c.new)
		got := check(c.name, cache)
		if got.memo {
			t.Errorf("%s: the memo answered", c.name)
		}
		if (got.partial > 0) != c.partial {
			t.Errorf("%s: %d modules read in part", c.name, got.partial)
		}
		if c.ahead && !got.ahead || c.stale && got.ahead {
			t.Errorf("%s: the direct imports read ahead taken: %v", c.name, got.ahead)
		}
		want := check(c.name+" without the cache", seeded(t))
		g, w := strings.Join(lines(root, got.Diagnostics), "\n"), strings.Join(lines(root, want.Diagnostics), "\n")
		if g != w {
			t.Errorf("%s: findings through the cache\n%s\nwithout it\n%s", c.name, g, w)
		}
		seen[w] = true
	}
	if len(seen) < 4 {
		t.Errorf("the edits gave %d different sets of findings; want at least 4", len(seen))
	}
}

// violationsCopy copies examples/violations to a new directory, and
// returns it with a function that replaces text in one of its files.
func violationsCopy(t *testing.T) (string, func(name, old, new string)) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "violations")
	if err := os.CopyFS(root, os.DirFS(filepath.Join("..", "examples", "violations"))); err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(name, old, new string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s does not hold %q", name, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("go.mod", "=> ../..", "=> "+repo)
	return root, edit
}

// TestFileChangedDuringCheck: a check after an edit reads the files that
// did not change only when it needs them; one rewritten after the check's
// scan (here, as the check is about to type-check) is not as the scan
// recorded it, so the check is made again, reading every file first, and
// gives what a check without the cache gives; nothing the first attempt
// found is recorded.
func TestFileChangedDuringCheck(t *testing.T) {
	t.Parallel()
	root, edit := violationsCopy(t)
	// The files' states are trusted only well after their last change.
	time.Sleep(racyWindow + 100*time.Millisecond)
	cache := seeded(t)
	opts := Options{Dir: root, Patterns: []string{"./..."}, Cache: cache}
	if _, err := Check(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	edit("modules/standard/loans/service.go", "package loans\n", "package loans\n\n// Edited.\n")
	calls := 0
	during := opts
	during.BeforeTypeCheck = func(int) {
		if calls++; calls == 1 {
			// Not read yet: the check reads it when it reads the
			// module in full, for its analysis.
			edit("modules/standard/loans/schema/schema.go", "due      DATETIME", "due_at   DATETIME")
		}
	}
	got, err := Check(context.Background(), during)
	if err != nil {
		t.Fatal(err)
	}
	if !got.reread {
		t.Error("the check was not made again")
	}
	fresh, err := Check(context.Background(), Options{Dir: root, Patterns: []string{"./..."}, Cache: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(lines(root, fresh.Diagnostics), "\n")
	if g := strings.Join(lines(root, got.Diagnostics), "\n"); g != want {
		t.Errorf("findings of the check made again\n%s\nwithout the cache\n%s", g, want)
	}
	if strings.Contains(want, "no such column: due_at") {
		t.Fatalf("the rewritten schema changed no finding:\n%s", want)
	}
	again, err := Check(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(lines(root, again.Diagnostics), "\n"); g != want {
		t.Errorf("findings recorded\n%s\nwithout the cache\n%s", g, want)
	}
	// The schema as the first attempt's scan found it: under those keys,
	// nothing of what that attempt read after the rewrite is recorded.
	edit("modules/standard/loans/schema/schema.go", "due_at   DATETIME", "due      DATETIME")
	reverted, err := Check(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err = Check(context.Background(), Options{Dir: root, Patterns: []string{"./..."}, Cache: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	g, w := strings.Join(lines(root, reverted.Diagnostics), "\n"), strings.Join(lines(root, fresh.Diagnostics), "\n")
	if g != w || g == want {
		t.Errorf("findings with the schema back\n%s\nwithout the cache\n%s", g, w)
	}
}
