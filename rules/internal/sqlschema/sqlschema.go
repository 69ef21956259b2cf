// Package sqlschema holds a module's schema as SQLite itself holds it: the
// framework's tables and the module's migrations applied, in order, to an
// in-memory database, on which the rules prepare the module's SQL (never
// running it) and ask SQLite what it makes of it. Schemas are shared by
// every pass that analyses a module with the same migrations, and what
// SQLite says of each SQL text is kept with its schema.
package sqlschema

import (
	"container/list"
	"crypto/sha256"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/modls/modls/rules/internal/sqliteapi"
	"github.com/modls/modls/workspace"
)

// frameworkSchema is the framework's own tables (framework.database's
// bootstrap): modules may read them, so they are part of every schema.
var frameworkSchema = []string{
	`CREATE TABLE IF NOT EXISTS framework_migrations (
	module TEXT NOT NULL, version INTEGER NOT NULL, checksum TEXT NOT NULL,
	applied_at TEXT NOT NULL, PRIMARY KEY (module, version))`,
	`CREATE TABLE IF NOT EXISTS framework_integrity_log (
	id INTEGER PRIMARY KEY, module TEXT NOT NULL, purpose TEXT NOT NULL,
	outcome TEXT NOT NULL, error TEXT NOT NULL DEFAULT '',
	duration_us INTEGER NOT NULL, created_at TEXT NOT NULL)`,
}

// Schema is the database of one list of migrations.
type Schema struct {
	migrations []string
	s          *schema
}

type schema struct {
	once sync.Once
	// failed is the 1-based number of the first migration SQLite
	// rejected, with its error; 0 when all applied.
	failed  int
	failErr *sqliteapi.Error
	openErr error
	db      *sqliteapi.DB

	mu       sync.Mutex
	prepared map[string]*Prepared
}

// ForModule returns the schema of a module's migrations outside test
// files, in file and source order (the workspace scans packages in no set
// order), with those migrations: every rule asks for the same schema.
func ForModule(m *workspace.Module) (*Schema, []workspace.Migration) {
	var migs []workspace.Migration
	for _, mg := range m.Migrations {
		if !strings.HasSuffix(mg.Pos.Filename, "_test.go") {
			migs = append(migs, mg)
		}
	}
	sort.SliceStable(migs, func(i, j int) bool {
		a, b := migs[i].Pos, migs[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Offset < b.Offset
	})
	texts := make([]string, len(migs))
	for i, mg := range migs {
		texts[i] = mg.SQL
	}
	return For(texts), migs
}

// For returns the schema of the migrations, applying them on first use.
func For(migrations []string) *Schema {
	return &Schema{migrations: migrations, s: cached(migrations)}
}

// Failed returns the number (from 1) of the first migration SQLite
// rejected, and its error; 0 when every migration applied.
func (s *Schema) Failed() (int, *sqliteapi.Error) { return s.s.failed, s.s.failErr }

// OK reports whether the schema is known: the database opened and every
// migration applied.
func (s *Schema) OK() bool { return s.s.openErr == nil && s.s.failed == 0 }

// Prepared is what SQLite says of a SQL text on the schema.
type Prepared struct {
	// Stmts are the statements SQLite prepared, up to the one it rejected.
	Stmts []sqliteapi.Stmt
	// Err is SQLite's rejection, or nil.
	Err *sqliteapi.Error
}

// ReadOnly reports whether every statement prepared only reads
// (sqlite3_stmt_readonly), and whether that is known (no statement was
// rejected).
func (p *Prepared) ReadOnly() (readOnly, known bool) {
	if p.Err != nil {
		return false, false
	}
	for _, st := range p.Stmts {
		if !st.ReadOnly {
			return false, true
		}
	}
	return true, true
}

// Prepare prepares sql on the schema and says what SQLite makes of it.
// It returns nil when the schema's database could not be opened.
func (s *Schema) Prepare(sql string) *Prepared {
	for {
		p, err := s.s.prepare(sql)
		if errors.Is(err, sqliteapi.ErrClosed) {
			s.s = cached(s.migrations) // evicted while in use: ask again
			continue
		}
		return p
	}
}

func (s *schema) prepare(sql string) (*Prepared, error) {
	if s.db == nil {
		return nil, nil
	}
	s.mu.Lock()
	p, ok := s.prepared[sql]
	s.mu.Unlock()
	if ok {
		return p, nil
	}
	stmts, err := s.db.Prepare(sql)
	if errors.Is(err, sqliteapi.ErrClosed) {
		return nil, err
	}
	p = &Prepared{Stmts: stmts}
	var se *sqliteapi.Error
	if errors.As(err, &se) {
		p.Err = se
	} else if err != nil {
		return nil, nil
	}
	s.mu.Lock()
	if s.prepared == nil {
		s.prepared = map[string]*Prepared{}
	}
	s.prepared[sql] = p
	s.mu.Unlock()
	return p, nil
}

// Plan returns the detail column of EXPLAIN QUERY PLAN for one statement.
func (s *Schema) Plan(stmt string) []string {
	rows := s.query("EXPLAIN QUERY PLAN " + stmt)
	var out []string
	for _, r := range rows {
		if len(r) >= 4 {
			out = append(out, r[3])
		}
	}
	return out
}

// PlanWithIndex returns the plan of one statement had the migrations also
// created an index on table(column).
func (s *Schema) PlanWithIndex(table, column, stmt string) []string {
	for {
		if s.s.db == nil {
			return nil
		}
		ddl := "CREATE INDEX modls_probe_index ON " + quoteIdent(table) + " (" + quoteIdent(column) + ")"
		rows, err := s.s.db.QueryWith(ddl, "EXPLAIN QUERY PLAN "+stmt)
		if errors.Is(err, sqliteapi.ErrClosed) {
			s.s = cached(s.migrations)
			continue
		}
		var out []string
		for _, r := range rows {
			if len(r) >= 4 {
				out = append(out, r[3])
			}
		}
		return out
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Reads returns the table columns one statement reads, as SQLite's
// authorizer reports them.
func (s *Schema) Reads(stmt string) []sqliteapi.ColumnRef {
	for {
		if s.s.db == nil {
			return nil
		}
		refs, err := s.s.db.Reads(stmt)
		if errors.Is(err, sqliteapi.ErrClosed) {
			s.s = cached(s.migrations)
			continue
		}
		return refs
	}
}

// IndexedColumns returns, for each index of table, its first column.
func (s *Schema) IndexedColumns(table string) []string {
	var out []string
	for _, r := range s.query("SELECT name FROM pragma_index_list(" + quote(table) + ")") {
		info := s.query("SELECT name FROM pragma_index_info(" + quote(r[0]) + ") ORDER BY seqno LIMIT 1")
		if len(info) > 0 && info[0][0] != "" {
			out = append(out, info[0][0])
		}
	}
	return out
}

// Tables lists the schema's tables.
func (s *Schema) Tables() []string {
	var out []string
	for _, r := range s.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") {
		out = append(out, r[0])
	}
	return out
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (s *Schema) query(q string) [][]string {
	for {
		if s.s.db == nil {
			return nil
		}
		rows, err := s.s.db.Query(q)
		if errors.Is(err, sqliteapi.ErrClosed) {
			s.s = cached(s.migrations)
			continue
		}
		return rows
	}
}

// IsSyntaxError reports whether SQLite's message says the text is not SQL,
// whatever the schema.
func IsSyntaxError(msg string) bool {
	return strings.Contains(msg, "syntax error") ||
		strings.HasPrefix(msg, "incomplete input") ||
		strings.HasPrefix(msg, "unrecognized token")
}

// cacheSize bounds the number of open schema databases: a language
// server analysing many modules keeps the most recently used ones.
const cacheSize = 64

// schemas is the process's cache of schema databases, keyed by the
// content of the migrations, least recently used evicted first.
var schemas = struct {
	sync.Mutex
	byKey map[[32]byte]*list.Element // of *entry
	lru   list.List
}{byKey: map[[32]byte]*list.Element{}}

type entry struct {
	key [32]byte
	s   *schema
}

func cached(migrations []string) *schema {
	h := sha256.New()
	for _, m := range migrations {
		h.Write([]byte(m))
		h.Write([]byte{0})
	}
	var key [32]byte
	copy(key[:], h.Sum(nil))

	schemas.Lock()
	var s *schema
	if el, ok := schemas.byKey[key]; ok {
		schemas.lru.MoveToFront(el)
		s = el.Value.(*entry).s
	} else {
		s = &schema{}
		schemas.byKey[key] = schemas.lru.PushFront(&entry{key, s})
		for schemas.lru.Len() > cacheSize {
			old := schemas.lru.Back()
			schemas.lru.Remove(old)
			e := old.Value.(*entry)
			delete(schemas.byKey, e.key)
			e.s.close()
		}
	}
	schemas.Unlock()
	s.once.Do(func() { s.apply(migrations) })
	return s
}

func (s *schema) apply(migrations []string) {
	db, err := sqliteapi.Open()
	if err != nil {
		s.openErr = err
		return
	}
	for _, stmt := range frameworkSchema {
		if err := db.Exec(stmt); err != nil {
			db.Close()
			s.openErr = err
			return
		}
	}
	for i, stmt := range migrations {
		if err := db.Exec(stmt); err != nil {
			var se *sqliteapi.Error
			if !errors.As(err, &se) {
				se = &sqliteapi.Error{Msg: err.Error(), Offset: -1}
			}
			s.failed, s.failErr = i+1, se
			break
		}
	}
	s.db = db
}

// close closes the database; a pass still using it gets ErrClosed and asks
// the cache again.
func (s *schema) close() {
	s.once.Do(func() {}) // never applied: nothing to close
	if s.db != nil {
		s.db.Close()
	}
}
