package checker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/gcexportdata"

	"github.com/modls/modls/checker/cachetest"
	"github.com/modls/modls/workspace"
)

// clone copies a checked-out tree to a new path, as another runner's
// checkout of the same commit.
func clone(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "elsewhere", "checkout")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// checkWith checks dir through the cache file at path, with timings.
func checkWith(t *testing.T, dir, path string) (*Result, *Timings) {
	t.Helper()
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tm := NewTimings()
	return check(t, dir, Options{Cache: c, Timings: tm}), tm
}

// filesUnder reports the first file name of ds (findings, related places,
// fixes' edits) that is not below dir, or "".
func filesUnder(dir string, ds []Diagnostic) string {
	under := func(f string) bool { return strings.HasPrefix(f, dir+string(filepath.Separator)) || f == dir }
	for _, d := range ds {
		if !under(d.File) {
			return d.File
		}
		for _, r := range d.Related {
			if !under(r.File) {
				return r.File
			}
		}
		for _, f := range d.Fixes {
			for _, e := range f.Edits {
				if !under(e.File) {
					return e.File
				}
			}
		}
	}
	return ""
}

// TestCacheTravelsToAnotherCheckout: a cache written by a check of one
// checkout, exported and imported for a copy of the tree at another path,
// answers every package there (nothing is type-checked, and not through
// the memo of keys, which is of the first checkout) with the findings a
// check without it gives, naming the new checkout's files. A package
// whose file differs there is checked again, against the imported types
// of its dependencies.
func TestCacheTravelsToAnotherCheckout(t *testing.T) {
	t.Parallel()
	a := writeWorkspace(t, buyer)
	b := clone(t, a)
	tmp := t.TempDir()
	pathA, export := cachetest.Seeded(t), filepath.Join(tmp, "export.db")
	resA, _ := checkWith(t, a, pathA)
	if resA.Cached == resA.Packages || len(resA.Diagnostics) == 0 {
		t.Fatalf("the first check: %d of %d cached, %d findings", resA.Cached, resA.Packages, len(resA.Diagnostics))
	}
	st, err := ExportCache(context.Background(), pathA, export)
	if err != nil {
		t.Fatal(err)
	}
	if st.Results < int64(resA.Packages) || st.Exports == 0 || st.Bytes == 0 {
		t.Errorf("export: %+v", st)
	}
	truth := strings.Join(lines(b, check(t, b, Options{}).Diagnostics), "\n")
	if want := strings.Join(lines(a, resA.Diagnostics), "\n"); truth != want {
		t.Fatalf("the clone's findings differ from the original's:\n%s\nwant:\n%s", truth, want)
	}

	pathB := filepath.Join(tmp, "b", "cache.db") // new: only what the export holds
	if _, err := ImportCache(context.Background(), pathB, export); err != nil {
		t.Fatal(err)
	}
	resB, tm := checkWith(t, b, pathB)
	t.Logf("at the other path: %d of %d packages from the cache", resB.Cached, resB.Packages)
	if resB.Cached != resB.Packages || len(tm.Packages()) != 0 {
		t.Errorf("at the other path: %d of %d cached, type-checked %v", resB.Cached, resB.Packages, tm.Packages())
	}
	for _, p := range tm.Phases() {
		if p.Name == PhaseTypeCheck && p.Duration != 0 {
			t.Errorf("at the other path, type-checking took %v", p.Duration)
		}
	}
	if resB.memo {
		t.Error("the memo of the first checkout's keys answered at the other path")
	}
	if got := strings.Join(lines(b, resB.Diagnostics), "\n"); got != truth {
		t.Errorf("findings at the other path:\n%s\nwant:\n%s", got, truth)
	}
	if f := filesUnder(b, resB.Diagnostics); f != "" {
		t.Errorf("a finding names %s, not a file of the checkout at %s", f, b)
	}

	// One file differs: its package is checked, the rest answered.
	c := clone(t, a)
	svc := filepath.Join(c, "modules/standard/shop/service.go")
	data, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(svc, append(data, "\nfunc (s *Service) Lend(ctx context.Context) error { return nil }\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	pathC := filepath.Join(tmp, "c", "cache.db")
	if _, err := ImportCache(context.Background(), pathC, export); err != nil {
		t.Fatal(err)
	}
	resC, tm := checkWith(t, c, pathC)
	truthC := strings.Join(lines(c, check(t, c, Options{}).Diagnostics), "\n")
	if got := strings.Join(lines(c, resC.Diagnostics), "\n"); got != truthC || !strings.Contains(got, "Lend has no ServiceMethod entry") {
		t.Errorf("findings of the changed clone:\n%s\nwant:\n%s", got, truthC)
	}
	if resC.Cached == resC.Packages || len(tm.Packages()) == 0 {
		t.Errorf("the changed package was answered from the cache: %d of %d cached", resC.Cached, resC.Packages)
	}
	if f := filesUnder(c, resC.Diagnostics); f != "" {
		t.Errorf("a finding names %s, not a file of the checkout at %s", f, c)
	}
}

// TestImportedTamperedRowsMiss: an export whose findings were rewritten
// (without their digests) answers nothing for those packages: the check
// recomputes them and gives the right findings.
func TestImportedTamperedRowsMiss(t *testing.T) {
	t.Parallel()
	a := writeWorkspace(t, shop)
	b := clone(t, a)
	tmp := t.TempDir()
	pathA, export := cachetest.Seeded(t), filepath.Join(tmp, "export.db")
	resA, _ := checkWith(t, a, pathA)
	if _, err := ExportCache(context.Background(), pathA, export); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", export)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(`UPDATE results SET findings = '[]' WHERE CAST(findings AS TEXT) != '[]'`)
	if err != nil {
		t.Fatal(err)
	}
	tampered, _ := res.RowsAffected()
	db.Close()
	if tampered == 0 {
		t.Fatal("no row with findings to tamper with")
	}
	pathB := filepath.Join(tmp, "b.db")
	if _, err := ImportCache(context.Background(), pathB, export); err != nil {
		t.Fatal(err)
	}
	resB, _ := checkWith(t, b, pathB)
	if got, want := strings.Join(lines(b, resB.Diagnostics), "\n"), strings.Join(lines(a, resA.Diagnostics), "\n"); got != want {
		t.Errorf("findings from a tampered export:\n%s\nwant:\n%s", got, want)
	}
	if resB.Cached != resB.Packages-int(tampered) {
		t.Errorf("%d of %d packages answered, %d rows tampered with", resB.Cached, resB.Packages, tampered)
	}
}

// TestImportRefusesWhatIsNoExport: a file that is not an export of this
// schema (garbage, a truncated export, another program's SQLite file, an
// export of another schema) is refused with one line naming it, and the
// cache stays byte for byte as it was.
func TestImportRefusesWhatIsNoExport(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	tmp := t.TempDir()
	path, export := cachetest.Seeded(t), filepath.Join(tmp, "export.db")
	warm(t, dir, path)
	if _, err := ExportCache(context.Background(), path, export); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sqliteFile := func(name string, stmts ...string) string {
		p := filepath.Join(tmp, name)
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	oldSchema := write("old.db", whole)
	db, err := sql.Open("sqlite", oldSchema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cases := []struct{ file, want string }{
		{write("garbage.db", bytes.Repeat([]byte("not a database "), 500)), "not a modls cache export"},
		{write("truncated.db", whole[:len(whole)/2]), "not a modls cache export"},
		{write("empty.db", nil), "not a modls cache export"},
		{sqliteFile("other.db", `CREATE TABLE results (key TEXT)`), "another program"},
		{sqliteFile("nocolumns.db", `CREATE TABLE results (key TEXT)`, `PRAGMA application_id = 1297040460`, fmt.Sprintf("PRAGMA user_version = %d", cacheSchema)), "no table results"},
		{oldSchema, "schema 3"},
		{filepath.Join(tmp, "absent.db"), "no such file"},
		{tmp, "not a regular file"},
	}
	digest := func() [32]byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(data)
	}
	before := digest()
	for _, tc := range cases {
		_, err := ImportCache(context.Background(), path, tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("import of %s: %v, want one line saying %q", filepath.Base(tc.file), err, tc.want)
		}
		if tc.want == "not a modls cache export" && !errors.Is(err, ErrNotExport) {
			t.Errorf("import of %s: %v is not ErrNotExport", filepath.Base(tc.file), err)
		}
	}
	if digest() != before {
		t.Error("a refused import changed the cache")
	}
	// The refused files are as they were, and a sound export still imports.
	if data, _ := os.ReadFile(filepath.Join(tmp, "truncated.db")); len(data) != len(whole)/2 {
		t.Error("the refused file was written")
	}
	if _, err := ImportCache(context.Background(), path, export); err != nil {
		t.Errorf("a sound export: %v", err)
	}
}

// keysOf computes the root packages' keys of dir under the rules
// fingerprint and go version given.
func keysOf(t *testing.T, dir, rules, gover string) map[string]string {
	t.Helper()
	root, err := workspace.FindRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := goList(context.Background(), root, []string{"./..."}, true)
	if err != nil {
		t.Fatal(err)
	}
	overlay := snapshot(listed, nil)
	ws, err := workspace.Load(root, overlay)
	if err != nil {
		t.Fatal(err)
	}
	h := newHasher(newLoader(listed, overlay), ws, rules)
	if h.gover == "" {
		t.Fatal("no go version found for the standard library")
	}
	if gover != "" {
		h.gover = gover
	}
	out := map[string]string{}
	for _, lp := range listed {
		if !lp.DepOnly {
			out[lp.ImportPath] = h.rootKey(lp)
		}
		if lp.ImportPath == "fmt" || lp.ImportPath == "github.com/modls/modls/framework" {
			out["dep "+lp.ImportPath] = h.depKey(lp.ImportPath)
		}
	}
	return out
}

// TestKeysArePortable: the keys of a tree are the same at another path,
// and change with the go version and the rules' fingerprint; the
// fingerprint changes with the configuration and the rule set, and names
// no path of this machine.
func TestKeysArePortable(t *testing.T) {
	t.Parallel()
	a := writeWorkspace(t, buyer)
	b := clone(t, a)
	fp := rulesFingerprint(nil, &Config{}, (&Config{}).Enabled())
	ka, kb := keysOf(t, a, fp, ""), keysOf(t, b, fp, "")
	if len(ka) < 3 || ka["dep fmt"] == "" || ka["dep github.com/modls/modls/framework"] == "" {
		t.Fatalf("keys: %v", ka)
	}
	for p, k := range ka {
		if k == "" || kb[p] != k {
			t.Errorf("%s: key %q here, %q at the other path", p, k, kb[p])
		}
	}
	for what, other := range map[string]map[string]string{
		"go version": keysOf(t, a, fp, "go1.99.0"),
		"rules":      keysOf(t, a, fp+"x", ""),
	} {
		for p, k := range ka {
			if strings.HasPrefix(p, "dep ") && what == "rules" {
				continue // a dependency's types do not depend on the rules
			}
			if other[p] == k {
				t.Errorf("%s: the key does not change with the %s", p, what)
			}
		}
	}
	off := false
	cfgs := map[string]*Config{
		"a severity": {Rules: map[string]RuleConfig{"MOD002": {Severity: "warning"}}},
		"a rule off": {Rules: map[string]RuleConfig{"MOD002": {Enabled: &off}}},
	}
	for what, cfg := range cfgs {
		if rulesFingerprint(nil, cfg, cfg.Enabled()) == fp {
			t.Errorf("the rules' fingerprint does not change with %s", what)
		}
	}
	home, _ := os.UserHomeDir()
	exe, _ := os.Executable()
	for _, s := range []string{exe, filepath.Dir(exe), a, os.TempDir()} {
		if s != "" && strings.Contains(fp, s) {
			t.Errorf("the rules' fingerprint names %s: %s", s, fp)
		}
	}
	if home != "" && home != "/" && strings.Contains(fp, home) {
		t.Errorf("the rules' fingerprint names the home directory: %s", fp)
	}
	// The executable is read once per state, not once per check.
	n := exeDigests.Load()
	for range 3 {
		rulesFingerprint(nil, &Config{}, (&Config{}).Enabled())
	}
	if exeDigests.Load() != n {
		t.Error("the executable was read again with its state unchanged")
	}
}

// TestExportDataNamesFilesPortably: the positions of export data written
// at one checkout name the files of the checkout that reads it.
func TestExportDataNamesFilesPortably(t *testing.T) {
	t.Parallel()
	listing := func(root string) []*listedPackage {
		return []*listedPackage{{ImportPath: "example.com/p", Dir: filepath.Join(root, "p"), Module: &listedModule{Path: "example.com", Dir: root}}}
	}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	ca, cb := newPathCodec(listing(a)), newPathCodec(listing(b))
	name := filepath.Join(a, "p", "p.go")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, "package p\n\n// T is a type.\ntype T int\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := new(types.Config).Check("example.com/p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gcexportdata.Write(&buf, ca.portableFileSet(fset), pkg); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(a)) {
		t.Errorf("the export data names %s", a)
	}
	read := token.NewFileSet()
	got, err := gcexportdata.Read(&buf, read, map[string]*types.Package{}, "example.com/p")
	if err != nil {
		t.Fatal(err)
	}
	pos := read.Position(got.Scope().Lookup("T").Pos())
	if want := filepath.Join(b, "p", "p.go"); cb.decode(pos.Filename) != want || pos.Line != 4 {
		t.Errorf("T is at %s (%s:%d), want %s:4", pos, cb.decode(pos.Filename), pos.Line, want)
	}
	// Findings and messages, both ways.
	d := Diagnostic{File: name, Message: "other declaration at " + name + ":3:1", Related: []Place{{File: filepath.Join(a, "manifest.json")}},
		Fixes: []Fix{{Edits: []TextEdit{{File: name}}}}}
	enc := ca.encodeDiagnostics([]Diagnostic{d})
	if strings.Contains(enc[0].File+enc[0].Message+enc[0].Related[0].File+enc[0].Fixes[0].Edits[0].File, a) {
		t.Errorf("encoded finding names %s: %+v", a, enc[0])
	}
	cb.decodeDiagnostics(enc)
	if enc[0].File != filepath.Join(b, "p", "p.go") || enc[0].Message != "other declaration at "+filepath.Join(b, "p", "p.go")+":3:1" ||
		enc[0].Related[0].File != filepath.Join(b, "manifest.json") || enc[0].Fixes[0].Edits[0].File != filepath.Join(b, "p", "p.go") {
		t.Errorf("decoded at the other checkout: %+v", enc[0])
	}
	if d.File != name {
		t.Error("encoding changed the finding it was given")
	}
}

// phasesApp is helperApp whose helper package reads a file, which its
// Setup calls: the phases rule's fact of the helper says where the I/O is
// done, and the module's finding points there.
var phasesApp = strings.NewReplacer(
	"import (\n\t\"context\"\n\n\t\"github.com/modls/modls/framework\"\n)\n\n// Exec runs",
	"import (\n\t\"context\"\n\t\"os\"\n\n\t\"github.com/modls/modls/framework\"\n)\n\n// Seed reads the seed data.\nfunc Seed() []byte {\n\tdata, _ := os.ReadFile(\"seed.sql\")\n\treturn data\n}\n\n// Exec runs",
	"func (m *Module) Setup(s *framework.Setup) error {\n",
	"func (m *Module) Setup(s *framework.Setup) error {\n\t_ = sqlx.Seed()\n",
).Replace(helperApp)

// TestFactsTravelToAnotherCheckout: facts recorded by a check of one
// checkout and imported at another path name that checkout's files: a
// module checked again there (it changed) takes its helper's facts from
// the cache, and its finding's related place is the helper's file there.
func TestFactsTravelToAnotherCheckout(t *testing.T) {
	t.Parallel()
	a := writeWorkspace(t, phasesApp)
	tmp := t.TempDir()
	pathA, export := cachetest.Seeded(t), filepath.Join(tmp, "export.db")
	resA, _ := checkWith(t, a, pathA)
	related := false
	for _, d := range resA.Diagnostics {
		for _, r := range d.Related {
			related = related || strings.HasSuffix(r.File, filepath.Join("internal", "sqlx", "sqlx.go"))
		}
	}
	if !related {
		t.Fatalf("no finding points into the helper:\n%s", strings.Join(lines(a, resA.Diagnostics), "\n"))
	}
	if _, err := ExportCache(context.Background(), pathA, export); err != nil {
		t.Fatal(err)
	}
	b := clone(t, a)
	mod := filepath.Join(b, "modules", "standard", "notes", "module.go")
	data, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mod, append(data, "\n// Changed at the other checkout.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	pathB := filepath.Join(tmp, "b", "cache.db")
	if _, err := ImportCache(context.Background(), pathB, export); err != nil {
		t.Fatal(err)
	}
	resB, tm := checkWith(t, b, pathB)
	var names []string
	for _, p := range tm.Packages() {
		names = append(names, p.Name)
	}
	checked := strings.Join(names, " ")
	if !strings.Contains(checked, "notes") || strings.Contains(checked, "sqlx") {
		t.Errorf("at the other path, type-checked %q; want the module, not the helper (its facts from the cache)", checked)
	}
	truth := strings.Join(lines(b, check(t, b, Options{}).Diagnostics), "\n")
	if got := strings.Join(lines(b, resB.Diagnostics), "\n"); got != truth {
		t.Errorf("findings at the other path:\n%s\nwant:\n%s", got, truth)
	}
	if f := filesUnder(b, resB.Diagnostics); f != "" {
		t.Errorf("a finding names %s, not a file of the checkout at %s", f, b)
	}
}
