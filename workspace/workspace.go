// Package workspace is modls's model of a tree of framework modules: which
// applications and modules it holds (found by manifest.json), each module's
// manifest with the position of every key, what each module registers, looks
// up and migrates (read from its Go syntax), and the dependency graph. It is
// built once per tree and shared by every rule that needs facts from more
// than one module. It knows nothing of editors or of type checking.
package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/mod/modfile"

	"github.com/modls/modls/framework"
)

// Workspace is one Go module's tree: the applications under it and their
// framework modules.
type Workspace struct {
	// Root is the directory holding go.mod.
	Root string
	// ModulePath is the Go module path declared in go.mod.
	ModulePath string
	Apps       []*App
	// byDir finds a module by its directory: which application and
	// which of its modules. A model after a change that keeps every
	// module's directory and name shares it with the model before.
	byDir map[string]modRef
	// full and readDir are LoadFor's options: full is nil when every
	// module was read in full, readDir when the disk's are read.
	full     func(dir string) bool
	readDir  func(dir string) ([]fs.DirEntry, error)
	readFile func(name string) ([]byte, error)
	regs     RegistrationMemo
}

// App is a directory holding modules/<type>/<name>/ directories: the modules
// of one application, whose names are unique among themselves.
type App struct {
	Dir     string
	Modules []*Module // sorted by directory
	// byName is the index in Modules of the first module of each name,
	// shared as byDir is.
	byName map[string]int
	// deps answers which names lie on a cycle of declared dependencies;
	// shared with the model after a change that keeps every module's
	// name and dependencies.
	deps *depGraph
}

// modRef is where a Workspace holds a module: Apps[app].Modules[i].
type modRef struct{ app, i int }

// Module is one framework module: a directory modules/<type>/<name>/.
// What was read of it is shared by every model that holds the module
// unchanged: a model after a change (WithFile) copies the Module, whose
// App is that model's, and not what was read, which at 1,000 modules was
// half a megabyte per keystroke.
type Module struct {
	App *App
	*moduleData
}

// moduleData is what was read of a module. It does not change once the
// module is loaded.
type moduleData struct {
	// Dir is the module's directory; Type and DirName its last two elements.
	Dir, Type, DirName string
	// ImportPath is the Go import path of Dir.
	ImportPath string

	ManifestPath string
	ManifestData []byte
	// ManifestErr is why the manifest could not be read: fs.ErrNotExist
	// when it is missing, a *SyntaxError when it is not JSON.
	ManifestErr error
	// Object is the manifest with positions; nil if ManifestErr is set.
	Object *Object
	// Manifest holds the values of the manifest's keys that have the right
	// JSON type; the others are left zero (the manifest rule reports them).
	Manifest framework.Manifest

	Files         []string // the module's .go files, in every package under Dir
	Registrations []Call   // RegisterService calls with a constant name
	Lookups       []Call   // framework.Service calls with a constant name
	Migrations    []Migration
	// Queries are the constant SQL texts given directly to a database
	// call (Query, QueryRow, Exec, Prepare and their Context forms) in
	// every package of the module.
	Queries []Query
	// NonConstant lists the registrations, lookups and migrations whose
	// argument is not a constant: the model cannot say what they name.
	NonConstant []NonConstant
	// Partial is set when only the manifest and the registrations (with
	// the registrations among NonConstant) were read: see LoadFor.
	Partial bool
	// Gen is distinct for every load of the module: two models share a
	// module's facts exactly when its Gen is the same in both.
	Gen uint64
	// constImports are the packages of the Go module whose declarations
	// the evaluation of the module's constants imported.
	constImports []string
}

// Name is the module's name from its manifest, or <type>.<dir> when the
// manifest does not say.
func (m *Module) Name() string {
	if m.Manifest.Name != "" {
		return m.Manifest.Name
	}
	return m.Type + "." + m.DirName
}

// Call is a service registration or lookup in a module's Go code whose
// service name is a constant.
type Call struct {
	Service string
	Pos     token.Position
	// Methods is the number of ServiceMethod arguments of a registration,
	// or -1 if they are passed as a slice.
	Methods int
}

// Migration is one constant schema statement given to Setup.Migrate.
type Migration struct {
	SQL string
	Pos token.Position
}

// Query is constant SQL given to a database call.
type Query struct {
	SQL string
	Pos token.Position
}

// NonConstant is a registration, lookup or migration whose argument is not
// a constant.
type NonConstant struct {
	// What is "registration", "lookup" or "migration".
	What string
	Pos  token.Position
}

// Module returns the module whose directory holds dir (dir or an ancestor
// of it up to the module directory), or nil.
func (w *Workspace) Module(dir string) *Module {
	dir = filepath.Clean(dir)
	for {
		if r, ok := w.byDir[dir]; ok {
			return w.Apps[r.app].Modules[r.i]
		}
		parent := filepath.Dir(dir)
		if parent == dir || !strings.HasPrefix(parent, w.Root) {
			return nil
		}
		dir = parent
	}
}

// Modules lists every module of every application. The caller must not
// modify the list: with one application it is that application's (an
// append copies it).
func (w *Workspace) Modules() []*Module {
	if len(w.Apps) == 1 {
		mods := w.Apps[0].Modules
		return mods[:len(mods):len(mods)]
	}
	var out []*Module
	for _, a := range w.Apps {
		out = append(out, a.Modules...)
	}
	return out
}

// ByName returns the module of the application with the given name.
func (a *App) ByName(name string) *Module {
	if i, ok := a.byName[name]; ok {
		return a.Modules[i]
	}
	return nil
}

// Providers returns the modules of the application that register service.
func (a *App) Providers(service string) []*Module {
	var out []*Module
	for _, m := range a.Modules {
		for _, r := range m.Registrations {
			if r.Service == service {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// IsCore reports whether name is one of the framework's core modules.
func IsCore(name string) bool {
	for _, c := range framework.CoreModules {
		if c == name {
			return true
		}
	}
	return false
}

// CoreServices maps the services of the core modules to their module.
var CoreServices = map[string]string{
	"database.service":      "core.database",
	"settings.service":      "core.settings",
	"error_handler.service": "core.error_handler",
}

// FindRoot returns the nearest directory at or above dir that holds go.mod.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%s: no go.mod here or in any parent directory", dir)
		}
		d = parent
	}
}

// Overlay maps absolute file names to contents that replace (or add to) the
// files on disk, as an editor's unsaved buffers do.
type Overlay map[string][]byte

func (o Overlay) readFile(name string) ([]byte, error) {
	if data, ok := o[name]; ok {
		return data, nil
	}
	return os.ReadFile(name)
}

// MaxManifestSize is the largest manifest.json read: a larger one is not
// read or parsed (its ManifestErr is ErrManifestTooLarge), so that a
// runaway file costs neither time nor memory.
const MaxManifestSize = 1 << 20

// ErrManifestTooLarge is the ManifestErr of a manifest.json larger than
// MaxManifestSize.
var ErrManifestTooLarge = errors.New("manifest.json is larger than 1 MiB")

// readManifest reads a manifest of at most MaxManifestSize bytes.
func (o Overlay) readManifest(name string) ([]byte, error) {
	if data, ok := o[name]; ok {
		if len(data) > MaxManifestSize {
			return nil, ErrManifestTooLarge
		}
		return data, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxManifestSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxManifestSize {
		return nil, ErrManifestTooLarge
	}
	return data, nil
}

// skipDir reports whether a directory is never part of a workspace.
func skipDir(name string) bool {
	return name == "vendor" || name == "node_modules" || name == "testdata" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// Load builds the model of the Go module rooted at root (the directory of
// go.mod). Directories with a go.mod of their own are other workspaces and
// are left out, as are vendor, node_modules, testdata and hidden
// directories. Symbolic links are not followed.
func Load(root string, overlay Overlay) (*Workspace, error) {
	return LoadFor(root, overlay, LoadOptions{})
}

// LoadOptions say how LoadFor reads a tree.
type LoadOptions struct {
	// Full reports, for a module's directory, whether the module is read
	// in full; nil: every module is. Of the others, LoadFor reads what
	// rules checking another module ask of them: the manifest and the
	// registrations (Module.Partial is set). A check of some packages
	// needs the rest only of the modules whose code it analyses.
	Full func(dir string) bool
	// ReadDir lists a directory's entries, sorted by name, as os.ReadDir
	// does (nil: os.ReadDir), for a caller that has read the tree. It is
	// called from several goroutines at once.
	ReadDir func(dir string) ([]fs.DirEntry, error)
	// ReadFile reads a file the overlay does not hold (nil: os.ReadFile),
	// for a caller that reads the tree as it goes. It is called from
	// several goroutines at once.
	ReadFile func(name string) ([]byte, error)
	// Registrations, if set, remembers what the tokens of a package's
	// files said of its registrations, for the modules read in part.
	Registrations RegistrationMemo
}

// RegistrationMemo remembers the registrations read from the tokens of a
// package's files (see LoadFor), so that a later load need not read files
// that did not change. Its methods are called from several goroutines at
// once.
type RegistrationMemo interface {
	// Registrations returns the registrations of the package in dir as
	// read from the files named (its non-test Go files), if they were
	// read before and the files did not change since.
	Registrations(dir string, files []string) ([]Call, bool)
	// Read records the registrations read from the files named.
	Read(dir string, files []string, calls []Call)
}

// read returns a file's contents: the overlay's, or as LoadOptions.ReadFile
// reads it.
func (w *Workspace) read(overlay Overlay, name string) ([]byte, error) {
	if _, ok := overlay[name]; ok || w.readFile == nil {
		return overlay.readFile(name)
	}
	return w.readFile(name)
}

// readManifest is Overlay.readManifest, through LoadOptions.ReadFile.
func (w *Workspace) readManifest(overlay Overlay, name string) ([]byte, error) {
	if _, ok := overlay[name]; ok || w.readFile == nil {
		return overlay.readManifest(name)
	}
	data, err := w.readFile(name)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxManifestSize {
		return nil, ErrManifestTooLarge
	}
	return data, nil
}

// LoadFor builds the model as Load does, as opts say.
func LoadFor(root string, overlay Overlay, opts LoadOptions) (*Workspace, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	gomod, err := overlay.readFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", root, err)
	}
	w := &Workspace{Root: root, ModulePath: modfile.ModulePath(gomod), full: opts.Full, readDir: opts.ReadDir, readFile: opts.ReadFile, regs: opts.Registrations}
	if w.ModulePath == "" {
		return nil, fmt.Errorf("%s: go.mod declares no module path", filepath.Join(root, "go.mod"))
	}
	apps := map[string]*App{}
	added := map[string]bool{}
	addModule := func(path string, m *Module) {
		modulesDir := filepath.Dir(filepath.Dir(path))
		appDir := filepath.Dir(modulesDir)
		app := apps[appDir]
		if app == nil {
			app = &App{Dir: appDir}
			apps[appDir] = app
			w.Apps = append(w.Apps, app)
		}
		m.App = app
		app.Modules = append(app.Modules, m)
		added[m.Dir] = true
	}
	dirs, err := moduleDirs(root, w.dirReader())
	if err != nil {
		return nil, err
	}
	// The modules are read in parallel (mostly parsing), added in order.
	mods, err := loadModules(w, dirs, overlay)
	if err != nil {
		return nil, err
	}
	for i, m := range mods {
		if m != nil {
			addModule(dirs[i], m)
		}
	}
	// Modules that exist only in unsaved buffers.
	for name := range overlay {
		dir := filepath.Dir(name)
		if !isModuleDir(dir) || !strings.HasPrefix(dir, root+string(filepath.Separator)) || added[dir] {
			continue
		}
		if _, err := os.Stat(dir); err == nil {
			continue // on disk: the walk decided about it
		}
		m, err := loadModule(w, dir, overlay, indexOverlay(overlay))
		if err != nil {
			return nil, err
		}
		if m != nil {
			addModule(dir, m)
		}
	}
	for _, a := range w.Apps {
		sort.Slice(a.Modules, func(i, j int) bool { return a.Modules[i].Dir < a.Modules[j].Dir })
	}
	sort.Slice(w.Apps, func(i, j int) bool { return w.Apps[i].Dir < w.Apps[j].Dir })
	w.index()
	return w, nil
}

// index makes the maps that find the model's modules by directory and by
// name, and the applications' dependency graphs (made when first asked).
func (w *Workspace) index() {
	w.byDir = map[string]modRef{}
	for ai, a := range w.Apps {
		a.byName = make(map[string]int, len(a.Modules))
		a.deps = &depGraph{}
		for i, m := range a.Modules {
			if _, dup := a.byName[m.Name()]; !dup {
				a.byName[m.Name()] = i
			}
			w.byDir[m.Dir] = modRef{ai, i}
		}
	}
}

// loadModules reads the modules in dirs, GOMAXPROCS at a time; a nil
// module is a directory that holds none.
func loadModules(w *Workspace, dirs []string, overlay Overlay) ([]*Module, error) {
	mods := make([]*Module, len(dirs))
	errs := make([]error, len(dirs))
	idx := indexOverlay(overlay)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(dirs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				mods[i], errs[i] = loadModule(w, dirs[i], overlay, idx)
			}
		}()
	}
	for i := range dirs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return mods, nil
}

// loads counts the loads of modules, for Module.Gen.
var loads atomic.Uint64

// loadModule reads the module in dir, or returns nil if dir holds neither a
// manifest nor Go files.
func loadModule(w *Workspace, dir string, overlay Overlay, idx overlayIndex) (*Module, error) {
	m := &Module{moduleData: &moduleData{
		Dir:          dir,
		Type:         filepath.Base(filepath.Dir(dir)),
		DirName:      filepath.Base(dir),
		ManifestPath: filepath.Join(dir, "manifest.json"),
		Gen:          loads.Add(1),
	}}
	rel, err := filepath.Rel(w.Root, dir)
	if err != nil {
		return nil, err
	}
	m.ImportPath = w.ModulePath + "/" + filepath.ToSlash(rel)
	files, err := goFiles(dir, idx, w.dirReader())
	if err != nil {
		return nil, err
	}
	m.Files = files
	m.ManifestData, m.ManifestErr = w.readManifest(overlay, m.ManifestPath)
	if errors.Is(m.ManifestErr, fs.ErrNotExist) && len(files) == 0 {
		return nil, nil
	}
	if m.ManifestErr == nil {
		m.Object, m.ManifestErr = ParseObject(m.ManifestData)
		if m.Object != nil {
			m.Manifest = decodeManifest(m.Object)
		}
	}
	m.Partial = w.full != nil && !w.full(dir)
	scanModule(w, m, overlay, m.Partial)
	return m, nil
}

// moduleDirs walks the tree at root for the modules' directories,
// modules/<type>/<name>/, not entering skipped directories (skipDir) nor
// other Go modules (a directory holding go.mod), and not following
// symbolic links. An unreadable directory is skipped, unless it is a
// module's.
func moduleDirs(root string, readDir func(string) ([]fs.DirEntry, error)) ([]string, error) {
	var dirs []string
	var walk func(dir string) error
	walk = func(dir string) error {
		entries, err := readDir(dir)
		if err != nil && dir == root {
			return err
		}
		if err == nil && dir != root && holdsGoMod(dir, entries) {
			return nil
		}
		if modulesDir := filepath.Dir(filepath.Dir(dir)); filepath.Base(modulesDir) == "modules" && strings.HasPrefix(modulesDir, root) {
			dirs = append(dirs, dir)
			return nil // a module's subdirectories are its own packages
		}
		for _, e := range entries {
			if e.IsDir() && !skipDir(e.Name()) {
				if err := walk(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := walk(root)
	return dirs, err
}

// holdsGoMod reports whether a directory's entries name a go.mod (that is
// there, through a symbolic link).
func holdsGoMod(dir string, entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.Name() != "go.mod" {
			continue
		}
		if e.Type()&fs.ModeSymlink == 0 {
			return true
		}
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		return err == nil
	}
	return false
}

// decodeManifest takes each known key whose value has the right type.
func decodeManifest(o *Object) framework.Manifest {
	var man framework.Manifest
	dst := map[string]any{
		"name": &man.Name, "version": &man.Version, "description": &man.Description,
		"features": &man.Features, "dependencies": &man.Dependencies, "services": &man.Services,
		"heavy": &man.Heavy,
	}
	for _, f := range o.Fields {
		if p, ok := dst[f.Key]; ok {
			dec := json.NewDecoder(bytes.NewReader(f.Raw))
			if err := dec.Decode(p); err != nil {
				continue
			}
		}
	}
	return man
}

// overlayIndex lists an overlay's Go files under each directory that
// holds them, however deep.
type overlayIndex map[string][]string

func indexOverlay(overlay Overlay) overlayIndex {
	idx := overlayIndex{}
	for name := range overlay {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		for dir := filepath.Dir(name); ; {
			idx[dir] = append(idx[dir], name)
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return idx
}

// goFiles lists the .go files of dir and its package subdirectories, and
// those of the overlay below dir that are not on disk.
func goFiles(dir string, overlay overlayIndex, readDir func(string) ([]fs.DirEntry, error)) ([]string, error) {
	var out []string
	var walk func(d string)
	walk = func(d string) {
		entries, err := readDir(d)
		if err != nil {
			return
		}
		for _, e := range entries {
			path := filepath.Join(d, e.Name())
			switch {
			case e.IsDir():
				if !skipDir(e.Name()) {
					walk(path)
				}
			case strings.HasSuffix(path, ".go") && e.Type().IsRegular():
				out = append(out, path)
			}
		}
	}
	walk(dir)
	var err error
	if names := overlay[dir]; len(names) > 0 {
		walked := make(map[string]bool, len(out))
		for _, name := range out {
			walked[name] = true
		}
		for _, name := range names {
			if walked[name] {
				continue
			}
			if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out, err
}

// WithFile returns the model after a change to one file (an edit, a
// creation or a deletion), rebuilding only the module that holds it and
// the modules that use constants the changed package declares: the
// language server's path, where a full Load per keystroke is too slow. The
// receiver is not modified; modules other than the rebuilt ones are
// shared. A new manifest.json or a Go file of a new module directory loads
// the tree again, as does any change to a model LoadFor read in part.
func (w *Workspace) WithFile(name string, overlay Overlay) (*Workspace, error) {
	m := w.Module(filepath.Dir(name))
	if w.full != nil || m == nil && (filepath.Base(name) == "manifest.json" || strings.HasSuffix(name, ".go") && isModuleDir(filepath.Dir(name))) {
		return Load(w.Root, overlay)
	}
	// The changed module, and the modules whose constants the changed
	// package declares.
	redo := map[*Module]bool{}
	if m != nil {
		redo[m] = true
	}
	if strings.HasSuffix(name, ".go") {
		changed := importPath(w, filepath.Dir(name))
		for _, other := range w.Modules() {
			if slices.Contains(other.constImports, changed) {
				redo[other] = true
			}
		}
	}
	if len(redo) == 0 {
		return w, nil
	}
	fresh := map[*Module]*Module{}
	idx := indexOverlay(overlay)
	disk := *w
	disk.readDir, disk.readFile, disk.regs = nil, nil, nil // the files as they are now
	for old := range redo {
		f, err := loadModule(&disk, old.Dir, overlay, idx)
		if err != nil {
			return nil, err
		}
		fresh[old] = f
	}
	return w.replacing(fresh), nil
}

// Complete returns the model with the modules LoadFor read in part that
// full reports read in full, from the same overlay and directories, as
// LoadFor would have read them had its Full reported them too: a check
// that keys its packages with every module read in part reads in full
// only the modules of the packages it then analyses. The receiver is not
// modified; the other modules' facts are shared.
func (w *Workspace) Complete(full func(dir string) bool, overlay Overlay) (*Workspace, error) {
	var redo []*Module
	partial := 0
	for _, m := range w.Modules() {
		if !m.Partial {
			continue
		}
		partial++
		if full(m.Dir) {
			redo = append(redo, m)
		}
	}
	if len(redo) == 0 {
		return w, nil
	}
	was := w.full
	read := *w
	read.full = func(dir string) bool { return was(dir) || full(dir) }
	dirs := make([]string, len(redo))
	for i, m := range redo {
		dirs[i] = m.Dir
	}
	mods, err := loadModules(&read, dirs, overlay)
	if err != nil {
		return nil, err
	}
	fresh := make(map[*Module]*Module, len(redo))
	for i, m := range redo {
		fresh[m] = mods[i]
	}
	nw := w.replacing(fresh)
	nw.readDir, nw.readFile, nw.regs = w.readDir, w.readFile, w.regs
	if partial > len(redo) {
		nw.full = read.full
	}
	return nw, nil
}

// replacing returns a model of w's applications with the modules fresh
// maps replaced by their value (nil: removed), every module copied into
// new applications (their handles in one allocation). When every module
// keeps its directory and name, the maps that find them are w's, and an
// application whose modules keep their dependencies keeps its graph: a
// keystroke in a workspace of 1,000 modules then allocates kilobytes, not
// maps of every module.
func (w *Workspace) replacing(fresh map[*Module]*Module) *Workspace {
	nw := &Workspace{Root: w.Root, ModulePath: w.ModulePath}
	shape := true // every module's directory and name are as in w
	total := 0
	for _, a := range w.Apps {
		total += len(a.Modules)
	}
	handles := make([]Module, 0, total)
	for _, a := range w.Apps {
		na := &App{Dir: a.Dir, Modules: make([]*Module, 0, len(a.Modules)), deps: a.deps}
		for _, old := range a.Modules {
			mod := old
			if f, ok := fresh[old]; ok {
				if f == nil {
					shape = false // the module's last file is gone
					continue
				}
				if f.Dir != old.Dir || f.Name() != old.Name() {
					shape = false
				}
				if !slices.Equal(f.Manifest.Dependencies, old.Manifest.Dependencies) {
					na.deps = nil
				}
				mod = f
			}
			handles = append(handles, Module{App: na, moduleData: mod.moduleData})
			na.Modules = append(na.Modules, &handles[len(handles)-1])
		}
		if na.deps == nil {
			na.deps = &depGraph{}
		}
		na.byName = a.byName
		nw.Apps = append(nw.Apps, na)
	}
	if !shape || w.byDir == nil {
		nw.index()
		return nw
	}
	nw.byDir = w.byDir
	return nw
}

// dirReader is LoadFor's ReadDir, or os.ReadDir.
func (w *Workspace) dirReader() func(string) ([]fs.DirEntry, error) {
	if w.readDir == nil {
		return os.ReadDir
	}
	return w.readDir
}

// isModuleDir reports whether dir has the shape modules/<type>/<name>.
func isModuleDir(dir string) bool {
	return filepath.Base(filepath.Dir(filepath.Dir(dir))) == "modules"
}
