package workspace

import (
	"bytes"
	"go/constant"
	"go/scanner"
	"go/token"
)

var registerService = []byte("RegisterService")

// opening is each closing bracket's opening one.
var opening = map[token.Token]token.Token{token.RPAREN: token.LPAREN, token.RBRACK: token.LBRACK, token.RBRACE: token.LBRACE}

// literalRegistrations reads the registrations of one package's files (in
// the order scanModule has them) from their tokens, as the parse and the
// type checker would read them when every registration names its service
// by a string literal: the files the go command builds, of the package
// the first of them declares, each call x.RegisterService(args) in source
// order. It returns false, for the files to be parsed, on anything else:
// a registration whose name is not a literal, RegisterService spelled in
// another shape (a declaration, a method value, a call in parentheses or
// in another's arguments), or brackets that do not balance.
func literalRegistrations(files []srcFile) ([]Call, bool) {
	any := false
	for _, f := range files {
		if bytes.Contains(f.src, registerService) {
			any = true
			break
		}
	}
	if !any {
		return nil, true
	}
	var out []Call
	pkg := ""
	for _, f := range files {
		if !buildableFile(f.name, f.src) {
			continue
		}
		name, ok := packageClause(f.src)
		if !ok {
			return nil, false
		}
		if pkg == "" {
			pkg = name
		}
		if name != pkg || !bytes.Contains(f.src, registerService) {
			continue
		}
		calls, ok := registrationTokens(f.name, f.src)
		if !ok {
			return nil, false
		}
		out = append(out, calls...)
	}
	return out, true
}

// packageClause returns the package name a file declares; false unless
// it begins, past comments, with a package clause.
func packageClause(src []byte) (string, bool) {
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile("", -1, len(src)), src, nil, 0)
	if _, tok, _ := s.Scan(); tok != token.PACKAGE {
		return "", false
	}
	_, tok, lit := s.Scan()
	return lit, tok == token.IDENT
}

// registrationTokens reads the registrations of one file from its tokens;
// false when it cannot say what the parse would (literalRegistrations).
func registrationTokens(name string, src []byte) ([]Call, bool) {
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	bad := false
	var s scanner.Scanner
	s.Init(file, src, func(token.Position, string) { bad = true }, 0)
	var (
		out      []Call
		open     []token.Token // the brackets open
		prev     token.Token
		callee   bool // RegisterService after a period: its call must follow
		inCall   bool
		depth    int // len(open) inside the call's parentheses
		args     int // arguments begun
		argStart bool
		first    []token.Pos // the first argument's tokens
		firstLit string
		ellipsis bool
	)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if callee {
			if tok != token.LPAREN {
				return nil, false
			}
			callee = false
			open = append(open, tok)
			inCall, depth, args, argStart, first, ellipsis = true, len(open), 0, true, first[:0], false
			prev = tok
			continue
		}
		if tok == token.IDENT && lit == "RegisterService" {
			if inCall || prev != token.PERIOD {
				return nil, false
			}
			callee = true
			prev = tok
			continue
		}
		if inCall && len(open) == depth {
			switch tok {
			case token.COMMA:
				argStart = true
				prev = tok
				continue
			case token.ELLIPSIS:
				ellipsis = true
				prev = tok
				continue
			case token.SEMICOLON:
				return nil, false
			case token.RPAREN:
				inCall = false
				if args > 0 {
					if len(first) != 1 || firstLit == "" {
						return nil, false
					}
					v := constant.MakeFromLiteral(firstLit, token.STRING, 0)
					if v.Kind() != constant.String {
						return nil, false
					}
					methods := args - 2
					if ellipsis {
						methods = -1
					} else if methods < 0 {
						methods = 0
					}
					out = append(out, Call{Service: constant.StringVal(v), Pos: fset.Position(first[0]), Methods: methods})
				}
			default:
				if argStart {
					args++
					argStart = false
				}
			}
		}
		if inCall && args == 1 && tok != token.RPAREN {
			first = append(first, pos)
			firstLit = ""
			if tok == token.STRING && len(first) == 1 {
				firstLit = lit
			}
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			open = append(open, tok)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(open) == 0 || open[len(open)-1] != opening[tok] {
				return nil, false
			}
			open = open[:len(open)-1]
		}
		prev = tok
	}
	if bad || callee || inCall || len(open) > 0 {
		return nil, false
	}
	return out, true
}
