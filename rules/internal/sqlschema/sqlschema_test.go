package sqlschema

import (
	"fmt"
	"slices"
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

func TestPrepare(t *testing.T) {
	s := For(benchSchema)
	if !s.OK() {
		n, err := s.Failed()
		t.Fatalf("schema: migration %d: %v", n, err)
	}
	for q, want := range map[string]string{
		"SELECT id FROM bench_runs WHERE attempts > ?":                       "",
		"SELECT id FROM bench_runz":                                          "no such table: bench_runz",
		"SELECT 1; UPDATE bench_runs SET nope = 1":                           "no such column: nope",
		"-- only a comment":                                                  "",
		"SELECT 'a;b' FROM bench_runs; ":                                     "",
		"EXPLAIN QUERY PLAN SELECT * FROM bench_events WHERE id = ?":         "",
		"CREATE TRIGGER t AFTER INSERT ON bench_runs BEGIN SELECT nope; END": "", // bodies are resolved when the trigger runs
		"CREATE TRIGGER t AFTER INSERT ON bench_runs BEGIN SELECT 1; END":    "",
	} {
		p := s.Prepare(q)
		got := ""
		if p.Err != nil {
			got = p.Err.Msg
		}
		if got != want {
			t.Errorf("Prepare(%q) = %q, want %q", q, got, want)
		}
	}
	if ro, known := s.Prepare("SELECT 1; DELETE FROM bench_runs").ReadOnly(); ro || !known {
		t.Errorf("a delete is read-only %v (known %v)", ro, known)
	}
	if ro, known := s.Prepare("WITH x AS (SELECT 1) SELECT * FROM x").ReadOnly(); !ro || !known {
		t.Errorf("a select is read-only %v (known %v)", ro, known)
	}
	if got := s.IndexedColumns("bench_runs"); !slices.Equal(got, []string{"status"}) {
		t.Errorf("indexed columns = %v", got)
	}
	if got := s.Tables(); !slices.Contains(got, "bench_events") || !slices.Contains(got, "framework_integrity_log") {
		t.Errorf("tables = %v", got)
	}
	if plan := s.Plan("SELECT id FROM bench_runs WHERE target = ?"); len(plan) != 1 || plan[0] != "SCAN bench_runs" {
		t.Errorf("plan = %v", plan)
	}
	broken := For([]string{benchSchema[0], "CREATE TABLE bench_x (", benchSchema[1]})
	if n, err := broken.Failed(); n != 2 || err.Msg != "incomplete input" || broken.OK() {
		t.Errorf("broken schema: migration %d: %v", n, err)
	}
}

func TestEviction(t *testing.T) {
	first := For([]string{"CREATE TABLE evict_0 (id INTEGER)"})
	db := first.s.db
	for i := 1; i <= cacheSize; i++ {
		For([]string{fmt.Sprintf("CREATE TABLE evict_%d (id INTEGER)", i)})
	}
	if _, err := db.Prepare("SELECT 1"); err == nil {
		t.Fatal("the evicted schema's database is still open")
	}
	// A Schema held across the eviction asks the cache again.
	if p := first.Prepare("SELECT id FROM evict_0"); p == nil || p.Err != nil {
		t.Fatalf("prepare after eviction = %+v", p)
	}
}

// BenchmarkSchema measures a cold schema: applying five migrations to a
// new in-memory database and preparing twenty statements on it.
func BenchmarkSchema(b *testing.B) {
	qs := benchQueries()
	for i := 0; i < b.N; i++ {
		migs := append([]string{fmt.Sprintf("CREATE TABLE bench_%d (id INTEGER)", i)}, benchSchema...)
		s := For(migs)
		for _, q := range qs {
			if p := s.Prepare(q); p == nil || p.Err != nil {
				b.Fatalf("%s: %+v", q, p)
			}
		}
	}
}
