// Package store is standard.cache's storage: what its functions do is
// known to the module's Setup and Start through their facts.
package store

import (
	"os"

	"github.com/modls/modls/framework"
)

// Load reads the seed file.
func Load(name string) ([]byte, error) {
	return readSeed(name)
}

func readSeed(name string) ([]byte, error) {
	return os.ReadFile(name)
}

// Register registers the store's service: a declaration, for Setup.
func Register(s *framework.Setup) error {
	return s.RegisterService("cache.store", nil)
}

// Key is pure: any phase may call it.
func Key(name string) string { return "cache:" + name }

// Cache is a value with methods.
type Cache struct{ dir string }

// Warm starts a goroutine.
func (c *Cache) Warm() {
	go c.fill()
}

func (c *Cache) fill() {}
