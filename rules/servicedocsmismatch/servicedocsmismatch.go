package servicedocsmismatch

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// Analyzer reports ServiceMethod entries that disagree with the service's
// code.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

const fixTitle = "Regenerate Params and Returns from the signature"

func run(pass *analysis.Pass) (any, error) {
	if _, m := fw.Module(pass); m == nil {
		return nil, nil
	}
	var examples []*example
	for _, reg := range fw.Registrations(pass) {
		if reg.Opaque || !checkable(reg.Impl) {
			continue
		}
		seen := map[string]*fw.Entry{}
		for _, e := range reg.Entries {
			fn := method(pass, reg, e, seen)
			if fn == nil {
				continue
			}
			c := &entryCheck{pass: pass, reg: reg, e: e, fn: fn, sig: fn.Type().(*types.Signature)}
			c.compare()
			if ex := c.example(); ex != nil {
				examples = append(examples, ex)
			}
		}
	}
	checkExamples(pass, examples)
	return nil, nil
}

// checkable reports whether an implementation's type is known well enough
// to compare entries with its methods.
func checkable(t types.Type) bool {
	if t == nil {
		return false
	}
	if b, ok := t.Underlying().(*types.Basic); ok && (b.Kind() == types.UntypedNil || b.Kind() == types.Invalid) {
		return false
	}
	return true
}

func report(pass *analysis.Pass, node ast.Node, fix func() analysis.SuggestedFix, related []analysis.RelatedInformation, format string, args ...any) {
	d := analysis.Diagnostic{
		Pos:      node.Pos(),
		End:      node.End(),
		Category: Doc.ID,
		Message:  fmt.Sprintf(format, args...),
		Related:  related,
	}
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{fix()}
	}
	pass.Report(d)
}

func typeName(t types.Type) string {
	return types.TypeString(t, (*types.Package).Name)
}

// method returns the method an entry documents, reporting an entry that
// names none; nil when it reported or cannot tell.
func method(pass *analysis.Pass, reg *fw.Registration, e *fw.Entry, seen map[string]*fw.Entry) *types.Func {
	nameExpr, ok := e.Fields["Name"]
	if !ok {
		var at ast.Node = e.Lit
		if e.Lit.Type != nil {
			at = e.Lit.Type
		}
		report(pass, at, nil, nil, "ServiceMethod has no Name")
		return nil
	}
	if !e.NameOK {
		return nil
	}
	if e.Name == "" {
		report(pass, nameExpr, nil, nil, "ServiceMethod has an empty Name")
		return nil
	}
	if first, dup := seen[e.Name]; dup {
		report(pass, nameExpr, nil, []analysis.RelatedInformation{{
			Pos: first.Fields["Name"].Pos(), End: first.Fields["Name"].End(), Message: "the first entry",
		}}, "ServiceMethod %s is documented twice", e.Name)
		return nil
	}
	seen[e.Name] = e

	impl := reg.Impl
	_, isPtr := impl.(*types.Pointer)
	isIface := types.IsInterface(impl)
	full := types.NewMethodSet(impl)
	if !isPtr && !isIface {
		full = types.NewMethodSet(types.NewPointer(impl))
	}
	if !token.IsExported(e.Name) {
		if methodNamed(full, e.Name) != nil {
			report(pass, nameExpr, nil, nil, "ServiceMethod %s names no exported method of %s: %s is unexported", e.Name, typeName(impl), e.Name)
		} else {
			report(pass, nameExpr, nil, nil, "ServiceMethod %s names no method of %s", e.Name, typeName(impl))
		}
		return nil
	}
	if fn := methodNamed(types.NewMethodSet(impl), e.Name); fn != nil {
		return fn
	}
	switch {
	case isIface:
		// The framework looks methods up on the value registered, whose
		// dynamic type may have more methods than the interface.
	case methodNamed(full, e.Name) != nil:
		report(pass, nameExpr, nil, nil, "ServiceMethod %s names no method of %s: %s has a pointer receiver, register a %s",
			e.Name, typeName(impl), e.Name, typeName(types.NewPointer(impl)))
	default:
		report(pass, nameExpr, nil, nil, "ServiceMethod %s names no method of %s", e.Name, typeName(impl))
	}
	return nil
}

func methodNamed(ms *types.MethodSet, name string) *types.Func {
	for i := 0; i < ms.Len(); i++ {
		if fn, ok := ms.At(i).Obj().(*types.Func); ok && fn.Name() == name {
			return fn
		}
	}
	return nil
}

// entryCheck compares one entry with the method it documents.
type entryCheck struct {
	pass *analysis.Pass
	reg  *fw.Registration
	e    *fw.Entry
	fn   *types.Func
	sig  *types.Signature
}

// sigParam is one parameter of the signature as documentation writes it.
type sigParam struct {
	name  string // "" when the parameter is unnamed or _
	typ   string
	index int
}

func (c *entryCheck) sigParams() []sigParam {
	ps := c.sig.Params()
	out := make([]sigParam, ps.Len())
	for i := range out {
		p := ps.At(i)
		t := fw.TypeString(p.Type(), c.pass.Pkg)
		if c.sig.Variadic() && i == ps.Len()-1 {
			t = "..." + fw.TypeString(p.Type().(*types.Slice).Elem(), c.pass.Pkg)
		}
		name := p.Name()
		if name == "_" {
			name = ""
		}
		out[i] = sigParam{name: name, typ: t, index: i}
	}
	return out
}

// docName is the name documentation gives the parameter: its own, or argN.
func (p sigParam) docName() string {
	if p.name == "" {
		return fmt.Sprintf("arg%d", p.index)
	}
	return p.name
}

func (p sigParam) String() string {
	if p.name == "" {
		return p.typ
	}
	return p.name + " " + p.typ
}

// describe lists the signature's parameters: "2 (ctx context.Context, id
// int64)" or "none".
func describe(ps []sigParam) string {
	if len(ps) == 0 {
		return "none"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%d (%s)", len(ps), strings.Join(parts, ", "))
}

// normalize makes two type texts comparable.
func normalize(s string) string {
	s = fw.NormalizeType(s)
	return strings.ReplaceAll(s, "interface{}", "any")
}

// finding is a disagreement found in an entry, reported once the fix for
// all of the entry's disagreements is known.
type finding struct {
	node ast.Node
	msg  string
}

func (c *entryCheck) compare() {
	p, r := c.params(), c.returns()
	if p == nil && r == nil {
		return
	}
	fix := func() analysis.SuggestedFix { return regenerate(c, p != nil, r != nil) }
	for _, f := range []*finding{p, r} {
		if f != nil {
			report(c.pass, f.node, fix, nil, "%s", f.msg)
		}
	}
}

func (c *entryCheck) params() *finding {
	want := c.sigParams()
	val, present := c.e.Fields["Params"]
	if !present {
		if len(want) == 0 {
			return nil
		}
		return &finding{c.e.Fields["Name"], fmt.Sprintf("ServiceMethod %s has no Params, the method has %s", c.e.Name, describe(want))}
	}
	docs, ok := c.e.Params(c.pass.TypesInfo)
	if !ok {
		if !c.pass.TypesInfo.Types[val].IsNil() {
			return nil // not a literal: cannot be read
		}
		docs = nil
	}
	switch {
	case len(docs) == len(want):
	case len(docs) == 0:
		return &finding{val, fmt.Sprintf("Params of %s are empty, the method has %s", c.e.Name, describe(want))}
	case len(docs) == 1:
		return &finding{val, fmt.Sprintf("Params of %s list 1 parameter, the method has %s", c.e.Name, describe(want))}
	default:
		return &finding{val, fmt.Sprintf("Params of %s list %d parameters, the method has %s", c.e.Name, len(docs), describe(want))}
	}
	if outOfOrder(docs, want) {
		names := make([]string, len(want))
		for i, p := range want {
			names[i] = p.name
		}
		return &finding{val, fmt.Sprintf("Params of %s are not in the signature's order (%s)", c.e.Name, strings.Join(names, ", "))}
	}
	for i, d := range docs {
		w := want[i]
		name := w.docName()
		if d.NameOK {
			name = d.Name
		}
		switch {
		case d.NameOK && w.name != "" && d.Name != w.name:
			return &finding{d.Lit, fmt.Sprintf("Param %s is named %s in the signature", d.Name, w.name)}
		case d.TypeOK && normalize(d.Type) != normalize(w.typ):
			return &finding{d.Lit, fmt.Sprintf("Param %s is documented as %s, the signature says %s", name, orEmpty(d.Type), w.typ)}
		}
	}
	return nil
}

// outOfOrder reports whether the documented names are the signature's, in
// another order.
func outOfOrder(docs []fw.Param, want []sigParam) bool {
	var a, b []string
	for i, d := range docs {
		if !d.NameOK || want[i].name == "" {
			return false
		}
		a = append(a, d.Name)
		b = append(b, want[i].name)
	}
	if slices.Equal(a, b) {
		return false
	}
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func orEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func (c *entryCheck) returns() *finding {
	want := fw.ReturnsString(c.sig, c.pass.Pkg)
	val, present := c.e.Fields["Returns"]
	if !present {
		if c.sig.Results().Len() == 0 {
			return nil
		}
		return &finding{c.e.Fields["Name"], fmt.Sprintf("ServiceMethod %s has no Returns, the method returns %s", c.e.Name, want)}
	}
	doc, ok := fw.StringValue(c.pass.TypesInfo, val)
	if !ok || normalize(doc) == normalize(want) {
		return nil
	}
	if c.sig.Results().Len() == 0 {
		return &finding{val, fmt.Sprintf("Returns %s disagrees with the signature, which has no results", orEmpty(doc))}
	}
	return &finding{val, fmt.Sprintf("Returns %s disagrees with the signature's %s", orEmpty(doc), want)}
}

// regenerate rewrites the parts of the entry that disagree with the
// signature, Params and Returns, from the signature, keeping the
// descriptions of the documented parameters it can match.
func regenerate(c *entryCheck, fixParams, fixReturns bool) analysis.SuggestedFix {
	lit := c.e.Lit
	params := c.paramsLiteral()
	returns := strconv.Quote(fw.ReturnsString(c.sig, c.pass.Pkg))
	var edits []analysis.TextEdit
	edit := func(pos, end token.Pos, text string) {
		edits = append(edits, analysis.TextEdit{Pos: pos, End: end, NewText: []byte(text)})
	}
	keyed := len(lit.Elts) > 0
	for _, el := range lit.Elts {
		if _, ok := el.(*ast.KeyValueExpr); !ok {
			keyed = false
		}
	}
	if !keyed {
		// A positional literal lists every field.
		if params == "" {
			params = "nil"
		}
		if v, ok := c.e.Fields["Params"]; ok && fixParams {
			edit(v.Pos(), v.End(), params)
		}
		if v, ok := c.e.Fields["Returns"]; ok && fixReturns {
			edit(v.Pos(), v.End(), returns)
		}
		return analysis.SuggestedFix{Message: fixTitle, TextEdits: edits}
	}
	pkv, pi := field(lit, "Params")
	rkv, _ := field(lit, "Returns")
	anchor, _ := field(lit, "Description")
	if anchor == nil {
		anchor, _ = field(lit, "Name")
	}
	insert := ""      // new fields after the anchor
	paramsText := ""  // the new Params value, when it replaces the old
	afterParams := "" // a new Returns field after a Params that stays
	paramsGo := false // the Params field is deleted
	if fixParams {
		switch {
		case pkv != nil && params != "":
			paramsText = params
		case pkv != nil:
			paramsGo = true
		case params != "":
			insert += ",\nParams: " + params
		}
	}
	if fixReturns {
		switch {
		case rkv != nil:
			edit(rkv.Value.Pos(), rkv.Value.End(), returns)
		case pkv != nil && !paramsGo:
			afterParams = ",\nReturns: " + returns
		default:
			insert += ",\nReturns: " + returns
		}
	}
	switch {
	case paramsText != "":
		edit(pkv.Value.Pos(), pkv.Value.End(), paramsText+afterParams)
	case afterParams != "":
		edit(pkv.End(), pkv.End(), afterParams)
	case paramsGo:
		start, end := pkv.Pos(), pkv.End()
		if pi+1 < len(lit.Elts) {
			end = lit.Elts[pi+1].Pos()
		} else if pi > 0 {
			start = lit.Elts[pi-1].End()
		}
		edit(start, end, "")
	}
	if insert != "" {
		edit(anchor.End(), anchor.End(), insert)
	}
	return analysis.SuggestedFix{Message: fixTitle, TextEdits: edits}
}

// field returns the key-value element of a keyed literal with the key, and
// its index.
func field(lit *ast.CompositeLit, key string) (*ast.KeyValueExpr, int) {
	for i, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == key {
				return kv, i
			}
		}
	}
	return nil, -1
}

// paramsLiteral is the Params value for the signature, in the format of
// MOD002's generated entries, or "" when the method has no parameters.
func (c *entryCheck) paramsLiteral() string {
	want := c.sigParams()
	if len(want) == 0 {
		return ""
	}
	descs := c.descriptions(want)
	var b strings.Builder
	fmt.Fprintf(&b, "[]%sParam{\n", qualifier(c.pass, c.e.Lit))
	for i, p := range want {
		fmt.Fprintf(&b, "{Name: %q, Type: %q, Description: %s},\n", p.docName(), p.typ, descs[i])
	}
	b.WriteString("}")
	out, err := format.Source([]byte("package p\nvar _ = " + b.String()))
	if err != nil {
		return b.String()
	}
	return strings.TrimSpace(strings.TrimPrefix(string(out), "package p\n\nvar _ = "))
}

// descriptions keeps the Description source of each documented parameter:
// matched by name, else by position when the documented name at that
// position matches no parameter of the signature.
func (c *entryCheck) descriptions(want []sigParam) []string {
	out := make([]string, len(want))
	for i := range out {
		out[i] = `""`
	}
	docs, ok := c.e.Params(c.pass.TypesInfo)
	if !ok {
		return out
	}
	sigNames := map[string]bool{}
	for _, w := range want {
		sigNames[w.docName()] = true
	}
	done := make([]bool, len(want))
	for i, w := range want {
		for _, d := range docs {
			if d.NameOK && d.Name == w.docName() {
				out[i], done[i] = c.description(d.Lit), true
				break
			}
		}
	}
	for i := range want {
		if !done[i] && i < len(docs) && (!docs[i].NameOK || !sigNames[docs[i].Name]) {
			out[i] = c.description(docs[i].Lit)
		}
	}
	return out
}

// description is the source of a Param literal's Description, or "".
func (c *entryCheck) description(lit *ast.CompositeLit) string {
	for i, el := range lit.Elts {
		var val ast.Expr
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Description" {
				val = kv.Value
			}
		} else if i == 2 {
			val = el
		}
		if val != nil {
			var b bytes.Buffer
			if err := format.Node(&b, c.pass.Fset, val); err == nil {
				return b.String()
			}
		}
	}
	return `""`
}

// qualifier is "framework." or the name under which the file holding n
// imports the framework, with its dot ("" for a dot import).
func qualifier(pass *analysis.Pass, n ast.Node) string {
	f := fileOf(pass, n)
	if f != nil {
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == fw.Path && imp.Name != nil {
				if imp.Name.Name == "." {
					return ""
				}
				return imp.Name.Name + "."
			}
		}
	}
	return "framework."
}

func fileOf(pass *analysis.Pass, n ast.Node) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= n.Pos() && n.Pos() <= f.FileEnd {
			return f
		}
	}
	return nil
}
