package quiet

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"sync"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

//go:embed manifest.json
var files embed.FS

type Settings struct {
	Dir string `json:"dir" default:"/tmp"`
}

type Service struct{ mu sync.Mutex }

func (s *Service) Ping() error { return nil }

type Resp struct {
	OK bool `json:"ok"`
}

type Module struct {
	svc      *Service
	settings *Settings
	db       *framework.DB
	home     string
	onStop   func()
}

func (m *Module) Manifest() []byte { return manifest }

// Setup only declares. Reading the environment and an embedded file
// system is not I/O; handlers and closures passed on run later.
func (m *Module) Setup(s *framework.Setup) error {
	m.svc = &Service{}
	m.home = os.Getenv("HOME")
	if _, ok := os.LookupEnv("QUIET_DEBUG"); ok {
		m.home = ""
	}
	if _, err := fs.ReadFile(files, "manifest.json"); err != nil {
		return err
	}
	set, err := framework.Settings[Settings](s)
	if err != nil {
		return err
	}
	m.settings = set
	if err := s.Migrate(schema()...); err != nil {
		return err
	}
	later := func() {
		go m.poll()
		os.ReadFile("later.json")
	}
	m.onStop = later
	if err := s.Handle(framework.GET("/status", m.status)); err != nil {
		return err
	}
	if err := s.Handle(framework.GET("/files", func(ctx context.Context, r *framework.Request) (Resp, error) {
		_, err := os.Stat(m.settings.Dir)
		return Resp{OK: err == nil}, nil
	})); err != nil {
		return err
	}
	return s.RegisterService("quiet.service", m.svc, framework.ServiceMethod{Name: "Ping", Description: "pings", Returns: "error"})
}

func schema() []string {
	return []string{"CREATE TABLE quiet_items (id INTEGER PRIMARY KEY)"}
}

// status is a handler: it may use the database, it runs after Start.
func (m *Module) status(ctx context.Context, r *framework.Request) (Resp, error) {
	_, err := m.db.Query(ctx, "SELECT 1")
	return Resp{OK: err == nil}, nil
}

func (m *Module) poll() {}

// Start uses what Setup declared.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	go m.poll()
	if _, err := os.ReadFile("state.json"); err != nil && !os.IsNotExist(err) {
		return err
	}
	_, err := framework.Service[*Service](app, "quiet.service")
	return err
}

type notAModule struct{}

// Setup of a type that takes no *framework.Setup is not a phase method.
func (notAModule) Setup() { go func() {}() }
