package notifications

import (
	"context"
	"testing"

	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/examples/app/modules/standard/notifications/contract"
	"github.com/modls/modls/framework"
)

func TestEnqueueAndGet(t *testing.T) {
	ctx := context.Background()
	m, _, _ := boot(t, framework.Config{})
	n, err := m.svc.Enqueue(ctx, "", " dev@example.com ", "hello", "body")
	if err != nil {
		t.Fatal(err)
	}
	if n.Channel != "email" || n.Recipient != "dev@example.com" || n.Status != contract.StatusPending || n.Attempts != 0 || n.Ref != "" {
		t.Errorf("enqueued = %+v", n)
	}
	got, err := m.svc.Get(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Errorf("Get = %+v, want %+v", got, n)
	}
	if _, err := m.svc.Get(ctx, n.ID+1); code(err) != framework.CodeNotFound {
		t.Errorf("Get of a missing notification: %v", err)
	}
	for _, bad := range [][3]string{{"fax", "a", "b"}, {"sms", "", "b"}, {"sms", "a", " "}} {
		if _, err := m.svc.Enqueue(ctx, bad[0], bad[1], bad[2], ""); code(err) != framework.CodeInvalidArgument {
			t.Errorf("Enqueue(%q): %v", bad, err)
		}
	}
}

func TestDeliveryRetriesUntilFailed(t *testing.T) {
	ctx := context.Background()
	m, _, _ := boot(t, framework.Config{})
	n, err := m.svc.Enqueue(ctx, "webhook", "https://hooks.example.com/x", "ping", "")
	if err != nil {
		t.Fatal(err)
	}
	// The default max_attempts is 5: four failures keep it pending.
	for i := 1; i <= 5; i++ {
		n, err = m.svc.RecordAttempt(ctx, n.ID, false, "")
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		want := contract.StatusPending
		if i == 5 {
			want = contract.StatusFailed
		}
		if n.Status != want || n.Attempts != i || n.LastError != "delivery failed" {
			t.Fatalf("after attempt %d: %+v", i, n)
		}
	}
	_, err = m.svc.RecordAttempt(ctx, n.ID, true, "")
	if code(err) != contract.CodeAlreadyFinal || framework.HTTPStatus(err) != 409 {
		t.Errorf("attempt on a failed notification: %v", err)
	}
	attempts, err := m.svc.Attempts(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 5 || attempts[4].Attempt != 5 || attempts[4].Delivered {
		t.Errorf("attempts = %+v", attempts)
	}
}

func TestDeliverySucceeds(t *testing.T) {
	ctx := context.Background()
	m, _, _ := boot(t, framework.Config{})
	n, err := m.svc.Enqueue(ctx, "sms", "+100", "code 1234", "")
	if err != nil {
		t.Fatal(err)
	}
	if n, err = m.svc.RecordAttempt(ctx, n.ID, false, "carrier timeout"); err != nil {
		t.Fatal(err)
	}
	if n, err = m.svc.RecordAttempt(ctx, n.ID, true, "ignored"); err != nil {
		t.Fatal(err)
	}
	if n.Status != contract.StatusSent || n.Attempts != 2 || n.LastError != "" {
		t.Errorf("after delivery: %+v", n)
	}
	if _, err := m.svc.RecordAttempt(ctx, n.ID, true, ""); code(err) != contract.CodeAlreadyFinal {
		t.Errorf("attempt on a sent notification: %v", err)
	}
	if _, err := m.svc.RecordAttempt(ctx, 999, true, ""); code(err) != framework.CodeNotFound {
		t.Errorf("attempt on a missing notification: %v", err)
	}
	if _, err := m.svc.Attempts(ctx, 999); code(err) != framework.CodeNotFound {
		t.Errorf("attempts of a missing notification: %v", err)
	}
	attempts, err := m.svc.Attempts(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || attempts[0].Error != "carrier timeout" || !attempts[1].Delivered {
		t.Errorf("attempts = %+v", attempts)
	}
}

func TestListAndCounts(t *testing.T) {
	ctx := context.Background()
	m, _, _ := boot(t, framework.Config{})
	var ids []int64
	for _, subject := range []string{"a", "b", "c"} {
		n, err := m.svc.Enqueue(ctx, "email", "x@example.com", subject, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	if _, err := m.svc.RecordAttempt(ctx, ids[0], true, ""); err != nil {
		t.Fatal(err)
	}
	counts, err := m.svc.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (contract.Counts{Pending: 2, Sent: 1, Total: 3}); counts != want {
		t.Errorf("counts = %+v, want %+v", counts, want)
	}
	pending, err := m.svc.List(ctx, contract.StatusPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].ID != ids[2] {
		t.Errorf("pending = %+v", pending)
	}
	for _, bad := range []struct {
		status contract.Status
		limit  int
	}{{"queued", 0}, {"", -3}, {"", 5000}} {
		if _, err := m.svc.List(ctx, bad.status, bad.limit); code(err) != framework.CodeInvalidArgument {
			t.Errorf("List(%q, %d): %v", bad.status, bad.limit, err)
		}
	}
}

// TestReportFailedRuns fails an audit run through the audit contract and
// checks that each failed attempt is reported exactly once.
func TestReportFailedRuns(t *testing.T) {
	ctx := context.Background()
	m, _, auditor := boot(t, framework.Config{})
	if n, err := m.svc.ReportFailedRuns(ctx); err != nil || n != 0 {
		t.Fatalf("with no runs: %d, %v", n, err)
	}
	run, err := auditor.CreateRun(ctx, "billing")
	if err != nil {
		t.Fatal(err)
	}
	move := func(to ...auditcontract.Status) {
		t.Helper()
		for _, s := range to {
			if _, err := auditor.Transition(ctx, run.ID, s, "ledger mismatch"); err != nil {
				t.Fatal(err)
			}
		}
	}
	move(auditcontract.StatusRunning, auditcontract.StatusFailed)
	if n, err := m.svc.ReportFailedRuns(ctx); err != nil || n != 1 {
		t.Fatalf("first report: %d, %v", n, err)
	}
	if n, err := m.svc.ReportFailedRuns(ctx); err != nil || n != 0 {
		t.Fatalf("second report of the same failure: %d, %v", n, err)
	}
	move(auditcontract.StatusRunning, auditcontract.StatusFailed)
	if n, err := m.svc.ReportFailedRuns(ctx); err != nil || n != 1 {
		t.Fatalf("report after the retry failed: %d, %v", n, err)
	}
	list, err := m.svc.List(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("outbox = %+v", list)
	}
	n := list[0]
	if n.Recipient != "ops@example.com" || n.Channel != "email" || n.Body != "ledger mismatch" ||
		n.Ref != "audit.run.1.attempt.2" || n.Subject != "audit run 1 (billing) failed on attempt 2" {
		t.Errorf("report = %+v", n)
	}
}
