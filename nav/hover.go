package nav

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Hover describes the thing named at o in Markdown, as seen from the
// module whose file holds it.
func (x *Index) Hover(o *Occurrence) string {
	var b strings.Builder
	switch o.Kind {
	case Service:
		x.hoverService(&b, o)
	case Module:
		x.hoverModule(&b, o)
	case Setting:
		s := x.setting(o.app, o.Name)
		if s == nil {
			return ""
		}
		fmt.Fprintf(&b, "**setting** `%s` of `%s`\n\n", s.Key, s.Module)
		fmt.Fprintf(&b, "```go\n%s %s\n```\n\n", s.Field, s.Type)
		if s.Doc != "" {
			fmt.Fprintf(&b, "%s\n\n", s.Doc)
		}
		fmt.Fprintf(&b, "- environment: `%s`\n", s.Env())
		fmt.Fprintf(&b, "- config file: `{\"%s\": {\"%s\": …}}`\n", s.Module, s.Key)
		if s.HasDefault {
			fmt.Fprintf(&b, "- default: `%s`\n", s.Default)
		} else {
			b.WriteString("- default: none (the type's zero value)\n")
		}
		if s.Validate != "" {
			fmt.Fprintf(&b, "- validation: `%s`\n", s.Validate)
		}
	case Route:
		r := x.route(o.app, o.Name)
		if r == nil {
			return ""
		}
		fmt.Fprintf(&b, "**route** `%s %s` of `%s`\n\n", r.Method, r.FullPath(), r.Module)
		if r.Request != "" {
			fmt.Fprintf(&b, "- request: `%s`\n", r.Request)
		}
		if r.Response != "" {
			fmt.Fprintf(&b, "- response: `%s`\n", r.Response)
		}
		fmt.Fprintf(&b, "- handler: `%s`\n", r.Handler)
	case Table:
		t := x.table(o.app, o.Name)
		if t == nil {
			return ""
		}
		fmt.Fprintf(&b, "**table** `%s` of `%s`\n\n```sql\n%s\n```\n\ncreated by the migration at %s", t.Name, t.Module, t.Statement, x.where(t.Loc))
		for _, c := range t.Columns {
			if c.Added {
				fmt.Fprintf(&b, "\n\n`%s` added by the migration at %s", c.Name, x.where(c.Loc))
			}
		}
	case Column:
		c := x.column(o.app, o.Name)
		if c == nil {
			return ""
		}
		verb := "created with the table by"
		if c.Added {
			verb = "added by"
		}
		fmt.Fprintf(&b, "**column** `%s.%s`\n\n```sql\n%s\n```\n\n%s the migration at %s", c.Table, c.Name, c.Definition, verb, x.where(c.Loc))
	}
	return b.String()
}

func (x *Index) hoverService(b *strings.Builder, o *Occurrence) {
	s := x.service(o.app, o.Name)
	if s == nil {
		fmt.Fprintf(b, "**service** `%s`\n\nno module of the application registers it", o.Name)
		return
	}
	fmt.Fprintf(b, "**service** `%s`, provided by `%s`", s.Name, s.Provider)
	if s.Registration.File != "" {
		fmt.Fprintf(b, " (registered at %s)", x.where(s.Registration))
	}
	b.WriteString("\n\n")
	if o.Module != "" && o.Module != s.Provider {
		m := x.moduleInfo(o.app, o.Module)
		switch {
		case m != nil && slices.Contains(m.Dependencies, s.Provider):
			fmt.Fprintf(b, "`%s` declares the dependency on `%s`\n\n", o.Module, s.Provider)
		case m != nil:
			fmt.Fprintf(b, "`%s` does **not** declare the dependency on `%s`\n\n", o.Module, s.Provider)
		}
	}
	for _, m := range s.Methods {
		var params []string
		for _, p := range m.Params {
			params = append(params, strings.TrimSpace(p.Name+" "+p.Type))
		}
		fmt.Fprintf(b, "```go\n%s(%s) %s\n```\n", m.Name, strings.Join(params, ", "), m.Returns)
		if m.Description != "" {
			fmt.Fprintf(b, "%s\n", m.Description)
		}
		for _, p := range m.Params {
			if p.Description != "" {
				fmt.Fprintf(b, "- `%s`: %s\n", p.Name, p.Description)
			}
		}
		if m.Example != "" {
			fmt.Fprintf(b, "\nexample: `%s`\n", m.Example)
		}
		b.WriteString("\n")
	}
}

func (x *Index) hoverModule(b *strings.Builder, o *Occurrence) {
	m := x.moduleInfo(o.app, o.Name)
	if m == nil {
		fmt.Fprintf(b, "**module** `%s`\n\nno module of the application has this name", o.Name)
		return
	}
	fmt.Fprintf(b, "**module** `%s`", m.Name)
	if m.Version != "" {
		fmt.Fprintf(b, " %s", m.Version)
	}
	b.WriteString("\n\n")
	if m.Description != "" {
		fmt.Fprintf(b, "%s\n\n", m.Description)
	}
	if len(m.Services) > 0 {
		fmt.Fprintf(b, "- services: %s\n", codeList(m.Services))
	}
	if len(m.Dependencies) > 0 {
		fmt.Fprintf(b, "- dependencies: %s\n", codeList(m.Dependencies))
	}
	if len(m.Features) > 0 {
		fmt.Fprintf(b, "- features: %s\n", codeList(m.Features))
	}
}

func codeList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

// where names a place as path:line, the path relative to the workspace.
func (x *Index) where(l Location) string {
	rel, err := filepath.Rel(x.Root, l.File)
	if err != nil {
		rel = l.File
	}
	line := 1
	text := x.Text(l.File)
	for _, c := range text[:min(l.Start, len(text))] {
		if c == '\n' {
			line++
		}
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), line)
}
