package billing

import (
	"context"
	sc "strconv"

	"github.com/modls/modls/framework"
)

// registerOther's examples see the imports of this file, under its names.
func registerOther(s *framework.Setup, svc *Service) error {
	_ = sc.Itoa
	return s.RegisterService("billing.other", svc,
		framework.ServiceMethod{
			Name:        "Track",
			Description: "Track records an event.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "name", Type: "string"}},
			Returns:     "error",
			Example:     `err := svc.Track(ctx, sc.Itoa(7))`,
		},
		framework.ServiceMethod{
			Name:        "Count",
			Description: "Count counts events.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "names", Type: "...string"}},
			Returns:     "(int, error)",
			Example:     `n, err := svc.Count(ctx, strings.ToLower("A"))`, // a standard package the file does not import
		},
		framework.ServiceMethod{
			Name:        "Wait",
			Description: "Wait waits.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "d", Type: "time.Duration"}},
			Returns:     "error",
			Example: `ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
defer cancel()
err := svc.Wait(ctx, 15*time.Minute)`,
		},
		framework.ServiceMethod{
			Name:        "Pick",
			Description: "Pick picks one of n.",
			Params:      []framework.Param{{Name: "n", Type: "int"}},
			Returns:     "int",
			Example:     `i := svc.Pick(rand.Intn(10) + len(url.PathEscape("a b")))`,
		},
		framework.ServiceMethod{
			Name:        "Choose",
			Description: "Choose picks one of n.",
			Params:      []framework.Param{{Name: "n", Type: "int"}},
			Returns:     "int",
			Example:     `i := svc.Choose(ast.NewIdent("x"))`, // wrong, but go/ast is not among the package's dependencies: not judged
		},
		framework.ServiceMethod{
			Name:        "Sleep",
			Description: "Sleep sleeps.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "d", Type: "time.Duration"}},
			Returns:     "error",
			Example:     `err := svc.Wait(ctx, time.Minute*"15")`, // want `^Example does not type-check: invalid operation: time.Minute \* "15" \(mismatched types "?time"?.Duration and untyped string\)$`
		},
	)
}

// Note is a note on an event.
type Note struct{ Text string }

// Notes keeps notes.
type Notes struct{}

func (n *Notes) Add(ctx context.Context, note Note) error { return nil }

// registerNotes' examples are written as a caller in another module writes
// them, naming the package's types through its name.
func registerNotes(s *framework.Setup) error {
	if err := s.RegisterService("billing.notes", &Notes{}, framework.ServiceMethod{
		Name:        "Add",
		Description: "Add adds a note.",
		Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "note", Type: "billing.Note"}},
		Returns:     "error",
		Example:     `err := svc.Add(ctx, billing.Note{Text: "paid by card"})`,
	}); err != nil {
		return err
	}
	return s.RegisterService("billing.notes2", &Notes{}, framework.ServiceMethod{
		Name:        "Add",
		Description: "Add adds a note.",
		Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "note", Type: "billing.Note"}},
		Returns:     "error",
		Example:     `err := svc.Add(ctx, billing.Note{Text: 5})`, // want `^Example does not type-check: cannot use 5 \(untyped int constant\) as string value in struct literal$`
	})
}
