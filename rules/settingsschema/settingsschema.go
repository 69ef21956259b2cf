package settingsschema

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/framework"
	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/rules/internal/structtag"
)

// Analyzer reports settings structs that the framework would refuse to
// load.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

const (
	fixTags    = "Add json tags"
	fixDefault = "Correct the default"
)

func run(pass *analysis.Pass) (any, error) {
	if _, m := fw.Module(pass); m == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	for _, f := range pass.Files {
		if isTestFile(pass, f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !fw.IsFunc(fw.Callee(pass.TypesInfo, call), "Settings") {
				return true
			}
			t, at := settingsType(pass, call)
			if t == nil {
				return true
			}
			key := types.TypeString(t, nil)
			if seen[key] {
				return true
			}
			seen[key] = true
			checkType(pass, call, t, at)
			return true
		})
	}
	return nil, nil
}

func isTestFile(pass *analysis.Pass, f *ast.File) bool {
	return strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go")
}

// settingsType is the T of a framework.Settings[T] call, and the node a
// finding about T as a whole belongs on (the explicit type argument, or
// the call).
func settingsType(pass *analysis.Pass, call *ast.CallExpr) (types.Type, ast.Node) {
	t, written := fw.TypeArg(pass, call, 0)
	var at ast.Node = call
	if written != nil {
		at = written
	}
	if t == nil {
		return nil, nil
	}
	if _, isParam := t.(*types.TypeParam); isParam {
		return nil, nil // a generic helper: the caller's instance decides
	}
	return t, at
}

// field is one exported field of a settings struct as the framework reads
// it, with its declaration when it is in the package.
type field struct {
	v    *types.Var
	tag  string
	decl *ast.Field // nil when declared elsewhere
	name *ast.Ident // nil for an embedded field
}

func checkType(pass *analysis.Pass, call *ast.CallExpr, t types.Type, at ast.Node) {
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		pass.Report(analysis.Diagnostic{
			Pos: at.Pos(), End: at.End(), Category: Doc.ID,
			Message: fmt.Sprintf("settings type %s is not a struct", fw.TypeString(t, pass.Pkg)),
		})
		return
	}
	syntax := structSyntax(pass, t, at)
	related := []analysis.RelatedInformation{{Pos: call.Pos(), End: call.Pos(), Message: "the settings are loaded here"}}
	var fields []field
	for i := 0; i < st.NumFields(); i++ {
		v := st.Field(i)
		if !v.Exported() {
			continue
		}
		f := field{v: v, tag: st.Tag(i)}
		if syntax != nil {
			f.decl, f.name = declOf(syntax, v)
		}
		fields = append(fields, f)
	}
	c := &checker{pass: pass, at: at, related: related}
	c.jsonTags(fields)
	for _, f := range fields {
		c.field(f)
	}
}

type checker struct {
	pass    *analysis.Pass
	at      ast.Node
	related []analysis.RelatedInformation
}

func (c *checker) report(pos, end token.Pos, msg string, fixes ...analysis.SuggestedFix) {
	c.pass.Report(analysis.Diagnostic{
		Pos: pos, End: end, Category: Doc.ID, Message: msg,
		Related: c.related, SuggestedFixes: fixes,
	})
}

// jsonTags reports the fields the framework has no key for; the fix gives
// every such field of the struct a key.
func (c *checker) jsonTags(fields []field) {
	var missing []field
	var fixable []*ast.Field
	taken := map[string]bool{}
	for _, f := range fields {
		key := structtag.JSONKey(f.tag)
		if key != "" && key != "-" {
			taken[key] = true
			continue
		}
		missing = append(missing, f)
		if key == "" && f.decl != nil && f.name != nil && !containsField(fixable, f.decl) {
			fixable = append(fixable, f.decl)
		}
	}
	if len(missing) == 0 {
		return
	}
	var fixes []analysis.SuggestedFix
	if len(fixable) > 0 {
		if edits, ok := structtag.AddJSONTags(c.pass.Fset, fixable, taken); ok {
			fixes = []analysis.SuggestedFix{{Message: fixTags, TextEdits: edits}}
		}
	}
	for _, f := range missing {
		msg := fmt.Sprintf("settings field %s has no json tag", f.v.Name())
		switch {
		case structtag.JSONKey(f.tag) == "-":
			msg = fmt.Sprintf(`settings field %s has json:"-", but the framework loads every exported field (unexport it to leave it out)`, f.v.Name())
		case reflect.StructTag(f.tag).Get("json") != "":
			msg = fmt.Sprintf("settings field %s has a json tag without a key", f.v.Name())
		}
		pos, end := c.fieldPos(f, "json")
		if f.decl == nil || structtag.JSONKey(f.tag) == "-" || f.name == nil {
			c.report(pos, end, msg)
			continue
		}
		c.report(pos, end, msg, fixes...)
	}
}

func containsField(fs []*ast.Field, f *ast.Field) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// fieldPos is where a finding about a field's tag key belongs: the
// key:"value" pair in a raw tag, the whole tag, or the field's name.
func (c *checker) fieldPos(f field, key string) (token.Pos, token.Pos) {
	if f.decl == nil {
		return c.at.Pos(), c.at.End()
	}
	tag := structtag.Of(f.decl)
	if tag.Lit != nil {
		if pairs, ok := structtag.Parse(tag.Text); ok {
			for _, p := range pairs {
				if p.Key == key {
					return tag.Span(p.Start, p.End)
				}
			}
		}
		return tag.Lit.Pos(), tag.Lit.End()
	}
	if f.name != nil {
		return f.name.Pos(), f.name.End()
	}
	return f.decl.Type.Pos(), f.decl.Type.End()
}

// field checks a field's type, default and validate tags with the
// framework's own parsing and validation.
func (c *checker) field(f field) {
	name := f.v.Name()
	rt, ok := reflectType(f.v.Type())
	if !ok {
		pos, end := c.at.Pos(), c.at.End()
		if f.decl != nil {
			pos, end = f.decl.Type.Pos(), f.decl.Type.End()
		}
		c.report(pos, end, fmt.Sprintf("settings field %s has type %s, which the framework cannot load (it loads strings, booleans, numbers, time.Duration and []string)",
			name, fw.TypeString(f.v.Type(), c.pass.Pkg)))
		return
	}
	tag := reflect.StructTag(f.tag)

	// Constraints that are wrong whatever the value.
	var valid []string
	if vt := tag.Get("validate"); vt != "" {
		for _, cons := range strings.Split(vt, ",") {
			if !malformed(rt, cons) {
				valid = append(valid, cons)
				continue
			}
			// A leading space keeps an empty constraint ("min=1,") from
			// reading as no validate tag at all.
			if err := framework.ValidateSetting(reflect.New(rt).Elem(), " "+cons); err != nil {
				pos, end := c.fieldPos(f, "validate")
				c.report(pos, end, fmt.Sprintf("settings field %s: %v", name, err))
			}
		}
	}
	constraints := strings.Join(valid, ",")

	def, hasDef := tag.Lookup("default")
	if !hasDef {
		return // a zero value that breaks a constraint may come from the config
	}
	v := reflect.New(rt).Elem()
	if err := framework.SetSettingString(v, def); err != nil {
		pos, end := c.fieldPos(f, "default")
		c.report(pos, end, fmt.Sprintf("default %q of settings field %s is %v", def, name, err), c.correctDefault(f, rt, def, constraints)...)
		return
	}
	if err := framework.ValidateSetting(v, constraints); err != nil {
		pos, end := c.fieldPos(f, "default")
		c.report(pos, end, fmt.Sprintf("default %q of settings field %s breaks its validate tag: %v", def, name, err), c.correctDefault(f, rt, def, constraints)...)
	}
}

// malformed reports whether a constraint fails whatever the value: an
// unknown name, a min or max bound that is not a number (a duration for
// time.Duration fields) or that does not apply to the type, a oneof with
// no values. The framework's ValidateSetting says why.
func malformed(rt reflect.Type, cons string) bool {
	name, arg, _ := strings.Cut(strings.TrimSpace(cons), "=")
	switch name {
	case "required":
		return false
	case "min", "max":
		var err error
		if rt == durationType {
			_, err = time.ParseDuration(arg)
		} else {
			_, err = strconv.ParseFloat(arg, 64)
		}
		if err != nil {
			return true
		}
		return !isNumber(rt) && rt.Kind() != reflect.String && rt.Kind() != reflect.Slice
	case "oneof":
		return len(strings.Fields(arg)) == 0
	}
	return true
}

// correctDefault offers to replace the default with the first of the zero
// value, the min bound, the max bound and the first oneof value that parses
// and satisfies the constraints.
func (c *checker) correctDefault(f field, rt reflect.Type, def, constraints string) []analysis.SuggestedFix {
	if f.decl == nil {
		return nil
	}
	candidates := []string{zeroText(rt)}
	for _, cons := range strings.Split(constraints, ",") {
		name, arg, _ := strings.Cut(strings.TrimSpace(cons), "=")
		switch name {
		case "min", "max":
			if isNumber(rt) { // for strings and lists the bounds are lengths
				candidates = append(candidates, arg)
			}
		case "oneof":
			if opts := strings.Fields(arg); len(opts) > 0 {
				candidates = append(candidates, opts[0])
			}
		}
	}
	for _, cand := range candidates {
		if cand == def {
			continue
		}
		v := reflect.New(rt).Elem()
		if framework.SetSettingString(v, cand) != nil || framework.ValidateSetting(v, constraints) != nil {
			continue
		}
		tag := structtag.Of(f.decl)
		pairs, ok := structtag.Parse(tag.Text)
		if tag.Lit == nil || !ok {
			return nil
		}
		for _, p := range pairs {
			if p.Key != "default" {
				continue
			}
			edit, ok := tag.Replace(p.ValStart, p.ValEnd, strconv.Quote(cand))
			if !ok {
				return nil
			}
			return []analysis.SuggestedFix{{Message: fixDefault, TextEdits: []analysis.TextEdit{edit}}}
		}
		return nil
	}
	return nil
}

func isNumber(rt reflect.Type) bool {
	switch rt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func zeroText(rt reflect.Type) string {
	if rt == durationType {
		return "0s"
	}
	switch rt.Kind() {
	case reflect.String, reflect.Slice:
		return ""
	case reflect.Bool:
		return "false"
	}
	return "0"
}

var durationType = reflect.TypeFor[time.Duration]()

var basicTypes = map[types.BasicKind]reflect.Type{
	types.Bool:    reflect.TypeFor[bool](),
	types.String:  reflect.TypeFor[string](),
	types.Int:     reflect.TypeFor[int](),
	types.Int8:    reflect.TypeFor[int8](),
	types.Int16:   reflect.TypeFor[int16](),
	types.Int32:   reflect.TypeFor[int32](),
	types.Int64:   reflect.TypeFor[int64](),
	types.Uint:    reflect.TypeFor[uint](),
	types.Uint8:   reflect.TypeFor[uint8](),
	types.Uint16:  reflect.TypeFor[uint16](),
	types.Uint32:  reflect.TypeFor[uint32](),
	types.Uint64:  reflect.TypeFor[uint64](),
	types.Uintptr: reflect.TypeFor[uintptr](),
	types.Float32: reflect.TypeFor[float32](),
	types.Float64: reflect.TypeFor[float64](),
}

// reflectType is the reflect type that behaves as t does in the
// framework's SetSettingString (which goes by kind, except for
// time.Duration), and false when the framework cannot set a t from a
// string.
func reflectType(t types.Type) (reflect.Type, bool) {
	var rt reflect.Type
	if isDuration(t) {
		rt = durationType
	} else {
		switch u := t.Underlying().(type) {
		case *types.Basic:
			rt = basicTypes[u.Kind()]
		case *types.Slice:
			if isDuration(u.Elem()) {
				break
			}
			if b, ok := u.Elem().Underlying().(*types.Basic); ok && basicTypes[b.Kind()] != nil {
				rt = reflect.SliceOf(basicTypes[b.Kind()])
			}
		}
	}
	if rt == nil {
		return nil, false
	}
	err := framework.SetSettingString(reflect.New(rt).Elem(), "")
	if err != nil && strings.HasPrefix(err.Error(), "unsupported settings type") {
		return nil, false
	}
	return rt, true
}

func isDuration(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Duration"
}

// structSyntax finds the struct type's declaration in the package: the
// named type's type spec, or the struct literal given as type argument.
func structSyntax(pass *analysis.Pass, t types.Type, at ast.Node) *ast.StructType {
	if st, ok := at.(*ast.StructType); ok {
		return st
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return nil
	}
	obj := n.Origin().Obj()
	if obj.Pkg() != pass.Pkg {
		return nil
	}
	for _, f := range pass.Files {
		if !(f.Pos() <= obj.Pos() && obj.Pos() < f.End()) {
			continue
		}
		var found *ast.StructType
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || found != nil {
				return found == nil
			}
			if ts.Name.Pos() == obj.Pos() {
				found, _ = ts.Type.(*ast.StructType)
			}
			return true
		})
		return found
	}
	return nil
}

// declOf finds a field's declaration and name in the struct's syntax.
func declOf(st *ast.StructType, v *types.Var) (*ast.Field, *ast.Ident) {
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			if v.Embedded() && f.Type.Pos() <= v.Pos() && v.Pos() < f.Type.End() {
				return f, nil
			}
			continue
		}
		for _, n := range f.Names {
			if n.Pos() == v.Pos() {
				return f, n
			}
		}
	}
	return nil, nil
}
