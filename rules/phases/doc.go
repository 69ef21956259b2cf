// Package phases defines MOD009 (phase-separation): Setup that uses what it
// should only declare, and Start that declares.
package phases

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD009",
	Name:  "phase-separation",
	Title: "work done in the wrong phase",
	What: `Reports, in a module's Setup method and in everything it calls (directly,
through closures it invokes and method values it calls, in the same package
and, through analysis facts, in the module's sub-packages and the
application's other packages; not through interfaces or function values
passed in, and not into the framework, the standard library or other Go
modules):

- a service lookup (framework.Service);
- database access: (*framework.App).DB, any method of framework.DB or
  framework.Tx, database/sql's Open and the methods of its DB, Conn, Tx and
  Stmt;
- a go statement;
- I/O: os file and process functions (Open, Create, ReadFile, WriteFile,
  ReadDir, Mkdir, Remove, Rename, Stat, ...), os/exec commands run, net dials,
  listens and lookups, net/http client requests and servers, io/ioutil file
  functions, filepath.Walk, WalkDir and Glob. Reading the environment
  (os.Getenv, os.LookupEnv) and reading an embedded file system are not I/O.

And, in Start and what it calls, a registration: (*framework.Setup)
RegisterService, Migrate and Handle, and framework.Settings.

The diagnostic is on the call or go statement. When it is reached through
other functions, it is on the call in the phase method that leads there (the
helper may be fine when Start calls it), the message names the chain
("through loadCache", "through store.Load → readSeed" for a function of
another package), and the related information points at the offending call
itself, in whichever package it is. Function literals that
Setup only passes on (a route's handler) are not followed: they run later.`,
	Why: `Setup runs for every module before any module starts: services are not all
registered yet, the database is not migrated, and the framework refuses
lookups during Setup at run time. Work started there (goroutines, files,
network) runs before the application knows it can start, and is not stopped
if another module's Setup fails. Start runs after every declaration is
collected: the framework refuses registrations made then, so they fail at
start-up instead of at review.`,
	Bad: `func (m *Module) Setup(s *framework.Setup) error {
	m.cache = loadCache("cache.json") // reads a file
	go m.refresh()
	return s.RegisterService("audit.service", m.svc, methods...)
}`,
	Good: `func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("audit.service", m.svc, methods...)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.cache = loadCache("cache.json")
	go m.refresh(ctx)
	return nil
}`,
	Severity: ruledoc.Error,
	Since:    "0.1.0",
}
