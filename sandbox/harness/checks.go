package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"time"

	"github.com/modls/modls/framework"
)

func (c *checker) services() event {
	man := c.manifest()
	byName := map[string]framework.ServiceInfo{}
	for _, s := range c.rt.Services() {
		byName[s.Name] = s
	}
	if len(man.Services) == 0 {
		return skip("the manifest lists no services")
	}
	var parts []string
	for _, name := range man.Services {
		s, ok := byName[name]
		if !ok || s.Module != c.p.Target {
			return fail("service %q is not registered by %s", name, c.p.Target)
		}
		parts = append(parts, fmt.Sprintf("%s (%d methods)", name, len(s.Methods)))
	}
	return pass("%s", strings.Join(parts, ", "))
}

func (c *checker) manifest() framework.Manifest {
	for _, m := range c.rt.Modules() {
		if m.Name == c.p.Target {
			return m.Manifest
		}
	}
	return framework.Manifest{}
}

func (c *checker) dependencies() event {
	man := c.manifest()
	present := map[string]bool{}
	for _, m := range c.rt.Modules() {
		present[m.Name] = true
	}
	for _, d := range man.Dependencies {
		if !present[d] {
			return fail("dependency %s is not in the application", d)
		}
	}
	provider := map[string]string{}
	for _, s := range c.rt.Services() {
		provider[s.Name] = s.Module
	}
	declared := map[string]bool{c.p.Target: true}
	for _, d := range append(man.Dependencies, framework.CoreModules...) {
		declared[d] = true
	}
	var parts []string
	for _, name := range c.p.Lookups {
		mod, ok := provider[name]
		if !ok {
			return fail("no module of the set provides service %q, which %s looks up", name, c.p.Target)
		}
		if !declared[mod] {
			return fail("service %q is provided by %s, which %s does not declare in manifest.json \"dependencies\"", name, mod, c.p.Target)
		}
		parts = append(parts, name+" from "+mod)
	}
	if len(man.Dependencies) == 0 && len(parts) == 0 {
		return pass("only the core modules")
	}
	msg := strings.Join(man.Dependencies, ", ")
	if len(parts) > 0 {
		if msg != "" {
			msg += "; "
		}
		msg += strings.Join(parts, ", ")
	}
	return pass("%s", msg)
}

func (c *checker) settings() event {
	app, err := c.rt.App(c.p.Target)
	if err != nil {
		return fail("%v", err)
	}
	svc, err := framework.Service[*framework.SettingsService](app, "settings.service")
	if err != nil {
		return fail("%v", err)
	}
	v, err := svc.Of(c.p.Target)
	if err != nil {
		if c.p.Settings {
			return fail("the manifest lists the settings feature but Setup loads no settings (call framework.Settings[T](s))")
		}
		return skip("the module declares no settings")
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	n := 0
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		def, ok := f.Tag.Lookup("default")
		if !f.IsExported() || !ok {
			continue
		}
		want := reflect.New(f.Type).Elem()
		if err := framework.SetSettingString(want, def); err != nil {
			return fail("field %s: default %q does not parse: %v", f.Name, def, err)
		}
		if !reflect.DeepEqual(want.Interface(), rv.Field(i).Interface()) {
			return fail("field %s is %v, not its default %q, with no config and no APP_ variables", f.Name, rv.Field(i).Interface(), def)
		}
		n++
	}
	return pass("%d fields at their defaults", n)
}

// endpoints checks every parameterless GET endpoint of the module.
func (c *checker) endpoints() {
	var any bool
	for _, r := range c.rt.Routes(c.p.Target) {
		if r.Method != http.MethodGet || strings.Contains(r.Path, "{") {
			continue
		}
		any = true
		path := framework.MountPath(c.p.Target, r.Path)
		name := "GET " + path
		begin(name, "")
		start := time.Now()
		e := c.get(path, r.Response)
		e.Check, e.Route = name, r.Path
		c.reportEvent(e, start)
	}
	if !any {
		begin("GET endpoints", "")
		c.report("GET endpoints", time.Now(), "skip", "the module declares no GET endpoint without path parameters")
	}
}

func (c *checker) get(path string, model reflect.Type) event {
	mark := c.logs.mark()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	c.rt.Handler().ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if rec.Code != http.StatusOK {
		msg := fmt.Sprintf("answered %d", rec.Code)
		var eb framework.ErrorBody
		if json.Unmarshal(body, &eb) == nil && eb.Error.Code != "" {
			msg += fmt.Sprintf(" (%s: %s)", eb.Error.Code, eb.Error.Message)
		}
		if cause := c.logs.since(mark); cause != "" {
			msg += "; " + cause
		}
		return fail("%s; want 200", msg)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	v := reflect.New(model).Interface()
	if err := dec.Decode(v); err != nil {
		return fail("answered 200, but the body does not decode as %s: %v", model, err)
	}
	return pass("200 %s", model)
}

// errors checks that the module's error codes map to their statuses, and
// that an error under the module's mount is answered as a JSON error body.
func (c *checker) errors() event {
	app, err := c.rt.App(c.p.Target)
	if err != nil {
		return fail("%v", err)
	}
	eh, err := framework.Service[*framework.ErrorHandlerService](app, "error_handler.service")
	if err != nil {
		return fail("%v", err)
	}
	var parts []string
	seen := map[string]bool{}
	for _, u := range c.p.Codes {
		if seen[u.Code] {
			continue
		}
		seen[u.Code] = true
		status, body, err := eh.Status(framework.Errorf(u.Code, "sandbox probe"))
		if err != nil {
			return fail("%v", err)
		}
		class, _, _ := strings.Cut(u.Code, ".")
		if status == http.StatusInternalServerError && class != framework.CodeInternal {
			e := fail("error code %q maps to 500: its class %q is not one the framework knows (invalid_argument, not_found, conflict, unauthorized, forbidden, too_large, unavailable, internal)", u.Code, class)
			e.File, e.Line = u.File, u.Line
			return e
		}
		if body.Error.Code != u.Code {
			return fail("error code %q is answered as %q", u.Code, body.Error.Code)
		}
		parts = append(parts, fmt.Sprintf("%s → %d", u.Code, status))
	}
	path := framework.MountPath(c.p.Target, "/modls-sandbox-no-such-route")
	rec := httptest.NewRecorder()
	c.rt.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var eb framework.ErrorBody
	if rec.Code != http.StatusNotFound || json.Unmarshal(rec.Body.Bytes(), &eb) != nil || eb.Error.Code != framework.CodeNotFound {
		return fail("GET %s answered %d %q; want 404 with a JSON error body", path, rec.Code, rec.Body.String())
	}
	parts = append(parts, "unknown route → 404")
	return pass("%s", strings.Join(parts, ", "))
}
