package framework_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"testing"

	"github.com/modls/modls/framework"
)

func TestErrorfWrapsWithW(t *testing.T) {
	err := framework.Errorf(framework.CodeNotFound, "run %d: %w", 7, fs.ErrNotExist)
	if err.Code != framework.CodeNotFound {
		t.Errorf("Code = %q; want not_found", err.Code)
	}
	if err.Message != "run 7: file does not exist" {
		t.Errorf("Message = %q; want %q", err.Message, "run 7: file does not exist")
	}
	if err.Err != fs.ErrNotExist {
		t.Errorf("Err = %v; want fs.ErrNotExist", err.Err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("errors.Is(err, fs.ErrNotExist) = false; want true")
	}
	outer := fmt.Errorf("handler: %w", err)
	if !errors.Is(outer, fs.ErrNotExist) {
		t.Error("errors.Is through an outer wrap = false; want true")
	}
	var fe *framework.Error
	if !errors.As(outer, &fe) || fe != err {
		t.Error("errors.As did not find the *framework.Error")
	}
}

func TestErrorfWithoutW(t *testing.T) {
	err := framework.Errorf(framework.CodeConflict, "state %s", "closed")
	if err.Err != nil {
		t.Errorf("Err = %v; want nil without %%w", err.Err)
	}
	if got := err.Error(); got != "conflict: state closed" {
		t.Errorf("Error() = %q; want %q", got, "conflict: state closed")
	}
}

func TestErrorfWithSeveralW(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	err := framework.Errorf(framework.CodeInternal, "%w and %w", a, b)
	if !errors.Is(err, a) || !errors.Is(err, b) {
		t.Errorf("errors.Is finds a: %v, b: %v; want both", errors.Is(err, a), errors.Is(err, b))
	}
	if err.Message != "a and b" {
		t.Errorf("Message = %q; want %q", err.Message, "a and b")
	}
}

func TestErrorWithoutMessage(t *testing.T) {
	if got := (&framework.Error{Code: "not_found"}).Error(); got != "not_found" {
		t.Errorf("Error() = %q; want not_found", got)
	}
}

func TestStatusForCode(t *testing.T) {
	for code, want := range map[string]int{
		framework.CodeInvalidArgument:    http.StatusBadRequest,
		framework.CodeUnauthorized:       http.StatusUnauthorized,
		framework.CodeForbidden:          http.StatusForbidden,
		framework.CodeNotFound:           http.StatusNotFound,
		framework.CodeConflict:           http.StatusConflict,
		framework.CodeTooLarge:           http.StatusRequestEntityTooLarge,
		framework.CodeInternal:           http.StatusInternalServerError,
		framework.CodeUnavailable:        http.StatusServiceUnavailable,
		"conflict.invalid_transition":    http.StatusConflict,
		"invalid_argument.name.too_long": http.StatusBadRequest,
		"method_not_allowed":             http.StatusMethodNotAllowed,
		"":                               http.StatusInternalServerError,
		"teapot":                         http.StatusInternalServerError,
		".conflict":                      http.StatusInternalServerError,
	} {
		if got := framework.StatusForCode(code); got != want {
			t.Errorf("StatusForCode(%q) = %d; want %d", code, got, want)
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{framework.Errorf(framework.CodeForbidden, "no"), 403},
		{fmt.Errorf("wrapped: %w", framework.Errorf("conflict.busy", "busy")), 409},
		{errors.Join(errors.New("x"), framework.Errorf(framework.CodeNotFound, "y")), 404},
		{errors.New("plain"), 500},
	} {
		if got := framework.HTTPStatus(tc.err); got != tc.want {
			t.Errorf("HTTPStatus(%v) = %d; want %d", tc.err, got, tc.want)
		}
	}
}

func TestAsError(t *testing.T) {
	fe := framework.Errorf(framework.CodeNotFound, "gone")
	if got := framework.AsError(fmt.Errorf("ctx: %w", fe)); got != fe {
		t.Errorf("AsError of a wrapped *Error = %v; want the *Error itself", got)
	}
	cause := errors.New("dial tcp 10.0.0.1: secret")
	got := framework.AsError(cause)
	if got.Code != framework.CodeInternal || got.Message != "internal error" {
		t.Errorf("AsError(plain) = %+v; want internal / internal error", got)
	}
	if !errors.Is(got, cause) {
		t.Error("AsError(plain) lost the cause")
	}
}
