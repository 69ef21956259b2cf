package checker

import (
	"go/ast"
	"go/token"
	"strings"
)

// Suppression is a //modls:ignore comment: it silences the listed rules on
// its own line and on the line below.
type Suppression struct {
	File   string
	Line   int
	Column int
	Rules  []string
	Reason string
	// Problem is set when the comment is malformed.
	Problem string
	used    map[string]bool
}

const directive = "//modls:ignore"

// ParseSuppression reads one comment's text. ok is false when the comment
// is not a modls:ignore directive at all.
func ParseSuppression(text string) (rules []string, reason, problem string, ok bool) {
	rest, found := strings.CutPrefix(text, directive)
	if !found {
		return nil, "", "", false
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return nil, "", "", false // //modls:ignored, //modls:ignoreX: not this directive
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil, "", "modls:ignore names no rule; write //modls:ignore MOD005 <reason>", true
	}
	for _, id := range strings.Split(fields[0], ",") {
		if !isRuleID(id) {
			return nil, "", "modls:ignore: " + quote(id) + " is not a rule ID like MOD005", true
		}
		rules = append(rules, id)
	}
	reason = strings.TrimSpace(strings.Join(fields[1:], " "))
	if reason == "" {
		return rules, "", "modls:ignore " + fields[0] + " gives no reason; say why the finding does not apply", true
	}
	return rules, reason, "", true
}

func quote(s string) string { return "\"" + s + "\"" }

func isRuleID(s string) bool {
	if len(s) != 6 || !strings.HasPrefix(s, "MOD") {
		return false
	}
	for _, c := range s[3:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// fileSuppressions collects the directives of a parsed Go file.
func fileSuppressions(fset *token.FileSet, f *ast.File) []*Suppression {
	var out []*Suppression
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			rules, reason, problem, ok := ParseSuppression(c.Text)
			if !ok {
				continue
			}
			pos := fset.Position(c.Pos())
			out = append(out, &Suppression{File: pos.Filename, Line: pos.Line, Column: pos.Column, Rules: rules, Reason: reason, Problem: problem, used: map[string]bool{}})
		}
	}
	return out
}

// applySuppressions drops the diagnostics a directive covers and adds a
// finding for each malformed or unused directive. Only rules that ran can
// leave a directive unused: a directive for a disabled rule is not
// reported.
func applySuppressions(ds []Diagnostic, sups []*Suppression, ran map[string]bool) []Diagnostic {
	byLine := map[string]map[int][]*Suppression{}
	for _, s := range sups {
		if byLine[s.File] == nil {
			byLine[s.File] = map[int][]*Suppression{}
		}
		byLine[s.File][s.Line] = append(byLine[s.File][s.Line], s)
	}
	var out []Diagnostic
	for _, d := range ds {
		suppressed := false
		for _, line := range []int{d.Line, d.Line - 1} {
			for _, s := range byLine[d.File][line] {
				if s.Problem != "" && s.Reason == "" && len(s.Rules) == 0 {
					continue
				}
				for _, r := range s.Rules {
					if r == d.Rule {
						s.used[r] = true
						suppressed = true
					}
				}
			}
		}
		if !suppressed {
			out = append(out, d)
		}
	}
	for _, s := range sups {
		switch {
		case s.Problem != "":
			out = append(out, suppressionFinding(s, s.Problem))
		default:
			for _, r := range s.Rules {
				if ran[r] && !s.used[r] {
					out = append(out, suppressionFinding(s, "modls:ignore "+r+" suppresses nothing on this line or the next; remove it"))
				}
			}
		}
	}
	return out
}

func suppressionFinding(s *Suppression, msg string) Diagnostic {
	return Diagnostic{
		Rule: RuleSuppression, Severity: "warning", File: s.File,
		Line: s.Line, Column: s.Column, EndLine: s.Line, EndColumn: s.Column + len(directive),
		Message: msg, Fixes: []Fix{},
	}
}
