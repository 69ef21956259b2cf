// Package ruledoc is the documentation of a rule as data. The rule's
// analyzer, `modls rules`, docs/rules and the editors' settings schema are
// all generated from it.
package ruledoc

import (
	"fmt"
	"regexp"
	"strings"
)

// Severity of a rule's findings.
type Severity string

// Severities, from most to least serious.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// ParseSeverity accepts error, warning and info.
func ParseSeverity(s string) (Severity, error) {
	switch Severity(s) {
	case Error, Warning, Info:
		return Severity(s), nil
	}
	return "", fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// rank orders severities, the most serious first.
func (s Severity) rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Lower returns the less serious of s and t.
func (s Severity) Lower(t Severity) Severity {
	if t.rank() > s.rank() {
		return t
	}
	return s
}

// Category is the analysis.Diagnostic category of a finding of rule id
// that is never more serious than sev, whatever the rule's configured
// severity: "MOD006/info" for an information-level finding of a rule
// whose findings are errors (a query plan, a check modls cannot make).
func Category(id string, sev Severity) string {
	return id + "/" + string(sev)
}

// ParseCategory splits a diagnostic category into the rule ID and the
// severity the finding is capped at ("" for none).
func ParseCategory(c string) (id string, sev Severity) {
	id, s, ok := strings.Cut(c, "/")
	if !ok {
		return c, ""
	}
	if _, err := ParseSeverity(s); err != nil {
		return c, ""
	}
	return id, Severity(s)
}

// Doc documents one rule. Headings follow the same order on every page:
// what it does, why is this bad, example, use instead, fix safety.
type Doc struct {
	// ID is the stable identifier, "MOD005".
	ID string
	// Name is the rule's kebab-case name, "db-outside-session".
	Name string
	// Title is a short lowercase summary without a final period.
	Title string
	// What says what the rule finds, one paragraph per case.
	What string
	// Why says why it matters to a module developer.
	Why string
	// Bad is an example that the rule reports; Good fixes it.
	Bad, Good string
	Severity  Severity
	// Fix describes the quick fixes and whether --fix may apply them
	// (safe) or only an editor action offers them (unsafe); "" when the
	// rule has no fix.
	Fix string
	// Fixes lists the titles of the rule's quick fixes with their safety:
	// `modls check --fix` and fix-all apply only safe ones.
	Fixes []Fix
	// Since is the modls version that introduced the rule.
	Since string
}

// Fix is one kind of quick fix a rule offers.
type Fix struct {
	// Title is the SuggestedFix message, a command ("Add ServiceMethod entries").
	Title string
	Safe  bool
}

// SafeFix reports whether the rule declares the fix title as safe. A
// declared title may hold placeholders in angle brackets ("Add <service> to
// services"), each standing for any non-empty text.
func (d Doc) SafeFix(title string) bool {
	for _, f := range d.Fixes {
		if f.Title == title || f.pattern().MatchString(title) {
			return f.Safe
		}
	}
	return false
}

var placeholderRE = regexp.MustCompile(`<[^<>]+>`)

func (f Fix) pattern() *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range placeholderRE.FindAllStringIndex(f.Title, -1) {
		b.WriteString(regexp.QuoteMeta(f.Title[last:loc[0]]))
		b.WriteString(".+")
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(f.Title[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// AnalyzerDoc is the text for analysis.Analyzer.Doc: the title, a blank
// line, then what the rule finds.
func (d Doc) AnalyzerDoc() string {
	return d.ID + ": " + d.Title + "\n\n" + strings.TrimSpace(d.What)
}

// URL is the rule's page.
func (d Doc) URL() string {
	return "https://github.com/modls/modls/blob/main/docs/rules/" + d.ID + ".md"
}

// Markdown renders the rule's page.
func (d Doc) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s: %s\n\n", d.ID, d.Name, d.Title)
	fmt.Fprintf(&b, "Default severity: **%s**. Since %s.\n\n", d.Severity, d.Since)
	fmt.Fprintf(&b, "## What it does\n\n%s\n\n", strings.TrimSpace(d.What))
	fmt.Fprintf(&b, "## Why is this bad\n\n%s\n\n", strings.TrimSpace(d.Why))
	fmt.Fprintf(&b, "## Example\n\n```go\n%s\n```\n\n", strings.Trim(d.Bad, "\n"))
	fmt.Fprintf(&b, "## Use instead\n\n```go\n%s\n```\n\n", strings.Trim(d.Good, "\n"))
	fix := strings.TrimSpace(d.Fix)
	if fix == "" {
		fix = "This rule has no quick fix."
	}
	fmt.Fprintf(&b, "## Fix safety\n\n%s\n\n", fix)
	fmt.Fprintf(&b, "## Suppression\n\n`//modls:ignore %s <reason>` on the line or the line above.\n", d.ID)
	return b.String()
}

// Text renders the rule's page for a terminal.
func (d Doc) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s (default severity %s)\n\n", d.ID, d.Name, d.Title, d.Severity)
	section := func(h, body string) {
		fmt.Fprintf(&b, "%s\n", h)
		for _, line := range strings.Split(strings.Trim(body, "\n"), "\n") {
			if line == "" {
				b.WriteString("\n")
			} else {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
		b.WriteString("\n")
	}
	section("What it does", strings.TrimSpace(d.What))
	section("Why is this bad", strings.TrimSpace(d.Why))
	section("Example", d.Bad)
	section("Use instead", d.Good)
	fix := strings.TrimSpace(d.Fix)
	if fix == "" {
		fix = "This rule has no quick fix."
	}
	section("Fix safety", fix)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// Check reports what is missing or malformed in a Doc; a test runs it on
// every rule.
func (d Doc) Check() error {
	var probs []string
	if len(d.ID) != 6 || !strings.HasPrefix(d.ID, "MOD") {
		probs = append(probs, "ID is not MODnnn")
	}
	for name, v := range map[string]string{"Name": d.Name, "Title": d.Title, "What": d.What, "Why": d.Why, "Bad": d.Bad, "Good": d.Good, "Since": d.Since} {
		if strings.TrimSpace(v) == "" {
			probs = append(probs, name+" is empty")
		}
	}
	if d.Title != "" && (strings.ToLower(d.Title[:1]) != d.Title[:1] || strings.HasSuffix(d.Title, ".")) {
		probs = append(probs, "Title must start lowercase and have no final period")
	}
	for _, f := range d.Fixes {
		if f.Title == "" || strings.ToUpper(f.Title[:1]) != f.Title[:1] || strings.HasSuffix(f.Title, ".") {
			probs = append(probs, fmt.Sprintf("fix title %q must be a capitalised command without a final period", f.Title))
		}
	}
	if len(d.Fixes) > 0 && strings.TrimSpace(d.Fix) == "" {
		probs = append(probs, "Fixes are declared but Fix does not describe them")
	}
	if _, err := ParseSeverity(string(d.Severity)); err != nil {
		probs = append(probs, err.Error())
	}
	if len(probs) > 0 {
		return fmt.Errorf("%s: %s", d.ID, strings.Join(probs, "; "))
	}
	return nil
}
