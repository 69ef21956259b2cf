package ledger

import (
	"context"
	"sync"

	"github.com/modls/modls/framework"
)

type entry struct {
	account string
	cents   int64
}

// Entries is the "ledger.entries" service.
type Entries struct {
	mu   sync.Mutex
	list []entry
}

// Append appends an entry and returns its sequence number, from 1.
func (e *Entries) Append(ctx context.Context, account string, cents int64) (int, error) {
	if account == "" || cents == 0 {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "an entry needs an account and a non-zero amount")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, entry{account: account, cents: cents})
	return len(e.list), nil
}

// Balance returns the sum of account's entries.
func (e *Entries) Balance(ctx context.Context, account string) (int64, error) {
	if account == "" {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "account is empty")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var sum int64
	for _, x := range e.list {
		if x.account == account {
			sum += x.cents
		}
	}
	return sum, nil
}

// Totals is the "ledger.totals" service.
type Totals struct {
	entries *Entries
}

// Sum returns the sum of every entry; it is zero when the ledger balances.
func (t *Totals) Sum(ctx context.Context) (int64, error) { // want MOD002 "exported method Sum has no ServiceMethod entry"
	t.entries.mu.Lock()
	defer t.entries.mu.Unlock()
	var sum int64
	for _, x := range t.entries.list {
		sum += x.cents
	}
	return sum, nil
}

// Archive is the "ledger_archive" service.
type Archive struct {
	mu     sync.Mutex
	sealed int
}

// Seal seals the ledger and returns the number of seals so far.
func (a *Archive) Seal(ctx context.Context) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sealed++
	return a.sealed, nil
}
