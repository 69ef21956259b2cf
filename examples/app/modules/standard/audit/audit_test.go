package audit

import (
	"context"
	"errors"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

func TestStep(t *testing.T) {
	const max = 2
	tests := []struct {
		from     contract.Status
		attempts int
		to       contract.Status
		want     int
		code     string
	}{
		{contract.StatusPending, 0, contract.StatusRunning, 1, ""},
		{contract.StatusRunning, 1, contract.StatusCompleted, 1, ""},
		{contract.StatusRunning, 1, contract.StatusFailed, 1, ""},
		{contract.StatusFailed, 1, contract.StatusRunning, 2, ""},
		{contract.StatusFailed, 2, contract.StatusRunning, 0, contract.CodeAttemptsExhausted},
		{contract.StatusPending, 0, contract.StatusCompleted, 0, contract.CodeInvalidTransition},
		{contract.StatusPending, 0, contract.StatusFailed, 0, contract.CodeInvalidTransition},
		{contract.StatusPending, 0, contract.StatusPending, 0, contract.CodeInvalidTransition},
		{contract.StatusRunning, 1, contract.StatusPending, 0, contract.CodeInvalidTransition},
		{contract.StatusRunning, 1, contract.StatusRunning, 0, contract.CodeInvalidTransition},
		{contract.StatusCompleted, 1, contract.StatusRunning, 0, contract.CodeInvalidTransition},
		{contract.StatusFailed, 1, contract.StatusCompleted, 0, contract.CodeInvalidTransition},
	}
	for _, tt := range tests {
		run := contract.Run{ID: 7, Status: tt.from, Attempts: tt.attempts}
		got, err := step(run, tt.to, max)
		if code(err) != tt.code {
			t.Errorf("%s(%d) → %s: error %v, want code %q", tt.from, tt.attempts, tt.to, err, tt.code)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("%s(%d) → %s: attempts %d, want %d", tt.from, tt.attempts, tt.to, got, tt.want)
		}
		if err != nil {
			var fe *framework.Error
			if !errors.As(err, &fe) || framework.HTTPStatus(err) != 409 {
				t.Errorf("%s → %s: %v is not a 409 *framework.Error", tt.from, tt.to, err)
			}
		}
	}
}

func TestTransitionRetryUntilExhausted(t *testing.T) {
	ctx := context.Background()
	m, _ := boot(t, framework.Config{})
	svc := m.svc
	run, err := svc.CreateRun(ctx, "billing")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != contract.StatusPending || run.Attempts != 0 {
		t.Fatalf("new run = %+v", run)
	}
	// Three attempts (the default max_attempts), each failing.
	for attempt := 1; attempt <= 3; attempt++ {
		if run, err = svc.Transition(ctx, run.ID, contract.StatusRunning, ""); err != nil {
			t.Fatalf("attempt %d: running: %v", attempt, err)
		}
		if run.Attempts != attempt {
			t.Fatalf("attempt %d: attempts = %d", attempt, run.Attempts)
		}
		if run, err = svc.Transition(ctx, run.ID, contract.StatusFailed, "disk full"); err != nil {
			t.Fatalf("attempt %d: failed: %v", attempt, err)
		}
	}
	if run.LastError != "disk full" {
		t.Errorf("last error = %q", run.LastError)
	}
	_, err = svc.Transition(ctx, run.ID, contract.StatusRunning, "")
	if code(err) != contract.CodeAttemptsExhausted {
		t.Fatalf("fourth attempt: %v, want %s", err, contract.CodeAttemptsExhausted)
	}
	// The refused transition changed nothing.
	got, err := svc.GetRun(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != contract.StatusFailed || got.Attempts != 3 {
		t.Errorf("after refusal: %+v", got)
	}
	events, err := svc.Events(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 7 { // created + 3 × (running, failed)
		t.Fatalf("events = %d, want 7: %+v", len(events), events)
	}
	if events[0].From != "" || events[0].To != contract.StatusPending {
		t.Errorf("first event = %+v", events[0])
	}
	if last := events[6]; last.From != contract.StatusRunning || last.To != contract.StatusFailed || last.Attempt != 3 || last.Note != "disk full" {
		t.Errorf("last event = %+v", last)
	}
}

func TestTransitionCompletes(t *testing.T) {
	ctx := context.Background()
	m, _ := boot(t, framework.Config{})
	run, err := m.svc.CreateRun(ctx, "payroll")
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []contract.Status{contract.StatusRunning, contract.StatusFailed, contract.StatusRunning, contract.StatusCompleted} {
		if run, err = m.svc.Transition(ctx, run.ID, to, ""); err != nil {
			t.Fatalf("→ %s: %v", to, err)
		}
	}
	if run.Status != contract.StatusCompleted || run.Attempts != 2 {
		t.Errorf("run = %+v", run)
	}
	_, err = m.svc.Transition(ctx, run.ID, contract.StatusRunning, "")
	if code(err) != contract.CodeInvalidTransition {
		t.Errorf("completed → running: %v", err)
	}
}

func TestTransitionErrors(t *testing.T) {
	ctx := context.Background()
	m, _ := boot(t, framework.Config{})
	if _, err := m.svc.Transition(ctx, 999, contract.StatusRunning, ""); code(err) != framework.CodeNotFound {
		t.Errorf("missing run: %v", err)
	}
	run, err := m.svc.CreateRun(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Transition(ctx, run.ID, "paused", ""); code(err) != framework.CodeInvalidArgument {
		t.Errorf("unknown status: %v", err)
	}
}
