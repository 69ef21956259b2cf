package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The binaries of a run (the harness, the test binaries) depend only on
// the files of the copy that go into them, the Go toolchain and the
// build's settings, which a key made of their contents names. A run whose
// binary has the key of one linked before reuses it instead of linking
// again, which is most of a warm run's time. Module code never sees the
// cache: binaries are copied into the sandbox, read-only to it.

// binCacheEntries is how many binaries the cache keeps, the most recently
// used.
const binCacheEntries = 12

// binCacheDir is where linked binaries are kept: sandbox-bin beside the
// modls cache ($MODLS_CACHE, a file or a directory, else modls in the
// user's cache directory); "" when MODLS_CACHE=off or no cache directory
// exists.
func binCacheDir() string {
	p := os.Getenv("MODLS_CACHE")
	switch {
	case p == "off":
		return ""
	case p != "":
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			p = filepath.Dir(p)
		}
	default:
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		p = filepath.Join(dir, "modls")
	}
	return filepath.Join(p, "sandbox-bin")
}

// treeKeys name what goes into the binaries of a copy: build names every
// file of it but the _test.go files (which go build leaves out), with the
// toolchain and the build's environment; tests names, per directory of the
// copy (relative, slash-separated), its _test.go files. The harness is
// named by build alone, a package's test binary by build and its
// directory's tests: an edited test rebuilds its own test binary only.
type treeKeys struct {
	build string
	tests map[string]string
}

// hashTree hashes every file of the copy at src (names, modes, contents)
// and the build's environment: what a build there depends on besides the
// module cache, which go.sum pins.
func (r *runner) hashTree(src string) (treeKeys, error) {
	h := sha256.New()
	g := r.goenv
	goTool, err := os.Stat(filepath.Join(g.GOROOT, "bin", "go"))
	if err != nil {
		return treeKeys{}, err
	}
	version, _ := os.ReadFile(filepath.Join(g.GOROOT, "VERSION"))
	fmt.Fprintf(h, "goroot %q %q %d %d\n", g.GOROOT, version, goTool.Size(), goTool.ModTime().UnixNano())
	fmt.Fprintf(h, "env %q %q\n", g.GOFLAGS, g.GOMODCACHE)
	tests := map[string]hash.Hash{}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		w := io.Writer(h)
		if info.Mode().IsRegular() && strings.HasSuffix(rel, "_test.go") {
			dir := pathpkg.Dir(rel)
			if tests[dir] == nil {
				tests[dir] = sha256.New()
			}
			w = tests[dir]
		}
		fmt.Fprintf(w, "%q %v %d\n", rel, info.Mode(), info.Size())
		if !info.Mode().IsRegular() {
			if info.Mode()&fs.ModeSymlink != 0 {
				target, _ := os.Readlink(path)
				fmt.Fprintf(w, "-> %q\n", target)
			}
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
	if err != nil {
		return treeKeys{}, err
	}
	keys := treeKeys{build: hex.EncodeToString(h.Sum(nil)), tests: map[string]string{}}
	for dir, th := range tests {
		keys.tests[dir] = hex.EncodeToString(th.Sum(nil))
	}
	return keys, nil
}

// binKey is the cache's name for the binary the go command makes with
// args from inputs named by key.
func binKey(key string, args []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %q", key, args)
	return hex.EncodeToString(h.Sum(nil))
}

// cachedBinary copies the binary named key from the cache to dst, and
// tells whether it did.
func cachedBinary(key, dst string) bool {
	dir := binCacheDir()
	if dir == "" || key == "" {
		return false
	}
	src := filepath.Join(dir, key)
	if err := copyExecutable(src, dst); err != nil {
		os.Remove(dst)
		return false
	}
	now := time.Now()
	os.Chtimes(src, now, now)
	return true
}

// storeBinary keeps a copy of the binary at src under key, and forgets the
// least recently used beyond binCacheEntries.
func storeBinary(key, src string) {
	dir := binCacheDir()
	if dir == "" || key == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return
	}
	tmp.Close()
	if err := copyExecutable(src, tmp.Name()); err != nil || os.Rename(tmp.Name(), filepath.Join(dir, key)) != nil {
		os.Remove(tmp.Name())
		return
	}
	pruneBinaries(dir)
}

// pruneBinaries removes all but the binCacheEntries most recently used
// binaries of dir, and temporary files older than an hour.
func pruneBinaries(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type bin struct {
		name string
		used time.Time
	}
	var bins []bin
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		if strings.HasPrefix(e.Name(), ".tmp-") {
			if time.Since(info.ModTime()) > time.Hour {
				os.Remove(filepath.Join(dir, e.Name()))
			}
			continue
		}
		bins = append(bins, bin{e.Name(), info.ModTime()})
	}
	sort.Slice(bins, func(i, j int) bool { return bins[i].used.After(bins[j].used) })
	for _, b := range bins[min(len(bins), binCacheEntries):] {
		os.Remove(filepath.Join(dir, b.name))
	}
}

// copyExecutable copies the file src to a new file dst, executable.
func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
