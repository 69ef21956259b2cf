// Package store is a sub-package of the module: module code too.
package store

func Kind(n int) string {
	switch {
	case n < 0:
		return "negative"
	case n >= 0:
		return "non-negative"
	}
	panic("unreachable") // want `call of panic in module code`
}
