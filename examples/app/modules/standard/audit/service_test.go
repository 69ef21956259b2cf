package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

func TestCreateRunValidates(t *testing.T) {
	ctx := context.Background()
	m, _ := boot(t, framework.Config{})
	for _, target := range []string{"", "   ", strings.Repeat("x", 201)} {
		if _, err := m.svc.CreateRun(ctx, target); code(err) != framework.CodeInvalidArgument {
			t.Errorf("CreateRun(%q): %v, want invalid_argument", target, err)
		}
	}
	run, err := m.svc.CreateRun(ctx, "  billing  ")
	if err != nil {
		t.Fatal(err)
	}
	if run.Target != "billing" || run.ID == 0 || run.CreatedAt.IsZero() {
		t.Errorf("run = %+v", run)
	}
	if _, err := m.svc.GetRun(ctx, run.ID+1); code(err) != framework.CodeNotFound {
		t.Errorf("GetRun of a missing run: %v", err)
	}
	if _, err := m.svc.Events(ctx, run.ID+1); code(err) != framework.CodeNotFound {
		t.Errorf("Events of a missing run: %v", err)
	}
}

func TestListRunsAndCounts(t *testing.T) {
	ctx := context.Background()
	m, _ := boot(t, framework.Config{})
	svc := m.svc
	var ids []int64
	for _, target := range []string{"a", "b", "c", "d"} {
		run, err := svc.CreateRun(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.ID)
	}
	mustMove := func(id int64, to ...contract.Status) {
		t.Helper()
		for _, s := range to {
			if _, err := svc.Transition(ctx, id, s, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustMove(ids[0], contract.StatusRunning, contract.StatusCompleted)
	mustMove(ids[1], contract.StatusRunning, contract.StatusFailed)
	mustMove(ids[2], contract.StatusRunning)

	counts, err := svc.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := contract.Counts{Pending: 1, Running: 1, Completed: 1, Failed: 1, Total: 4}
	if counts != want {
		t.Errorf("counts = %+v, want %+v", counts, want)
	}

	all, err := svc.ListRuns(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[0].ID != ids[3] {
		t.Errorf("all runs = %+v, want 4 newest first", all)
	}
	failed, err := svc.ListRuns(ctx, contract.StatusFailed, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].ID != ids[1] {
		t.Errorf("failed runs = %+v", failed)
	}
	two, err := svc.ListRuns(ctx, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(two) != 2 {
		t.Errorf("limit 2 gave %d runs", len(two))
	}
	for _, bad := range []struct {
		status contract.Status
		limit  int
	}{{"paused", 0}, {"", -1}, {"", 1001}} {
		if _, err := svc.ListRuns(ctx, bad.status, bad.limit); code(err) != framework.CodeInvalidArgument {
			t.Errorf("ListRuns(%q, %d): %v", bad.status, bad.limit, err)
		}
	}
}

func TestServiceLookupThroughContract(t *testing.T) {
	ctx := context.Background()
	_, rt := boot(t, framework.Config{})
	app, err := rt.App("standard.audit")
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := framework.Service[contract.Auditor](app, "audit.service")
	if err != nil {
		t.Fatal(err)
	}
	run, err := auditor.CreateRun(ctx, "via contract")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != contract.StatusPending {
		t.Errorf("run = %+v", run)
	}
	var documented []string
	for _, info := range rt.Services() {
		if info.Name == "audit.service" {
			for _, m := range info.Methods {
				documented = append(documented, m.Name)
			}
		}
	}
	if got := strings.Join(documented, ","); got != "CreateRun,GetRun,ListRuns,Transition,Events,Counts" {
		t.Errorf("documented methods = %s", got)
	}
}

func TestWritesAreLoggedAsIntegritySessions(t *testing.T) {
	ctx := context.Background()
	m, rt := boot(t, framework.Config{})
	run, err := m.svc.CreateRun(ctx, "billing")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Transition(ctx, run.ID, contract.StatusCompleted, ""); err == nil {
		t.Fatal("pending → completed was accepted")
	}
	app, err := rt.App("standard.audit")
	if err != nil {
		t.Fatal(err)
	}
	log, err := app.DB().IntegrityLog(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 {
		t.Fatalf("integrity log = %+v, want 2 sessions", log)
	}
	if log[0].Purpose != "transition audit run" || log[0].Outcome != framework.OutcomeRolledBack {
		t.Errorf("newest session = %+v", log[0])
	}
	if log[1].Purpose != "create audit run" || log[1].Outcome != framework.OutcomeCommitted {
		t.Errorf("oldest session = %+v", log[1])
	}
}
