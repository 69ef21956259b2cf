package fw

import (
	"go/ast"
	"go/types"
	"regexp"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Registration is a call of (*framework.Setup).RegisterService.
type Registration struct {
	Call *ast.CallExpr
	// Name is the service name when it is a constant.
	Name   string
	NameOK bool
	// Impl is the type of the implementation argument.
	Impl types.Type
	// Entries are the ServiceMethod composite literals passed directly.
	Entries []*Entry
	// Opaque is set when methods are passed in a form that cannot be read
	// statically (a slice with ..., a variable, a function call): rules
	// that compare entries with methods then stay quiet.
	Opaque bool
}

// Entry is one framework.ServiceMethod{...} literal.
type Entry struct {
	Lit *ast.CompositeLit
	// Fields holds the literal's fields by name (positional literals are
	// mapped to the struct's field order).
	Fields map[string]ast.Expr
	// Name is the Name field's constant value.
	Name   string
	NameOK bool
}

// Registrations returns every RegisterService call in the package's
// non-test files: a test may register fakes, which are not the module's
// services. The rules that require Analyzer share one reading of them;
// they must not change what they get.
func Registrations(pass *analysis.Pass) []*Registration {
	if s := shared(pass); s != nil {
		s.regsOnce.Do(func() { s.regs = readRegistrations(pass) })
		return s.regs
	}
	return readRegistrations(pass)
}

func readRegistrations(pass *analysis.Pass) []*Registration {
	var out []*Registration
	for _, f := range pass.Files {
		if IsTestFile(pass, f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !IsMethod(Callee(pass.TypesInfo, call), "Setup", "RegisterService") || len(call.Args) < 2 {
				return true
			}
			r := &Registration{Call: call, Impl: pass.TypesInfo.TypeOf(call.Args[1])}
			r.Name, r.NameOK = StringValue(pass.TypesInfo, call.Args[0])
			if call.Ellipsis.IsValid() {
				r.Opaque = true
			}
			for _, a := range call.Args[2:] {
				lit, ok := ast.Unparen(a).(*ast.CompositeLit)
				if !ok || call.Ellipsis.IsValid() {
					r.Opaque = true
					continue
				}
				r.Entries = append(r.Entries, newEntry(pass, lit))
			}
			out = append(out, r)
			return true
		})
	}
	return out
}

var serviceMethodFields = []string{"Name", "Description", "Params", "Returns", "Example"}

func newEntry(pass *analysis.Pass, lit *ast.CompositeLit) *Entry {
	e := &Entry{Lit: lit, Fields: map[string]ast.Expr{}}
	for i, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok {
				e.Fields[id.Name] = kv.Value
			}
		} else if i < len(serviceMethodFields) {
			e.Fields[serviceMethodFields[i]] = el
		}
	}
	if n, ok := e.Fields["Name"]; ok {
		e.Name, e.NameOK = StringValue(pass.TypesInfo, n)
	}
	return e
}

// Param is one framework.Param{...} literal of an entry's Params.
type Param struct {
	Lit        *ast.CompositeLit
	Name, Type string
	NameOK     bool
	TypeOK     bool
}

// Params returns the entry's Params literals, and false when Params is set
// to something other than a slice literal of Param literals.
func (e *Entry) Params(info *types.Info) ([]Param, bool) {
	x, ok := e.Fields["Params"]
	if !ok {
		return nil, true
	}
	lit, ok := ast.Unparen(x).(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	var out []Param
	for _, el := range lit.Elts {
		pl, ok := ast.Unparen(el).(*ast.CompositeLit)
		if !ok {
			return nil, false
		}
		p := Param{Lit: pl}
		for i, f := range pl.Elts {
			key, val := "", f
			if kv, ok := f.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					key = id.Name
				}
				val = kv.Value
			} else {
				key = []string{"Name", "Type", "Description"}[min(i, 2)]
			}
			switch key {
			case "Name":
				p.Name, p.NameOK = StringValue(info, val)
			case "Type":
				p.Type, p.TypeOK = StringValue(info, val)
			}
		}
		out = append(out, p)
	}
	return out, true
}

// ServiceMethods returns the exported methods of a registered
// implementation's type, in source order: exactly the method set the
// framework sees through reflection, so a value registered as Service{} has
// no pointer-receiver methods.
func ServiceMethods(t types.Type) []*types.Func {
	if t == nil {
		return nil
	}
	ms := types.NewMethodSet(t)
	var out []*types.Func
	for i := 0; i < ms.Len(); i++ {
		fn, ok := ms.At(i).Obj().(*types.Func)
		if ok && fn.Exported() && !promotedFromOtherPackage(fn, t) {
			out = append(out, fn)
		}
	}
	sortByPos(out)
	return out
}

// promotedFromOtherPackage leaves out methods an implementation gets by
// embedding a type of another package (sync.Mutex's Lock): they are not the
// service's own API.
func promotedFromOtherPackage(fn *types.Func, t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || fn.Pkg() == nil {
		return false
	}
	return fn.Pkg() != n.Obj().Pkg()
}

func sortByPos(fns []*types.Func) {
	for i := 1; i < len(fns); i++ {
		for j := i; j > 0 && fns[j].Pos() < fns[j-1].Pos(); j-- {
			fns[j], fns[j-1] = fns[j-1], fns[j]
		}
	}
}

// TypeString writes t without package qualifiers' paths: "contract.Run",
// "context.Context", "[]string".
func TypeString(t types.Type, self *types.Package) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p == self {
			return ""
		}
		return p.Name()
	})
}

// ReturnsString is the conventional Returns text of a signature:
// "(T, error)" for several results, "error" for one.
func ReturnsString(sig *types.Signature, self *types.Package) string {
	res := sig.Results()
	parts := make([]string, res.Len())
	for i := range parts {
		parts[i] = TypeString(res.At(i).Type(), self)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// NormalizeType makes type texts comparable: no package qualifiers
// ("contract.Run" and "Run" compare equal), spaces only between words, no
// parentheses around a whole result list.
func NormalizeType(s string) string {
	s = qualifierRE.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), " ")
	s = spaceRE.ReplaceAllString(s, "$1")
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && balancedInside(s[1:len(s)-1]) {
		s = s[1 : len(s)-1]
	}
	return s
}

var (
	qualifierRE = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\.`)
	// spaceRE matches a space next to punctuation.
	spaceRE = regexp.MustCompile(` ?([^A-Za-z0-9_ ]) ?`)
)

func balancedInside(s string) bool {
	depth := 0
	for _, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
