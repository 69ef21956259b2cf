// Package archive is the standard.archive module: documents kept past their
// retention period.
//
// Its Go code is correct; its manifest.json is not valid JSON (a comma is
// missing after "version"), which modls reports at the position where the
// JSON breaks (MOD012). The code still compiles: go:embed does not parse
// the file.
package archive

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.archive module.
type Module struct {
	svc *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{docs: map[string][]byte{}}} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("archive.service", m.svc, framework.ServiceMethod{
		Name:        "Keep",
		Description: "Archives a document under a key; conflict if the key is taken.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "key", Type: "string", Description: "the document's key; required"},
			{Name: "doc", Type: "[]byte", Description: "the document"},
		},
		Returns: "error",
		Example: `err := svc.Keep(ctx, "2024/invoice-7.pdf", []byte("%PDF"))`,
	})
}

// Start has nothing to do.
func (*Module) Start(context.Context, *framework.App) error { return nil }
