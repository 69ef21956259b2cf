package tracker

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module's own exported methods are not service methods.
type Module struct{ svc *Service }

func (m *Module) Manifest() []byte { return manifest }

var entries []framework.ServiceMethod

func (m *Module) Setup(s *framework.Setup) error {
	s.Migrate("CREATE TABLE tracker_events (id INTEGER PRIMARY KEY)") // want `error returned by \(\*framework\.Setup\)\.Migrate is discarded`
	_ = s.Handle()                                                    // want `error returned by \(\*framework\.Setup\)\.Handle is discarded`
	if err := s.Migrate("CREATE INDEX tracker_events_id ON tracker_events (id)"); err != nil {
		return err
	}
	if err := s.RegisterService("tracker.service", m.svc, entries...); err != nil {
		return err
	}
	// The same implementation twice: its methods are reported once.
	if err := s.RegisterService("tracker.again", m.svc, entries...); err != nil {
		return err
	}
	if err := s.RegisterService("tracker.plain", Plain{}, entries...); err != nil {
		return err
	}
	if err := s.RegisterService("tracker.block", &Block{}, entries...); err != nil {
		return err
	}
	if err := s.RegisterService("tracker.renamed", &Renamed{}, entries...); err != nil {
		return err
	}
	return s.RegisterService("tracker.shadow", Shadow{}, entries...)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	other, _ := framework.Service[*Plain](app, "tracker.plain") // want `error returned by framework\.Service is discarded`
	_ = other
	defer app.DB().IntegritySession(ctx, "cleanup", cleanup)   // want `error returned by \(\*framework\.DB\)\.IntegritySession is discarded`
	go app.DB().IntegritySession(ctx, "background", cleanup)   // want `error returned by \(\*framework\.DB\)\.IntegritySession is discarded`
	var _, _ = app.DB().Query(ctx, "SELECT 1")                 // want `error returned by \(\*framework\.DB\)\.Query is discarded`
	n, _ := 1, app.DB().IntegritySession(ctx, "pair", cleanup) // want `error returned by \(\*framework\.DB\)\.IntegritySession is discarded`
	_ = n

	// Quiet: no error result, the error is handled or returned, or the
	// call is not the framework's.
	row := app.DB().QueryRow(ctx, "SELECT 1")
	_ = row
	_ = app.Logger()
	_ = framework.Errorf(framework.CodeInternal, "an *framework.Error, not an error")
	if err := app.DB().IntegritySession(ctx, "seed", cleanup); err != nil {
		return err
	}
	rows, err := app.DB().Query(ctx, "SELECT id FROM tracker_events")
	if err != nil {
		return err
	}
	defer rows.Close()
	svc, err := framework.Service[*Service](app, "tracker.service")
	_ = svc
	return err
}

func cleanup(tx *framework.Tx) error {
	tx.Exec("DELETE FROM tracker_events")           // want `error returned by \(\*framework\.Tx\)\.Exec is discarded`
	res, _ := tx.Exec("DELETE FROM tracker_events") // want `error returned by \(\*framework\.Tx\)\.Exec is discarded`
	_, err := tx.Exec("DELETE FROM tracker_events")
	_ = res
	return err
}
