package framework_test

import (
	"context"
	"testing"

	"github.com/modls/modls/framework"
)

// benchDB boots a module owning one table on a file database (WAL mode, as
// the framework opens every file database) and returns its handle.
func benchDB(b *testing.B) *framework.DB {
	b.Helper()
	var app *framework.App
	m := &mod{
		name:     "bench.rows",
		features: []string{"database"},
		setup: func(s *framework.Setup) error {
			return s.Migrate(`CREATE TABLE rows_items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`)
		},
		start: func(ctx context.Context, a *framework.App) error { app = a; return nil },
	}
	boot(b, testConfig(b), m)
	return app.DB()
}

func insertRow(tx *framework.Tx) error {
	_, err := tx.Exec(`INSERT INTO rows_items (body) VALUES (?)`, "benchmark row")
	return err
}

func BenchmarkIntegritySessionCommit(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := db.IntegritySession(ctx, "insert row", insertRow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIntegritySessionCommitParallel(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := db.IntegritySession(ctx, "insert row", insertRow); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchApp boots a provider of counter.service and a module depending on
// it, and returns the dependent module's App.
func benchApp(b *testing.B) *framework.App {
	b.Helper()
	rt := boot(b, testConfig(b), provider(&counter{}), &mod{name: "bench.user", deps: []string{"test.counter"}})
	return appOf(b, rt, "bench.user")
}

func BenchmarkServiceLookup(b *testing.B) {
	app := benchApp(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := framework.Service[Adder](app, "counter.service"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServiceLookupParallel(b *testing.B) {
	app := benchApp(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := framework.Service[Adder](app, "counter.service"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
