// Package loans is the standard.loans module. It is correct code, written
// the way a team writes a module, so that the rules are checked for false
// positives on it: the service is registered under its contract's constant,
// standard.shelves is looked up through its own, the schema is constants of
// a sub-package, SQL goes through generic helpers, handlers are method
// values and a sweeper goroutine runs from Start.
package loans

import (
	"context"
	_ "embed"

	"example.com/violations/modules/standard/loans/contract"
	"example.com/violations/modules/standard/loans/schema"
	shelves "example.com/violations/modules/standard/shelves/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.loans module.
type Module struct {
	settings *Settings
	svc      *Service
	cancel   context.CancelFunc
	config   []byte
}

// New returns the module.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.
func (*Module) Manifest() []byte { return manifest }

// Setup declares the settings, the schema, the service and the routes.
func (m *Module) Setup(s *framework.Setup) error {
	settings, err := framework.Settings[Settings](s)
	if err != nil {
		return err
	}
	m.settings = settings
	m.svc.days = settings.LoanDays
	_ = marks()
	if err := prepare(); err != nil {
		return err
	}
	if cfg, err := readConfig(); err == nil { // want MOD009 "^I/O \\(os\\.ReadFile\\) during Setup \\(through readConfig\\)$"
		m.config = cfg
	}
	if err := s.Migrate(schema.CreateLoans, schema.IndexMember, schema.IndexBook, schema.AddReturned); err != nil {
		return err
	}
	if err := s.RegisterService(contract.ServiceName, m.svc,
		framework.ServiceMethod{
			Name:        "Lend",
			Description: "Lends a book to a member for a number of days (0: the loan_days setting).",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "book", Type: "int64", Description: "the book's id on standard.shelves"},
				{Name: "member", Type: "string", Description: "who borrows it"},
				{Name: "days", Type: "int", Description: "how long"},
			},
			Returns: "(contract.Loan, error)",
			Example: `loan, err := svc.Lend(ctx, 7, strings.ToLower("Ada"), int(2*time.Hour/time.Hour))`,
		},
		framework.ServiceMethod{
			Name:        "Return",
			Description: "Marks a loan returned; not_found if there is none with that id.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context", Description: "the request's context"}, {Name: "id", Type: "int64", Description: "the loan's id"}},
			Returns:     "error",
			Example: `loans, err := svc.Overdue(ctx, []string{"ada"})
if err != nil {
	return err
}
for _, l := range loans {
	if err := svc.Return(ctx, l.ID); errors.Is(err, contract.ErrNotFound) {
		fmt.Println("already gone:", l.Due.Format(time.RFC3339))
	}
}`,
		},
		framework.ServiceMethod{
			Name:        "Overdue",
			Description: "Lists the overdue loans of some members.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context", Description: "the request's context"}, {Name: "members", Type: "[]string", Description: "the members"}},
			Returns:     "([]contract.Loan, error)",
			Example:     `loans, err := svc.Overdue(ctx, []string{"ada", "grace"})`,
		},
		framework.ServiceMethod{
			Name:        "Check",
			Description: "Says whether a member may hold n loans: too_large past the limit.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context", Description: "the request's context"}, {Name: "n", Type: "int", Description: "the number of loans"}},
			Returns:     "error",
			Example:     `err := svc.Check(ctx, 3)`,
		},
		framework.ServiceMethod{
			Name:        "Forget",
			Description: "Deletes a returned loan; not_found if there is none with that id.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context", Description: "the request's context"}, {Name: "id", Type: "int64", Description: "the loan's id"}},
			Returns:     "error",
			Example:     `err := svc.Forget(ctx, 42)`,
		},
	); err != nil {
		return err
	}
	return s.Handle(m.routes()...)
}

// Start finds standard.shelves, hands the service its database and starts
// the sweeper.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	sh, err := framework.Service[shelves.Shelves](app, shelves.ServiceName)
	if err != nil {
		return err
	}
	m.svc.shelves = sh
	m.svc.db = app.DB()
	m.svc.log = app.Logger()
	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go m.svc.sweep(ctx, m.settings.SweepEvery)
	return nil
}

// Stop ends the sweeper.
func (m *Module) Stop(context.Context) error {
	if m.cancel != nil {
		m.cancel()
	}
	return nil
}
