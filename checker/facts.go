package checker

import (
	"bytes"
	"encoding/gob"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/objectpath"

	"github.com/modls/modls/rules"
)

// Analysis facts carry what a rule learnt of one package to the packages
// that import it: a function of the application that passes its parameter
// on to a database call is a SQL sink, one that reads a file is I/O. Only
// packages of the main Go module have facts (the framework, the standard
// library and other modules have none), and only the analyzers that
// declare fact types produce them.
//
// A package's facts are encoded (the object's path in its package, as
// objectpath gives it, and the fact as gob), so that they outlive the
// type-check that produced them: the packages that import it see other
// *types.Object values, type-checked without bodies or read from export
// data, and the cache keeps the encoded facts beside the findings.

// packageFacts are the facts one package's analysis exported.
type packageFacts struct {
	Facts []encodedFact
}

type encodedFact struct {
	// Analyzer is the exporting analyzer's name; Object the object's path
	// in its package ("" for a package fact); Type the fact's type.
	Analyzer, Object, Type string
	Data                   []byte
}

func (pf *packageFacts) encode() []byte {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(pf); err != nil {
		return nil
	}
	return b.Bytes()
}

func decodeFacts(data []byte) *packageFacts {
	pf := new(packageFacts)
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(pf); err != nil {
		return nil
	}
	return pf
}

// factTypeName names a fact's type for the encoding.
func factTypeName(f analysis.Fact) string {
	return reflect.TypeOf(f).String()
}

// factSource returns the facts of a package by import path (nil for none).
type factSource func(path string) *packageFacts

// factKey identifies a fact of the package being analysed.
type factKey struct {
	analyzer string
	obj      types.Object // nil for a package fact
	typ      reflect.Type
}

// factStore is the fact state of one package's analysis: the facts its
// analyzers export, and those they import, decoded on first use.
//
// A fact may hold file names (where a function does what it does): they
// are encoded through codec, as the cache keeps every file name, relative
// to their module, and placed again under this checkout's modules when a
// fact is decoded, so that facts from a cache written at another path
// name this checkout's files.
type factStore struct {
	pkg     *types.Package
	imports factSource
	codec   *pathCodec

	mu       sync.Mutex
	local    map[factKey]analysis.Fact
	order    []factKey
	imported map[string]map[string][]byte // by package path, then analyzer|object|type
	enc      map[*types.Package]*objectpath.Encoder
}

func newFactStore(pkg *types.Package, imports factSource, codec *pathCodec) *factStore {
	return &factStore{pkg: pkg, imports: imports, codec: codec, local: map[factKey]analysis.Fact{},
		imported: map[string]map[string][]byte{}, enc: map[*types.Package]*objectpath.Encoder{}}
}

func (s *factStore) objectPath(obj types.Object) (objectpath.Path, bool) {
	enc := s.enc[obj.Pkg()]
	if enc == nil {
		enc = new(objectpath.Encoder)
		s.enc[obj.Pkg()] = enc
	}
	p, err := enc.For(obj)
	return p, err == nil
}

func (s *factStore) export(a *analysis.Analyzer, obj types.Object, fact analysis.Fact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := factKey{a.Name, obj, reflect.TypeOf(fact)}
	if _, ok := s.local[k]; !ok {
		s.order = append(s.order, k)
	}
	s.local[k] = fact
}

// lookup copies the fact of obj (nil: the package pkg's) into ptr.
func (s *factStore) lookup(a *analysis.Analyzer, pkg *types.Package, obj types.Object, ptr analysis.Fact) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pkg == s.pkg {
		f, ok := s.local[factKey{a.Name, obj, reflect.TypeOf(ptr)}]
		if ok {
			reflect.ValueOf(ptr).Elem().Set(reflect.ValueOf(f).Elem())
		}
		return ok
	}
	if s.imports == nil || pkg == nil {
		return false
	}
	byKey, ok := s.imported[pkg.Path()]
	if !ok {
		byKey = map[string][]byte{}
		if pf := s.imports(pkg.Path()); pf != nil {
			for _, f := range pf.Facts {
				byKey[f.Analyzer+"|"+f.Object+"|"+f.Type] = f.Data
			}
		}
		s.imported[pkg.Path()] = byKey
	}
	if len(byKey) == 0 {
		return false // most imports (the standard library) have no facts
	}
	path := ""
	if obj != nil {
		p, ok := s.objectPath(obj)
		if !ok {
			return false
		}
		path = string(p)
	}
	data, ok := byKey[a.Name+"|"+path+"|"+factTypeName(ptr)]
	if !ok {
		return false
	}
	if gob.NewDecoder(bytes.NewReader(data)).Decode(ptr) != nil {
		return false
	}
	if s.codec != nil {
		mapStrings(reflect.ValueOf(ptr), s.codec.decodeText)
	}
	return true
}

// hooks fills in the fact functions of a pass.
func (s *factStore) hooks(pass *analysis.Pass) {
	a := pass.Analyzer
	pass.ExportObjectFact = func(obj types.Object, fact analysis.Fact) {
		if obj.Pkg() == s.pkg {
			s.export(a, obj, fact)
		}
	}
	pass.ExportPackageFact = func(fact analysis.Fact) { s.export(a, nil, fact) }
	pass.ImportObjectFact = func(obj types.Object, fact analysis.Fact) bool {
		return obj != nil && s.lookup(a, obj.Pkg(), obj, fact)
	}
	pass.ImportPackageFact = func(pkg *types.Package, fact analysis.Fact) bool {
		return s.lookup(a, pkg, nil, fact)
	}
	pass.AllObjectFacts = func() []analysis.ObjectFact {
		s.mu.Lock()
		defer s.mu.Unlock()
		var out []analysis.ObjectFact
		for _, k := range s.order {
			if k.analyzer == a.Name && k.obj != nil {
				out = append(out, analysis.ObjectFact{Object: k.obj, Fact: s.local[k]})
			}
		}
		return out
	}
	pass.AllPackageFacts = func() []analysis.PackageFact {
		s.mu.Lock()
		defer s.mu.Unlock()
		var out []analysis.PackageFact
		for _, k := range s.order {
			if k.analyzer == a.Name && k.obj == nil {
				out = append(out, analysis.PackageFact{Package: s.pkg, Fact: s.local[k]})
			}
		}
		return out
	}
}

// encoded returns the package's exported facts, leaving out those of
// objects that other packages cannot name.
func (s *factStore) encoded() *packageFacts {
	s.mu.Lock()
	defer s.mu.Unlock()
	pf := &packageFacts{}
	// Analyzers run side by side, so their facts interleave in s.order;
	// each analyzer's own come in the order it exported them.
	order := slices.Clone(s.order)
	slices.SortStableFunc(order, func(a, b factKey) int { return strings.Compare(a.analyzer, b.analyzer) })
	for _, k := range order {
		path := ""
		if k.obj != nil {
			p, ok := s.objectPath(k.obj)
			if !ok {
				continue
			}
			path = string(p)
		}
		data, err := s.encodeFact(s.local[k])
		if err != nil {
			continue
		}
		pf.Facts = append(pf.Facts, encodedFact{Analyzer: k.analyzer, Object: path, Type: factTypeName(s.local[k]), Data: data})
	}
	return pf
}

// encodeFact encodes a fact as gob, its file names (any absolute path
// under a module of the listing, in any string of it) written portably:
// a copy of the fact, decoded from its encoding, is rewritten and encoded
// again, so the analyzer's own value is left as it was.
func (s *factStore) encodeFact(f analysis.Fact) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(f); err != nil {
		return nil, err
	}
	if s.codec == nil {
		return b.Bytes(), nil
	}
	cp := reflect.New(reflect.TypeOf(f).Elem())
	if err := gob.NewDecoder(bytes.NewReader(b.Bytes())).Decode(cp.Interface()); err != nil {
		return nil, err
	}
	if !mapStrings(cp, s.codec.encodeText) {
		return b.Bytes(), nil
	}
	var out bytes.Buffer
	if err := gob.NewEncoder(&out).Encode(cp.Interface()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// mapStrings replaces every settable string in the value v points into
// (through pointers, structs, slices, arrays and map values) by f of it,
// and reports whether any changed.
func mapStrings(v reflect.Value, f func(string) string) bool {
	return mapStringsDepth(v, f, 0)
}

func mapStringsDepth(v reflect.Value, f func(string) string, depth int) bool {
	if depth > 32 {
		return false
	}
	changed := false
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			changed = mapStringsDepth(v.Elem(), f, depth+1)
		}
	case reflect.String:
		if s := f(v.String()); v.CanSet() && s != v.String() {
			v.SetString(s)
			changed = true
		}
	case reflect.Struct:
		for i := range v.NumField() {
			changed = mapStringsDepth(v.Field(i), f, depth+1) || changed
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			changed = mapStringsDepth(v.Index(i), f, depth+1) || changed
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			if mapStringsDepth(e, f, depth+1) {
				v.SetMapIndex(k, e)
				changed = true
			}
		}
	}
	return changed
}

// factful returns the analyzers that produce facts among analyzers and
// what they require, in an order where requirements come first.
func factful(analyzers []*analysis.Analyzer) []*analysis.Analyzer {
	var out []*analysis.Analyzer
	seen := map[*analysis.Analyzer]bool{}
	var hasFacts func(a *analysis.Analyzer) bool
	hasFacts = func(a *analysis.Analyzer) bool {
		if len(a.FactTypes) > 0 {
			return true
		}
		for _, r := range a.Requires {
			if hasFacts(r) {
				return true
			}
		}
		return false
	}
	for _, a := range analyzers {
		if hasFacts(a) && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// hasFacts reports whether a package of the listing can have facts: a
// package of the main Go module other than the framework.
func hasFacts(lp *listedPackage) bool {
	if lp == nil || lp.Standard || lp.Module == nil || !lp.Module.Main {
		return false
	}
	return lp.ImportPath != rules.FrameworkPath && !strings.HasPrefix(lp.ImportPath, rules.FrameworkPath+"/")
}

// factDeps lists the packages with facts that a package's analysis may ask
// about: everything the given import lists of it import, directly or not,
// in the main Go module.
func factDeps(listed map[string]*listedPackage, lp *listedPackage, lists ...[]string) []string {
	seen := map[string]bool{lp.ImportPath: true}
	var out []string
	var visit func(p *listedPackage, imports []string)
	visit = func(p *listedPackage, imports []string) {
		for _, imp := range imports {
			if m, ok := p.ImportMap[imp]; ok {
				imp = m
			}
			if seen[imp] {
				continue
			}
			seen[imp] = true
			dep := listed[imp]
			if !hasFacts(dep) {
				continue
			}
			out = append(out, imp)
			visit(dep, dep.Imports)
		}
	}
	for _, l := range lists {
		visit(lp, l)
	}
	sort.Strings(out)
	return out
}

// factsOfPackage type-checks a package of the main module in full (it is
// not a root of this check, or its facts were not cached) and runs the
// analyzers that produce facts on it.
func factsOfPackage(l *loader, fset *token.FileSet, path string, analyzers []*analysis.Analyzer, imports factSource) *packageFacts {
	start := time.Now()
	pkg, err := l.check(path, true, false, fset, nil)
	l.timings.phase(PhaseTypeCheck, start)
	if err != nil || pkg.Types == nil || len(pkg.Files) == 0 {
		return &packageFacts{}
	}
	store := newFactStore(pkg.Types, imports, l.codec())
	l.beforeAnalysis(path)
	analyze(fset, pkg, analyzers, l.readFile, store, l.timings)
	return store.encoded()
}

// factsProvider gives a batch check's packages the facts of the packages
// they import: from the check of that package in this run, from the
// cache, or by checking the package for its facts alone.
type factsProvider struct {
	l         *loader
	key       func(path string) string
	cache     *Cache
	analyzers []*analysis.Analyzer // those that produce facts

	mu      sync.Mutex
	futures map[string]*factsFuture
	// fresh are the facts computed in this run, to record.
	fresh map[string]*packageFacts
}

type factsFuture struct {
	mu    sync.Mutex
	state futureState
	// changed is closed, and replaced, at every change of state.
	changed chan struct{}
	facts   *packageFacts
}

type futureState int

const (
	// unclaimed: the first get computes the facts (from the cache, or by
	// checking the package for them).
	unclaimed futureState = iota
	// claimed: the package's check in this run gives them (set), or,
	// answered from the cache after all, gives them up (release).
	claimed
	// computing: a get is computing them.
	computing
	// fulfilled: facts holds them.
	fulfilled
)

func newFactsProvider(l *loader, key func(string) string, cache *Cache, analyzers []*analysis.Analyzer, checked []*listedPackage) *factsProvider {
	p := &factsProvider{l: l, key: key, cache: cache, analyzers: factful(analyzers),
		futures: map[string]*factsFuture{}, fresh: map[string]*packageFacts{}}
	for _, lp := range checked {
		p.claim(lp.ImportPath)
	}
	return p
}

func (p *factsProvider) future(path string) *factsFuture {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.futures[path]
	if f == nil {
		f = &factsFuture{changed: make(chan struct{})}
		p.futures[path] = f
	}
	return f
}

// to moves the future to state; f.mu is held.
func (f *factsFuture) to(state futureState) {
	f.state = state
	close(f.changed)
	f.changed = make(chan struct{})
}

// claim makes the check of path in this run the source of its facts
// (set), unless a get has begun computing them: false then.
func (p *factsProvider) claim(path string) bool {
	f := p.future(path)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == unclaimed {
		f.to(claimed)
	}
	return f.state == claimed
}

// release gives up a claim: the package is not checked in this run
// after all, and the first get computes its facts.
func (p *factsProvider) release(path string) {
	f := p.future(path)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == claimed {
		f.to(unclaimed)
	}
}

// get returns the facts of path, waiting for or computing them.
func (p *factsProvider) get(path string) *packageFacts {
	if len(p.analyzers) == 0 || !hasFacts(p.l.listed[path]) {
		return nil
	}
	f := p.future(path)
	for {
		f.mu.Lock()
		switch f.state {
		case fulfilled:
			f.mu.Unlock()
			return f.facts
		case unclaimed:
			f.to(computing)
			f.mu.Unlock()
			pf := p.compute(path)
			f.mu.Lock()
			f.facts = pf
			f.to(fulfilled)
			f.mu.Unlock()
			return pf
		}
		ch := f.changed
		f.mu.Unlock()
		<-ch
	}
}

// cached returns the recorded facts of path, or nil.
func (p *factsProvider) cached(path string) *packageFacts {
	key := p.cacheKey(path)
	if p.cache == nil || key == "" {
		return nil
	}
	if data, ok := p.cache.Facts(key); ok {
		return decodeFacts(data)
	}
	return nil
}

// compute takes a package's facts from the cache, or checks the package
// for them.
func (p *factsProvider) compute(path string) *packageFacts {
	if pf := p.cached(path); pf != nil {
		return pf
	}
	pf := factsOfPackage(p.l, p.l.fset, path, p.analyzers, p.get)
	p.record(path, pf)
	return pf
}

// await gets the facts of every package the package's analysis may ask
// about, before it takes a place to run: a package waiting for another's
// check must not hold one. The imports of its external tests are awaited
// apart (awaitXTest): one of them may import the package itself, and waits
// for its facts.
func (p *factsProvider) await(lp *listedPackage) {
	if len(p.analyzers) == 0 {
		return
	}
	for _, d := range factDeps(p.l.listed, lp, lp.Imports, lp.TestImports) {
		p.get(d)
	}
}

// awaitXTest gets the facts of what the package's external tests import.
func (p *factsProvider) awaitXTest(lp *listedPackage) {
	if len(p.analyzers) == 0 {
		return
	}
	for _, d := range factDeps(p.l.listed, lp, lp.XTestImports) {
		p.get(d)
	}
}

// set fulfils the facts of a package checked in this run.
func (p *factsProvider) set(path string, pf *packageFacts) {
	if p.fulfil(path, pf) && pf != nil {
		p.record(path, pf)
	}
}

// fulfil gives a claimed future its facts; false if it was not claimed.
func (p *factsProvider) fulfil(path string, pf *packageFacts) bool {
	f := p.future(path)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state != claimed {
		return false
	}
	f.facts = pf
	f.to(fulfilled)
	return true
}

func (p *factsProvider) record(path string, pf *packageFacts) {
	p.mu.Lock()
	p.fresh[path] = pf
	p.mu.Unlock()
}

func (p *factsProvider) cacheKey(path string) string {
	if p.key == nil {
		return ""
	}
	k := p.key(path)
	if k == "" {
		return ""
	}
	return "facts|" + k
}

// save records the facts computed in this run in the cache.
func (p *factsProvider) save() error {
	if p.cache == nil {
		return nil
	}
	p.mu.Lock()
	blobs := map[string][]byte{}
	for path, pf := range p.fresh {
		if k := p.cacheKey(path); k != "" {
			blobs[k] = pf.encode()
		}
	}
	p.mu.Unlock()
	if len(blobs) == 0 {
		return nil
	}
	return p.cache.PutFacts(blobs)
}
