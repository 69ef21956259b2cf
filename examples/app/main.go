// Command app is the example application of the framework: standard.audit,
// standard.analytics and standard.notifications on one SQLite database,
// served over HTTP at /api/v1/<module>/... until SIGINT or SIGTERM.
//
//	app [-config app.json] [-addr :8000] [-db app.db]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/modls/modls/examples/app/modules/standard/analytics"
	"github.com/modls/modls/examples/app/modules/standard/audit"
	"github.com/modls/modls/examples/app/modules/standard/notifications"
	"github.com/modls/modls/framework"
)

func main() {
	modules := []framework.Module{
		audit.New(),
		analytics.New(),
		notifications.New(),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr, modules)
	stop()
	os.Exit(code)
}

// run is the application without the process: it parses args, serves until
// ctx is done and returns the exit code. Errors are one line on stderr.
func run(ctx context.Context, args []string, stderr io.Writer, modules []framework.Module) int {
	flags := flag.NewFlagSet("app", flag.ContinueOnError)
	flags.SetOutput(stderr)
	configPath := flags.String("config", "", "JSON config `file`: addr, database and each module's settings")
	addr := flags.String("addr", framework.DefaultAddr, "listen `address`; overrides the config file")
	dbPath := flags.String("db", framework.DefaultDatabase, "SQLite database `file`; overrides the config file")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: app [-config file] [-addr address] [-db file]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "app: unexpected argument %q\n", flags.Arg(0))
		return 2
	}

	cfg := framework.Config{}
	if *configPath != "" {
		var err error
		if cfg, err = framework.LoadConfig(*configPath); err != nil {
			return fail(stderr, err)
		}
	}
	set := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["addr"] || cfg.Addr == "" {
		cfg.Addr = *addr
	}
	if set["db"] || cfg.Database == "" {
		cfg.Database = *dbPath
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))

	if err := framework.Run(ctx, cfg, modules...); err != nil {
		return fail(stderr, err)
	}
	return 0
}

// fail prints err as one line and returns the exit code of a failed run.
func fail(stderr io.Writer, err error) int {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(stderr, "app: %s\n", msg)
	return 1
}
