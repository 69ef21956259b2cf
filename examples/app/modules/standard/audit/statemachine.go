package audit

import (
	"slices"
	"strings"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

// next lists the statuses a run may move to from each status. completed is
// final; failed may run again (a retry) while attempts remain.
var next = map[contract.Status][]contract.Status{
	contract.StatusPending:   {contract.StatusRunning},
	contract.StatusRunning:   {contract.StatusCompleted, contract.StatusFailed},
	contract.StatusFailed:    {contract.StatusRunning},
	contract.StatusCompleted: nil,
}

// step checks that run may move to status to and returns the run's attempt
// count afterwards: entering running starts a new attempt, and a retry is
// refused once maxAttempts have been used.
func step(run contract.Run, to contract.Status, maxAttempts int) (int, error) {
	allowed := next[run.Status]
	if !slices.Contains(allowed, to) {
		return 0, framework.Errorf(contract.CodeInvalidTransition,
			"audit run %d cannot move from %s to %s (allowed from %s: %s)",
			run.ID, run.Status, to, run.Status, describe(allowed))
	}
	if to != contract.StatusRunning {
		return run.Attempts, nil
	}
	if run.Attempts >= maxAttempts {
		return 0, framework.Errorf(contract.CodeAttemptsExhausted,
			"audit run %d has used all %d attempts and cannot run again", run.ID, maxAttempts)
	}
	return run.Attempts + 1, nil
}

func describe(statuses []contract.Status) string {
	if len(statuses) == 0 {
		return "none, the status is final"
	}
	names := make([]string, len(statuses))
	for i, s := range statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
