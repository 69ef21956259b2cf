// Package sqliteapi asks SQLite itself about SQL text, through the C API
// that modernc.org/sqlite translates to Go (modernc.org/sqlite/lib): it
// opens an in-memory database, runs a module's migrations on it, and
// prepares statements without running them to learn what SQLite knows of
// them: whether it rejects them and where, whether they only read
// (sqlite3_stmt_readonly), how many parameters they take, what columns
// they return with their declared types and origins, which table columns
// they read (the authorizer), and how they would run (EXPLAIN QUERY
// PLAN). database/sql does not expose any of that. modls has no SQL
// parser of its own.
package sqliteapi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/sqlite/lib"
)

// DB is an in-memory SQLite database. Its methods are safe for concurrent
// use: one call at a time runs on the connection.
type DB struct {
	mu     sync.Mutex
	tls    *libc.TLS
	db     uintptr
	closed bool
	// reads collects the authorizer's column reads while a statement is
	// prepared by Reads.
	reads *[]ColumnRef
}

// Error is SQLite's rejection of SQL text.
type Error struct {
	// Msg is SQLite's message ("no such column: amout").
	Msg string
	// Offset is the byte offset in the text given of the token SQLite
	// blames, or -1 when it does not say.
	Offset int
}

func (e *Error) Error() string { return e.Msg }

// ErrClosed is returned by the methods of a closed DB.
var ErrClosed = errors.New("sqlite: database closed")

// Open opens a fresh in-memory database.
func Open() (*DB, error) {
	tls := libc.NewTLS()
	d := &DB{tls: tls}
	name, err := libc.CString(":memory:")
	if err != nil {
		tls.Close()
		return nil, err
	}
	defer libc.Xfree(tls, name)
	pdb := tls.Alloc(8)
	defer tls.Free(8)
	rc := lib.Xsqlite3_open_v2(tls, name, pdb, lib.SQLITE_OPEN_READWRITE|lib.SQLITE_OPEN_CREATE|lib.SQLITE_OPEN_MEMORY, 0)
	d.db = readPtr(pdb)
	if rc != lib.SQLITE_OK {
		msg := "cannot open an in-memory database"
		if d.db != 0 {
			msg = libc.GoString(lib.Xsqlite3_errmsg(tls, d.db))
			lib.Xsqlite3_close_v2(tls, d.db)
		}
		tls.Close()
		return nil, fmt.Errorf("sqlite: %s", msg)
	}
	registerDB(d)
	return d, nil
}

// Close closes the database; later calls fail with ErrClosed.
func (d *DB) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	lib.Xsqlite3_close_v2(d.tls, d.db)
	unregisterDB(d)
	d.tls.Close()
}

// Exec runs every statement of sql.
func (d *DB) Exec(sql string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	return d.exec(sql)
}

func (d *DB) exec(sql string) error {
	z, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(d.tls, z)
	if rc := lib.Xsqlite3_exec(d.tls, d.db, z, 0, 0, 0); rc != lib.SQLITE_OK {
		return d.lastError()
	}
	return nil
}

// lastError is the connection's current error.
func (d *DB) lastError() *Error {
	return &Error{
		Msg:    libc.GoString(lib.Xsqlite3_errmsg(d.tls, d.db)),
		Offset: int(lib.Xsqlite3_error_offset(d.tls, d.db)),
	}
}

// Stmt is what SQLite says of one prepared statement.
type Stmt struct {
	// Start and End are the statement's byte offsets in the text given.
	Start, End int
	// ReadOnly is sqlite3_stmt_readonly: the statement makes no direct
	// change to the database file.
	ReadOnly bool
	// Explain is set for EXPLAIN and EXPLAIN QUERY PLAN statements.
	Explain bool
	// Params is sqlite3_bind_parameter_count: the largest parameter index.
	Params int
	// Named is set when a parameter has a name (:x, @x, $x or ?NNN).
	Named   bool
	Columns []Column
}

// Column is one result column of a statement.
type Column struct {
	Name string
	// DeclType is the declared type of the table column the result column
	// comes from, upper-cased ("INTEGER", "TEXT"); "" for an expression.
	DeclType string
	// Table and Origin name that table column; "" for an expression.
	Table, Origin string
}

// Prepare prepares each statement of sql in turn, without running any,
// and describes them. It stops at the first statement SQLite rejects and
// returns the statements before it with the error, whose Offset is
// relative to sql.
func (d *DB) Prepare(sql string) ([]Stmt, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	var out []Stmt
	err := d.each(sql, func(pstmt uintptr, start, end int) bool {
		out = append(out, d.describe(pstmt, start, end))
		return true
	})
	return out, err
}

// each prepares the statements of sql one by one and calls f with each
// (which must not keep it); f returns false to stop.
func (d *DB) each(sql string, f func(pstmt uintptr, start, end int) bool) error {
	z, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(d.tls, z)
	pp := d.tls.Alloc(16)
	defer d.tls.Free(16)
	ppStmt, ppTail := pp, pp+8
	cur := z
	for int(cur-z) < len(sql) {
		rc := lib.Xsqlite3_prepare_v2(d.tls, d.db, cur, -1, ppStmt, ppTail)
		if rc != lib.SQLITE_OK {
			e := d.lastError()
			if e.Offset >= 0 {
				e.Offset += int(cur - z)
			}
			return e
		}
		pstmt := readPtr(ppStmt)
		tail := readPtr(ppTail)
		if pstmt != 0 {
			goOn := f(pstmt, int(cur-z), int(tail-z))
			lib.Xsqlite3_finalize(d.tls, pstmt)
			if !goOn {
				return nil
			}
		}
		if tail == cur {
			break
		}
		cur = tail
	}
	return nil
}

func (d *DB) describe(pstmt uintptr, start, end int) Stmt {
	tls := d.tls
	s := Stmt{
		Start:    start,
		End:      end,
		ReadOnly: lib.Xsqlite3_stmt_readonly(tls, pstmt) != 0,
		Explain:  lib.Xsqlite3_stmt_isexplain(tls, pstmt) != 0,
		Params:   int(lib.Xsqlite3_bind_parameter_count(tls, pstmt)),
	}
	for i := 1; i <= s.Params; i++ {
		if lib.Xsqlite3_bind_parameter_name(tls, pstmt, int32(i)) != 0 {
			s.Named = true
		}
	}
	n := int(lib.Xsqlite3_column_count(tls, pstmt))
	for i := 0; i < n; i++ {
		s.Columns = append(s.Columns, Column{
			Name:     goString(lib.Xsqlite3_column_name(tls, pstmt, int32(i))),
			DeclType: strings.ToUpper(goString(lib.Xsqlite3_column_decltype(tls, pstmt, int32(i)))),
			Table:    goString(lib.Xsqlite3_column_table_name(tls, pstmt, int32(i))),
			Origin:   goString(lib.Xsqlite3_column_origin_name(tls, pstmt, int32(i))),
		})
	}
	return s
}

// readPtr reads the pointer SQLite stored at p (memory of the translated C
// code, not of Go).
func readPtr(p uintptr) uintptr {
	return uintptr(binary.NativeEndian.Uint64(libc.GoBytes(p, 8)))
}

func goString(p uintptr) string {
	if p == 0 {
		return ""
	}
	return libc.GoString(p)
}

// Query runs one statement that returns rows of text (a PRAGMA, EXPLAIN
// QUERY PLAN, a read of sqlite_schema) and returns them.
func (d *DB) Query(sql string) ([][]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	return d.query(sql)
}

func (d *DB) query(sql string) ([][]string, error) {
	var rows [][]string
	var stepErr error
	err := d.each(sql, func(pstmt uintptr, _, _ int) bool {
		n := int(lib.Xsqlite3_column_count(d.tls, pstmt))
		for {
			rc := lib.Xsqlite3_step(d.tls, pstmt)
			if rc == lib.SQLITE_DONE {
				return false
			}
			if rc != lib.SQLITE_ROW {
				stepErr = d.lastError()
				return false
			}
			row := make([]string, n)
			for i := range row {
				row[i] = goString(lib.Xsqlite3_column_text(d.tls, pstmt, int32(i)))
			}
			rows = append(rows, row)
		}
	})
	if err == nil {
		err = stepErr
	}
	return rows, err
}

// QueryWith runs ddl in a transaction, then query (as Query does), then
// rolls the transaction back: what query returns had ddl been applied,
// with the database left as it was.
func (d *DB) QueryWith(ddl, query string) ([][]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	defer d.exec("ROLLBACK TO modls_probe; RELEASE modls_probe")
	if err := d.exec("SAVEPOINT modls_probe; " + ddl); err != nil {
		return nil, err
	}
	return d.query(query)
}

// ColumnRef is a column of a table that a statement reads.
type ColumnRef struct {
	Table, Column string
}

// Reads prepares the first statement of sql with an authorizer installed
// and returns the table columns SQLite says it reads (SQLITE_READ), in
// every clause.
func (d *DB) Reads(sql string) ([]ColumnRef, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	var refs []ColumnRef
	d.reads = &refs
	lib.Xsqlite3_set_authorizer(d.tls, d.db, cFuncPointer(authorize), d.db)
	defer func() {
		lib.Xsqlite3_set_authorizer(d.tls, d.db, 0, 0)
		d.reads = nil
	}()
	err := d.each(sql, func(uintptr, int, int) bool { return false })
	return refs, err
}

// The databases by handle, for the authorizer callback, which SQLite
// calls with the handle as its argument.
var dbs = struct {
	sync.Mutex
	byHandle map[uintptr]*DB
}{byHandle: map[uintptr]*DB{}}

func registerDB(d *DB) {
	dbs.Lock()
	dbs.byHandle[d.db] = d
	dbs.Unlock()
}

func unregisterDB(d *DB) {
	dbs.Lock()
	delete(dbs.byHandle, d.db)
	dbs.Unlock()
}

// authorize is the authorizer callback: it records column reads and allows
// everything.
func authorize(tls *libc.TLS, arg uintptr, action int32, z1, z2, z3, z4 uintptr) int32 {
	if action != lib.SQLITE_READ {
		return lib.SQLITE_OK
	}
	dbs.Lock()
	d := dbs.byHandle[arg]
	dbs.Unlock()
	if d != nil && d.reads != nil { // d.mu is held by Reads
		*d.reads = append(*d.reads, ColumnRef{Table: goString(z1), Column: goString(z2)})
	}
	return lib.SQLITE_OK
}

// cFuncPointer turns a Go function declared at package level into the
// function pointer the translated C code calls, as modernc.org/sqlite does
// for its own callbacks (a func value is a pointer to its code pointer).
func cFuncPointer[T any](f T) uintptr {
	return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f}))
}
