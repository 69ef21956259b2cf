//go:build integration

package loans

import (
	"context"
	"path/filepath"
	"testing"

	"example.com/violations/modules/standard/loans/contract"
	shelves "example.com/violations/modules/standard/shelves/contract"
	"github.com/modls/modls/framework"
)

// fakeShelves stands in for standard.shelves.
type fakeShelves struct{}

func (fakeShelves) Titles(context.Context, string) ([]string, error) { return []string{"Dune"}, nil }

type fakeModule struct{}

func (fakeModule) Manifest() []byte {
	return []byte(`{"name": "standard.shelves", "version": "1.0.0", "description": "a fake", "features": [], "dependencies": [], "services": ["shelves.service"]}`)
}

func (fakeModule) Setup(s *framework.Setup) error {
	return s.RegisterService(shelves.ServiceName, fakeShelves{}, framework.ServiceMethod{Name: "Titles", Description: "Titles of a shelf.", Returns: "([]string, error)"})
}

func (fakeModule) Start(context.Context, *framework.App) error { return nil }

func TestLendAndReturn(t *testing.T) {
	ctx := context.Background()
	rt, err := framework.Boot(ctx, framework.Config{Database: filepath.Join(t.TempDir(), "app.db")}, fakeModule{}, New())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	app, err := rt.App("standard.loans")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := framework.Service[contract.Loans](app, contract.ServiceName)
	if err != nil {
		t.Fatal(err)
	}
	loan, err := svc.Lend(ctx, 7, "ada", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Return(ctx, loan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Overdue(ctx, []string{"ada"}); err != nil {
		t.Fatal(err)
	}
}
