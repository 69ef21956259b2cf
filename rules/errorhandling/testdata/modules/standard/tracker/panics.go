package tracker

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/modls/modls/framework"
)

func mustPositive(n int) int {
	if n < 0 {
		panic(fmt.Sprintf("negative: %d", n)) // want `call of panic in module code`
	}
	return n
}

func stop(l *log.Logger) {
	log.Fatal("stop")        // want `call of log\.Fatal in module code`
	log.Fatalf("stop %d", 1) // want `call of log\.Fatalf in module code`
	log.Fatalln("stop")      // want `call of log\.Fatalln in module code`
	log.Panic("stop")        // want `call of log\.Panic in module code`
	log.Panicf("stop %d", 1) // want `call of log\.Panicf in module code`
	log.Panicln("stop")      // want `call of log\.Panicln in module code`
	l.Fatalf("stop %d", 1)   // want `call of \(\*log\.Logger\)\.Fatalf in module code`
	l.Panic("stop")          // want `call of \(\*log\.Logger\)\.Panic in module code`
	os.Exit(1)               // want `call of os\.Exit in module code`
}

// The framework rolls the session back, but the panic still crosses it.
func inSession(ctx context.Context, db *framework.DB) error {
	return db.IntegritySession(ctx, "panics", func(tx *framework.Tx) error {
		panic("boom") // want `call of panic in module code`
	})
}

// Quiet: a logger of the module's own with a Fatal method, logging that
// does not stop the program, and a local function named panic.
type logger struct{}

func (logger) Fatal(args ...any) {}

func quiet(l logger) {
	l.Fatal("not the log package")
	log.Print("fine")
	slog.Error("fine too")
	panic := func(string) {}
	panic("a local function")
	_ = os.Getenv("HOME")
}
