package sqlcheck

import (
	"fmt"
	"testing"
)

var benchSchema = []string{
	"CREATE TABLE bench_runs (id INTEGER PRIMARY KEY, target TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)",
	"CREATE TABLE bench_events (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES bench_runs(id), note TEXT)",
	"CREATE INDEX bench_runs_status ON bench_runs(status)",
	"CREATE INDEX bench_events_run ON bench_events(run_id)",
	"ALTER TABLE bench_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
}

func benchQueries() []string {
	var qs []string
	for i := 0; i < 10; i++ {
		qs = append(qs,
			fmt.Sprintf("SELECT id, target, status FROM bench_runs WHERE status = ? LIMIT %d", i+1),
			fmt.Sprintf("INSERT INTO bench_events (run_id, note) VALUES (?, 'n%d')", i))
	}
	return qs
}

func TestCompile(t *testing.T) {
	s := schemaFor(benchSchema)
	if s.failed != 0 || s.openErr != nil {
		t.Fatalf("schema: migration %d: %s %v", s.failed, s.failMsg, s.openErr)
	}
	for q, want := range map[string]string{
		"SELECT id FROM bench_runs WHERE attempts > ?":                       "",
		"SELECT id FROM bench_runz":                                          "no such table: bench_runz",
		"SELECT 1; UPDATE bench_runs SET nope = 1":                           "no such column: nope",
		"-- only a comment":                                                  "",
		"SELECT 'a;b' FROM bench_runs; ":                                     "",
		"EXPLAIN QUERY PLAN SELECT * FROM bench_events WHERE id = ?":         "",
		"CREATE TRIGGER t AFTER INSERT ON bench_runs BEGIN SELECT nope; END": "",
	} {
		got, err := s.compile(q)
		if err != nil || got != want {
			t.Errorf("compile(%q) = %q, %v; want %q", q, got, err, want)
		}
	}
	broken := schemaFor([]string{benchSchema[0], "CREATE TABLE bench_x (", benchSchema[1]})
	if broken.failed != 2 || broken.failMsg != "incomplete input" {
		t.Errorf("broken schema: migration %d: %q", broken.failed, broken.failMsg)
	}
}

func TestEviction(t *testing.T) {
	first := schemaFor([]string{"CREATE TABLE evict_0 (id INTEGER)"})
	for i := 1; i <= schemaCacheSize; i++ {
		schemaFor([]string{fmt.Sprintf("CREATE TABLE evict_%d (id INTEGER)", i)})
	}
	if _, err := first.compile("SELECT id FROM evict_0"); err != errEvicted {
		t.Fatalf("compile on an evicted schema: %v, want errEvicted", err)
	}
	again := schemaFor([]string{"CREATE TABLE evict_0 (id INTEGER)"})
	if msg, err := again.compile("SELECT id FROM evict_0"); msg != "" || err != nil {
		t.Fatalf("compile after eviction = %q, %v", msg, err)
	}
}

// BenchmarkSchema measures a cold schema: applying five migrations to a
// new in-memory database and compiling twenty statements on it.
func BenchmarkSchema(b *testing.B) {
	qs := benchQueries()
	for i := 0; i < b.N; i++ {
		migs := append([]string{fmt.Sprintf("CREATE TABLE bench_%d (id INTEGER)", i)}, benchSchema...)
		s := schemaFor(migs)
		for _, q := range qs {
			if msg, err := s.compile(q); msg != "" || err != nil {
				b.Fatalf("%s: %s %v", q, msg, err)
			}
		}
	}
}

// BenchmarkCompile measures compiling one statement on a warm schema.
func BenchmarkCompile(b *testing.B) {
	s := schemaFor(benchSchema)
	qs := benchQueries()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if msg, err := s.compile(qs[i%len(qs)]); msg != "" || err != nil {
			b.Fatal(msg, err)
		}
	}
}
