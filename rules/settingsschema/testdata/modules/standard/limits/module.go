package limits

import (
	"context"
	_ "embed"
	"time"

	"example.com/ruletest/modules/standard/limits/conf"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	if _, err := framework.Settings[Settings](s); err != nil {
		return err
	}
	return nil
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

type Base struct {
	Name string `json:"name"`
}

type Settings struct {
	Skipped  string          `json:"-"`                           // want `settings field Skipped has json:"-", but the framework loads every exported field \(unexport it to leave it out\)`
	Currency string          `json:"currency" validate:"iso4217"` // want `settings field Currency: unknown constraint "iso4217"`
	Trailing int             `json:"trailing" validate:"min=1,"`  // want `settings field Trailing: unknown constraint ""`
	Bound    int             `json:"bound" validate:"min=abc"`    // want `settings field Bound: constraint min="abc": bound is not a number`
	Flag     bool            `json:"flag" validate:"min=1"`       // want `settings field Flag: constraint min does not apply to bool`
	Kind     string          `json:"kind" validate:"oneof="`      // want `settings field Kind: constraint oneof lists no values`
	Timeout  time.Duration   `json:"timeout" validate:"min=5"`    // want `settings field Timeout: constraint min="5": bound is not a number`
	Limits   map[string]int  `json:"limits"`                      // want `settings field Limits has type map\[string\]int, which the framework cannot load`
	Ports    []int           `json:"ports" default:"80,443"`      // want `settings field Ports has type \[\]int, which the framework cannot load`
	Owner    *string         `json:"owner"`                       // want `settings field Owner has type \*string, which the framework cannot load`
	Steps    []time.Duration `json:"steps"`                       // want `settings field Steps has type \[\]time.Duration, which the framework cannot load`
	Base     `json:"base"`   // want `settings field Base has type Base, which the framework cannot load`
	Required string          `json:"required" default:"" validate:"required"` // want `default "" of settings field Required breaks its validate tag: is required`
	Short    string          `json:"short" default:"ab" validate:"min=3"`     // want `default "ab" of settings field Short breaks its validate tag: length must be at least 3, got 2`
	Both     int             `json:"both" default:"x" validate:"nope"`        // want `settings field Both: unknown constraint "nope"` `default "x" of settings field Both is not an integer of 64 bits`
}

// Shape is loaded as settings but is not a struct.
type Shape map[string]string

func loadShape(s *framework.Setup) {
	framework.Settings[Shape](s) // want `settings type Shape is not a struct`
}

// loadShared loads a struct declared in another package: the finding is on
// the type argument.
func loadShared(s *framework.Setup) {
	framework.Settings[conf.Shared](s) // want `settings field Name has no json tag`
}
