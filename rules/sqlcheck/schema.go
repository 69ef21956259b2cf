package sqlcheck

import (
	"container/list"
	"crypto/sha256"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"sync"

	"modernc.org/sqlite"
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

// schema is an in-memory SQLite database holding one module's migrations.
// Statements are compiled on it (EXPLAIN), never run, so it is shared by
// every pass that analyses a module with the same migrations.
type schema struct {
	once sync.Once
	// failed is the 1-based number of the first migration SQLite
	// rejected, with its message; 0 when all applied.
	failed  int
	failMsg string
	openErr error

	mu     sync.Mutex // one statement at a time on db
	db     *sql.DB
	closed bool
}

// schemaCacheSize bounds the number of open schema databases: a language
// server analysing many modules keeps the most recently used ones.
const schemaCacheSize = 64

// schemas is the process's cache of schema databases, keyed by the content
// of the migrations, least recently used evicted first.
var schemas = struct {
	sync.Mutex
	byKey map[[32]byte]*list.Element // of *cached
	lru   list.List
}{byKey: map[[32]byte]*list.Element{}}

type cached struct {
	key [32]byte
	s   *schema
}

// schemaFor returns the schema database of the migrations, applying them on
// first use.
func schemaFor(migrations []string) *schema {
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
		s = el.Value.(*cached).s
	} else {
		s = &schema{}
		schemas.byKey[key] = schemas.lru.PushFront(&cached{key, s})
		for schemas.lru.Len() > schemaCacheSize {
			old := schemas.lru.Back()
			schemas.lru.Remove(old)
			c := old.Value.(*cached)
			delete(schemas.byKey, c.key)
			c.s.close()
		}
	}
	schemas.Unlock()
	s.once.Do(func() { s.apply(migrations) })
	return s
}

func (s *schema) apply(migrations []string) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		s.openErr = err
		return
	}
	// Every connection to :memory: is a database of its own.
	db.SetMaxOpenConns(1)
	for _, stmt := range frameworkSchema {
		if _, err := db.Exec(stmt); err != nil {
			db.Close()
			s.openErr = err
			return
		}
	}
	for i, stmt := range migrations {
		if _, err := db.Exec(stmt); err != nil {
			s.failed, s.failMsg = i+1, message(err)
			break
		}
	}
	s.mu.Lock()
	s.db = db
	if s.closed { // evicted while it was being built
		db.Close()
	}
	s.mu.Unlock()
}

func (s *schema) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.db != nil {
		s.db.Close()
	}
}

// errEvicted says the schema was closed under a caller, who then asks the
// cache again.
var errEvicted = errors.New("schema evicted")

// compile compiles query on the schema and returns SQLite's rejection of
// it, or nil. Each statement of query is compiled with EXPLAIN, which
// prepares the statement and lists its program without running it; errors
// that come after a successful prepare (binding the missing arguments) are
// not SQLite's rejection and count as success.
func (s *schema) compile(query string) (string, error) {
	stmts, ok := splitStatements(query)
	if !ok {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errEvicted
	}
	if s.db == nil {
		return "", s.openErr
	}
	for _, stmt := range stmts {
		if !hasKeyword(stmt, "EXPLAIN") {
			stmt = "EXPLAIN " + stmt
		}
		rows, err := s.db.Query(stmt)
		if err == nil {
			rows.Close()
			continue
		}
		var serr *sqlite.Error
		if errors.As(err, &serr) {
			return message(err), nil
		}
	}
	return "", nil
}

var codeSuffix = regexp.MustCompile(` \(\d+\)$`)

// message is SQLite's message without the driver's decoration:
// "SQL logic error: no such table: x (1)" becomes "no such table: x".
func message(err error) string {
	msg := codeSuffix.ReplaceAllString(err.Error(), "")
	return strings.TrimPrefix(msg, "SQL logic error: ")
}

// isSyntaxError reports whether SQLite's message says the text is not SQL,
// whatever the schema: the only errors reported when the schema is unknown.
func isSyntaxError(msg string) bool {
	return strings.Contains(msg, "syntax error") ||
		strings.HasPrefix(msg, "incomplete input") ||
		strings.HasPrefix(msg, "unrecognized token")
}

// hasKeyword reports whether the statement's first word is kw.
func hasKeyword(stmt, kw string) bool {
	w := firstWord(stmt)
	return strings.EqualFold(w, kw)
}

// firstWord is the first word of a statement after comments and spaces.
func firstWord(stmt string) string {
	s := skipSpace(stmt, 0)
	e := s
	for e < len(stmt) && isWordByte(stmt[e]) {
		e++
	}
	return stmt[s:e]
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// skipSpace returns the offset of the first byte at or after i that is not
// whitespace or inside a comment.
func skipSpace(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f':
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return len(s)
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return len(s)
			}
			i += 2 + j + 2
		default:
			return i
		}
	}
	return i
}

// splitStatements splits query at the semicolons outside quotes and
// comments, leaving out empty statements. It returns false for text it
// cannot split safely: a trigger body holds semicolons of its own.
func splitStatements(query string) ([]string, bool) {
	var out []string
	start := 0
	flush := func(end int) {
		stmt := query[start:end]
		if skipSpace(stmt, 0) < len(stmt) {
			out = append(out, stmt)
		}
	}
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				i = len(query)
				continue
			}
			i += j + 2
		case c == '[':
			j := strings.IndexByte(query[i+1:], ']')
			if j < 0 {
				i = len(query)
				continue
			}
			i += j + 2
		case strings.HasPrefix(query[i:], "--") || strings.HasPrefix(query[i:], "/*"):
			i = skipSpace(query, i)
		case c == ';':
			flush(i)
			i++
			start = i
		default:
			i++
		}
	}
	flush(len(query))
	for _, stmt := range out {
		if hasKeyword(stmt, "CREATE") && containsWord(stmt, "TRIGGER") {
			return nil, false
		}
	}
	return out, true
}

// containsWord reports whether word occurs in s as a whole word, in any
// case.
func containsWord(s, word string) bool {
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if strings.EqualFold(s[i:j], word) {
			return true
		}
		i = j
	}
	return false
}
