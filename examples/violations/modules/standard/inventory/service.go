package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"example.com/violations/modules/standard/inventory/contract"
	"github.com/modls/modls/framework"
)

// Stock is the "inventory.stock" service.
type Stock struct {
	db *framework.DB

	mu    sync.Mutex
	cache map[string]int
	done  chan struct{}
}

var _ contract.Stock = (*Stock)(nil)

func newStock() *Stock {
	return &Stock{cache: map[string]int{}, done: make(chan struct{})}
}

// mustSKU returns sku, which must not be empty.
func mustSKU(sku string) string {
	if sku == "" {
		panic("inventory: empty SKU") // want MOD008 "call of panic in module code"
	}
	return sku
}

// Count returns the number of items of sku in stock, 0 if it is unknown.
func (s *Stock) Count(ctx context.Context, sku string) int { // want MOD008 "exported service method Count returns int last, not error"
	sku = mustSKU(sku)
	s.mu.Lock()
	n, ok := s.cache[sku]
	s.mu.Unlock()
	if ok {
		return n
	}
	if err := s.db.QueryRow(ctx, `SELECT on_hand FROM inventory_stock WHERE sku = ?`, sku).Scan(&n); err != nil {
		return 0
	}
	return n
}

// Reserve takes n items of sku out of stock and returns how many are left.
func (s *Stock) Reserve(ctx context.Context, sku string, n int) (int, error) {
	if n <= 0 {
		return 0, errors.New("reserve: n must be positive") // want MOD008 "service method Reserve returns a plain error made by errors.New"
	}
	var left int
	err := s.db.IntegritySession(ctx, "reserve stock", func(tx *framework.Tx) error {
		if err := tx.QueryRow(`UPDATE inventory_stock SET on_hand = on_hand - ? WHERE sku = ? AND on_hand >= ? RETURNING on_hand`, n, sku, n).Scan(&left); err != nil {
			return framework.Errorf(framework.CodeConflict+".insufficient_stock", "fewer than %d of %s in stock", n, sku)
		}
		return nil
	})
	if err != nil {
		return 0, framework.AsError(err)
	}
	s.remember(sku, left)
	return left, nil
}

// Restock adds n items of sku to the stock.
func (s *Stock) Restock(ctx context.Context, sku string, n int) error {
	if sku == "" || n <= 0 {
		return framework.Errorf(framework.CodeInvalidArgument, "restock needs a SKU and a positive count, got %q and %d", sku, n)
	}
	var now int
	err := s.db.IntegritySession(ctx, "restock", func(tx *framework.Tx) error {
		return tx.QueryRow(`INSERT INTO inventory_stock (sku, on_hand) VALUES (?, ?)
ON CONFLICT (sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand RETURNING on_hand`, sku, n).Scan(&now)
	})
	if err != nil {
		return fmt.Errorf("restock %s: %w", sku, err) // want MOD008 "service method Restock returns a plain error made by fmt.Errorf"
	}
	s.remember(sku, now)
	return nil
}

func (s *Stock) remember(sku string, n int) {
	s.mu.Lock()
	s.cache[sku] = n
	s.mu.Unlock()
}

// seed fills the cache from "sku,count" lines.
func (s *Stock) seed(data []byte) {
	for _, line := range bytes.Split(data, []byte("\n")) {
		sku, count, ok := bytes.Cut(line, []byte(","))
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(string(bytes.TrimSpace(count))); err == nil {
			s.remember(string(sku), n)
		}
	}
}

// prime loads every stock level into the cache.
func (s *Stock) prime(ctx context.Context) {
	rows, err := s.db.Query(ctx, `SELECT sku, on_hand FROM inventory_stock`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var sku string
		var n int
		if rows.Scan(&sku, &n) == nil {
			s.remember(sku, n)
		}
	}
}

// watch drops the cache every minute until stop is called.
func (s *Stock) watch() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.mu.Lock()
			clear(s.cache)
			s.mu.Unlock()
		}
	}
}

func (s *Stock) stop() error {
	select {
	case <-s.done:
		return errors.New("stopped twice")
	default:
		close(s.done)
		return nil
	}
}

// Snapshot is every cached stock level.
type Snapshot struct {
	Levels  map[string]int `json:"levels"`
	TakenAt time.Time      `json:"taken_at"`
}

// Levels is the "inventory.levels" service.
type Levels struct {
	stock *Stock
}

// Snapshot returns the cached stock level of every SKU.
func (l *Levels) Snapshot(ctx context.Context) (Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return Snapshot{}, framework.Errorf(framework.CodeUnavailable, "snapshot: %w", err)
	}
	l.stock.mu.Lock()
	defer l.stock.mu.Unlock()
	snap := Snapshot{Levels: make(map[string]int, len(l.stock.cache)), TakenAt: time.Now().UTC()}
	for sku, n := range l.stock.cache {
		snap.Levels[sku] = n
	}
	return snap, nil
}
