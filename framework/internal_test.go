package framework

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

type svc struct{}

func (svc) Do() {}

func TestRegistryRefusesRegistrationAfterFreeze(t *testing.T) {
	r := newRegistry()
	if err := r.register("test.a", "a.one", svc{}, []ServiceMethod{{Name: "Do"}}); err != nil {
		t.Fatal(err)
	}
	r.freeze()
	err := r.register("test.a", "a.two", svc{}, []ServiceMethod{{Name: "Do"}})
	if err == nil || !strings.Contains(err.Error(), `service "a.two" registered after Setup`) {
		t.Errorf("got %v; want a registered-after-Setup error", err)
	}
	if _, ok := r.lookup("a.one"); !ok {
		t.Error("lookup after freeze lost a.one")
	}
	if _, ok := r.lookup("a.two"); ok {
		t.Error("a.two was registered after freeze")
	}
}

func TestPhaseNames(t *testing.T) {
	for p, want := range map[phase]string{phaseSetup: "Setup", phaseStart: "Start", phaseRunning: "running"} {
		if got := p.String(); got != want {
			t.Errorf("phase %d: got %q; want %q", p, got, want)
		}
	}
}

func TestJSONKind(t *testing.T) {
	for _, tc := range []struct {
		t    reflect.Type
		want string
	}{
		{reflect.TypeFor[string](), "a string"},
		{reflect.TypeFor[bool](), "a boolean"},
		{reflect.TypeFor[uint8](), "a number"},
		{reflect.TypeFor[float64](), "a number"},
		{reflect.TypeFor[[]int](), "an array"},
		{reflect.TypeFor[[2]int](), "an array"},
		{reflect.TypeFor[map[string]int](), "an object"},
		{reflect.TypeFor[*struct{}](), "an object"},
		{reflect.TypeFor[time.Duration](), "a number"},
		{reflect.TypeFor[any](), "a JSON value"},
		{nil, "a JSON value"},
	} {
		if got := jsonKind(tc.t); got != tc.want {
			t.Errorf("jsonKind(%v) = %q; want %q", tc.t, got, tc.want)
		}
	}
}

func TestOffsetPosition(t *testing.T) {
	data := []byte("ab\ncd\n")
	for _, tc := range []struct {
		off       int64
		line, col int
	}{
		{0, 1, 1},
		{1, 1, 1},
		{2, 1, 2},
		{4, 2, 1},
		{5, 2, 2},
		{6, 3, 1},
		{99, 3, 1},
	} {
		line, col := offsetPosition(data, tc.off)
		if line != tc.line || col != tc.col {
			t.Errorf("offset %d: got %d:%d; want %d:%d", tc.off, line, col, tc.line, tc.col)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Addr != DefaultAddr || c.Database != DefaultDatabase || c.MaxBodyBytes != DefaultMaxBodyBytes || c.Logger == nil {
		t.Errorf("got %+v; want every default", c)
	}
	c = Config{Addr: ":1", Database: "x.db", MaxBodyBytes: 5}.withDefaults()
	if c.Addr != ":1" || c.Database != "x.db" || c.MaxBodyBytes != 5 {
		t.Errorf("got %+v; want the given values kept", c)
	}
}

func TestEscapeURIPath(t *testing.T) {
	if got, want := escapeURIPath("/a b/c?d#e%f.db"), "/a b/c%3fd%23e%25f.db"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
