package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modls/modls/scaffold"
)

// ScaffoldCommand writes a new module that passes its checks and tests as
// generated (SPEC §6).
type ScaffoldCommand struct{ env env }

// mainEntryPrefix starts the last line of the command's output; what follows
// it is the line to add to the module list in main.
const mainEntryPrefix = "add to the modules list in main: "

// Run parses the flags and writes the module.
func (c *ScaffoldCommand) Run(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("modls scaffold", flag.ContinueOnError)
	name := flags.String("name", "", "")
	typ := flags.String("type", "", "")
	features := flags.String("features", scaffold.DefaultFeatures, "")
	dir := flags.String("dir", ".", "")
	if help, err := parseFlags(c.env, "scaffold", flags, args, c.usage); help || err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return usageErrorf("unexpected argument %q; scaffold takes flags only", flags.Arg(0))
	}
	if *name == "" {
		return usageErrorf("--name is required")
	}
	if *typ == "" {
		return usageErrorf("--type is required")
	}
	if err := scaffold.CheckName(*name); err != nil {
		return usageErrorf("%v", err)
	}
	if err := scaffold.CheckType(*typ); err != nil {
		return usageErrorf("%v", err)
	}
	feats, err := scaffold.ParseFeatures(*features)
	if err != nil {
		return usageErrorf("%v", err)
	}

	if *dir == "" {
		*dir = "."
	}
	appDir := *dir
	if !filepath.IsAbs(appDir) && c.env.Dir != "" {
		appDir = filepath.Join(c.env.Dir, appDir)
	}
	if fi, err := os.Stat(appDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("application directory %s does not exist", *dir)
	} else if err != nil {
		return fmt.Errorf("application directory %s: %w", *dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("application directory %s is not a directory", *dir)
	}
	opts := scaffold.Options{Name: *name, Type: *typ, Features: feats}
	// Paths are shown as the user gave them.
	shown := filepath.Join(*dir, filepath.FromSlash(opts.Dir()))
	res, err := scaffold.Create(appDir, opts)
	if errors.Is(err, scaffold.ErrExists) {
		return fmt.Errorf("%s already exists", shown)
	}
	if err != nil {
		return err
	}
	w := c.env.Stdout
	fmt.Fprintf(w, "created %s (%d files)\n", shown, len(res.Files))
	for _, f := range res.Files {
		fmt.Fprintf(w, "  %s\n", filepath.Join(shown, filepath.FromSlash(f)))
	}
	_, err = fmt.Fprintf(w, "%s%s\n", mainEntryPrefix, res.MainEntry())
	return err
}

// usage prints the command's help.
func (c *ScaffoldCommand) usage(w io.Writer) {
	fmt.Fprint(w, `Scaffold writes a new module into APPDIR/modules/TYPE/NAME/ that
compiles, passes go vet, its own tests and modls check as generated.

Usage:
  modls scaffold --name NAME --type TYPE [--features LIST] [--dir APPDIR]

Flags:
  --name NAME      the module's short name: its Go package, its directory
                   and the prefix of its service, tables and routes
  --type TYPE      the module's type: the directory under modules/
  --features LIST  comma-separated: api, database, settings; "" for none
                   (default "`+scaffold.DefaultFeatures+`")
  --dir APPDIR     the application directory, the one that holds modules/
                   (default ".")

The module gets manifest.json, module.go (Module, New, the embedded
manifest, Setup, Start), service.go (the "<name>.service" service with a
ServiceMethod entry per method), contract/contract.go (its interface and
values), <name>_test.go, <name>_integration_test.go (//go:build
integration: the module served by framework.Run on a real listener and
SQLite file, run by modls sandbox), and with the features: api.go (GET
/status; with database also GET and POST /items), settings.go
(framework.Settings) and a <name>_items table written only inside
integrity sessions (database).

NAME and TYPE are lowercase letters, digits and _, starting with a letter;
TYPE "core" is reserved. APPDIR must lie in a Go module: the module's
import path is the path of the nearest go.mod plus the directory's path
below it. An existing module directory is never touched.

Output: the directory and each file created, then one line to copy into
the module list in main (the import it needs is in its comment):

  created DIR (N files)
    DIR/FILE
    ...
  add to the modules list in main: NAME.New(), // import "IMPORTPATH"

Exit status: 0 written, 1 not written (the directory exists, no go.mod),
2 bad arguments.

Examples:
  modls scaffold --name reports --type standard --dir examples/app
  modls scaffold --name billing --type standard --features api,database
  modls scaffold --name clock --type util --features ""
`)
}
