package framework_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modls/modls/framework"
)

type statusResp struct {
	OK bool `json:"ok"`
}

type item struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// shop is a module with one route of each method over an in-memory map.
type shop struct {
	mu    sync.Mutex
	items map[string]item
}

func newShopModule(extra ...framework.Route) (*mod, *shop) {
	sh := &shop{items: map[string]item{}}
	m := &mod{name: "test.shop", features: []string{"api"}, setup: func(s *framework.Setup) error {
		routes := []framework.Route{
			framework.GET("/status", func(context.Context, *framework.Request) (statusResp, error) {
				return statusResp{OK: true}, nil
			}),
			framework.GET("/items/{id}", func(ctx context.Context, r *framework.Request) (item, error) {
				sh.mu.Lock()
				defer sh.mu.Unlock()
				it, ok := sh.items[r.PathValue("id")]
				if !ok {
					return item{}, framework.Errorf(framework.CodeNotFound, "no item %s", r.PathValue("id"))
				}
				return it, nil
			}),
			framework.GET("/search", func(ctx context.Context, r *framework.Request) ([]item, error) {
				sh.mu.Lock()
				defer sh.mu.Unlock()
				out := []item{}
				for _, it := range sh.items {
					if strings.Contains(it.Name, r.Query("q")) {
						out = append(out, it)
					}
				}
				return out, nil
			}),
			framework.POST("/items", func(ctx context.Context, r *framework.Request, in item) (item, error) {
				if in.ID == "" {
					return item{}, framework.Errorf(framework.CodeInvalidArgument, "id is required")
				}
				sh.mu.Lock()
				defer sh.mu.Unlock()
				if _, dup := sh.items[in.ID]; dup {
					return item{}, framework.Errorf(framework.CodeConflict, "item %s exists", in.ID)
				}
				sh.items[in.ID] = in
				return in, nil
			}),
			framework.PUT("/items/{id}", func(ctx context.Context, r *framework.Request, in item) (item, error) {
				in.ID = r.PathValue("id")
				sh.mu.Lock()
				defer sh.mu.Unlock()
				sh.items[in.ID] = in
				return in, nil
			}),
			framework.DELETE("/items/{id}", func(ctx context.Context, r *framework.Request) (statusResp, error) {
				sh.mu.Lock()
				defer sh.mu.Unlock()
				delete(sh.items, r.PathValue("id"))
				return statusResp{OK: true}, nil
			}),
		}
		return s.Handle(append(routes, extra...)...)
	}}
	return m, sh
}

// call sends a request to h and returns the status and body.
func call(t testing.TB, h http.Handler, method, path, body string) (int, http.Header, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

// errorBody decodes an error response and checks its shape.
func errorBody(t testing.TB, body string) framework.ErrorDetail {
	t.Helper()
	var eb framework.ErrorBody
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&eb); err != nil {
		t.Fatalf("error body %q is not {\"error\":{\"code\",\"message\"}}: %v", body, err)
	}
	if eb.Error.Code == "" || eb.Error.Message == "" {
		t.Errorf("error body %q lacks a code or message", body)
	}
	return eb.Error
}

func TestTypedHandlers(t *testing.T) {
	m, _ := newShopModule()
	h := boot(t, testConfig(t), m).Handler()

	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/api/v1/shop/status", "", 200, `{"ok":true}`},
		{"POST", "/api/v1/shop/items", `{"id":"a1","name":"apple"}`, 200, `{"id":"a1","name":"apple"}`},
		{"GET", "/api/v1/shop/items/a1", "", 200, `{"id":"a1","name":"apple"}`},
		{"PUT", "/api/v1/shop/items/a1", `{"name":"green apple"}`, 200, `{"id":"a1","name":"green apple"}`},
		{"POST", "/api/v1/shop/items", `{"id":"b2","name":"banana"}`, 200, `{"id":"b2","name":"banana"}`},
		{"GET", "/api/v1/shop/search?q=banana", "", 200, `[{"id":"b2","name":"banana"}]`},
		{"DELETE", "/api/v1/shop/items/a1", "", 200, `{"ok":true}`},
		{"GET", "/api/v1/shop/search?q=apple", "", 200, `[]`},
	}
	for _, s := range steps {
		status, hdr, body := call(t, h, s.method, s.path, s.body)
		if status != s.status || strings.TrimSpace(body) != s.want {
			t.Errorf("%s %s: got %d %s; want %d %s", s.method, s.path, status, body, s.status, s.want)
		}
		if ct := hdr.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q; want application/json", s.method, s.path, ct)
		}
	}
}

func TestErrorCodesMapToStatuses(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status int
	}{
		{framework.CodeInvalidArgument, 400},
		{framework.CodeUnauthorized, 401},
		{framework.CodeForbidden, 403},
		{framework.CodeNotFound, 404},
		{framework.CodeConflict, 409},
		{"conflict.invalid_transition", 409},
		{"not_found.run", 404},
		{framework.CodeTooLarge, 413},
		{framework.CodeInternal, 500},
		{framework.CodeUnavailable, 503},
		{"mystery", 500},
	} {
		t.Run(tc.code, func(t *testing.T) {
			route := framework.GET("/fail", func(context.Context, *framework.Request) (statusResp, error) {
				return statusResp{}, framework.Errorf(tc.code, "failed with %s", tc.code)
			})
			m := &mod{name: "test.codes", setup: func(s *framework.Setup) error { return s.Handle(route) }}
			h := boot(t, testConfig(t), m).Handler()
			status, _, body := call(t, h, "GET", "/api/v1/codes/fail", "")
			if status != tc.status {
				t.Errorf("got status %d; want %d", status, tc.status)
			}
			d := errorBody(t, body)
			if d.Code != tc.code || d.Message != "failed with "+tc.code {
				t.Errorf("got error %+v; want code %q message %q", d, tc.code, "failed with "+tc.code)
			}
		})
	}
}

func TestHandlerFailuresAnswerJSON500(t *testing.T) {
	m, _ := newShopModule(
		framework.GET("/plain", func(context.Context, *framework.Request) (statusResp, error) {
			return statusResp{}, errors.New("password=hunter2 rejected by upstream")
		}),
		framework.GET("/wrapped", func(context.Context, *framework.Request) (statusResp, error) {
			return statusResp{}, fmt.Errorf("loading: %w", framework.Errorf(framework.CodeNotFound, "no such run"))
		}),
		framework.GET("/panic", func(context.Context, *framework.Request) (statusResp, error) {
			panic("secret state")
		}),
		framework.GET("/unencodable", func(context.Context, *framework.Request) (func(), error) {
			return func() {}, nil
		}),
	)
	h := boot(t, testConfig(t), m).Handler()
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/shop/plain", 500, framework.CodeInternal},
		{"/api/v1/shop/wrapped", 404, framework.CodeNotFound},
		{"/api/v1/shop/panic", 500, framework.CodeInternal},
		{"/api/v1/shop/unencodable", 500, framework.CodeInternal},
	} {
		status, _, body := call(t, h, "GET", tc.path, "")
		if status != tc.status {
			t.Errorf("%s: got status %d; want %d", tc.path, status, tc.status)
		}
		d := errorBody(t, body)
		if d.Code != tc.code {
			t.Errorf("%s: got code %q; want %q", tc.path, d.Code, tc.code)
		}
		for _, secret := range []string{"hunter2", "secret state", "func()"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s: body %s leaks %q", tc.path, body, secret)
			}
		}
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	m, _ := newShopModule()
	h := boot(t, testConfig(t), m).Handler()
	for _, path := range []string{"/nope", "/api/v1/shop/nope", "/api/v1/ghost/status"} {
		status, _, body := call(t, h, "GET", path, "")
		if status != 404 {
			t.Errorf("GET %s: got status %d; want 404", path, status)
		}
		if d := errorBody(t, body); d.Code != framework.CodeNotFound || !strings.Contains(d.Message, path) {
			t.Errorf("GET %s: got %+v; want not_found naming the path", path, d)
		}
	}
}

func TestWrongMethodIsJSON405WithAllow(t *testing.T) {
	m, _ := newShopModule()
	h := boot(t, testConfig(t), m).Handler()
	for _, tc := range []struct {
		method, path, allow string
	}{
		{"POST", "/api/v1/shop/status", "GET"},
		{"PATCH", "/api/v1/shop/items/x", "GET, PUT, DELETE"},
		{"DELETE", "/api/v1/shop/items", "POST"},
		{"POST", "/api/v1/_framework/services", "GET"},
	} {
		status, hdr, body := call(t, h, tc.method, tc.path, "")
		if status != 405 {
			t.Errorf("%s %s: got status %d; want 405", tc.method, tc.path, status)
		}
		if got := hdr.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q; want %q", tc.method, tc.path, got, tc.allow)
		}
		if d := errorBody(t, body); d.Code != "method_not_allowed" {
			t.Errorf("%s %s: got code %q; want method_not_allowed", tc.method, tc.path, d.Code)
		}
	}
}

func TestRequestBodyErrors(t *testing.T) {
	m, sh := newShopModule()
	cfg := testConfig(t)
	cfg.MaxBodyBytes = 64
	h := boot(t, cfg, m).Handler()
	for _, tc := range []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"malformed", `{"id":`, 400, framework.CodeInvalidArgument, "not valid JSON"},
		{"syntax", `{"id" "x"}`, 400, framework.CodeInvalidArgument, "not valid JSON"},
		{"wrong type", `{"id": 5}`, 400, framework.CodeInvalidArgument, `"id" must be a string, not a JSON number`},
		{"not an object", `[1]`, 400, framework.CodeInvalidArgument, "request body must be an object, not a JSON array"},
		{"unknown field", `{"id":"x","colour":"red"}`, 400, framework.CodeInvalidArgument, `unknown field "colour"`},
		{"empty", ``, 400, framework.CodeInvalidArgument, "request body is empty"},
		{"whitespace", "  \n", 400, framework.CodeInvalidArgument, "request body is empty"},
		{"trailing value", `{"id":"x"} {"id":"y"}`, 400, framework.CodeInvalidArgument, "data after the JSON value"},
		{"trailing brace", `{"id":"x"}}`, 400, framework.CodeInvalidArgument, "data after the JSON value"},
		{"too large", `{"id":"x","name":"` + strings.Repeat("a", 100) + `"}`, 413, framework.CodeTooLarge, "larger than 64 bytes"},
		{"handler refusal", `{"name":"x"}`, 400, framework.CodeInvalidArgument, "id is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := call(t, h, "POST", "/api/v1/shop/items", tc.body)
			if status != tc.status {
				t.Errorf("got status %d; want %d (body %s)", status, tc.status, body)
			}
			d := errorBody(t, body)
			if d.Code != tc.code || !strings.Contains(d.Message, tc.msg) {
				t.Errorf("got %+v; want code %q and a message containing %q", d, tc.code, tc.msg)
			}
		})
	}
	if len(sh.items) != 0 {
		t.Errorf("refused requests stored items: %v", sh.items)
	}
	status, _, body := call(t, h, "POST", "/api/v1/shop/items", `{"id":"ok","name":"fits"}`)
	if status != 200 {
		t.Errorf("a body under the limit: got %d %s; want 200", status, body)
	}
}

func TestDefaultMaxBodyBytes(t *testing.T) {
	m, _ := newShopModule()
	h := boot(t, testConfig(t), m).Handler()
	big := `{"id":"x","name":"` + strings.Repeat("a", framework.DefaultMaxBodyBytes) + `"}`
	if status, _, _ := call(t, h, "POST", "/api/v1/shop/items", big); status != 413 {
		t.Errorf("body over %d bytes: got status %d; want 413", framework.DefaultMaxBodyBytes, status)
	}
	ok := `{"id":"x","name":"` + strings.Repeat("a", framework.DefaultMaxBodyBytes/2) + `"}`
	if status, _, _ := call(t, h, "POST", "/api/v1/shop/items", ok); status != 200 {
		t.Errorf("body under %d bytes: got status %d; want 200", framework.DefaultMaxBodyBytes, status)
	}
}

func TestBadRoutesAreRefused(t *testing.T) {
	ok := func(context.Context, *framework.Request) (statusResp, error) { return statusResp{}, nil }
	for _, tc := range []struct {
		name   string
		routes []framework.Route
		want   string
	}{
		{"duplicate", []framework.Route{framework.GET("/x", ok), framework.GET("/x", ok)}, "route GET /api/v1/routes/x is already declared by test.routes"},
		{"no leading slash", []framework.Route{framework.GET("x", ok)}, `route path "x" must start with /`},
		{"bad wildcard", []framework.Route{framework.GET("/{id", ok)}, "route GET /{id"},
		{"conflicting wildcards", []framework.Route{framework.GET("/a/{x}", ok), framework.GET("/a/{y}", ok)}, "route GET /a/{y}"},
		{"hand-made", []framework.Route{{Method: "GET", Path: "/x"}}, "was not made by framework.GET, POST, PUT or DELETE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var handleErr error
			m := &mod{name: "test.routes", setup: func(s *framework.Setup) error {
				handleErr = s.Handle(tc.routes...)
				return nil
			}}
			boot(t, testConfig(t), m)
			wantErr(t, handleErr, "test.routes", tc.want)
		})
	}
}

func TestDuplicateRouteAcrossModulesIsRefused(t *testing.T) {
	ok := func(context.Context, *framework.Request) (statusResp, error) { return statusResp{}, nil }
	reg := func(name string) *mod {
		return &mod{name: name, setup: func(s *framework.Setup) error { return s.Handle(framework.GET("/status", ok)) }}
	}
	err := bootErr(t, testConfig(t), reg("first.same"), reg("second.same"))
	wantModuleError(t, err, "second.same", "Setup")
	wantErr(t, err, "already declared by first.same")
}

func TestMountPath(t *testing.T) {
	for _, tc := range []struct{ module, path, want string }{
		{"standard.audit", "/status", "/api/v1/audit/status"},
		{"standard.audit", "/runs/{id}", "/api/v1/audit/runs/{id}"},
		{"standard.audit", "runs", "/api/v1/audit/runs"},
	} {
		if got := framework.MountPath(tc.module, tc.path); got != tc.want {
			t.Errorf("MountPath(%q, %q) = %q; want %q", tc.module, tc.path, got, tc.want)
		}
	}
}

func TestRequestAccessors(t *testing.T) {
	var gotID, gotQ, gotMissing string
	route := framework.GET("/things/{id}", func(ctx context.Context, r *framework.Request) (statusResp, error) {
		gotID, gotQ, gotMissing = r.PathValue("id"), r.Query("q"), r.Query("missing")
		if r.HTTP == nil || r.HTTP.Context() != ctx {
			t.Error("Request.HTTP is not the request whose context the handler got")
		}
		return statusResp{OK: true}, nil
	})
	m := &mod{name: "test.req", setup: func(s *framework.Setup) error { return s.Handle(route) }}
	h := boot(t, testConfig(t), m).Handler()
	if status, _, body := call(t, h, "GET", "/api/v1/req/things/t%2F7?q=a+b&q=c", ""); status != 200 {
		t.Fatalf("got %d %s; want 200", status, body)
	}
	if gotID != "t/7" || gotQ != "a b" || gotMissing != "" {
		t.Errorf("got id %q q %q missing %q; want t/7, a b, empty", gotID, gotQ, gotMissing)
	}
}

func TestAbortHandlerPanicAbortsTheResponse(t *testing.T) {
	m, _ := newShopModule(framework.GET("/abort", func(context.Context, *framework.Request) (statusResp, error) {
		panic(http.ErrAbortHandler)
	}))
	srv := httptest.NewServer(boot(t, testConfig(t), m).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/shop/abort")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d; want the connection aborted", resp.StatusCode)
	}
}
