// Package notmodule is outside modules/<type>/<name>/: never flagged.
package notmodule

import "github.com/modls/modls/framework"

type Module struct{}

func (m *Module) Track(id int) error { return nil }

func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("x.service", m, framework.ServiceMethod{
		Name:    "Void",
		Params:  []framework.Param{{Name: "id", Type: "string"}},
		Example: `svc.Void(1)`,
	}, framework.ServiceMethod{
		Name:    "Track",
		Returns: "bool",
	})
}
