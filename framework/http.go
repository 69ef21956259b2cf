package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
)

// Request is what a handler sees of the HTTP request.
type Request struct {
	// HTTP is the underlying request; prefer PathValue and Query.
	HTTP *http.Request
}

// PathValue returns the value of a {name} wildcard of the route's path.
func (r *Request) PathValue(name string) string { return r.HTTP.PathValue(name) }

// Query returns the first value of the query parameter key.
func (r *Request) Query(key string) string { return r.HTTP.URL.Query().Get(key) }

// Route is one endpoint of a module, made by GET, POST, PUT or DELETE and
// declared in Setup with (*Setup).Handle.
type Route struct {
	Method   string
	Path     string
	Request  reflect.Type // nil for methods without a body
	Response reflect.Type
	serve    func(w http.ResponseWriter, r *http.Request, limit int64) error
}

// GET declares an endpoint that answers with a Resp.
func GET[Resp any](path string, h func(ctx context.Context, r *Request) (Resp, error)) Route {
	return noBodyRoute(http.MethodGet, path, h)
}

// DELETE declares a DELETE endpoint that answers with a Resp.
func DELETE[Resp any](path string, h func(ctx context.Context, r *Request) (Resp, error)) Route {
	return noBodyRoute(http.MethodDelete, path, h)
}

// POST declares an endpoint that decodes a JSON Req and answers with a Resp.
func POST[Req, Resp any](path string, h func(ctx context.Context, r *Request, body Req) (Resp, error)) Route {
	return bodyRoute(http.MethodPost, path, h)
}

// PUT declares an endpoint that decodes a JSON Req and answers with a Resp.
func PUT[Req, Resp any](path string, h func(ctx context.Context, r *Request, body Req) (Resp, error)) Route {
	return bodyRoute(http.MethodPut, path, h)
}

func noBodyRoute[Resp any](method, path string, h func(context.Context, *Request) (Resp, error)) Route {
	return Route{
		Method:   method,
		Path:     path,
		Response: reflect.TypeFor[Resp](),
		serve: func(w http.ResponseWriter, r *http.Request, _ int64) error {
			resp, err := h(r.Context(), &Request{HTTP: r})
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, resp)
		},
	}
}

func bodyRoute[Req, Resp any](method, path string, h func(context.Context, *Request, Req) (Resp, error)) Route {
	return Route{
		Method:   method,
		Path:     path,
		Request:  reflect.TypeFor[Req](),
		Response: reflect.TypeFor[Resp](),
		serve: func(w http.ResponseWriter, r *http.Request, limit int64) error {
			var body Req
			if err := decodeBody(w, r, limit, &body); err != nil {
				return err
			}
			resp, err := h(r.Context(), &Request{HTTP: r}, body)
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, resp)
		},
	}
}

func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, into any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(into)
	if err == nil {
		_, err = dec.Token()
		if err == io.EOF {
			return nil
		}
		if !isTooLarge(err) {
			return Errorf(CodeInvalidArgument, "request body has data after the JSON value")
		}
	}
	var typ *json.UnmarshalTypeError
	switch {
	case isTooLarge(err):
		return Errorf(CodeTooLarge, "request body is larger than %d bytes", limit)
	case errors.Is(err, io.EOF):
		return Errorf(CodeInvalidArgument, "request body is empty; want a JSON object")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return Errorf(CodeInvalidArgument, "request body must be %s, not a JSON %s", jsonKind(typ.Type), typ.Value)
		}
		return Errorf(CodeInvalidArgument, "request body: %q must be %s, not a JSON %s", typ.Field, jsonKind(typ.Type), typ.Value)
	}
	if key, ok := unknownField(err); ok {
		return Errorf(CodeInvalidArgument, "request body has an unknown field %s", key)
	}
	return Errorf(CodeInvalidArgument, "request body is not valid JSON: %v", err)
}

func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}

// jsonKind names the JSON value a Go type is decoded from, for error
// messages that should not expose Go type names.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a JSON value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a JSON value"
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and message of an error response.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeJSON answers with v as JSON. It fails only if v cannot be encoded,
// before anything is written; a failed write means the client has gone and
// there is no one left to tell.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding the response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

func writeError(w http.ResponseWriter, err error) {
	fe := AsError(err)
	writeJSON(w, StatusForCode(fe.Code), ErrorBody{Error: ErrorDetail{Code: fe.Code, Message: fe.Message}})
}

// router mounts every module's routes under /api/v1/<short name>/ and answers
// everything else, errors included, with JSON.
type router struct {
	mux      *http.ServeMux
	maxBody  int64
	log      *slog.Logger
	patterns map[string]string // pattern -> module
}

func newRouter(maxBody int64, log *slog.Logger) *router {
	return &router{mux: http.NewServeMux(), maxBody: maxBody, log: log, patterns: map[string]string{}}
}

// MountPath is where a module's route is served: /api/v1/<short>/<path>.
func MountPath(module, path string) string {
	return "/api/v1/" + ShortName(module) + "/" + strings.TrimPrefix(path, "/")
}

func (rt *router) add(module string, route Route) (err error) {
	if route.serve == nil {
		return fmt.Errorf("%s: route %s %s was not made by framework.GET, POST, PUT or DELETE", module, route.Method, route.Path)
	}
	if !strings.HasPrefix(route.Path, "/") {
		return fmt.Errorf("%s: route path %q must start with /", module, route.Path)
	}
	pattern := route.Method + " " + MountPath(module, route.Path)
	if prev, ok := rt.patterns[pattern]; ok {
		return fmt.Errorf("%s: route %s is already declared by %s", module, pattern, prev)
	}
	defer func() {
		if r := recover(); r != nil { // ServeMux panics on invalid or conflicting patterns
			err = fmt.Errorf("%s: route %s %s: %v", module, route.Method, route.Path, r)
		}
	}()
	serve := route.serve
	rt.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rt.serveRoute(w, r, module, serve)
	})
	rt.patterns[pattern] = module
	return nil
}

func (rt *router) serveRoute(w http.ResponseWriter, r *http.Request, module string, serve func(http.ResponseWriter, *http.Request, int64) error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // the handler asked the server to abort the response
			}
			rt.log.Error("handler panicked", "module", module, "path", r.URL.Path, "panic", fmt.Sprint(p))
			writeError(w, Errorf(CodeInternal, "internal error"))
		}
	}()
	if err := serve(w, r, rt.maxBody); err != nil {
		if HTTPStatus(err) >= 500 {
			rt.log.Error("handler failed", "module", module, "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeError(w, err)
	}
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := rt.mux.Handler(r); pattern == "" {
		// The mux would answer 404 or 405 in plain text; answer in JSON.
		code, msg := CodeNotFound, "no route for "+r.Method+" "+r.URL.Path
		if allowed := rt.allowedMethods(r.URL.Path); allowed != "" {
			w.Header().Set("Allow", allowed)
			code, msg = "method_not_allowed", "method "+r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+allowed
		}
		writeError(w, &Error{Code: code, Message: msg})
		return
	}
	rt.mux.ServeHTTP(w, r)
}

func (rt *router) allowedMethods(path string) string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(m, path, nil)
		if req == nil {
			continue
		}
		if _, p := rt.mux.Handler(req); p != "" {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(allowed, ", ")
}
