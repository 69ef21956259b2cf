package checker

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Early cutoff: a package importing one of the application's packages is
// keyed by what that package shows it (its API and its facts), so an edit
// that changes neither leaves it answered from the cache, and one that
// changes either checks it again, with the findings that follow.

// checkedPackages runs a check of every package of dir and returns its
// result and the packages it type-checked (those the cache did not
// answer).
func checkedPackages(t *testing.T, dir string, cache *Cache) (*Result, []string) {
	t.Helper()
	tm := NewTimings()
	res, err := Check(context.Background(), Options{Dir: dir, Cache: cache, Timings: tm})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range tm.Packages() {
		out = append(out, strings.TrimPrefix(p.Name, "example.com/shop/"))
	}
	slices.Sort(out)
	return res, out
}

// editFile replaces old, which must be there, by new in a file.
func editFile(t *testing.T, name, old, new string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s holds no %q", name, old)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// limitApp is helperApp whose helper package also declares a constant
// the module uses, in a file of its own.
var limitApp = strings.Replace(helperApp, "func (s *Service) Ping() error { return nil }\n",
	"func (s *Service) Ping() error { return nil }\n\nvar _ int = sqlx.Limit\n", 1) + `
-- internal/sqlx/limit.go --
package sqlx

// Limit bounds a list.
const Limit = 10
`

// cutoffCase checks limitApp once (cold, every package checked), edits
// a file of the helper its module imports, and checks again.
func cutoffCase(t *testing.T, file, old, new string) (*Result, []string) {
	t.Helper()
	dir := writeWorkspace(t, limitApp)
	cache := seeded(t)
	res, checked := checkedPackages(t, dir, cache)
	if got := sqlFindings(res.Diagnostics); got != wantHelperFindings {
		t.Fatalf("before the edit: got\n%s\nwant\n%s", got, wantHelperFindings)
	}
	if !slices.Contains(checked, "modules/standard/notes") || !slices.Contains(checked, "internal/sqlx") {
		t.Fatalf("the first check type-checked %q", checked)
	}
	editFile(t, filepath.Join(dir, "internal/sqlx", file), old, new)
	return checkedPackages(t, dir, cache)
}

// TestCutoffBodyEdit: a comment and a function body that keeps the
// function's facts change the helper only; its importer is answered from
// the cache, with the same findings.
func TestCutoffBodyEdit(t *testing.T) {
	res, checked := cutoffCase(t, "sqlx.go", "\treturn rows.Close()\n}\n",
		"\tcerr := rows.Close(); return cerr\n}\n\n// Exec's body changed.\n")
	if want := []string{"internal/sqlx"}; !slices.Equal(checked, want) {
		t.Errorf("after a body edit the check type-checked %q, want %q", checked, want)
	}
	if res.Cached != res.Packages-1 {
		t.Errorf("%d of %d packages answered from the cache, want all but the helper", res.Cached, res.Packages)
	}
	if got := sqlFindings(res.Diagnostics); got != wantHelperFindings {
		t.Errorf("after a body edit: got\n%s\nwant\n%s", got, wantHelperFindings)
	}
}

// TestCutoffSignatureEdit: the type of a constant of the helper changes
// (in a file without facts); its importer is checked again, and its use
// no longer type-checks.
func TestCutoffSignatureEdit(t *testing.T) {
	res, checked := cutoffCase(t, "limit.go", "const Limit = 10", `const Limit = "ten"`)
	if !slices.Contains(checked, "modules/standard/notes") {
		t.Errorf("after a signature edit the check type-checked %q, not the importer", checked)
	}
	var got []string
	for _, d := range res.Diagnostics {
		if d.Rule == RuleCompile && filepath.Base(d.File) == "module.go" {
			got = append(got, d.Message)
		}
	}
	if want := `cannot use sqlx.Limit (untyped string constant "ten") as int value in variable declaration`; len(got) != 1 || got[0] != want {
		t.Errorf("compile findings of the importer: %q, want %q", got, want)
	}
}

// TestCutoffFactEdit: the helper's body stops passing its parameter to
// the database: its API is the same, its facts (a SQL sink) are not; its
// importer is checked again and its call is no longer SQL.
func TestCutoffFactEdit(t *testing.T) {
	res, checked := cutoffCase(t, "sqlx.go", "db.Query(ctx, q, args...)", `db.Query(ctx, "SELECT 1")`)
	if !slices.Contains(checked, "modules/standard/notes") {
		t.Errorf("after a change of facts the check type-checked %q, not the importer", checked)
	}
	if got := sqlFindings(res.Diagnostics); got != "" {
		t.Errorf("after the helper stopped being a sink: %s", got)
	}
}

// TestCutoffIfacesFromMemo: a check after an edit takes the recorded
// interfaces of the packages the edit leaves as they were from the last
// check's memo, and asks the cache only for those of the edited package
// and of the packages depending on it, whose keys changed; the first
// check, without a memo, asks for every one.
func TestCutoffIfacesFromMemo(t *testing.T) {
	var asked [][]string
	ifacesAsked = func(paths []string) { asked = append(asked, paths) }
	defer func() { ifacesAsked = nil }()
	dir := writeWorkspace(t, limitApp+`
-- internal/textx/textx.go --
package textx

import "strings"

// Upper shouts.
func Upper(s string) string { return strings.ToUpper(s) }
-- modules/standard/notes/text.go --
package notes

import "example.com/shop/internal/textx"

var _ = textx.Upper("notes")
`)
	cache := seeded(t)
	checkedPackages(t, dir, cache)
	checkedPackages(t, dir, cache) // the memo answers: no keys
	if len(asked) != 1 {
		t.Fatalf("the interfaces were asked for %d times over a cold and a warm check, want once: %q", len(asked), asked)
	}
	all := asked[0]
	if !slices.Contains(all, "example.com/shop/internal/sqlx") || !slices.Contains(all, "example.com/shop/internal/textx") {
		t.Fatalf("the cold check asked for %q, not both helpers", all)
	}
	asked = nil
	editFile(t, filepath.Join(dir, "internal/sqlx", "sqlx.go"), "\treturn rows.Close()\n}\n", "\tcerr := rows.Close(); return cerr\n}\n")
	res, checked := checkedPackages(t, dir, cache)
	if want := []string{"internal/sqlx"}; !slices.Equal(checked, want) {
		t.Errorf("after a body edit the check type-checked %q, want %q", checked, want)
	}
	if got := sqlFindings(res.Diagnostics); got != wantHelperFindings {
		t.Errorf("after a body edit: got\n%s\nwant\n%s", got, wantHelperFindings)
	}
	if len(asked) != 1 {
		t.Fatalf("after the edit the interfaces were asked for %d times, want once", len(asked))
	}
	listed, err := goList(context.Background(), dir, []string{"./..."}, true)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]*listedPackage{}
	for _, lp := range listed {
		byPath[lp.ImportPath] = lp
	}
	var want []string
	for _, p := range all {
		if p == "example.com/shop/internal/sqlx" || importsPath(byPath, p, "example.com/shop/internal/sqlx") {
			want = append(want, p)
		}
	}
	if !slices.Equal(asked[0], want) || len(want) == len(all) {
		t.Errorf("after the edit the cache was asked for the interfaces of %q; want those of the helper and its importers, %q, of %q", asked[0], want, all)
	}
}
