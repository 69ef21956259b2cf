package framework

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes understood by the HTTP layer. A code may carry a dotted suffix
// that names the case more precisely ("conflict.invalid_transition"); the part
// before the first dot decides the HTTP status.
const (
	CodeInvalidArgument = "invalid_argument"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodeUnauthorized    = "unauthorized"
	CodeForbidden       = "forbidden"
	CodeTooLarge        = "too_large"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
)

var codeStatus = map[string]int{
	CodeInvalidArgument:  http.StatusBadRequest,
	CodeNotFound:         http.StatusNotFound,
	CodeConflict:         http.StatusConflict,
	CodeUnauthorized:     http.StatusUnauthorized,
	CodeForbidden:        http.StatusForbidden,
	CodeTooLarge:         http.StatusRequestEntityTooLarge,
	CodeUnavailable:      http.StatusServiceUnavailable,
	CodeInternal:         http.StatusInternalServerError,
	"method_not_allowed": http.StatusMethodNotAllowed,
}

// Error is the error that crosses a service or HTTP boundary: a stable
// machine-readable Code, a Message for people, and the underlying cause.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Errorf returns an *Error with the given code and a formatted message. A
// %w verb in format sets Err, as with fmt.Errorf.
func Errorf(code, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	cause := errors.Unwrap(wrapped)
	if multi, ok := wrapped.(interface{ Unwrap() []error }); ok {
		cause = errors.Join(multi.Unwrap()...)
	}
	return &Error{Code: code, Message: wrapped.Error(), Err: cause}
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the status an error maps to: the status of its code's class
// for an *Error anywhere in the chain, 500 for anything else.
func HTTPStatus(err error) int {
	var fe *Error
	if !errors.As(err, &fe) {
		return http.StatusInternalServerError
	}
	return StatusForCode(fe.Code)
}

// StatusForCode maps an error code to its HTTP status; unknown codes are 500.
func StatusForCode(code string) int {
	class, _, _ := strings.Cut(code, ".")
	if s, ok := codeStatus[class]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// AsError returns err as an *Error, wrapping anything else as an internal
// error whose message does not leak the cause.
func AsError(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}
