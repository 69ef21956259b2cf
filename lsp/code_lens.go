package lsp

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// lensSpec is a code lens before it gets its title: where it sits (byte
// offsets of the name it annotates), which command it runs and on what.
type lensSpec struct {
	start, end int
	// module lenses run on a module directory; a test lens on one test.
	module bool
	dir    string
	test   string
}

func codeLens(ctx context.Context, s *Server, p *protocol.CodeLensParams) (any, error) {
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if s.outOfSync(path) {
		return []protocol.CodeLens{}, nil // its lines are not the editor's
	}
	text, _, _ := s.readText(path)
	specs := s.lensSpecs(path, text)
	s.mu.Lock()
	enc := s.caps.enc
	outcomes := s.outcomes
	out := []protocol.CodeLens{}
	m := newMapper(text)
	for _, l := range specs {
		rng := offsetRange(m, min(l.start, len(text)), min(l.end, len(text)), enc)
		arg := anyValue(commandArgs{Dir: l.dir, Test: l.test})
		if l.module {
			for _, name := range []string{cmdRunTests, cmdIntegration, cmdValidate} {
				c, _ := lookupCommand(name)
				title := c.Title
				if o := outcomes[lensKey(name, l.dir, "")]; o != "" {
					title = o
				}
				out = append(out, protocol.CodeLens{Range: rng, Command: protocol.Command{Title: title, Command: name, Arguments: []protocol.LSPAny{arg}}})
			}
			continue
		}
		title := "run test"
		if o := outcomes[lensKey(cmdRunTests, l.dir, l.test)]; o != "" {
			title = o
		}
		out = append(out, protocol.CodeLens{Range: rng, Command: protocol.Command{Title: title, Command: cmdRunTests, Arguments: []protocol.LSPAny{arg}}})
	}
	s.mu.Unlock()
	return out, nil
}

// lensSpecs computes a file's lenses from its syntax. A file that does not
// parse keeps the lenses of its last version that did, so that they do
// not jump or vanish while the user types.
func (s *Server) lensSpecs(path string, text []byte) []lensSpec {
	dir := filepath.Dir(path)
	if filepath.Base(path) == "manifest.json" {
		if !isModuleDir(dir) {
			return nil
		}
		return []lensSpec{{start: 0, end: 0, module: true, dir: dir}}
	}
	if !strings.HasSuffix(path, ".go") {
		return nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, text, parser.SkipObjectResolution)
	if f == nil {
		return s.cachedLenses(path, nil, false)
	}
	var specs []lensSpec
	offset := func(pos token.Pos) int { return fset.Position(pos).Offset }
	if strings.HasSuffix(path, "_test.go") {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if ok && fd.Recv == nil && isTestFunc(fd) {
				specs = append(specs, lensSpec{start: offset(fd.Name.Pos()), end: offset(fd.Name.End()), dir: dir, test: fd.Name.Name})
			}
		}
	} else if isModuleDir(dir) {
		types := s.moduleTypes(path, f)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if types[ts.Name.Name] {
					specs = append(specs, lensSpec{start: offset(ts.Name.Pos()), end: offset(ts.Name.End()), module: true, dir: dir})
				}
			}
		}
	}
	return s.cachedLenses(path, specs, err == nil)
}

// cachedLenses records the lenses of a file that parsed, and answers a
// file that did not with the last ones recorded (or what could be found).
func (s *Server) cachedLenses(path string, specs []lensSpec, parsed bool) []lensSpec {
	s.mu.Lock()
	defer s.mu.Unlock()
	if parsed {
		s.lenses[path] = specs
		return specs
	}
	if cached, ok := s.lenses[path]; ok && len(cached) >= len(specs) {
		return cached
	}
	return specs
}

// moduleTypes finds the module types of a package: the types with both a
// Setup and a Start method, looking at every Go file of the directory
// (open buffers first), as the methods may be declared in another file.
// What the other files declare is kept with the text it was read from
// (lensMethods), so that a request after a keystroke parses only the
// file that changed.
func (s *Server) moduleTypes(path string, f *ast.File) map[string]bool {
	setup, start := map[string]bool{}, map[string]bool{}
	add := func(m lensMethods) {
		for _, name := range m.setup {
			setup[name] = true
		}
		for _, name := range m.start {
			start[name] = true
		}
	}
	add(methodsOf(f))
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		name := filepath.Join(filepath.Dir(path), e.Name())
		if name == path || e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		text, _, _ := s.readText(name)
		s.lensMu.Lock()
		m, ok := s.lensFiles[name]
		s.lensMu.Unlock()
		if !ok || !bytes.Equal(m.text, text) {
			other, _ := parser.ParseFile(token.NewFileSet(), name, text, parser.SkipObjectResolution)
			if other == nil {
				continue
			}
			m = methodsOf(other)
			m.text = text
			s.lensMu.Lock()
			s.lensFiles[name] = m
			s.lensMu.Unlock()
		}
		add(m)
	}
	types := map[string]bool{}
	for name := range setup {
		if start[name] && name != "" {
			types[name] = true
		}
	}
	return types
}

// lensMethods are the receiver types of a file's Setup and Start
// methods, and the text they were read from.
type lensMethods struct {
	text         []byte
	setup, start []string
}

func methodsOf(f *ast.File) lensMethods {
	var m lensMethods
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
			continue
		}
		name := receiverName(fd.Recv.List[0].Type)
		switch fd.Name.Name {
		case "Setup":
			m.setup = append(m.setup, name)
		case "Start":
			m.start = append(m.start, name)
		}
	}
	return m
}

func receiverName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// isTestFunc tells whether fd is func TestXxx(t *testing.T).
func isTestFunc(fd *ast.FuncDecl) bool {
	name := fd.Name.Name
	if !strings.HasPrefix(name, "Test") {
		return false
	}
	if rest := name[4:]; rest != "" {
		r, _ := utf8.DecodeRuneInString(rest)
		if unicode.IsLower(r) {
			return false
		}
	}
	params := fd.Type.Params
	if params == nil || len(params.List) != 1 || len(params.List[0].Names) > 1 || fd.Type.TypeParams != nil {
		return false
	}
	star, ok := params.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "T" && isIdent(sel.X, "testing")
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isModuleDir tells whether dir is a framework module's directory,
// modules/<type>/<name>.
func isModuleDir(dir string) bool {
	return filepath.Base(filepath.Dir(filepath.Dir(dir))) == "modules"
}
