package figures

import (
	"errors"
	"fmt"
	"os"
)

// UsageError is a harness's complaint about its command line: Exit ends
// the process with status 2 for it.
type UsageError struct{ error }

// Usage wraps err as a UsageError.
func Usage(err error) error { return UsageError{err} }

// Exit ends a harness that failed: the error on standard error after the
// harness's name, status 2 for a usage error, 1 for any other.
func Exit(name string, err error) {
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, name+":", err)
	var u UsageError
	if errors.As(err, &u) {
		os.Exit(2)
	}
	os.Exit(1)
}
