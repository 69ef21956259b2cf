// Package notmodule is outside modules/<type>/<name>/: never flagged.
package notmodule

import "github.com/modls/modls/framework"

type Module struct{}

func (m *Module) Setup(s *framework.Setup) error {
	_ = s.RegisterService("database.service", m)
	_ = s.RegisterService("bad name", m)
	return s.RegisterService("bad name", m)
}
