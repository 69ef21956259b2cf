package phases

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// Analyzer reports work done in the wrong phase.
var Analyzer = &analysis.Analyzer{
	Name:      Doc.ID,
	Doc:       Doc.AnalyzerDoc(),
	URL:       Doc.URL(),
	Run:       run,
	FactTypes: []analysis.Fact{new(Effects)},
	Requires:  []*analysis.Analyzer{fw.Analyzer},
}

// Effects is the fact of an exported function of the application: what it
// does, directly or through what it calls, that a phase forbids. A
// module's Setup or Start that calls it, from another package, gets the
// findings.
type Effects struct {
	List []Effect
}

// AFact marks Effects as an analysis fact.
func (*Effects) AFact() {}

func (e *Effects) String() string {
	var msgs []string
	for _, x := range e.List {
		msgs = append(msgs, x.Msg)
	}
	return "phase effects: " + strings.Join(msgs, "; ")
}

// Effect is one forbidden thing a function does.
type Effect struct {
	// Setup is set for what Setup must not do, clear for what Start must
	// not do.
	Setup bool
	// Msg says what it is ("I/O (os.ReadFile) during Setup").
	Msg string
	// File, Offset and End are where it is done.
	File        string
	Offset, End int
	// Chain names the functions that lead to it, the exported one first,
	// qualified by its package ("store.Load", "readSeed").
	Chain []string
}

// maxEffects bounds the effects a fact records per function and phase.
const maxEffects = 8

type phase int

const (
	setupPhase phase = iota
	startPhase
)

func (p phase) String() string {
	if p == setupPhase {
		return "Setup"
	}
	return "Start"
}

type checker struct {
	pass *analysis.Pass
	// decls are the package's functions and methods with a body, outside
	// test files.
	decls map[*types.Func]*ast.FuncDecl
	// funcVars are the function literals and functions assigned to each
	// local variable, for calls through the variable.
	funcVars map[*types.Var][]ast.Expr
	reported map[[3]token.Pos]bool // by place reported, offending start and end
}

// walk is one traversal from a phase method.
type walk struct {
	*checker
	phase   phase
	root    *ast.FuncDecl
	visited map[*types.Func]bool
	// litsVisited are the function literals followed through variables.
	litsVisited map[*ast.FuncLit]bool
	// siteEnd is the end of each call in the phase method that starts a
	// chain.
	siteEnd map[token.Pos]token.Pos
	// collect, when set, receives the effects instead of reports: the walk
	// computes a fact.
	collect *[]Effect
}

func run(pass *analysis.Pass) (any, error) {
	if !fw.IsApplication(pass) {
		return nil, nil
	}
	c := &checker{
		pass:     pass,
		decls:    map[*types.Func]*ast.FuncDecl{},
		funcVars: map[*types.Var][]ast.Expr{},
		reported: map[[3]token.Pos]bool{},
	}
	for _, f := range pass.Files {
		if isTestFile(pass, f) {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					c.decls[fn] = fd
				}
			}
		}
		ast.Inspect(f, c.collectFuncVars)
	}
	_, m := fw.Module(pass)
	if m == nil || !fw.IsModuleRoot(pass, m) {
		// A sub-package of a module or a helper package of the
		// application: what its functions do reaches the phase methods
		// that call them through their facts. (A module's own package is
		// called by no other package of the application.)
		c.exportEffects()
	}
	if m == nil {
		return nil, nil
	}
	setup, start := fw.PhaseFuncs(pass)
	for _, roots := range []struct {
		phase phase
		fds   []*ast.FuncDecl
	}{{setupPhase, setup}, {startPhase, start}} {
		for _, fd := range roots.fds {
			if isTestFile(pass, fileOf(pass, fd)) {
				continue
			}
			w := &walk{checker: c, phase: roots.phase, root: fd, visited: map[*types.Func]bool{}, litsVisited: map[*ast.FuncLit]bool{}, siteEnd: map[token.Pos]token.Pos{}}
			if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
				w.visited[fn] = true
			}
			w.body(fd.Body, nil, token.NoPos)
		}
	}
	return nil, nil
}

func isTestFile(pass *analysis.Pass, f *ast.File) bool {
	return f != nil && strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go")
}

func fileOf(pass *analysis.Pass, n ast.Node) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= n.Pos() && n.Pos() < f.FileEnd {
			return f
		}
	}
	return nil
}

func (c *checker) collectFuncVars(n ast.Node) bool {
	add := func(lhs, rhs ast.Expr) {
		id, ok := lhs.(*ast.Ident)
		if !ok {
			return
		}
		obj := c.pass.TypesInfo.Defs[id]
		if obj == nil {
			obj = c.pass.TypesInfo.Uses[id]
		}
		if v, ok := obj.(*types.Var); ok && !v.IsField() {
			if _, isSig := v.Type().Underlying().(*types.Signature); isSig {
				c.funcVars[v] = append(c.funcVars[v], rhs)
			}
		}
	}
	switch n := n.(type) {
	case *ast.AssignStmt:
		if len(n.Lhs) == len(n.Rhs) {
			for i := range n.Lhs {
				add(n.Lhs[i], n.Rhs[i])
			}
		}
	case *ast.ValueSpec:
		if len(n.Names) == len(n.Values) {
			for i := range n.Names {
				add(n.Names[i], n.Values[i])
			}
		}
	}
	return true
}

// body inspects code that runs during the phase. chain names the functions
// that lead from the phase method to it; site is the call in the phase
// method that starts the chain.
func (w *walk) body(body ast.Node, chain []string, site token.Pos) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // runs when called; calls are followed below
		case *ast.GoStmt:
			if w.phase == setupPhase {
				w.report(n.Pos(), n.Go+token.Pos(len("go")), "goroutine started during Setup", chain, site)
			}
			return false
		case *ast.CallExpr:
			w.call(n, chain, site)
		}
		return true
	})
}

func (w *walk) call(call *ast.CallExpr, chain []string, site token.Pos) {
	info := w.pass.TypesInfo
	fn := fw.Callee(info, call)
	if msg := w.violation(call, fn); msg != "" {
		w.report(call.Pos(), call.End(), msg, chain, site)
	}
	at := site
	if len(chain) == 0 {
		at = call.Pos()
		w.siteEnd[at] = call.End()
	}
	// Follow what the call runs now: a function of this package, a
	// function literal called in place, a variable holding either.
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		w.body(fun.Body, chain, site)
		return
	case *ast.Ident:
		if v, ok := info.Uses[fun].(*types.Var); ok {
			for _, rhs := range w.funcVars[v] {
				switch rhs := ast.Unparen(rhs).(type) {
				case *ast.FuncLit:
					if !w.litsVisited[rhs] {
						w.litsVisited[rhs] = true
						w.body(rhs.Body, append(chain[:len(chain):len(chain)], fun.Name), at)
					}
				default:
					w.follow(funcOf(info, rhs), chain, at)
				}
			}
			return
		}
	}
	w.follow(fn, chain, at)
}

func (w *walk) follow(fn *types.Func, chain []string, at token.Pos) {
	if fn == nil || w.visited[fn] {
		return
	}
	fd, ok := w.decls[fn]
	if !ok {
		w.imported(fn, chain, at)
		return
	}
	w.visited[fn] = true
	w.body(fd.Body, append(chain[:len(chain):len(chain)], fn.Name()), at)
}

// imported reports the effects of a function of another package of the
// application, from its fact.
func (w *walk) imported(fn *types.Func, chain []string, at token.Pos) {
	if fn.Pkg() == nil || fn.Pkg() == w.pass.Pkg {
		return
	}
	w.visited[fn] = true
	var eff Effects
	if !w.pass.ImportObjectFact(fn.Origin(), &eff) {
		return
	}
	for _, e := range eff.List {
		if e.Setup != (w.phase == setupPhase) {
			continue
		}
		pos := fw.PositionOf(w.pass, e.File, e.Offset)
		end := fw.PositionOf(w.pass, e.File, e.End)
		if !pos.IsValid() {
			continue
		}
		w.report(pos, end, e.Msg, append(chain[:len(chain):len(chain)], e.Chain...), at)
	}
}

// exportEffects computes the Effects fact of every exported function and
// method of the package: what each does, directly or not, that Setup or
// Start must not do.
func (c *checker) exportEffects() {
	var fns []*types.Func
	for fn := range c.decls {
		if fn.Exported() {
			fns = append(fns, fn)
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for _, fn := range fns {
		fd := c.decls[fn]
		var all []Effect
		for _, ph := range []phase{setupPhase, startPhase} {
			var got []Effect
			w := &walk{checker: c, phase: ph, root: fd, visited: map[*types.Func]bool{fn: true},
				litsVisited: map[*ast.FuncLit]bool{}, siteEnd: map[token.Pos]token.Pos{}, collect: &got}
			w.body(fd.Body, []string{qualifiedName(fn)}, fd.Pos())
			if len(got) > maxEffects {
				got = got[:maxEffects]
			}
			all = append(all, got...)
		}
		if len(all) > 0 {
			c.pass.ExportObjectFact(fn, &Effects{List: all})
		}
	}
}

// qualifiedName names an exported function as its callers write it:
// store.Load, store.Cache.Load.
func qualifiedName(fn *types.Func) string {
	if r := recvName(fn); r != "" {
		return fn.Pkg().Name() + "." + r + "." + fn.Name()
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

// funcOf is the function a function value expression names: f, pkg.F,
// x.Method.
func funcOf(info *types.Info, e ast.Expr) *types.Func {
	switch e := e.(type) {
	case *ast.Ident:
		fn, _ := info.Uses[e].(*types.Func)
		return fn
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			fn, _ := sel.Obj().(*types.Func)
			return fn
		}
		fn, _ := info.Uses[e.Sel].(*types.Func)
		return fn
	}
	return nil
}

// report places a finding on the offending call when it is in the phase
// method itself, and otherwise on the call in the phase method that leads
// to it: that is the line to change, since the helper may be called from
// elsewhere too. Related information points at the other place.
func (w *walk) report(pos, end token.Pos, msg string, chain []string, site token.Pos) {
	if w.collect != nil {
		p, e := w.pass.Fset.Position(pos), w.pass.Fset.Position(end)
		for _, old := range *w.collect {
			if old.File == p.Filename && old.Offset == p.Offset && old.Msg == msg {
				return
			}
		}
		*w.collect = append(*w.collect, Effect{Setup: w.phase == setupPhase, Msg: msg, File: p.Filename, Offset: p.Offset, End: e.Offset,
			Chain: append([]string(nil), chain...)})
		return
	}
	at, atEnd := pos, end
	if len(chain) > 0 {
		at, atEnd = site, w.siteEnd[site]
	}
	key := [3]token.Pos{at, pos, end}
	if w.reported[key] {
		return
	}
	w.reported[key] = true
	related := []analysis.RelatedInformation{{
		Pos: w.root.Name.Pos(), End: w.root.Name.End(),
		Message: fmt.Sprintf("the %s method", w.phase),
	}}
	if len(chain) > 0 {
		msg += " (through " + strings.Join(chain, " → ") + ")"
		related = append(related, analysis.RelatedInformation{
			Pos: pos, End: end, Message: "here, in " + chain[len(chain)-1],
		})
	}
	w.pass.Report(analysis.Diagnostic{
		Pos:      at,
		End:      atEnd,
		Category: Doc.ID,
		Message:  msg,
		Related:  related,
	})
}

// violation says what the call does that its phase forbids, or "".
func (w *walk) violation(call *ast.CallExpr, fn *types.Func) string {
	if fn == nil {
		return ""
	}
	if w.phase == startPhase {
		for _, m := range []string{"RegisterService", "Migrate", "Handle"} {
			if fw.IsMethod(fn, "Setup", m) {
				return fmt.Sprintf("registration call Setup.%s during Start; declarations belong in Setup", m)
			}
		}
		if fw.IsFunc(fn, "Settings") {
			return "registration call framework.Settings during Start; declarations belong in Setup"
		}
		return ""
	}
	switch {
	case fw.IsFunc(fn, "Service"):
		if len(call.Args) == 2 {
			if name, ok := fw.StringValue(w.pass.TypesInfo, call.Args[1]); ok {
				return fmt.Sprintf("service lookup of %q during Setup", name)
			}
		}
		return "service lookup during Setup"
	case fw.IsMethod(fn, "App", "DB"):
		return "database access (App.DB) during Setup"
	}
	if recv := recvName(fn); recv != "" && fn.Pkg().Path() == fw.Path && (recv == "DB" || recv == "Tx") {
		return fmt.Sprintf("database access (%s.%s) during Setup", recv, fn.Name())
	}
	if name := databaseSQL(fn); name != "" {
		return fmt.Sprintf("database access (%s) during Setup", name)
	}
	if name := ioCall(fn); name != "" {
		return fmt.Sprintf("I/O (%s) during Setup", name)
	}
	return ""
}

// recvName is the name of the named type fn is a method of, or "".
func recvName(fn *types.Func) string {
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return ""
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// display names fn as its package and receiver read in source: os.ReadFile,
// http.Client.Do.
func display(fn *types.Func) string {
	if r := recvName(fn); r != "" {
		return fn.Pkg().Name() + "." + r + "." + fn.Name()
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

// databaseSQL names a database/sql call that opens or uses a database.
func databaseSQL(fn *types.Func) string {
	if fn.Pkg() == nil || fn.Pkg().Path() != "database/sql" {
		return ""
	}
	switch recvName(fn) {
	case "":
		if fn.Name() == "Open" || fn.Name() == "OpenDB" {
			return display(fn)
		}
	case "DB", "Conn", "Tx", "Stmt":
		return display(fn)
	}
	return ""
}

var ioFuncs = map[string]map[string]bool{
	"os": set("Open", "OpenFile", "OpenRoot", "OpenInRoot", "Create", "CreateTemp", "ReadFile", "WriteFile", "ReadDir",
		"Mkdir", "MkdirAll", "MkdirTemp", "Remove", "RemoveAll", "Rename", "Stat", "Lstat", "Chmod", "Chown",
		"Lchown", "Chtimes", "Chdir", "Truncate", "Link", "Symlink", "Readlink", "StartProcess", "FindProcess", "CopyFS"),
	"os/exec":       set("LookPath"),
	"io/ioutil":     set("ReadFile", "WriteFile", "ReadDir", "TempDir", "TempFile"),
	"path/filepath": set("Walk", "WalkDir", "Glob", "EvalSymlinks"),
	"net/http":      set("Get", "Head", "Post", "PostForm", "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"),
}

var ioMethods = map[string]map[string]bool{
	"os/exec.Cmd":      set("Run", "Start", "Output", "CombinedOutput"),
	"net/http.Client":  set("Do", "Get", "Head", "Post", "PostForm"),
	"net/http.Server":  set("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"),
	"net.Dialer":       set("Dial", "DialContext"),
	"net.ListenConfig": set("Listen", "ListenPacket"),
	"net.Resolver":     set("LookupHost", "LookupIP", "LookupIPAddr", "LookupAddr", "LookupCNAME", "LookupMX", "LookupNS", "LookupTXT", "LookupSRV", "LookupPort", "LookupNetIP"),
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// ioCall names a call that does file, process or network I/O.
func ioCall(fn *types.Func) string {
	if fn.Pkg() == nil {
		return ""
	}
	path := fn.Pkg().Path()
	if r := recvName(fn); r != "" {
		if ioMethods[path+"."+r][fn.Name()] {
			return display(fn)
		}
		return ""
	}
	if ioFuncs[path][fn.Name()] {
		return display(fn)
	}
	if path == "net" {
		for _, prefix := range []string{"Dial", "Listen", "Lookup"} {
			if strings.HasPrefix(fn.Name(), prefix) {
				return display(fn)
			}
		}
	}
	return ""
}
