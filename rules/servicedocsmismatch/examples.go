package servicedocsmismatch

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// example is one entry's Example, to type-check against the service.
type example struct {
	value ast.Expr // the Example field's value
	text  string
	impl  types.Type
	file  *ast.File // the file of the registration
	// extra maps the names of standard packages the example uses, which
	// its file does not import, to their paths.
	extra map[string]string
	// unjudged is set when the example needs a package whose types are
	// not at hand.
	unjudged bool
}

func (c *entryCheck) example() *example {
	val, ok := c.e.Fields["Example"]
	if !ok {
		return nil
	}
	text, ok := fw.StringValue(c.pass.TypesInfo, val)
	if !ok || strings.TrimSpace(text) == "" {
		return nil
	}
	f := fileOf(c.pass, c.reg.Call)
	if f == nil {
		return nil
	}
	return &example{value: val, text: text, impl: c.reg.Impl, file: f}
}

// checkExamples type-checks every Example as the body of a function
//
//	func _(ctx context.Context, svc <implementation>) error { <Example> }
//
// in a copy of the package: the package's files plus one synthetic file per
// file holding registrations, importing what that file imports under the
// same names. pass.Pkg is not touched. Unused variables and imports, and a
// missing final return, are not errors in an example.
//
// An example may also be written as a caller in another module writes it,
// naming the package's types through its name (catalog.Item): when the
// copy of the package finds that name undefined, the example is checked
// again in a package of its own that imports the service's package.
func checkExamples(pass *analysis.Pass, examples []*example) {
	var valid []*example
	for _, ex := range examples {
		if msg := parseError(ex.text); msg != "" {
			report(pass, ex.value, nil, nil, "Example is not valid Go: %s", msg)
			continue
		}
		valid = append(valid, ex)
	}
	if len(valid) == 0 {
		return
	}
	for _, f := range pass.Files {
		for _, imp := range f.Imports {
			if imp.Path.Value == `"C"` {
				return // cgo: the files are not the package's whole source
			}
		}
	}
	imports := transitiveImports(pass.Pkg)
	if imports["context"] == nil {
		return
	}
	inside := typeCheckWithStd(pass, valid, imports, false)
	var again []*example
	for _, ex := range valid {
		for _, msg := range inside[ex] {
			if msg == "undefined: "+pass.Pkg.Name() {
				again = append(again, ex)
				break
			}
		}
	}
	outside := typeCheckWithStd(pass, again, imports, true)
	for _, ex := range again {
		inside[ex] = outside[ex]
	}
	for _, ex := range valid {
		if msgs := inside[ex]; len(msgs) > 0 && !ex.unjudged {
			report(pass, ex.value, nil, nil, "Example does not type-check: %s", oneLine(msgs[0]))
		}
	}
}

// typeCheckWithStd type-checks the examples, then again, for those that
// name a standard-library package their file does not import ("undefined:
// time"), with that package imported: an example may use any of them. A
// package name that several standard packages share is resolved to the one
// that has every name the example selects from it. An example that needs a
// standard package the service's package does not depend on, whose types
// are therefore not at hand, is not judged.
func typeCheckWithStd(pass *analysis.Pass, examples []*example, imports map[string]*types.Package, caller bool) map[*example][]string {
	errs := typeCheck(pass, examples, imports, caller)
	var again []*example
	for _, ex := range examples {
		for _, msg := range errs[ex] {
			name, ok := strings.CutPrefix(msg, "undefined: ")
			if !ok || !stdNames()[name] {
				continue
			}
			if p := stdPackage(ex, name, imports); p != nil {
				if ex.extra == nil {
					ex.extra = map[string]string{}
				}
				ex.extra[name] = p.Path()
			} else {
				ex.unjudged = true
			}
		}
		if ex.extra != nil && !ex.unjudged {
			again = append(again, ex)
		}
	}
	if len(again) == 0 {
		return errs
	}
	second := typeCheck(pass, again, imports, caller)
	for _, ex := range again {
		if msgs, ok := second[ex]; ok {
			errs[ex] = msgs
		} else {
			delete(errs, ex) // it type-checks with the package imported
		}
	}
	return errs
}

// stdPackage returns the standard package among imports that an example
// means by name: the only one so named, or the one that declares every
// name the example selects from it.
func stdPackage(ex *example, name string, imports map[string]*types.Package) *types.Package {
	var cands []*types.Package
	for path, p := range imports {
		if p.Name() == name && isStd(path) {
			cands = append(cands, p)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		return len(cands[i].Path()) < len(cands[j].Path()) || len(cands[i].Path()) == len(cands[j].Path()) && cands[i].Path() < cands[j].Path()
	})
	sels := selectedNames(ex.text, name)
	for _, p := range cands {
		ok := true
		for _, sel := range sels {
			if p.Scope().Lookup(sel) == nil {
				ok = false
			}
		}
		if ok {
			return p
		}
	}
	return nil
}

// selectedNames are the names an example selects from name (name.X).
func selectedNames(text, name string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+text+"\n}\n", parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
				out = append(out, sel.Sel.Name)
			}
		}
		return true
	})
	return out
}

// isStd reports whether an import path is a standard-library package's.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

var stdNamesOnce struct {
	sync.Once
	names map[string]bool
}

// stdNames are the names of the standard library's packages, read from
// GOROOT/src once.
func stdNames() map[string]bool {
	stdNamesOnce.Do(func() {
		names := map[string]bool{}
		root := filepath.Join(build.Default.GOROOT, "src")
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			switch d.Name() {
			case "testdata", "internal", "vendor", "cmd":
				return filepath.SkipDir
			}
			if path != root {
				names[d.Name()] = true
			}
			return nil
		})
		stdNamesOnce.names = names
	})
	return stdNamesOnce.names
}

// typeCheck returns the type errors of each example, first by position;
// none for an example that type-checks or that cannot be judged (its
// synthetic file has an error outside the examples' bodies). With caller
// set, the examples are checked in a package of their own that imports the
// service's package under its name; otherwise in a copy of the package.
func typeCheck(pass *analysis.Pass, examples []*example, imports map[string]*types.Package, caller bool) map[*example][]string {
	if len(examples) == 0 {
		return nil
	}
	type body struct {
		lbrace, rbrace token.Pos
		ex             *example
	}
	var synth []*ast.File
	var bodies []body
	byFile := map[*ast.File][]*example{}
	var order []*ast.File
	for _, ex := range examples {
		if byFile[ex.file] == nil {
			order = append(order, ex.file)
		}
		byFile[ex.file] = append(byFile[ex.file], ex)
	}
	for n, file := range order {
		src := syntheticFile(pass, file, byFile[file], imports["context"], caller)
		name := fmt.Sprintf("%s#modls-examples-%d.go", pass.Fset.File(file.Pos()).Name(), n)
		sf, err := parser.ParseFile(pass.Fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		var funcs []*ast.FuncDecl
		for _, d := range sf.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				funcs = append(funcs, fd)
			}
		}
		if len(funcs) != len(byFile[file]) {
			continue
		}
		for i, fd := range funcs {
			bodies = append(bodies, body{fd.Body.Lbrace, fd.Body.Rbrace, byFile[file][i]})
		}
		synth = append(synth, sf)
	}
	if len(synth) == 0 {
		return nil
	}

	var errs []types.Error
	conf := types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			switch {
			case path == "unsafe":
				return types.Unsafe, nil
			case caller && path == pass.Pkg.Path():
				return pass.Pkg, nil
			case imports[path] != nil:
				return imports[path], nil
			}
			return nil, fmt.Errorf("%s is not among the imports of %s", path, pass.Pkg.Path())
		}),
		GoVersion: pass.Pkg.GoVersion(),
		Sizes:     pass.TypesSizes,
		Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				errs = append(errs, te)
			}
		},
	}
	files, path := synth, "modls.example/caller"
	if !caller {
		files, path = append(withoutBodies(pass.Files), synth...), pass.Pkg.Path()
	}
	_, _ = conf.Check(path, pass.Fset, files, nil)

	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Pos < errs[j].Pos })
	out := map[*example][]string{}
	unjudged := map[*token.File]bool{}
	for _, te := range errs {
		tf := pass.Fset.File(te.Pos)
		if tf == nil || ignorable(te.Msg) {
			continue
		}
		in, synthetic := -1, false
		for i, b := range bodies {
			if pass.Fset.File(b.lbrace) == tf {
				synthetic = true
				if b.lbrace < te.Pos && te.Pos <= b.rbrace {
					in = i
				}
			}
		}
		switch {
		case in >= 0:
			out[bodies[in].ex] = append(out[bodies[in].ex], te.Msg)
		case synthetic:
			// An import, or a signature the implementation's type cannot
			// be written in: the examples of that file cannot be judged.
			unjudged[tf] = true
		}
	}
	for _, b := range bodies {
		if unjudged[pass.Fset.File(b.lbrace)] {
			delete(out, b.ex)
		}
	}
	return out
}

// ignorable are errors that do not make an example wrong.
func ignorable(msg string) bool {
	return strings.Contains(msg, "declared and not used") ||
		strings.Contains(msg, "imported and not used") ||
		strings.Contains(msg, "imported as") && strings.Contains(msg, "and not used") ||
		msg == "missing return"
}

// parseError is why an example is not a list of statements, or "".
func parseError(text string) string {
	src := "package p\nfunc _() {\n" + text + "\n}\n"
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
			return list[0].Msg
		}
		return err.Error()
	}
	if len(f.Decls) != 1 {
		return "it is not a list of statements"
	}
	return ""
}

// syntheticFile is the source of a file that holds one function per
// example, with the imports of the registration's file: a file of the
// package, or with caller set a file of another package that also imports
// the package under its name.
func syntheticFile(pass *analysis.Pass, file *ast.File, examples []*example, ctxPkg *types.Package, caller bool) string {
	self := pass.Pkg.Name()
	taken := func(name string) bool {
		if caller && name == self {
			return true
		}
		if pass.Pkg.Scope().Lookup(name) != nil {
			return true
		}
		for _, imp := range file.Imports {
			if imp.Name != nil && imp.Name.Name == name {
				return true
			}
			if path, err := strconv.Unquote(imp.Path.Value); err == nil && imp.Name == nil && lastElem(path) == name {
				return true
			}
		}
		return false
	}
	alias := func(base string) string {
		name := base
		for i := 2; taken(name); i++ {
			name = fmt.Sprintf("%s%d", base, i)
		}
		return name
	}

	var b strings.Builder
	if caller {
		b.WriteString("package modls_examples\n\nimport (\n")
		fmt.Fprintf(&b, "\t%s %q\n", self, pass.Pkg.Path())
	} else {
		fmt.Fprintf(&b, "package %s\n\nimport (\n", self)
	}
	for _, imp := range file.Imports {
		if imp.Name != nil && imp.Name.Name == "_" {
			continue
		}
		if imp.Name != nil {
			fmt.Fprintf(&b, "\t%s %s\n", imp.Name.Name, imp.Path.Value)
		} else {
			fmt.Fprintf(&b, "\t%s\n", imp.Path.Value)
		}
	}
	ctxName := alias("modls_context")
	fmt.Fprintf(&b, "\t%s %q\n", ctxName, ctxPkg.Path())
	extra := map[string]string{}
	for _, ex := range examples {
		for name, path := range ex.extra {
			extra[name] = path
		}
	}
	var extraNames []string
	for name := range extra {
		extraNames = append(extraNames, name)
	}
	sort.Strings(extraNames)
	for _, name := range extraNames {
		if !taken(name) {
			fmt.Fprintf(&b, "\t%s %q\n", name, extra[name])
		}
	}
	aliases := map[*types.Package]string{}
	var funcs strings.Builder
	for _, ex := range examples {
		implType := types.TypeString(ex.impl, func(p *types.Package) string {
			if p == pass.Pkg {
				if caller {
					return self
				}
				return ""
			}
			if a, ok := aliases[p]; ok {
				return a
			}
			a := alias(fmt.Sprintf("modls_pkg%d", len(aliases)))
			aliases[p] = a
			return a
		})
		fmt.Fprintf(&funcs, "\nfunc _(ctx %s.Context, svc %s) error {\n%s\n}\n", ctxName, implType, ex.text)
	}
	paths := make([]string, 0, len(aliases))
	byPath := map[string]string{}
	for p, a := range aliases {
		paths = append(paths, p.Path())
		byPath[p.Path()] = a
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(&b, "\t%s %q\n", byPath[p], p)
	}
	b.WriteString(")\n")
	b.WriteString(funcs.String())
	return b.String()
}

// oneLine joins the lines of a compiler message ("not enough arguments in
// call to svc.Reset\n\thave ()\n\twant (context.Context)") with "; ".
func oneLine(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "; ")
}

func lastElem(path string) string {
	return path[strings.LastIndex(path, "/")+1:]
}

// transitiveImports maps the import path of every package the package
// depends on to its types.
func transitiveImports(pkg *types.Package) map[string]*types.Package {
	all := map[string]*types.Package{}
	var walk func(p *types.Package)
	walk = func(p *types.Package) {
		if all[p.Path()] != nil {
			return
		}
		all[p.Path()] = p
		for _, q := range p.Imports() {
			walk(q)
		}
	}
	for _, p := range pkg.Imports() {
		walk(p)
	}
	return all
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// withoutBodies returns shallow copies of files whose function declarations
// have no bodies: an Example needs the package's declarations, not its
// code, and checking every body again made this rule a quarter of a check.
// The copies share everything else with the originals, which stay as they
// are.
func withoutBodies(files []*ast.File) []*ast.File {
	out := make([]*ast.File, len(files))
	for i, f := range files {
		cp := *f
		cp.Decls = make([]ast.Decl, len(f.Decls))
		for j, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				fdc := *fd
				fdc.Body = nil
				d = &fdc
			}
			cp.Decls[j] = d
		}
		out[i] = &cp
	}
	return out
}
