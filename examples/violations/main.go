// Command violations is an application whose modules break every modls rule
// on purpose: the demonstration of modls and the fixture its rules are
// tested against. It compiles, but it does not start: the framework refuses
// at start-up much of what the rules report sooner (see README.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	legacyalerts "example.com/violations/modules/legacy/alerts"
	"example.com/violations/modules/standard/alerts"
	"example.com/violations/modules/standard/archive"
	"example.com/violations/modules/standard/billing"
	"example.com/violations/modules/standard/catalog"
	"example.com/violations/modules/standard/inventory"
	"example.com/violations/modules/standard/ledger"
	"example.com/violations/modules/standard/orders"
	"example.com/violations/modules/standard/racks"
	"example.com/violations/modules/standard/reports"
	"example.com/violations/modules/standard/shelves"
	"example.com/violations/modules/standard/shipping"
	"example.com/violations/modules/standard/sketch"
	"example.com/violations/modules/standard/tracker"
	"example.com/violations/modules/standard/webhooks"
	"github.com/modls/modls/framework"
)

// modules is the application's static module list.
func modules() []framework.Module {
	return []framework.Module{
		billing.New(),
		tracker.New(),
		reports.New(),
		inventory.New(),
		ledger.New(),
		alerts.New(),
		legacyalerts.New(),
		webhooks.New(),
		orders.New(),
		shipping.New(),
		catalog.New(),
		archive.New(),
		sketch.New(),
		shelves.New(),
		racks.New(),
	}
}

func main() {
	config := flag.String("config", "", "the application's JSON config file")
	addr := flag.String("addr", "", "the HTTP listen address (default :8000)")
	db := flag.String("db", "", "the SQLite database file (default app.db)")
	flag.Parse()

	var cfg framework.Config
	if *config != "" {
		var err error
		if cfg, err = framework.LoadConfig(*config); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *db != "" {
		cfg.Database = *db
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The application's main is not module code: os.Exit is fine here.
	if err := framework.Run(ctx, cfg, modules()...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
