package cache

import (
	"context"
	"database/sql"
	_ "embed"
	"net/http"
	"os"
	"os/exec"

	"github.com/modls/modls/framework"

	"example.com/ruletest/modules/standard/cache/store"
)

//go:embed manifest.json
var manifest []byte

type Auditor interface{ Record(string) error }

type Module struct {
	setup   *framework.Setup
	app     *framework.App
	auditor Auditor
	data    []byte
}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	m.setup = s
	a, err := framework.Service[Auditor](s, "audit.service") // want `service lookup of "audit.service" during Setup`
	if err != nil {
		return err
	}
	m.auditor = a
	m.app.DB().Query(context.Background(), "SELECT 1") // want `database access \(App.DB\) during Setup` `database access \(DB.Query\) during Setup`
	go m.refresh()                                     // want `goroutine started during Setup`
	data, err := os.ReadFile("cache.json")             // want `I/O \(os.ReadFile\) during Setup`
	if err != nil {
		return err
	}
	m.data = data
	if err := m.loadCache(); err != nil { // want `goroutine started during Setup \(through loadCache\)` `I/O \(exec.Cmd.Run\) during Setup \(through loadCache → runTool\)`
		return err
	}
	func() {
		http.Get("http://example.com/warmup") // want `I/O \(http.Get\) during Setup`
	}()
	check := func() error {
		_, err := sql.Open("sqlite", "x.db")
		return err
	}
	if err := check(); err != nil { // want `database access \(sql.Open\) during Setup \(through check\)`
		return err
	}
	load := m.loadTwice
	load()
	return s.Migrate("CREATE TABLE cache_items (id INTEGER PRIMARY KEY)")
}

// loadCache is reached from Setup, and again through loadTwice: it is
// reported once.
func (m *Module) loadCache() error {
	go func() {}()
	return runTool()
}

func runTool() error {
	return exec.Command("make", "cache").Run()
}

func (m *Module) loadTwice() {
	m.loadCache()
}

func (m *Module) refresh() {}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.app = app
	if err := m.setup.Migrate("CREATE TABLE cache_late (id INTEGER)"); err != nil { // want `registration call Setup.Migrate during Start; declarations belong in Setup`
		return err
	}
	return m.declareLate() // want `registration call framework.Settings during Start; declarations belong in Setup \(through declareLate\)` `registration call Setup.Handle during Start`
}

func (m *Module) declareLate() error {
	if _, err := framework.Settings[struct{}](m.setup); err != nil {
		return err
	}
	return m.setup.Handle()
}

// Calls into the module's sub-package, followed through its facts.

type Stored struct {
	cache store.Cache
}

func (m *Stored) Setup(s *framework.Setup) error {
	if _, err := store.Load("seed.csv"); err != nil { // want `^I/O \(os.ReadFile\) during Setup \(through store.Load → readSeed\)$`
		return err
	}
	m.cache.Warm() // want `^goroutine started during Setup \(through store.Cache.Warm\)$`
	_ = store.Key("x")
	return store.Register(s)
}

func (m *Stored) Start(ctx context.Context, app *framework.App) error {
	if _, err := store.Load("seed.csv"); err != nil { // I/O is Start's to do
		return err
	}
	return store.Register(nil) // want `^registration call Setup.RegisterService during Start; declarations belong in Setup \(through store.Register\)$`
}
