package checker

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modls/modls/workspace"
)

// A check that finds every file as the last check of the same listing
// left it needs neither the workspace model nor the packages' keys: they
// are a function of the listing (validated by its own record), the rules
// and the files below, which the memo records with the keys it led to.
//
// The keys depend on: the files of the Go module being checked that the
// workspace model and the rules read (Go files, manifests and other JSON,
// SQL, go.mod, go.sum, go.work, in the directories the model walks), the
// directory structure that decides what a module is, and the Go files of
// the packages of other local modules the listing names (a replace
// directive's). All of them are recorded, by contents.

// memoVersion changes with the memo's format or what it covers.
const memoVersion = 4

type keysMemo struct {
	Version int
	// Table holds, by absolute name, every file's content digest (files)
	// and its state when it was read (stats), encoded by encodeFiles:
	// tens of thousands of files at 1,000 modules, read at every check.
	Table []byte
	files map[string]string
	stats map[string]fileStat
	// At is the time the reading began (Unix nanoseconds).
	At int64
	// Dirs are digests of the entries of every directory walked.
	Dirs map[string]string
	// Findings are the roots' findings under their keys, as the results
	// rows hold them (file names relative: see pathCodec), in JSON.
	Findings []byte
	// Extra is what only a check after a change reads (memoExtra),
	// gob-encoded: a check that the memo answers does not decode it.
	Extra []byte
	// Direct are the direct imports (directImports) whose export data
	// the check read, in its order, with their keys: the next check
	// reads them ahead (directAhead).
	Direct    []memoBlob
	extraOnce sync.Once
	extra     memoExtra
}

type memoExtra struct {
	// Keys are the root packages' keys by import path.
	Keys map[string]string
	// Regs are the registrations the tokens of each package directory's
	// files gave (workspace.RegistrationMemo), and Imports what each
	// package's files import (not blank imports: loadedImports), each
	// with the digest of the files' names and contents they were read
	// from: a later check reads the files of a directory whose digest is
	// the same for neither.
	Regs    map[string]dirRegs
	Imports map[string]dirImports
	// Ifaces are the interface digests of the application's packages the
	// check knew, by the keys of the facts rows that hold them
	// (ifaceRowKey): a later check reads the rows of those whose key
	// changed alone.
	Ifaces map[string]string
}

// directOf returns m's Direct (nil for no memo).
func (m *keysMemo) directOf() []memoBlob {
	if m == nil {
		return nil
	}
	return m.Direct
}

// more decodes Extra, once; what does not decode is not known.
func (m *keysMemo) more() *memoExtra {
	m.extraOnce.Do(func() {
		if gob.NewDecoder(bytes.NewReader(m.Extra)).Decode(&m.extra) != nil {
			m.extra = memoExtra{}
		}
	})
	return &m.extra
}

type dirRegs struct {
	Sum   string
	Calls []workspace.Call
}

type dirImports struct {
	Sum     string
	Imports []string
}

// findings returns the memo's findings; false if it has none.
func (m *keysMemo) findings() ([]Diagnostic, bool) {
	if m.Findings == nil {
		return nil, false
	}
	var ds []Diagnostic
	if err := json.Unmarshal(m.Findings, &ds); err != nil {
		return nil, false
	}
	return ds, true
}

// memoKey is the key of the memo of a listing's keys under the rules.
func memoKey(listing, rules string) string {
	if listing == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("keys %d\n%s\n%s\n", memoVersion, listing, rules)))
	return hex.EncodeToString(sum[:])
}

// memoFile reports whether a file's contents can change a package's key.
func memoFile(name string) bool {
	switch name {
	case "go.mod", "go.sum", "go.work", "go.work.sum":
		return true
	}
	if strings.HasPrefix(name, ".") {
		return false // editors' swap and backup files
	}
	switch filepath.Ext(name) {
	case ".go", ".json", ".sql":
		return true
	}
	return false
}

// tree is the state of the files a check's keys depend on, read once:
// the keys are computed from these bytes (they join the check's overlay),
// the memo records their digests, and the listing's record is validated
// against them. Its directories are read and its files read and digested
// in parallel.
//
// A file whose state (size, modification and change times, inode) is as
// the last memo recorded it, and was already so well before that memo was
// made, keeps the digest recorded: its contents are not read (as git's
// index trusts an unchanged stat). The change time moves with every write
// and cannot be set back; a file changed within two seconds of the
// recording is read again every time, since a write in the same tick of
// the file system's clock leaves the times as they were.
type tree struct {
	mu      sync.Mutex
	root    string
	prev    *keysMemo // the last memo, whose digests a file's unchanged state keeps
	at      int64
	racy    time.Duration     // racyWindow
	data    map[string][]byte // contents read; every file's after loadAll but later's
	later   map[string]bool   // test files not read yet: see readLater
	sums    map[string]string
	stats   map[string]fileStat
	entries map[string][]os.DirEntry
	dirs    map[string]string // the memo's digest of each directory walked
	err     error

	// raced is set when a file read after the scan (read) is not as the
	// scan recorded it: the check's keys do not describe what it read.
	raced   atomic.Bool
	regs    map[string]dirRegs    // for the next memo
	imports map[string]dirImports // for the next memo
}

// fileStat is what a file's state says of its contents.
type fileStat struct {
	Size, Mtime, Ctime int64
	Ino, Dev           uint64
}

// racyWindow is how long after a file's last change its state is not
// trusted to show the next one.
const racyWindow = 2 * time.Second

// trusted returns the digest the last memo recorded for a file in state
// st, if its state shows it unchanged since.
func (t *tree) trusted(name string, st fileStat) (string, bool) {
	if t.prev == nil {
		return "", false
	}
	old, ok := t.prev.stats[name]
	if !ok || old != st || st.Ctime < 0 || st.Ctime >= t.prev.At-int64(t.racy) || st.Mtime >= t.prev.At-int64(t.racy) {
		return "", false
	}
	sum, ok := t.prev.files[name]
	return sum, ok
}

// record notes a file's state and digest, reading it unless its state
// shows it unchanged.
func (t *tree) record(name string) error {
	return t.recordNow(name, t.prev == nil)
}

// recordNow is record; with later, a test file is left to readLater.
func (t *tree) recordNow(name string, later bool) error {
	st, err := statOf(name)
	if err != nil {
		return err
	}
	sum, ok := t.trusted(name, st)
	if !ok && later && strings.HasSuffix(name, "_test.go") {
		t.mu.Lock()
		t.later[name] = true
		t.mu.Unlock()
		return nil
	}
	var data []byte
	if !ok {
		if data, err = os.ReadFile(name); err != nil {
			return err
		}
		sum = contentDigest(data)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats[name], t.sums[name] = st, sum
	if data != nil {
		t.data[name] = data
	}
	return nil
}

// readLater reads the test files the scan left for later that keep
// selects, and puts them in into too (when not nil). A first run reads
// a test file only when the check reads it: those of the packages it
// analyses and of the modules it reads in full before its findings, and
// the rest for the memo after them.
func (t *tree) readLater(keep func(name string) bool, into map[string][]byte) error {
	for name := range t.later {
		if !keep(name) {
			continue
		}
		delete(t.later, name)
		if err := t.recordNow(name, false); err != nil {
			return err
		}
		if into != nil {
			into[name] = t.data[name]
		}
	}
	return nil
}

// loadAll reads every file whose contents were not read, so that the
// keys are computed from exactly the bytes the digests are of.
func (t *tree) loadAll() error {
	var names []string
	for name := range t.sums {
		if _, ok := t.data[name]; !ok {
			names = append(names, name)
		}
	}
	// Read and digested in parallel, as the scan does.
	next := make(chan string)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range min(len(names), max(4, runtime.GOMAXPROCS(0)*2)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range next {
				data, err := os.ReadFile(name)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				sum := contentDigest(data)
				t.mu.Lock()
				t.data[name], t.sums[name] = data, sum
				t.mu.Unlock()
			}
		}()
	}
	for _, name := range names {
		next <- name
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// scanTree reads the files and directories below root as the workspace
// model walks them (not vendor, node_modules, testdata, hidden
// directories, nor other Go modules).
func scanTree(root string, prev *keysMemo) (*tree, error) {
	return scanTreeWindow(root, prev, racyWindow)
}

func scanTreeWindow(root string, prev *keysMemo, racy time.Duration) (*tree, error) {
	t := &tree{root: root, prev: prev, at: time.Now().UnixNano(), racy: racy, data: map[string][]byte{}, sums: map[string]string{}, stats: map[string]fileStat{},
		entries: map[string][]os.DirEntry{}, dirs: map[string]string{}, later: map[string]bool{},
		regs: map[string]dirRegs{}, imports: map[string]dirImports{}}
	work := make(chan string, 1024)
	var pending sync.WaitGroup
	pending.Add(1)
	work <- root
	go func() { pending.Wait(); close(work) }()
	var workers sync.WaitGroup
	for range max(4, runtime.GOMAXPROCS(0)*2) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for dir := range work {
				subs := t.scanDir(dir)
				for _, sub := range subs {
					pending.Add(1)
					select {
					case work <- sub:
					default:
						// The queue is full: walk it here rather than wait.
						t.scanAll(sub, &pending)
					}
				}
				pending.Done()
			}
		}()
	}
	workers.Wait()
	if t.err != nil {
		return nil, t.err
	}
	return t, nil
}

// scanAll walks dir and below on the calling goroutine.
func (t *tree) scanAll(dir string, pending *sync.WaitGroup) {
	for _, sub := range t.scanDir(dir) {
		pending.Add(1)
		t.scanAll(sub, pending)
	}
	pending.Done()
}

// scanDir reads one directory and its files, and returns the
// subdirectories to walk.
func (t *tree) scanDir(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.fail(err)
		return nil
	}
	if dir != t.root {
		for _, e := range entries {
			if e.Name() == "go.mod" && !e.IsDir() {
				return nil // another module's: not walked
			}
		}
	}
	h := sha256.New()
	var subs []string
	line := make([]byte, 0, 64)
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(dir, name)
		switch {
		case e.IsDir():
			if skipWalk(name) {
				continue
			}
			line = append(append(append(line[:0], "d "...), name...), '\n')
			h.Write(line)
			subs = append(subs, full)
		case memoFile(name):
			line = append(append(append(append(append(line[:0], "f "...), name...), ' '), e.Type().String()...), '\n')
			h.Write(line)
			if err := t.record(full); err != nil {
				t.fail(err) // no memo: every file must be known
				return nil
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries[dir] = entries
	t.dirs[dir] = hex.EncodeToString(h.Sum(nil))
	return subs
}

// mayHoldTemps tells whether dir may hold a writer's temporary files
// (SweepTemps): whether its listing, as the scan read it, has a hidden
// regular file, or the scan did not list it.
func (t *tree) mayHoldTemps(dir string) bool {
	if t == nil {
		return true
	}
	t.mu.Lock()
	entries, ok := t.entries[dir]
	t.mu.Unlock()
	if !ok {
		return true
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && e.Type().IsRegular() {
			return true
		}
	}
	return false
}

func (t *tree) fail(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
}

// addPackages reads the Go files of the listed packages the walk did not
// reach: of other local modules (a replace directive's), or named by a
// pattern below a directory it skips. The standard library's and the
// module cache's are immutable.
func (t *tree) addPackages(listed []*listedPackage) error {
	for _, p := range listed {
		if p.Standard || p.Module == nil || strings.Contains(p.Module.Dir, "@") {
			continue
		}
		for _, names := range [][]string{p.GoFiles, p.TestGoFiles, p.XTestGoFiles} {
			for _, n := range names {
				full := filepath.Join(p.Dir, n)
				if _, ok := t.sums[full]; ok {
					continue
				}
				if err := t.record(full); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// read returns a file's contents: as read before, or from the disk,
// checked against the digest the scan recorded (raced is set when they
// differ) and kept, so that every reader of the check sees the same
// bytes. A check that trusts the recorded digests of files it has not
// read reads them so, and only those it needs.
func (t *tree) read(name string) ([]byte, error) {
	t.mu.Lock()
	data, ok := t.data[name]
	sum, known := t.sums[name]
	t.mu.Unlock()
	if ok {
		return data, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		if known {
			t.raced.Store(true)
		}
		return nil, err
	}
	if known && contentDigest(data) != sum {
		t.raced.Store(true)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if d, ok := t.data[name]; ok {
		return d, nil // another reader's, first
	}
	t.data[name] = data
	return data, nil
}

// filesSum digests the names and recorded digests of files of the tree;
// false if one is not in it.
func (t *tree) filesSum(files []string) (string, bool) {
	h := sha256.New()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, f := range files {
		d, ok := t.sums[f]
		if !ok {
			return "", false
		}
		fmt.Fprintf(h, "%s %s\n", f, d)
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// Registrations implements workspace.RegistrationMemo with the last memo's
// records.
func (t *tree) Registrations(dir string, files []string) ([]workspace.Call, bool) {
	sum, ok := t.filesSum(files)
	if !ok || t.prev == nil {
		return nil, false
	}
	r, ok := t.prev.more().Regs[dir]
	if !ok || r.Sum != sum {
		return nil, false
	}
	t.mu.Lock()
	t.regs[dir] = r
	t.mu.Unlock()
	return r.Calls, true
}

// Read implements workspace.RegistrationMemo: recorded for the next memo.
func (t *tree) Read(dir string, files []string, calls []workspace.Call) {
	if sum, ok := t.filesSum(files); ok {
		t.mu.Lock()
		t.regs[dir] = dirRegs{Sum: sum, Calls: calls}
		t.mu.Unlock()
	}
}

// importsOf returns what the files of the package in dir import (not
// blank imports), from the last memo when they did not change, else read
// through readFile; false if a file cannot be read.
func (t *tree) importsOf(dir string, files []string, readFile func(string) ([]byte, error)) ([]string, bool) {
	sum, known := t.filesSum(files)
	if known && t.prev != nil {
		if r, ok := t.prev.more().Imports[dir]; ok && r.Sum == sum {
			t.mu.Lock()
			t.imports[dir] = r
			t.mu.Unlock()
			return r.Imports, true
		}
	}
	var imps []string
	for _, f := range files {
		src, err := readFile(f)
		if err != nil {
			return nil, false
		}
		imps = append(imps, loadedImports(f, src)...)
	}
	slices.Sort(imps)
	imps = slices.Compact(imps)
	if known {
		t.mu.Lock()
		t.imports[dir] = dirImports{Sum: sum, Imports: imps}
		t.mu.Unlock()
	}
	return imps, true
}

// digest returns a file's digest, from the tree or the disk.
func (t *tree) digest(name string) (string, error) {
	if t != nil {
		if sum, ok := t.sums[name]; ok {
			return sum, nil
		}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	return contentDigest(data), nil
}

// contents returns a file's contents, from the tree or the disk.
func (t *tree) contents(name string) ([]byte, error) {
	if t != nil {
		if data, ok := t.data[name]; ok {
			return data, nil
		}
	}
	return os.ReadFile(name)
}

// readDir returns a directory's entries, from the tree or the disk.
func (t *tree) readDir(dir string) ([]os.DirEntry, error) {
	if t != nil {
		if e, ok := t.entries[dir]; ok {
			return e, nil
		}
	}
	return os.ReadDir(dir)
}

func skipWalk(name string) bool {
	return name == "vendor" || name == "node_modules" || name == "testdata" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// newKeysMemo records keys computed from the tree's files.
func newKeysMemo(t *tree, keys map[string]string, findings []Diagnostic, direct []memoBlob, ifaces map[string]string) *keysMemo {
	for _, k := range keys {
		if k == "" {
			return nil // a file could not be read
		}
	}
	if findings == nil {
		findings = []Diagnostic{}
	}
	blob, err := json.Marshal(findings)
	if err != nil {
		return nil
	}
	var extra bytes.Buffer
	if gob.NewEncoder(&extra).Encode(memoExtra{Keys: keys, Regs: t.regs, Imports: t.imports, Ifaces: ifaces}) != nil {
		return nil
	}
	return &keysMemo{Version: memoVersion, files: t.sums, stats: t.stats, At: t.at, Dirs: t.dirs, Findings: blob, Extra: extra.Bytes(), Direct: direct}
}

// matches reports whether the tree is the one the memo was made from.
func (m *keysMemo) matches(t *tree) bool {
	if m.Version != memoVersion || len(m.files) != len(t.sums) || len(m.Dirs) != len(t.dirs) {
		return false
	}
	for dir, d := range t.dirs {
		if m.Dirs[dir] != d {
			return false
		}
	}
	for n, d := range t.sums {
		if m.files[n] != d {
			return false
		}
	}
	return true
}

// keysMemo returns the memo recorded under key, or nil.
func (c *Cache) keysMemo(key string) *keysMemo {
	m := new(keysMemo)
	if !c.getGob("memos", key, m) || m.Version != memoVersion {
		return nil
	}
	var ok bool
	if m.files, m.stats, ok = decodeFiles(m.Table); !ok {
		return nil
	}
	m.Table = nil
	return m
}

// putKeysMemo records a memo under key.
func (c *Cache) putKeysMemo(key string, m *keysMemo) {
	m.Table = encodeFiles(m.files, m.stats)
	c.putGob("memos", key, m)
}

// encodeFiles writes the files' digests and states in name order, each
// name as the length it shares with the one before and the rest, each
// digest in binary when it is hexadecimal.
func encodeFiles(files map[string]string, stats map[string]fileStat) []byte {
	names := slices.Sorted(maps.Keys(files))
	out := binary.AppendUvarint(nil, uint64(len(names)))
	prev := ""
	for _, n := range names {
		shared := 0
		for shared < len(prev) && shared < len(n) && prev[shared] == n[shared] {
			shared++
		}
		out = binary.AppendUvarint(out, uint64(shared))
		out = binary.AppendUvarint(out, uint64(len(n)-shared))
		out = append(out, n[shared:]...)
		prev = n
		d := files[n]
		if raw, err := hex.DecodeString(d); err == nil && len(raw) == sha256.Size {
			out = append(out, 0)
			out = append(out, raw...)
		} else {
			out = append(out, 1)
			out = binary.AppendUvarint(out, uint64(len(d)))
			out = append(out, d...)
		}
		st := stats[n]
		out = binary.AppendVarint(out, st.Size)
		out = binary.AppendVarint(out, st.Mtime)
		out = binary.AppendVarint(out, st.Ctime)
		out = binary.AppendUvarint(out, st.Ino)
		out = binary.AppendUvarint(out, st.Dev)
	}
	return out
}

// decodeFiles reads what encodeFiles wrote; false if it is not that.
func decodeFiles(b []byte) (map[string]string, map[string]fileStat, bool) {
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	sv := func() int64 { // binary.Varint's zig-zag form, read as unsigned
		u := uv()
		v := int64(u >> 1)
		if u&1 != 0 {
			v = ^v
		}
		return v
	}
	take := func(n uint64) []byte {
		if bad || n > uint64(len(b)) {
			bad = true
			return nil
		}
		out := b[:n]
		b = b[n:]
		return out
	}
	count := uv()
	if bad || count > uint64(len(b)) {
		return nil, nil, false
	}
	files := make(map[string]string, count)
	stats := make(map[string]fileStat, count)
	prev := ""
	for range count {
		shared := uv()
		rest := take(uv())
		if bad || shared > uint64(len(prev)) {
			return nil, nil, false
		}
		name := prev[:shared] + string(rest)
		prev = name
		var d string
		switch kind := take(1); {
		case bad:
			return nil, nil, false
		case kind[0] == 0:
			d = hex.EncodeToString(take(sha256.Size))
		default:
			d = string(take(uv()))
		}
		st := fileStat{Size: sv(), Mtime: sv(), Ctime: sv(), Ino: uv(), Dev: uv()}
		if bad {
			return nil, nil, false
		}
		files[name], stats[name] = d, st
	}
	return files, stats, len(b) == 0
}
