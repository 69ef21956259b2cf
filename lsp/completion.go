package lsp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/codeactions"
	"github.com/modls/modls/nav"
)

// completionTriggers are the characters after which an editor asks for
// completion unprompted: the opening quote of a service or module name,
// the dot of table.column, the space after FROM, the brace of
// framework.ServiceMethod{.
var completionTriggers = []string{`"`, ".", " ", "{"}

// completion offers service names in lookups (the module's declared
// dependencies first; the others add the dependency to manifest.json when
// taken), module and service names in manifest.json, tables and columns
// in SQL literals, and ServiceMethod entries filled from the signature of
// an undocumented method, as MOD002's fix writes them.
func completion(ctx context.Context, s *Server, p *protocol.CompletionParams) (any, error) {
	ne, _, off, err := s.navAt(ctx, p.TextDocumentPositionParams)
	if err != nil || ne == nil {
		return nil, err
	}
	path, _ := pathOf(p.TextDocument.URI)
	text := ne.idx.Text(path)
	if text == nil {
		return nil, nil
	}
	enc := s.encoding()
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	if items := s.serviceMethodItems(path, text, off, ne, enc); len(items) > 0 {
		list.Items = items
		return list, nil
	}
	c := ne.idx.Complete(path, text, off)
	if c == nil {
		return list, nil
	}
	rng, ok := ne.rangeOf(path, c.Start, c.End, enc)
	if !ok {
		return list, nil
	}
	dir := filepath.Dir(path)
	if m := ne.ws.Module(dir); m != nil {
		dir = m.Dir
	}
	for _, c := range c.Items {
		item := protocol.CompletionItem{
			Label:    c.Label,
			Kind:     completionKind(c.Kind),
			Detail:   protocol.NewOptional(c.Detail),
			SortText: protocol.NewOptional(sortText(c)),
			TextEdit: &protocol.TextEdit{Range: rng, NewText: c.Label},
		}
		if c.Doc != "" {
			item.Documentation = &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: c.Doc}
		}
		if c.AddDependency != "" {
			item.Command = protocol.Command{Title: "add " + c.AddDependency + " to the dependencies", Command: cmdAddDependency,
				Arguments: []protocol.LSPAny{anyValue(commandArgs{Dir: dir, Dependency: c.AddDependency})}}
		}
		list.Items = append(list.Items, item)
	}
	return list, nil
}

func sortText(c nav.Candidate) string {
	if c.First {
		return "0" + c.Label
	}
	return "1" + c.Label
}

func completionKind(k nav.Kind) protocol.CompletionItemKind {
	switch k {
	case nav.Service:
		return protocol.CompletionItemKindInterface
	case nav.Module:
		return protocol.CompletionItemKindModule
	case nav.Table:
		return protocol.CompletionItemKindStruct
	case nav.Column:
		return protocol.CompletionItemKindField
	}
	return protocol.CompletionItemKindValue
}

// serviceMethodOpen matches a line up to framework.ServiceMethod{ and
// the blanks after it.
var serviceMethodOpen = regexp.MustCompile(`(\w+)\.ServiceMethod\{\s*$`)

// serviceMethodItems completes an open framework.ServiceMethod{ with the
// entry of each method that MOD002 found undocumented in the last check
// of the module's package: the entry its fix would append, built from the
// method's signature and doc comment, no analysis of its own.
func (s *Server) serviceMethodItems(path string, text []byte, off int, ne *navEntry, enc encoding) []protocol.CompletionItem {
	lineStart := strings.LastIndexByte(string(text[:off]), '\n') + 1
	m := serviceMethodOpen.FindStringSubmatchIndex(string(text[lineStart:off]))
	if m == nil {
		return nil
	}
	start := lineStart + m[0]
	end := off
	// An editor that closes braces has written the } already.
	rest := text[off:]
	trimmed := strings.TrimLeft(string(rest), " \t\r\n")
	if strings.HasPrefix(trimmed, "}") {
		end = off + len(rest) - len(trimmed) + 1
	}
	indent := leadingBlank(string(text[lineStart:]))
	entries := s.missingEntries(filepath.Dir(path), path)
	rng, ok := ne.rangeOf(path, start, end, enc)
	if !ok {
		return nil
	}
	var items []protocol.CompletionItem
	for _, e := range entries {
		entry := strings.ReplaceAll(e.text, "\n", "\n"+indent)
		items = append(items, protocol.CompletionItem{
			Label:      e.method,
			Kind:       protocol.CompletionItemKindSnippet,
			Detail:     protocol.NewOptional("ServiceMethod entry from the signature (MOD002)"),
			FilterText: protocol.NewOptional(string(text[start:off]) + e.method),
			SortText:   protocol.NewOptional("0" + e.method),
			TextEdit:   &protocol.TextEdit{Range: rng, NewText: entry},
		})
	}
	return items
}

func leadingBlank(line string) string {
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}

type missingEntry struct{ method, text string }

// missingEntries reads the entries MOD002's fixes would add to the
// registrations of file, from the last check of every file of its package.
func (s *Server) missingEntries(dir, file string) []missingEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []missingEntry
	for name, r := range s.results {
		if filepath.Dir(name) != dir {
			continue
		}
		for _, d := range r.diags {
			if d.Rule != "MOD002" {
				continue
			}
			var method string
			if _, err := fmt.Sscanf(d.Message, "exported method %s has no ServiceMethod entry", &method); err != nil || seen[method] {
				continue
			}
			for _, f := range d.Fixes {
				for _, e := range f.Edits {
					if e.File != file {
						continue
					}
					for _, entry := range splitEntries(e.NewText) {
						if regexp.MustCompile(`Name:\s+` + regexp.QuoteMeta(fmt.Sprintf("%q", method)) + `,`).MatchString(entry) {
							if !seen[method] {
								seen[method] = true
								out = append(out, missingEntry{method, entry})
							}
						}
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].method < out[j].method })
	return out
}

// entryStart matches the first line of an entry as servicedocs.Entry
// writes it (its other lines are indented).
var entryStart = regexp.MustCompile(`(?m)^\w+\.ServiceMethod\{`)

// splitEntries splits the text MOD002's fix appends (",\n" before each
// entry) into the entries.
func splitEntries(text string) []string {
	var out []string
	idx := entryStart.FindAllStringIndex(text, -1)
	for i, m := range idx {
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		out = append(out, strings.TrimRight(text[m[0]:end], ",\n\t "))
	}
	return out
}

// addDependency adds a module to the dependencies of a module's manifest,
// asking the editor to apply the edit so that an open buffer of the
// manifest takes it like any other edit.
func addDependency(ctx context.Context, s *Server, args commandArgs, _ *progress) (outcome, error) {
	if args.Dependency == "" {
		return outcome{}, fmt.Errorf("%s needs a dependency", cmdAddDependency)
	}
	path := filepath.Join(args.Dir, "manifest.json")
	s.mu.Lock()
	d := s.docs[path]
	caps := s.caps
	s.mu.Unlock()
	var data []byte
	if d != nil {
		data = d.text
	} else {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return outcome{}, fmt.Errorf("adding %s: %w", args.Dependency, err)
		}
	}
	edits, err := codeactions.AddToList(path, data, "dependencies", args.Dependency)
	if err != nil {
		return outcome{}, err
	}
	summary := fmt.Sprintf("%s lists %s in its dependencies", filepath.Base(args.Dir), args.Dependency)
	if len(edits) == 0 {
		return outcome{ok: true, summary: summary}, nil
	}
	m := newMapper(data)
	var pes []protocol.TextEdit
	for _, e := range edits {
		sl, sc := m.position(e.Start, caps.enc)
		el, ec := m.position(e.End, caps.enc)
		pes = append(pes, protocol.TextEdit{Range: protocol.Range{Start: protocol.Position{Line: sl, Character: sc}, End: protocol.Position{Line: el, Character: ec}}, NewText: e.New})
	}
	var res protocol.ApplyWorkspaceEditResult
	if err := s.callClient(ctx, "workspace/applyEdit", &protocol.ApplyWorkspaceEditParams{
		Label: ptr("add " + args.Dependency + " to the dependencies"),
		Edit:  *s.textEdits(caps, path, d, pes),
	}, &res); err != nil {
		return outcome{}, fmt.Errorf("adding %s: %w", args.Dependency, err)
	}
	if !res.Applied {
		return outcome{}, fmt.Errorf("the editor did not add %s to the dependencies", args.Dependency)
	}
	return outcome{ok: true, summary: summary}, nil
}
