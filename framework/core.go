package framework

import (
	"context"
	"fmt"
)

// The core modules are part of every application. They are ordinary modules
// except that their manifests live here rather than in a manifest.json.
func coreModules() []Module {
	return []Module{&coreDatabase{}, &coreSettings{}, &coreErrorHandler{}}
}

// coreDatabase provides database.service.
type coreDatabase struct{ rt *Runtime }

func (*coreDatabase) Manifest() []byte {
	return []byte(`{"name": "core.database", "version": "1.0.0", "description": "The application database and its integrity log.", "features": ["database"], "dependencies": [], "services": ["database.service"]}`)
}

func (c *coreDatabase) Setup(s *Setup) error {
	c.rt = s.m.rt
	return s.RegisterService("database.service", &DatabaseService{c: c}, ServiceMethod{
		Name:        "IntegrityLog",
		Description: "Returns the most recent integrity sessions, newest first; module \"\" means every module.",
		Params: []Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "module", Type: "string", Description: "the module whose sessions to list, or \"\" for all"},
			{Name: "limit", Type: "int", Description: "the number of sessions to return, 1 to 1000"},
		},
		Returns: "([]framework.IntegrityRecord, error)",
		Example: `records, err := svc.IntegrityLog(ctx, "standard.audit", 10)`,
	})
}

func (*coreDatabase) Start(context.Context, *App) error { return nil }

// DatabaseService is the service of core.database.
type DatabaseService struct{ c *coreDatabase }

// IntegrityLog returns the most recent integrity sessions, newest first.
func (s *DatabaseService) IntegrityLog(ctx context.Context, module string, limit int) ([]IntegrityRecord, error) {
	if limit < 1 || limit > 1000 {
		return nil, Errorf(CodeInvalidArgument, "limit %d is outside 1..1000", limit)
	}
	db := s.c.rt.db
	if db == nil {
		return nil, Errorf(CodeUnavailable, "the database is closed")
	}
	return db.integrityLog(ctx, module, limit)
}

// coreSettings provides settings.service.
type coreSettings struct{ rt *Runtime }

func (*coreSettings) Manifest() []byte {
	return []byte(`{"name": "core.settings", "version": "1.0.0", "description": "Every module's effective settings.", "features": ["settings"], "dependencies": [], "services": ["settings.service"]}`)
}

func (c *coreSettings) Setup(s *Setup) error {
	c.rt = s.m.rt
	return s.RegisterService("settings.service", &SettingsService{c: c}, ServiceMethod{
		Name:        "Of",
		Description: "Returns the effective settings of a module (a pointer to its settings struct).",
		Params: []Param{
			{Name: "module", Type: "string", Description: "the module's name, e.g. standard.audit"},
		},
		Returns: "(any, error)",
		Example: `v, err := svc.Of("standard.audit")`,
	})
}

func (*coreSettings) Start(context.Context, *App) error { return nil }

// SettingsService is the service of core.settings.
type SettingsService struct{ c *coreSettings }

// Of returns the effective settings of a module.
func (s *SettingsService) Of(module string) (any, error) {
	m, ok := s.c.rt.byName[module]
	if !ok {
		return nil, Errorf(CodeNotFound, "no module %s", module)
	}
	if m.settings == nil {
		return nil, Errorf(CodeNotFound, "%s declares no settings", module)
	}
	return m.settings, nil
}

// coreErrorHandler provides error_handler.service.
type coreErrorHandler struct{}

func (*coreErrorHandler) Manifest() []byte {
	return []byte(`{"name": "core.error_handler", "version": "1.0.0", "description": "Maps framework errors to HTTP statuses and JSON bodies.", "features": [], "dependencies": [], "services": ["error_handler.service"]}`)
}

func (c *coreErrorHandler) Setup(s *Setup) error {
	return s.RegisterService("error_handler.service", &ErrorHandlerService{}, ServiceMethod{
		Name:        "Status",
		Description: "Returns the HTTP status and JSON body an error is answered with.",
		Params: []Param{
			{Name: "err", Type: "error", Description: "the error a handler returned"},
		},
		Returns: "(int, framework.ErrorBody, error)",
		Example: `status, body, err := svc.Status(framework.Errorf(framework.CodeNotFound, "no run %d", 7))`,
	})
}

func (*coreErrorHandler) Start(context.Context, *App) error { return nil }

// ErrorHandlerService is the service of core.error_handler.
type ErrorHandlerService struct{}

// Status returns the HTTP status and JSON body an error is answered with.
func (*ErrorHandlerService) Status(err error) (int, ErrorBody, error) {
	if err == nil {
		return 0, ErrorBody{}, fmt.Errorf("Status: err is nil")
	}
	fe := AsError(err)
	return StatusForCode(fe.Code), ErrorBody{Error: ErrorDetail{Code: fe.Code, Message: fe.Message}}, nil
}
