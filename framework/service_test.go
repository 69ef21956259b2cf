package framework_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/modls/modls/framework"
)

// Adder is the contract of counter.
type Adder interface {
	Add(n int) int
}

// counter is a small service used across the tests.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) Add(n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += n
	return c.n
}

func (c *counter) Get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

var addDoc = framework.ServiceMethod{
	Name:        "Add",
	Description: "adds n and returns the new total",
	Params:      []framework.Param{{Name: "n", Type: "int", Description: "the amount"}},
	Returns:     "int",
	Example:     `total := svc.Add(2)`,
}

// provider registers a *counter as counter.service.
func provider(c *counter) *mod {
	return &mod{
		name:     "test.counter",
		services: []string{"counter.service"},
		setup: func(s *framework.Setup) error {
			return s.RegisterService("counter.service", c, addDoc, framework.ServiceMethod{Name: "Get", Description: "returns the total", Returns: "int"})
		},
	}
}

func TestServiceLookupInStart(t *testing.T) {
	c := &counter{}
	var got Adder
	user := &mod{
		name: "test.user",
		deps: []string{"test.counter"},
		start: func(ctx context.Context, app *framework.App) error {
			var err error
			got, err = framework.Service[Adder](app, "counter.service")
			return err
		},
	}
	boot(t, testConfig(t), user, provider(c))
	if got == nil {
		t.Fatal("Service returned nil")
	}
	got.Add(3)
	if c.Get() != 3 {
		t.Errorf("counter = %d after Add(3) through the looked-up service; want 3", c.Get())
	}
}

func TestServiceLookupErrors(t *testing.T) {
	rt := boot(t, testConfig(t),
		provider(&counter{}),
		&mod{name: "test.friend", deps: []string{"test.counter"}},
		&mod{name: "test.stranger"},
	)
	friend := appOf(t, rt, "test.friend")
	stranger := appOf(t, rt, "test.stranger")

	if _, err := framework.Service[*counter](friend, "counter.service"); err != nil {
		t.Errorf("concrete type lookup: %v", err)
	}
	if _, err := framework.Service[*counter](appOf(t, rt, "test.counter"), "counter.service"); err != nil {
		t.Errorf("lookup of a module's own service: %v", err)
	}
	_, err := framework.Service[*framework.DatabaseService](friend, "counter.service")
	wantErr(t, err, "test.friend", `service "counter.service" is a *framework_test.counter, not a *framework.DatabaseService`)

	_, err = framework.Service[Adder](stranger, "counter.service")
	wantErr(t, err, "test.stranger", "provided by test.counter, which is not a declared dependency")

	_, err = framework.Service[Adder](friend, "counter.nothing")
	wantErr(t, err, "test.friend: no module provides service \"counter.nothing\"")

	_, err = framework.Service[Adder](nil, "counter.service")
	wantErr(t, err, "lookup from a nil scope")

	if _, err := framework.Service[*framework.DatabaseService](stranger, "database.service"); err != nil {
		t.Errorf("core services need no declared dependency: %v", err)
	}
}

func TestRegisterServiceRefusesBadRegistrations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		service string
		impl    any
		methods []framework.ServiceMethod
		want    string
	}{
		{"wrong prefix", "other.service", &counter{}, []framework.ServiceMethod{addDoc}, `service name "other.service" is not of the form reg.<name>`},
		{"no name after prefix", "reg.", &counter{}, []framework.ServiceMethod{addDoc}, `service name "reg." is not of the form`},
		{"uppercase", "reg.Service", &counter{}, []framework.ServiceMethod{addDoc}, `service name "reg.Service"`},
		{"empty", "", &counter{}, []framework.ServiceMethod{addDoc}, `service name ""`},
		{"nil impl", "reg.service", nil, []framework.ServiceMethod{addDoc}, "implementation is nil"},
		{"no methods", "reg.service", &counter{}, nil, "registered without ServiceMethod entries"},
		{"unnamed method", "reg.service", &counter{}, []framework.ServiceMethod{{Description: "x"}}, "a ServiceMethod has no Name"},
		{"method twice", "reg.service", &counter{}, []framework.ServiceMethod{addDoc, addDoc}, "method Add is documented twice"},
		{"no such method", "reg.service", &counter{}, []framework.ServiceMethod{{Name: "Subtract"}}, "ServiceMethod Subtract names no method of *framework_test.counter"},
		{"unexported method", "reg.service", &counter{}, []framework.ServiceMethod{{Name: "lock"}}, "ServiceMethod lock names no method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var regErr error
			m := &mod{name: "test.reg", setup: func(s *framework.Setup) error {
				regErr = s.RegisterService(tc.service, tc.impl, tc.methods...)
				return nil
			}}
			boot(t, testConfig(t), m)
			wantErr(t, regErr, "test.reg", tc.want)
		})
	}
}

func TestDuplicateServiceNameIsRefused(t *testing.T) {
	// Two modules with the same short name, in different types.
	reg := func(name string) *mod {
		return &mod{name: name, services: []string{"dup.service"}, setup: func(s *framework.Setup) error {
			return s.RegisterService("dup.service", &counter{}, addDoc)
		}}
	}
	err := bootErr(t, testConfig(t), reg("first.dup"), reg("second.dup"))
	wantModuleError(t, err, "second.dup", "Setup")
	wantErr(t, err, `service "dup.service" is already registered by first.dup`)
}

func TestManifestServicesMustMatchRegistrations(t *testing.T) {
	t.Run("registered but not listed", func(t *testing.T) {
		m := &mod{name: "test.svc", setup: func(s *framework.Setup) error {
			return s.RegisterService("svc.counter", &counter{}, addDoc)
		}}
		err := bootErr(t, testConfig(t), m)
		wantModuleError(t, err, "test.svc", "Setup")
		wantErr(t, err, `registers service "svc.counter", which manifest.json does not list`)
	})
	t.Run("listed but not registered", func(t *testing.T) {
		m := &mod{name: "test.svc", services: []string{"svc.counter"}}
		err := bootErr(t, testConfig(t), m)
		wantModuleError(t, err, "test.svc", "Setup")
		wantErr(t, err, `manifest.json lists service "svc.counter", which Setup does not register`)
	})
}

func TestFrameworkServicesEndpoint(t *testing.T) {
	rt := boot(t, testConfig(t), provider(&counter{}))
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	var body struct {
		Services []framework.ServiceInfo `json:"services"`
	}
	getJSON(t, srv.URL+"/api/v1/_framework/services", http.StatusOK, &body)
	var names []string
	for _, s := range body.Services {
		names = append(names, s.Name)
	}
	want := []string{"counter.service", "database.service", "error_handler.service", "settings.service"}
	if !slices.Equal(names, want) {
		t.Fatalf("got services %q; want %q", names, want)
	}
	c := body.Services[0]
	if c.Module != "test.counter" || c.Type != "*framework_test.counter" {
		t.Errorf("got module %q type %q; want test.counter *framework_test.counter", c.Module, c.Type)
	}
	if len(c.Methods) != 2 {
		t.Fatalf("got %d methods; want 2", len(c.Methods))
	}
	add := c.Methods[0]
	if add.Name != addDoc.Name || add.Description != addDoc.Description || add.Returns != addDoc.Returns || add.Example != addDoc.Example {
		t.Errorf("got method %+v; want %+v", add, addDoc)
	}
	if len(add.Params) != 1 || add.Params[0] != addDoc.Params[0] {
		t.Errorf("got params %+v; want %+v", add.Params, addDoc.Params)
	}
	for _, s := range body.Services {
		if len(s.Methods) == 0 {
			t.Errorf("service %s is listed without method docs", s.Name)
		}
	}
	if got := rt.Services(); len(got) != len(want) {
		t.Errorf("Runtime.Services() lists %d services; want %d", len(got), len(want))
	}
}

func TestFrameworkModulesEndpoint(t *testing.T) {
	notes := &mod{name: "test.notes", features: []string{"api"}, setup: func(s *framework.Setup) error {
		return s.Handle(
			framework.GET("/status", func(context.Context, *framework.Request) (statusResp, error) { return statusResp{}, nil }),
			framework.POST("/items", func(context.Context, *framework.Request, item) (item, error) { return item{}, nil }),
		)
	}}
	rt := boot(t, testConfig(t), notes)
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	var body struct {
		Modules []framework.ModuleInfo `json:"modules"`
	}
	getJSON(t, srv.URL+"/api/v1/_framework/modules", http.StatusOK, &body)
	if len(body.Modules) != len(framework.CoreModules)+1 {
		t.Fatalf("got %d modules; want %d", len(body.Modules), len(framework.CoreModules)+1)
	}
	last := body.Modules[len(body.Modules)-1]
	if last.Name != "test.notes" || last.Manifest.Version != "1.0.0" || !last.Manifest.HasFeature(framework.FeatureAPI) {
		t.Errorf("got module %+v; want test.notes 1.0.0 with the api feature", last)
	}
	want := []framework.RouteInfo{
		{Method: "GET", Path: "/api/v1/notes/status", Response: "framework_test.statusResp"},
		{Method: "POST", Path: "/api/v1/notes/items", Response: "framework_test.item"},
	}
	if !slices.Equal(last.Routes, want) {
		t.Errorf("got routes %+v; want %+v", last.Routes, want)
	}
	if routes := rt.Routes("test.notes"); len(routes) != 2 || routes[1].Request.String() != "framework_test.item" {
		t.Errorf("Routes(test.notes) = %+v; want the two declared routes", routes)
	}
	for _, m := range body.Modules[:len(framework.CoreModules)] {
		if m.Routes == nil {
			t.Errorf("module %s: routes is null; want []", m.Name)
		}
	}
}

// getJSON GETs url, checks the status and decodes the body into v.
func getJSON(t testing.TB, url string, status int, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("GET %s: got status %d; want %d", url, resp.StatusCode, status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: decoding: %v", url, err)
	}
}
