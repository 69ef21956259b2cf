package apiresponse

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"net/http"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/framework"
	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/rules/internal/structtag"
	"github.com/modls/modls/workspace"
)

// Analyzer reports response models, routes and status endpoints that
// break the framework's HTTP conventions.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

const (
	fixTags   = "Add json tags"
	fixStatus = "Add a status endpoint"
)

// routeFuncs are the framework's route constructors, with the index of the
// response among their type arguments.
var routeFuncs = map[string]int{"GET": 0, "DELETE": 0, "POST": 1, "PUT": 1}

// route is one call of a route constructor.
type route struct {
	call    *ast.CallExpr
	method  string
	path    string
	pathOK  bool // the path is a constant
	resp    types.Type
	respAt  ast.Node
	valid   bool // the path is constant and the framework accepts it
	parents []ast.Node
}

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	c := &checker{pass: pass, m: m, reported: map[token.Pos]bool{}, walked: map[string]bool{}, fields: indexFields(pass)}
	routes := c.routes()
	for _, r := range routes {
		c.response(r)
		c.path(r)
	}
	c.duplicates(routes)
	if fw.IsModuleRoot(pass, m) {
		c.status(routes)
	}
	return nil, nil
}

type checker struct {
	pass     *analysis.Pass
	m        *workspace.Module
	reported map[token.Pos]bool // fields already reported
	walked   map[string]bool    // struct types already checked
	fields   fieldIndex
}

func isTestFile(pass *analysis.Pass, f *ast.File) bool {
	return strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go")
}

// routes finds the route constructor calls of the package's non-test
// files, with the syntax enclosing each.
func (c *checker) routes() []*route {
	var out []*route
	for _, f := range c.pass.Files {
		if isTestFile(c.pass, f) {
			continue
		}
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			fn := fw.Callee(c.pass.TypesInfo, call)
			respIndex, isRoute := routeFuncs[fnName(fn)]
			if !isRoute || !fw.IsFunc(fn, fn.Name()) {
				return true
			}
			r := &route{call: call, method: fn.Name(), parents: slices.Clone(stack)}
			r.path, r.pathOK = fw.StringValue(c.pass.TypesInfo, call.Args[0])
			var written ast.Expr
			r.resp, written = fw.TypeArg(c.pass, call, respIndex)
			r.respAt = ast.Node(call.Args[len(call.Args)-1]) // an inferred type: at the handler
			if written != nil {
				r.respAt = written
			}
			out = append(out, r)
			return true
		})
	}
	return out
}

func fnName(fn *types.Func) string {
	if fn == nil {
		return ""
	}
	return fn.Name()
}

func (c *checker) report(d analysis.Diagnostic) {
	d.Category = Doc.ID
	c.pass.Report(d)
}

// describe names a route in messages: "GET /runs", or "a GET route" when
// the path is not a constant.
func (r *route) describe() string {
	if r.pathOK {
		return r.method + " " + r.path
	}
	return "a " + r.method + " route"
}

// response reports a response that is not a named struct, and the fields
// of the response model without a json tag.
func (c *checker) response(r *route) {
	t := r.resp
	if t == nil {
		return
	}
	if _, ok := t.(*types.TypeParam); ok {
		return // a generic helper: the instance decides
	}
	named := namedStruct(t)
	if named == nil {
		c.report(analysis.Diagnostic{
			Pos: r.respAt.Pos(), End: r.respAt.End(),
			Message: fmt.Sprintf("response type %s of %s is not a named struct", fw.TypeString(t, c.pass.Pkg), r.describe()),
		})
		return
	}
	if c.localType(named) {
		c.walk(named, nil)
	} else if c.inModule(named.Obj().Pkg()) {
		c.walk(named, &anchor{pos: r.respAt.Pos(), end: r.respAt.End(), route: r})
	}
}

// namedStruct returns t, or the type t points to, when it is a named
// struct type.
func namedStruct(t types.Type) *types.Named {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return nil
	}
	if _, ok := n.Underlying().(*types.Struct); !ok {
		return nil
	}
	return n
}

// inModule reports whether a package is one of the module's.
func (c *checker) inModule(pkg *types.Package) bool {
	if pkg == nil {
		return false
	}
	return pkg.Path() == c.m.ImportPath || strings.HasPrefix(pkg.Path(), c.m.ImportPath+"/")
}

// anchor is where the untagged fields of a struct of another package of
// the module are reported: the field or the route of this package through
// which the response holds it.
type anchor struct {
	pos, end token.Pos
	field    string // the field's name, or "" for the route's response
	route    *route
}

func (a *anchor) message(t string, names []string) string {
	if a.field == "" {
		return fmt.Sprintf("response type %s of %s has fields without json tags: %s", t, a.route.describe(), strings.Join(names, ", "))
	}
	return fmt.Sprintf("response field %s holds %s, whose fields %s have no json tags", a.field, t, strings.Join(names, ", "))
}

// walk checks the fields of a struct type of the response model and of the
// struct types of the module its fields hold. an is nil while the structs
// are declared in this package.
func (c *checker) walk(t types.Type, an *anchor) {
	key := types.TypeString(t, nil)
	if an != nil {
		key += "@" + strconv.Itoa(int(an.pos))
	}
	if c.walked[key] {
		return
	}
	c.walked[key] = true
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return
	}
	var missing []*types.Var
	for i := 0; i < st.NumFields(); i++ {
		v := st.Field(i)
		if !v.Embedded() {
			if !v.Exported() {
				continue
			}
			if _, tagged := reflect.StructTag(st.Tag(i)).Lookup("json"); !tagged {
				missing = append(missing, v)
			}
		}
		for _, inner := range c.structsIn(v.Type()) {
			next := an
			if next == nil && !c.localType(inner) {
				d, ok := c.decl(v)
				if !ok {
					continue
				}
				next = &anchor{pos: d.field.Type.Pos(), end: d.field.Type.End(), field: v.Name()}
				if d.name != nil {
					next.pos, next.end = d.name.Pos(), d.name.End()
				}
			}
			c.walk(inner, next)
		}
	}
	if len(missing) == 0 {
		return
	}
	if an != nil {
		names := make([]string, len(missing))
		for i, v := range missing {
			names[i] = v.Name()
		}
		c.report(analysis.Diagnostic{Pos: an.pos, End: an.end, Message: an.message(fw.TypeString(t, c.pass.Pkg), names)})
		return
	}
	fix := c.tagFix(st, missing)
	for _, v := range missing {
		d, ok := c.decl(v)
		if !ok || c.reported[v.Pos()] {
			continue
		}
		c.reported[v.Pos()] = true
		c.report(analysis.Diagnostic{
			Pos: d.name.Pos(), End: d.name.End(),
			Message:        fmt.Sprintf("response field %s has no json tag", v.Name()),
			SuggestedFixes: fix,
		})
	}
}

// decl is the declaration of a field in this package's files.
func (c *checker) decl(v *types.Var) (fieldDecl, bool) {
	if d, ok := c.fields.named[v.Pos()]; ok {
		return d, true
	}
	if v.Embedded() {
		for _, d := range c.fields.embedded {
			if d.field.Type.Pos() <= v.Pos() && v.Pos() < d.field.Type.End() {
				return d, true
			}
		}
	}
	return fieldDecl{}, false
}

// localType reports whether a struct type's fields are declared in this
// package's files.
func (c *checker) localType(t types.Type) bool {
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if _, ok := c.decl(st.Field(i)); !ok {
			return false
		}
	}
	return true
}

// structsIn returns the struct types a field of type t puts into the JSON:
// t itself, through pointers, slices, arrays and map values, when it is a
// struct literal or a named struct of the module.
func (c *checker) structsIn(t types.Type) []types.Type {
	for {
		switch u := types.Unalias(t).(type) {
		case *types.Pointer:
			t = u.Elem()
			continue
		case *types.Slice:
			t = u.Elem()
			continue
		case *types.Array:
			t = u.Elem()
			continue
		case *types.Map:
			t = u.Elem()
			continue
		case *types.Struct:
			return []types.Type{u}
		case *types.Named:
			if _, ok := u.Underlying().(*types.Struct); ok && c.inModule(u.Obj().Pkg()) {
				return []types.Type{u}
			}
			if _, ok := u.Underlying().(*types.Struct); !ok && c.inModule(u.Obj().Pkg()) {
				t = u.Underlying() // type Runs []Run
				continue
			}
		}
		return nil
	}
}

// fieldDecl is a struct field's declaration; name is nil for an embedded
// field.
type fieldDecl struct {
	field *ast.Field
	name  *ast.Ident
}

// fieldIndex holds the declarations of the struct fields of the package.
type fieldIndex struct {
	named    map[token.Pos]fieldDecl // by the position of the name
	embedded []fieldDecl
}

func indexFields(pass *analysis.Pass) fieldIndex {
	idx := fieldIndex{named: map[token.Pos]fieldDecl{}}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fd := range st.Fields.List {
				if len(fd.Names) == 0 {
					idx.embedded = append(idx.embedded, fieldDecl{field: fd})
				}
				for _, name := range fd.Names {
					idx.named[name.Pos()] = fieldDecl{field: fd, name: name}
				}
			}
			return true
		})
	}
	return idx
}

// tagFix gives every exported field of a struct that has no json tag one
// made from its name.
func (c *checker) tagFix(st *types.Struct, missing []*types.Var) []analysis.SuggestedFix {
	taken := map[string]bool{}
	for i := 0; i < st.NumFields(); i++ {
		if key := structtag.JSONKey(st.Tag(i)); key != "" && key != "-" {
			taken[key] = true
		}
	}
	var decls []*ast.Field
	for _, v := range missing {
		d, _ := c.decl(v)
		if !slices.Contains(decls, d.field) {
			decls = append(decls, d.field)
		}
	}
	// A declaration of several names may hold one that is unexported:
	// leave such declarations alone.
	for _, d := range decls {
		for _, n := range d.Names {
			if !n.IsExported() {
				return nil
			}
		}
	}
	edits, ok := structtag.AddJSONTags(c.pass.Fset, decls, taken)
	if !ok {
		return nil
	}
	return []analysis.SuggestedFix{{Message: fixTags, TextEdits: edits}}
}

// path reports a route path the framework would refuse: one that does not
// start with / or that net/http's ServeMux rejects once mounted.
func (c *checker) path(r *route) {
	if !r.pathOK {
		return
	}
	arg := r.call.Args[0]
	var msg string
	if !strings.HasPrefix(r.path, "/") {
		msg = fmt.Sprintf("route path %q does not start with /", r.path)
	} else if err := register(http.NewServeMux(), c.pattern(r.method, r.path)); err != nil {
		for errors.Unwrap(err) != nil {
			err = errors.Unwrap(err)
		}
		msg = fmt.Sprintf("route path %q is invalid: %v", r.path, err)
	}
	if msg == "" {
		r.valid = true
		return
	}
	c.report(analysis.Diagnostic{Pos: arg.Pos(), End: arg.End(), Message: msg})
}

// pattern is the ServeMux pattern the framework registers a route under.
func (c *checker) pattern(method, path string) string {
	return method + " " + framework.MountPath(c.m.Name(), path)
}

// register registers a pattern, turning ServeMux's panic into an error.
func register(mux *http.ServeMux, pattern string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
	return nil
}

// duplicates reports a route declared twice, or that ServeMux would refuse
// beside an earlier one, unless the two are in exclusive branches of an if
// or a switch.
func (c *checker) duplicates(routes []*route) {
	for j, b := range routes {
		for _, a := range routes[:j] {
			if !a.valid || !b.valid || exclusive(a.parents, b.parents) {
				continue
			}
			var msg string
			if a.method == b.method && a.path == b.path {
				msg = fmt.Sprintf("duplicate route %s %s", b.method, b.path)
			} else if why, ok := conflict(c.pattern(a.method, a.path), c.pattern(b.method, b.path)); ok {
				msg = fmt.Sprintf("route %s %s matches the same requests as %s %s", b.method, b.path, a.method, a.path)
				if why != "" {
					prefix := strings.TrimSuffix(framework.MountPath(c.m.Name(), "/"), "/")
					msg = fmt.Sprintf("route %s %s conflicts with %s %s: %s", b.method, b.path, a.method, a.path, strings.ReplaceAll(why, prefix, ""))
				}
			} else {
				continue
			}
			arg := b.call.Args[0]
			c.report(analysis.Diagnostic{
				Pos: arg.Pos(), End: arg.End(), Message: msg,
				Related: []analysis.RelatedInformation{{Pos: a.call.Args[0].Pos(), End: a.call.Args[0].End(), Message: "the first declaration"}},
			})
			break
		}
	}
}

// conflict reports whether ServeMux refuses pattern b beside pattern a;
// why is "" when the two match the same requests, and says which paths
// they share otherwise.
func conflict(a, b string) (why string, ok bool) {
	mux := http.NewServeMux()
	if register(mux, a) != nil {
		return "", false
	}
	err := register(mux, b)
	if err == nil {
		return "", false
	}
	if strings.Contains(err.Error(), "matches the same requests as") {
		return "", true
	}
	why = "both match some paths and neither is more specific"
	if m := likeRE.FindStringSubmatch(err.Error()); m != nil {
		why = "both match some paths, like " + m[1] + ", and neither is more specific"
	}
	return why, true
}

var likeRE = regexp.MustCompile(`both match some paths, like ("[^"]*")`)

// exclusive reports whether two nodes, given by their ancestors, are in
// different branches of one if statement or of one switch or select.
func exclusive(a, b []ast.Node) bool {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == 0 || i == len(a) || i == len(b) {
		return false
	}
	switch p := a[i-1].(type) {
	case *ast.IfStmt:
		return a[i] == p.Body && b[i] == p.Else || a[i] == p.Else && b[i] == p.Body
	case *ast.BlockStmt:
		if i < 2 {
			return false
		}
		switch a[i-2].(type) {
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			return true // two case clauses of the switch's body
		}
	}
	return false
}

// status reports a module with the api feature that declares no GET
// /status route. It stays quiet when a GET route's path is not a constant
// or routes come from code it cannot see.
func (c *checker) status(routes []*route) {
	if !slices.Contains(c.m.Manifest.Features, framework.FeatureAPI) {
		return
	}
	for _, r := range routes {
		if r.method == "GET" && (!r.pathOK || r.path == "/status") {
			return
		}
	}
	if c.opaqueRoutes() || c.subpackageStatus() {
		return
	}
	setups, _ := fw.PhaseFuncs(c.pass)
	if len(setups) != 1 {
		return
	}
	setup := setups[0]
	pos, end := setup.Name.Pos(), setup.Name.End()
	ast.Inspect(setup.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if ok && pos == setup.Name.Pos() && fw.IsMethod(fw.Callee(c.pass.TypesInfo, call), "Setup", "Handle") {
			pos, end = call.Fun.Pos(), call.Fun.End()
		}
		_, isLit := n.(*ast.FuncLit)
		return !isLit
	})
	d := analysis.Diagnostic{
		Pos: pos, End: end,
		Message: fmt.Sprintf("module %s has the api feature but no GET /status route", c.m.Name()),
	}
	if at, ok := c.apiFeature(); ok {
		d.Related = []analysis.RelatedInformation{{Pos: at.Start, End: at.End, Message: "the api feature is declared here"}}
	}
	if fix, ok := c.statusFix(setup); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	c.report(d)
}

type posRange struct{ Start, End token.Pos }

// apiFeature is the position of "api" in the manifest's features.
func (c *checker) apiFeature() (posRange, bool) {
	if c.m.Object == nil {
		return posRange{}, false
	}
	f, ok := c.m.Object.Field("features")
	if !ok {
		return posRange{}, false
	}
	for _, el := range f.Elems {
		raw := c.m.ManifestData[el.Start.Offset:el.End.Offset]
		if s, err := strconv.Unquote(string(raw)); err == nil && s == framework.FeatureAPI {
			return posRange{fw.ManifestPos(c.pass, c.m, el.Start.Offset), fw.ManifestPos(c.pass, c.m, el.End.Offset)}, true
		}
	}
	return posRange{}, false
}

// opaqueRoutes reports whether the package gets routes from a call it
// cannot see into: a function of another package that is not a route
// constructor, or a function value.
func (c *checker) opaqueRoutes() bool {
	opaque := false
	for _, f := range c.pass.Files {
		if isTestFile(c.pass, f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || opaque {
				return !opaque
			}
			if !isRouteType(c.pass.TypesInfo.TypeOf(call)) {
				return true
			}
			if tv := c.pass.TypesInfo.Types[call.Fun]; tv.IsBuiltin() || tv.IsType() {
				return true
			}
			fn := fw.Callee(c.pass.TypesInfo, call)
			if fn == nil || !(c.inModule(fn.Pkg()) || fw.IsFunc(fn, fn.Name())) {
				opaque = true
			}
			return true
		})
	}
	return opaque
}

func isRouteType(t types.Type) bool {
	if s, ok := types.Unalias(t).(*types.Slice); ok {
		t = s.Elem()
	}
	return t != nil && fw.IsType(t, "Route") && !isPointer(t)
}

func isPointer(t types.Type) bool {
	_, ok := types.Unalias(t).(*types.Pointer)
	return ok
}

// subpackageStatus reports whether a package of the module below its
// directory may declare GET /status: a call of a function named GET whose
// path is "/status" or not a literal.
func (c *checker) subpackageStatus() bool {
	for _, name := range c.m.Files {
		if filepath.Dir(name) == c.m.Dir || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if may, err := statusRoutes.Of(c.pass, name); err != nil || may {
			return true // unreadable: assume it may
		}
	}
	return false
}

// statusRoutes holds whether each file outside a pass may declare GET
// /status.
var statusRoutes = fw.NewSummaries(mayDeclareStatus)

// mayDeclareStatus reports whether a file may declare GET /status: it calls
// a function named GET with "/status" or a path that is not a literal, or
// it does not parse.
func mayDeclareStatus(f *ast.File, err error) bool {
	if err != nil {
		return true
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found || len(call.Args) == 0 {
			return !found
		}
		fun := ast.Unparen(call.Fun)
		switch x := fun.(type) {
		case *ast.IndexExpr:
			fun = x.X
		case *ast.IndexListExpr:
			fun = x.X
		}
		var name string
		switch x := fun.(type) {
		case *ast.Ident:
			name = x.Name
		case *ast.SelectorExpr:
			name = x.Sel.Name
		}
		if name != "GET" {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			found = true
		} else if s, err := strconv.Unquote(lit.Value); err != nil || s == "/status" {
			found = true
		}
		return !found
	})
	return found
}

// statusFix adds a GET /status route to Setup, answered by a new method
// of the module's type with a new StatusResponse model.
func (c *checker) statusFix(setup *ast.FuncDecl) (analysis.SuggestedFix, bool) {
	const respName, handlerName = "StatusResponse", "status"
	recv := identName(setup.Recv.List[0].Names)
	param := identName(setup.Type.Params.List[0].Names)
	if recv == "" || param == "" {
		return analysis.SuggestedFix{}, false
	}
	sig := c.pass.TypesInfo.Defs[setup.Name].(*types.Func).Signature()
	if sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type(), types.Universe.Lookup("error").Type()) {
		return analysis.SuggestedFix{}, false
	}
	if c.pass.Pkg.Scope().Lookup(respName) != nil {
		return analysis.SuggestedFix{}, false
	}
	if obj, _, _ := types.LookupFieldOrMethod(sig.Recv().Type(), true, c.pass.Pkg, handlerName); obj != nil {
		return analysis.SuggestedFix{}, false
	}
	file := c.fileOf(setup.Pos())
	if file == nil {
		return analysis.SuggestedFix{}, false
	}
	fwName, ok := importName(file, fw.Path, "framework")
	if !ok {
		return analysis.SuggestedFix{}, false
	}
	var edits []analysis.TextEdit
	ctxName, ok := importName(file, "context", "context")
	if !ok {
		if c.pass.Pkg.Scope().Lookup("context") != nil || len(file.Imports) == 0 {
			return analysis.SuggestedFix{}, false
		}
		edits = append(edits, addImport(file, "context"))
		ctxName = "context"
	}
	edits = append(edits, analysis.TextEdit{
		Pos: setup.Body.Lbrace + 1, End: setup.Body.Lbrace + 1,
		NewText: fmt.Appendf(nil, "\n\tif err := %s.Handle(%s.GET(\"/status\", %s.%s)); err != nil {\n\t\treturn err\n\t}",
			param, fwName, recv, handlerName),
	})
	tf := c.pass.Fset.File(file.Pos())
	eof := tf.Pos(tf.Size())
	edits = append(edits, analysis.TextEdit{
		Pos: eof, End: eof,
		NewText: fmt.Appendf(nil, `
// %[1]s answers GET /status.
type %[1]s struct {
	Module string `+"`json:\"module\"`"+`
	Status string `+"`json:\"status\"`"+`
}

// %[2]s answers GET /status: the module is set up and serving.
func (%[3]s %[4]s) %[2]s(ctx %[5]s.Context, _ *%[6]s.Request) (%[1]s, error) {
	return %[1]s{Module: %[7]q, Status: "ok"}, nil
}
`, respName, handlerName, recv, types.ExprString(setup.Recv.List[0].Type), ctxName, fwName, c.m.Name()),
	})
	return analysis.SuggestedFix{Message: fixStatus, TextEdits: edits}, true
}

func identName(ids []*ast.Ident) string {
	if len(ids) != 1 || ids[0].Name == "_" {
		return ""
	}
	return ids[0].Name
}

func (c *checker) fileOf(pos token.Pos) *ast.File {
	for _, f := range c.pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

// importName is the name under which the file imports path; false when it
// does not, or imports it with . or _.
func importName(f *ast.File, path, def string) (string, bool) {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name == nil {
				return def, true
			}
			if imp.Name.Name == "." || imp.Name.Name == "_" {
				return "", false
			}
			return imp.Name.Name, true
		}
	}
	return "", false
}

// addImport adds an import of path to the file's first import declaration.
func addImport(f *ast.File, path string) analysis.TextEdit {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if gd.Lparen.IsValid() {
			return analysis.TextEdit{Pos: gd.Lparen + 1, End: gd.Lparen + 1, NewText: []byte("\n\t" + strconv.Quote(path))}
		}
		return analysis.TextEdit{Pos: gd.Pos(), End: gd.Pos(), NewText: []byte("import " + strconv.Quote(path) + "\n")}
	}
	return analysis.TextEdit{Pos: f.Name.End(), End: f.Name.End(), NewText: []byte("\n\nimport " + strconv.Quote(path))}
}
