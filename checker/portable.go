package checker

import (
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// The cache is portable: what it keeps under a content key holds no
// absolute path, so that a cache written by a checkout at one path (one
// CI runner, one user) answers a checkout of the same tree at another.
// A file name is written relative to the Go module holding it, as the
// module's path between NUL bytes followed by the rest of the name
// ("\x00example.com/app\x00/modules/x/x.go"), and a file of the standard
// library relative to GOROOT/src. Reading resolves the module by the
// listing of the check that reads: the same module path, wherever it is
// checked out. Names the listing does not place stay absolute.

// gorootToken stands for GOROOT/src ('#' is in no module path).
const gorootToken = "#goroot"

// pathCodec writes file names portably and reads them back, for one
// listing.
type pathCodec struct {
	dirs     map[string]string // module path (or gorootToken) -> local directory
	prefixes []codecPrefix     // longest directory first

	once     sync.Once
	enc, dec *strings.Replacer
}

type codecPrefix struct{ dir, token string }

// newPathCodec places the modules and the standard library of a listing.
func newPathCodec(listed []*listedPackage) *pathCodec {
	c := &pathCodec{dirs: map[string]string{}}
	for _, lp := range listed {
		switch {
		case lp.Standard && lp.Dir != "":
			if _, ok := c.dirs[gorootToken]; !ok {
				if src, ok := strings.CutSuffix(filepath.ToSlash(lp.Dir), "/"+lp.ImportPath); ok {
					c.dirs[gorootToken] = filepath.FromSlash(src)
				}
			}
		case lp.Module != nil && lp.Module.Path != "" && lp.Module.Dir != "":
			c.dirs[lp.Module.Path] = lp.Module.Dir
		}
	}
	for tok, dir := range c.dirs {
		c.prefixes = append(c.prefixes, codecPrefix{dir: dir, token: "\x00" + tok + "\x00"})
	}
	sort.Slice(c.prefixes, func(i, j int) bool {
		a, b := c.prefixes[i], c.prefixes[j]
		if len(a.dir) != len(b.dir) {
			return len(a.dir) > len(b.dir)
		}
		return a.token < b.token
	})
	return c
}

// encode writes a file (or directory) name portably: relative to the
// innermost module holding it. A name no module holds is kept.
func (c *pathCodec) encode(name string) string {
	if c == nil || !filepath.IsAbs(name) {
		return name
	}
	for _, p := range c.prefixes {
		if name == p.dir {
			return p.token
		}
		if rest, ok := strings.CutPrefix(name, p.dir); ok && strings.HasPrefix(rest, string(filepath.Separator)) {
			return p.token + filepath.ToSlash(rest)
		}
	}
	return name
}

// decode reads back a name encode wrote, in this listing's places. A
// module this listing does not hold leaves the name as it is.
func (c *pathCodec) decode(name string) string {
	if c == nil || !strings.HasPrefix(name, "\x00") {
		return name
	}
	tok, rest, ok := strings.Cut(name[1:], "\x00")
	if !ok {
		return name
	}
	dir, ok := c.dirs[tok]
	if !ok {
		return name
	}
	return dir + filepath.FromSlash(rest)
}

func (c *pathCodec) replacers() {
	c.once.Do(func() {
		var enc, dec []string
		for _, p := range c.prefixes {
			sep := string(filepath.Separator)
			enc = append(enc, p.dir+sep, p.token+"/")
			dec = append(dec, p.token+"/", p.dir+sep)
		}
		c.enc, c.dec = strings.NewReplacer(enc...), strings.NewReplacer(dec...)
	})
}

// encodeText writes the file names inside a message (a compiler's "x.go:3:4:
// other declaration of f") portably.
func (c *pathCodec) encodeText(s string) string {
	if c == nil || !strings.Contains(s, string(filepath.Separator)) {
		return s
	}
	c.replacers()
	return c.enc.Replace(s)
}

// decodeText reads back the names encodeText wrote.
func (c *pathCodec) decodeText(s string) string {
	if c == nil || !strings.Contains(s, "\x00") {
		return s
	}
	c.replacers()
	return c.dec.Replace(s)
}

// mapDiagnostic returns d with its file names and messages passed through
// file and text.
func mapDiagnostic(d Diagnostic, file, text func(string) string) Diagnostic {
	d.File, d.Message = file(d.File), text(d.Message)
	if d.Related != nil {
		d.Related = append([]Place(nil), d.Related...)
		for i := range d.Related {
			d.Related[i].File, d.Related[i].Message = file(d.Related[i].File), text(d.Related[i].Message)
		}
	}
	if d.Fixes != nil {
		fixes := make([]Fix, len(d.Fixes))
		for i, f := range d.Fixes {
			f.Message = text(f.Message)
			f.Edits = append([]TextEdit(nil), f.Edits...)
			for j := range f.Edits {
				f.Edits[j].File = file(f.Edits[j].File)
			}
			fixes[i] = f
		}
		d.Fixes = fixes
	}
	return d
}

// encodeDiagnostics returns findings as the cache keeps them.
func (c *pathCodec) encodeDiagnostics(ds []Diagnostic) []Diagnostic {
	out := make([]Diagnostic, len(ds))
	for i, d := range ds {
		out[i] = mapDiagnostic(d, c.encode, c.encodeText)
	}
	return out
}

// decodeDiagnostics makes findings read from the cache (or positions read
// from export data) name this checkout's files, in place.
func (c *pathCodec) decodeDiagnostics(ds []Diagnostic) {
	for i, d := range ds {
		ds[i] = mapDiagnostic(d, c.decode, c.decodeText)
	}
}

// portableFileSet is a copy of fset whose files are named portably, for
// writing export data: the positions of a package's objects then name
// their files relative to their modules.
func (c *pathCodec) portableFileSet(fset *token.FileSet) *token.FileSet {
	out := token.NewFileSet()
	fset.Iterate(func(f *token.File) bool {
		nf := out.AddFile(c.encode(f.Name()), f.Base(), f.Size())
		nf.SetLines(f.Lines())
		return true
	})
	return out
}

// goVersionOf is the version of the go command whose standard library the
// listing holds: GOROOT/VERSION's first line, else "" (a toolchain built
// from source without one; the caller then uses GOROOT's place).
func (c *pathCodec) goVersion() string {
	src, ok := c.dirs[gorootToken]
	if !ok {
		return ""
	}
	goVersionOnce.Lock()
	defer goVersionOnce.Unlock()
	if v, ok := goVersionOnce.byRoot[src]; ok {
		return v
	}
	v := "go at " + src // not portable, but never wrong
	if data, err := os.ReadFile(filepath.Join(filepath.Dir(src), "VERSION")); err == nil {
		v = firstLine(string(data))
	}
	if goVersionOnce.byRoot == nil {
		goVersionOnce.byRoot = map[string]string{}
	}
	goVersionOnce.byRoot[src] = v
	return v
}

var goVersionOnce struct {
	sync.Mutex
	byRoot map[string]string
}
