package checker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// A warm check does not start `go list` when nothing its listing depends
// on has changed. The listing is recorded with what go list read to make
// it, and is used again only if all of that is as it was:
//
//   - the go command (its path, size and modification time) and the
//     environment variables that change what it lists;
//   - go.mod and go.work in the root directory and every directory above
//     it (present or not), the go.mod and go.sum of every module of the
//     workspace the listing names, vendor/modules.txt, the go env file;
//   - the entries of every directory a pattern walks (its .go files, its
//     subdirectories, go.mod) and of every package directory of the
//     workspace: a file or package added or removed;
//   - of every .go file in those package directories, what go list reads
//     of it: its package clause, imports and build constraints. A file
//     whose contents changed is parsed up to its imports; an edit below
//     them (almost every edit) keeps the listing.
//
// Packages of the module cache and the standard library are immutable for
// a given go.sum and go command. A listing that reports any error is not
// recorded (a missing module may be downloaded meanwhile).

// listingVersion changes with the record's format or what it covers.
const listingVersion = 1

// listingRecord is a listing and what validates it.
type listingRecord struct {
	Version  int
	Packages []*listedPackage
	// Files are digests of whole files by absolute name; "" for a file
	// that did not exist.
	Files map[string]string
	// Dirs are digests of the entries that matter of each directory.
	Dirs map[string]dirRecord
	// Headers are, per .go file of the workspace's packages, the digest of
	// its contents and of its header (package clause, imports, build
	// constraints).
	Headers map[string]headerSum
}

type dirRecord struct {
	Walk   bool // subdirectories count (a pattern walks it)
	Digest string
}

type headerSum struct{ Content, Header string }

// listEnv are the environment variables that change what go list reports.
var listEnv = []string{
	"GOOS", "GOARCH", "GOFLAGS", "GOWORK", "GO111MODULE", "GOPATH", "GOMODCACHE",
	"GOROOT", "GOTOOLCHAIN", "GOEXPERIMENT", "GOENV", "GOARM", "GOAMD64", "GOARM64",
	"GO386", "GOWASM", "GORISCV64", "GOPPC64", "GOMIPS", "GOMIPS64",
}

// listingKey is the cache key of the listing of patterns in root, or ""
// when the listing cannot be cached (an import-path pattern, no go
// command).
func listingKey(root string, patterns []string, tests bool) string {
	for _, p := range patterns {
		if !isFilePattern(p) {
			return ""
		}
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	if abs, err := filepath.Abs(goCmd); err == nil {
		goCmd = abs
	}
	st, err := os.Stat(goCmd)
	if err != nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "listing %d\nroot %q\ntests %v\ngo %q %d %d\n", listingVersion, root, tests, goCmd, st.Size(), st.ModTime().UnixNano())
	for _, p := range patterns {
		fmt.Fprintf(h, "pattern %q\n", p)
	}
	for _, v := range listEnv {
		val, ok := os.LookupEnv(v)
		fmt.Fprintf(h, "env %s %v %q\n", v, ok, val)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cachedGoList is goList through the cache: the listing recorded under
// key (listingKey's) if its inputs are unchanged, else go list's,
// recorded. fromCache says which; recordedKey is key, or "" when the
// listing could not be recorded (nothing may then be keyed on it). With
// a nil cache or an empty key it is goList. t, if not nil, holds files
// and directories already read.
func cachedGoList(ctx context.Context, c *Cache, key, root string, patterns []string, tests bool, t *tree) (listed []*listedPackage, recordedKey string, fromCache bool, err error) {
	return cachedGoListFrom(ctx, c, key, root, patterns, tests, t, nil)
}

// listingAhead is the recorded listing read on another goroutine, and
// when none is recorded (a first run), the go command's listing, begun at
// once: the caller reads the tree meanwhile.
type listingAhead struct {
	rec  chan *listingRecord
	list chan listResult // closed without a value when a listing was recorded
	// goBuild is the listing's, once cachedGoListFrom took it.
	goBuild *goPrefetch
}

type listResult struct {
	listed []*listedPackage
	err    error
	// goBuild asks the go command for the export data the listing's
	// dependencies may take from the Go build cache, begun as soon as
	// the listing is known (prefetchGoBuild).
	goBuild *goPrefetch
}

// prefetchListing begins reading the listing recorded under key, and
// listing the packages if there is none, for cachedGoListFrom.
func prefetchListing(ctx context.Context, c *Cache, key, root string, patterns []string, tests bool) *listingAhead {
	a := &listingAhead{rec: make(chan *listingRecord, 1), list: make(chan listResult, 1)}
	go func() {
		rec := c.listing(key)
		a.rec <- rec
		if rec != nil {
			close(a.list)
			return
		}
		// What a check reading the direct imports alone needs, asked
		// for while the packages are listed; without a guess, all the
		// listing's dependencies, once it is known.
		gb := guessDirect(root, patterns)
		listed, err := goList(ctx, root, patterns, tests)
		if err == nil && gb == nil {
			gb = prefetchGoBuild(root, listed, nil)
		}
		a.list <- listResult{listed, err, gb}
	}()
	return a
}

// cachedGoListFrom is cachedGoList with the recorded listing read, or the
// packages listed, by prefetchListing (nil: here).
func cachedGoListFrom(ctx context.Context, c *Cache, key, root string, patterns []string, tests bool, t *tree, pre *listingAhead) (listed []*listedPackage, recordedKey string, fromCache bool, err error) {
	if c == nil {
		key = ""
	}
	if key != "" {
		var rec *listingRecord
		if pre != nil {
			rec = <-pre.rec
		} else {
			rec = c.listing(key)
		}
		if rec != nil && rec.valid(t) {
			return rec.Packages, key, true, nil
		}
	}
	if r, ok := <-pre.listResults(); ok {
		listed, err = r.listed, r.err
		pre.goBuild = r.goBuild
	} else {
		listed, err = goList(ctx, root, patterns, tests)
	}
	if err != nil || key == "" {
		return listed, "", false, err
	}
	rec := newListingRecord(root, patterns, listed)
	if rec == nil {
		return listed, "", false, nil
	}
	c.putListing(key, rec)
	return listed, key, false, nil
}

// listResults is the listing begun ahead: closed when there is none.
func (a *listingAhead) listResults() <-chan listResult {
	if a == nil {
		closed := make(chan listResult)
		close(closed)
		return closed
	}
	return a.list
}

// newListingRecord records what validates listed; nil if it must not be
// kept.
func newListingRecord(root string, patterns []string, listed []*listedPackage) *listingRecord {
	rec := &listingRecord{Version: listingVersion, Packages: listed, Files: map[string]string{}, Dirs: map[string]dirRecord{}, Headers: map[string]headerSum{}}
	for _, p := range listed {
		if p.Error != nil {
			return nil
		}
	}
	// go.mod and go.work where the go command looks for them.
	for dir := root; ; {
		for _, name := range []string{"go.mod", "go.work"} {
			rec.addFile(filepath.Join(dir, name))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if f := goEnvFile(); f != "" {
		rec.addFile(f)
	}
	for _, p := range patterns {
		base := filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(strings.TrimSuffix(p, "..."), "/")))
		if strings.HasSuffix(p, "...") {
			if err := rec.walk(base, true); err != nil {
				return nil
			}
		} else if err := rec.addDir(base, false); err != nil {
			return nil
		}
	}
	for _, p := range listed {
		if p.Standard || p.Module == nil || strings.Contains(p.Module.Dir, "@") {
			continue // immutable for a given go command and go.sum
		}
		for _, name := range []string{"go.mod", "go.sum", filepath.Join("vendor", "modules.txt")} {
			rec.addFile(filepath.Join(p.Module.Dir, name))
		}
		if _, ok := rec.Dirs[p.Dir]; !ok {
			if err := rec.addDir(p.Dir, false); err != nil {
				return nil
			}
		}
		names, err := goFileNames(p.Dir)
		if err != nil {
			return nil
		}
		for _, n := range names {
			full := filepath.Join(p.Dir, n)
			if _, ok := rec.Headers[full]; ok {
				continue
			}
			data, err := os.ReadFile(full)
			if err != nil {
				return nil
			}
			rec.Headers[full] = headerSum{Content: contentDigest(data), Header: fileHeader(full, data)}
		}
	}
	return rec
}

// valid reports whether everything the listing was made from is as it
// was. Files and directories the tree holds are taken from it.
func (rec *listingRecord) valid(t *tree) bool {
	if rec.Version != listingVersion {
		return false
	}
	for name, want := range rec.Files {
		got, ok := "", false
		if t != nil {
			got, ok = t.sums[name]
		}
		if !ok {
			got = fileDigest(name)
		}
		if got != want {
			return false
		}
	}
	for dir, want := range rec.Dirs {
		entries, err := t.readDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			if want.Digest != "absent" {
				return false
			}
			continue
		}
		if err != nil || entriesDigest(entries, want.Walk) != want.Digest {
			return false
		}
	}
	for name, want := range rec.Headers {
		sum, err := t.digest(name)
		if err != nil {
			return false
		}
		if sum == want.Content {
			continue
		}
		data, err := t.contents(name)
		if err != nil || fileHeader(name, data) != want.Header {
			return false
		}
	}
	return true
}

func (rec *listingRecord) addFile(name string) {
	if _, ok := rec.Files[name]; !ok {
		rec.Files[name] = fileDigest(name)
	}
}

func (rec *listingRecord) addDir(dir string, walk bool) error {
	d, err := dirDigest(dir, walk)
	if err != nil {
		return err
	}
	if old, ok := rec.Dirs[dir]; !ok || walk && !old.Walk {
		rec.Dirs[dir] = dirRecord{Walk: walk, Digest: d}
	}
	return nil
}

// walk records dir and every directory below it that a "..." pattern
// visits: not those go ignores (testdata, names starting with . or _) nor
// other modules (a directory holding a go.mod, below dir).
func (rec *listingRecord) walk(dir string, top bool) error {
	if err := rec.addDir(dir, true); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || ignoredName(e.Name()) {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(sub, "go.mod")); err == nil {
			continue // another module; its go.mod is among the entries
		}
		if err := rec.walk(sub, false); err != nil {
			return err
		}
	}
	return nil
}

func ignoredName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata"
}

// dirDigest is the digest of a directory's entries that change a listing:
// its .go files, go.mod and go.work, and, when walk is set, its
// subdirectories. An absent directory has the digest "absent".
func dirDigest(dir string, walk bool) (string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "absent", nil
	}
	if err != nil {
		return "", err
	}
	return entriesDigest(entries, walk), nil
}

func entriesDigest(entries []os.DirEntry, walk bool) string {
	h := sha256.New()
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
			if walk && !ignoredName(name) {
				fmt.Fprintf(h, "d %s\n", name)
			}
		case name == "go.mod" || name == "go.work":
			fmt.Fprintf(h, "f %s\n", name)
		case strings.HasSuffix(name, ".go") && !ignoredName(name):
			fmt.Fprintf(h, "g %s %v\n", name, e.Type()&fs.ModeSymlink != 0)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// goFileNames lists the .go files of dir that go could read.
func goFileNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !ignoredName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func contentDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// fileDigest is the digest of a file's contents, "" if it does not exist
// and "unreadable" if it cannot be read.
func fileDigest(name string) string {
	data, err := os.ReadFile(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ""
	case err != nil:
		return "unreadable"
	}
	return contentDigest(data)
}

// fileHeader is the digest of what go list reads of a Go file: the build
// constraints above the package clause, the package name and the imports.
// A file whose header does not parse is its whole contents.
func fileHeader(name string, src []byte) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil || f.Name == nil {
		return "unparsed " + contentDigest(src)
	}
	var b bytes.Buffer
	for _, g := range f.Comments {
		if g.Pos() >= f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") || strings.HasPrefix(c.Text, "// +build") {
				fmt.Fprintf(&b, "%s\n", c.Text)
			}
		}
	}
	fmt.Fprintf(&b, "package %s\n", f.Name.Name)
	for _, imp := range f.Imports {
		name := ""
		if imp.Name != nil {
			name = imp.Name.Name
		}
		p, _ := strconv.Unquote(imp.Path.Value)
		fmt.Fprintf(&b, "import %s %q\n", name, p)
	}
	return contentDigest(b.Bytes())
}

// goEnvFile is the go command's configuration file (go env -w), or "".
func goEnvFile() string {
	if f, ok := os.LookupEnv("GOENV"); ok {
		if f == "off" {
			return ""
		}
		return f
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "go", "env")
}

// listing returns the listing recorded under key, or nil.
func (c *Cache) listing(key string) *listingRecord {
	rec := new(listingRecord)
	if !c.getGob("listings", key, rec) {
		return nil
	}
	return rec
}

// putListing records a listing under key.
func (c *Cache) putListing(key string, rec *listingRecord) { c.putGob("listings", key, rec) }
