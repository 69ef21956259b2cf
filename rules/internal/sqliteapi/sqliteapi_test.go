package sqliteapi

import (
	"errors"
	"reflect"
	"testing"
)

func open(t *testing.T, schema ...string) *DB {
	t.Helper()
	d, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	for _, s := range schema {
		if err := d.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return d
}

func TestPrepare(t *testing.T) {
	d := open(t, `CREATE TABLE runs (id INTEGER PRIMARY KEY, target TEXT NOT NULL, status text, started_at DATETIME)`)
	stmts, err := d.Prepare("SELECT id, upper(target), started_at FROM runs WHERE status = ? AND id > ?; UPDATE runs SET status = :s")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 {
		t.Fatalf("got %d statements, want 2", len(stmts))
	}
	sel, upd := stmts[0], stmts[1]
	if !sel.ReadOnly || upd.ReadOnly {
		t.Errorf("read-only flags: select %v, update %v", sel.ReadOnly, upd.ReadOnly)
	}
	if sel.Params != 2 || sel.Named || upd.Params != 1 || !upd.Named {
		t.Errorf("params: select %d %v, update %d %v", sel.Params, sel.Named, upd.Params, upd.Named)
	}
	want := []Column{
		{Name: "id", DeclType: "INTEGER", Table: "runs", Origin: "id"},
		{Name: "upper(target)"},
		{Name: "started_at", DeclType: "DATETIME", Table: "runs", Origin: "started_at"},
	}
	if !reflect.DeepEqual(sel.Columns, want) {
		t.Errorf("columns = %+v, want %+v", sel.Columns, want)
	}
	if sel.Start != 0 || upd.Start != sel.End {
		t.Errorf("offsets: %d-%d, %d-%d", sel.Start, sel.End, upd.Start, upd.End)
	}
}

func TestPrepareError(t *testing.T) {
	d := open(t, `CREATE TABLE runs (id INTEGER PRIMARY KEY, amount INTEGER)`)
	q := "SELECT 1; SELECT id FROM runs ORDER BY amout"
	_, err := d.Prepare(q)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	if e.Msg != "no such column: amout" || q[e.Offset:] != "amout" {
		t.Errorf("got %q at %d (%q)", e.Msg, e.Offset, q[max(e.Offset, 0):])
	}
}

func TestQueryAndReads(t *testing.T) {
	d := open(t, `CREATE TABLE runs (id INTEGER PRIMARY KEY, target TEXT, status TEXT)`, `CREATE INDEX runs_status ON runs (status)`)
	rows, err := d.Query("EXPLAIN QUERY PLAN SELECT id FROM runs WHERE target = ?")
	if err != nil || len(rows) == 0 || rows[len(rows)-1][3] != "SCAN runs" {
		t.Fatalf("plan = %v, %v", rows, err)
	}
	refs, err := d.Reads("SELECT id FROM runs WHERE target = ?")
	if err != nil {
		t.Fatal(err)
	}
	got := map[ColumnRef]bool{}
	for _, r := range refs {
		got[r] = true
	}
	if !got[ColumnRef{"runs", "target"}] || !got[ColumnRef{"runs", "id"}] {
		t.Errorf("reads = %v", refs)
	}
	d.Close()
	if _, err := d.Prepare("SELECT 1"); err != ErrClosed {
		t.Errorf("after Close: %v", err)
	}
}

func TestQueryWith(t *testing.T) {
	d := open(t, `CREATE TABLE runs (id INTEGER PRIMARY KEY, target TEXT)`)
	rows, err := d.QueryWith("CREATE INDEX probe ON runs (target)", "EXPLAIN QUERY PLAN SELECT id FROM runs WHERE target = ?")
	if err != nil || len(rows) != 1 || rows[0][3] != "SEARCH runs USING COVERING INDEX probe (target=?)" {
		t.Fatalf("plan with the index = %v, %v", rows, err)
	}
	// The index is gone again.
	if rows, err := d.Query("SELECT name FROM sqlite_schema WHERE type = 'index'"); err != nil || len(rows) != 0 {
		t.Errorf("indexes after QueryWith = %v, %v", rows, err)
	}
	if _, err := d.QueryWith("CREATE INDEX probe ON nowhere (x)", "SELECT 1"); err == nil {
		t.Error("QueryWith with a failing change succeeded")
	}
	if _, err := d.Prepare("SELECT id FROM runs"); err != nil {
		t.Errorf("after a failed QueryWith: %v", err)
	}
}
