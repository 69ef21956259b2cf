package framework_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/modls/modls/framework"
)

type allKinds struct {
	Name     string        `json:"name" default:"svc"`
	Enabled  bool          `json:"enabled" default:"true"`
	Int      int           `json:"int" default:"-3"`
	Int8     int8          `json:"int8" default:"-8"`
	Int16    int16         `json:"int16" default:"16"`
	Int32    int32         `json:"int32" default:"32"`
	Int64    int64         `json:"int64" default:"64"`
	Uint     uint          `json:"uint" default:"1"`
	Uint8    uint8         `json:"uint8" default:"255"`
	Uint16   uint16        `json:"uint16" default:"16"`
	Uint32   uint32        `json:"uint32" default:"32"`
	Uint64   uint64        `json:"uint64" default:"64"`
	Float32  float32       `json:"float32" default:"0.5"`
	Float64  float64       `json:"float64" default:"2.25"`
	Timeout  time.Duration `json:"timeout" default:"1m30s"`
	Tags     []string      `json:"tags" default:"a, b,c"`
	NoTags   []string      `json:"no_tags" default:""`
	Plain    string        `json:"plain"`
	internal int
}

// loadSettings boots a module test.conf that loads a T and returns it, or
// the Boot error.
func loadSettings[T any](t *testing.T, modules map[string]string) (*T, error) {
	t.Helper()
	cfg := testConfig(t)
	if modules != nil {
		cfg.Modules = map[string]json.RawMessage{}
		for k, v := range modules {
			cfg.Modules[k] = json.RawMessage(v)
		}
	}
	var got *T
	m := &mod{name: "test.conf", features: []string{"settings"}, setup: func(s *framework.Setup) error {
		var err error
		got, err = framework.Settings[T](s)
		return err
	}}
	rt, err := framework.Boot(context.Background(), cfg, m)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { rt.Close(context.Background()) })
	return got, nil
}

func TestSettingsDefaults(t *testing.T) {
	got, err := loadSettings[allKinds](t, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := allKinds{
		Name: "svc", Enabled: true, Int: -3, Int8: -8, Int16: 16, Int32: 32, Int64: 64,
		Uint: 1, Uint8: 255, Uint16: 16, Uint32: 32, Uint64: 64, Float32: 0.5, Float64: 2.25,
		Timeout: 90 * time.Second, Tags: []string{"a", "b", "c"},
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("got %+v;\nwant %+v", *got, want)
	}
}

func TestSettingsFromConfig(t *testing.T) {
	got, err := loadSettings[allKinds](t, map[string]string{"test.conf": `{
		"name": "cfg", "enabled": false, "int": 7, "int8": 1, "uint64": 18446744073709551615,
		"float64": 1e3, "timeout": "250ms", "tags": ["x"], "plain": "p"
	}`})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "cfg" || got.Enabled || got.Int != 7 || got.Int8 != 1 || got.Uint64 != 1<<64-1 ||
		got.Float64 != 1000 || got.Timeout != 250*time.Millisecond || !slices.Equal(got.Tags, []string{"x"}) || got.Plain != "p" {
		t.Errorf("config values not applied: %+v", *got)
	}
	if got.Int16 != 16 || got.Float32 != 0.5 {
		t.Errorf("defaults of fields absent from the config were lost: %+v", *got)
	}
}

func TestSettingsNullConfigKeepsDefaults(t *testing.T) {
	for _, raw := range []string{`null`, `{"name": null, "timeout": null}`} {
		got, err := loadSettings[allKinds](t, map[string]string{"test.conf": raw})
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got.Name != "svc" || got.Timeout != 90*time.Second {
			t.Errorf("%s: got name %q timeout %v; want the defaults svc 1m30s", raw, got.Name, got.Timeout)
		}
	}
}

func TestSettingsFromEnvironment(t *testing.T) {
	t.Setenv("APP_TEST_CONF_NAME", "env")
	t.Setenv("APP_TEST_CONF_ENABLED", "false")
	t.Setenv("APP_TEST_CONF_INT", "42")
	t.Setenv("APP_TEST_CONF_UINT16", "65535")
	t.Setenv("APP_TEST_CONF_FLOAT32", "1.5")
	t.Setenv("APP_TEST_CONF_TIMEOUT", "2h")
	t.Setenv("APP_TEST_CONF_TAGS", "p, q")
	t.Setenv("APP_TEST_CONF_NO_TAGS", "")
	got, err := loadSettings[allKinds](t, map[string]string{"test.conf": `{"name": "cfg", "int": 7}`})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "env" || got.Enabled || got.Int != 42 || got.Uint16 != 65535 || got.Float32 != 1.5 ||
		got.Timeout != 2*time.Hour || !slices.Equal(got.Tags, []string{"p", "q"}) {
		t.Errorf("environment overrides not applied: %+v", *got)
	}
	if got.NoTags != nil {
		t.Errorf("an empty variable overrode the default: %q", got.NoTags)
	}
}

func TestEnvName(t *testing.T) {
	for _, tc := range []struct{ module, key, want string }{
		{"standard.audit", "retention_days", "APP_STANDARD_AUDIT_RETENTION_DAYS"},
		{"test.conf", "max-size", "APP_TEST_CONF_MAX_SIZE"},
	} {
		if got := framework.EnvName(tc.module, tc.key); got != tc.want {
			t.Errorf("EnvName(%q, %q) = %q; want %q", tc.module, tc.key, got, tc.want)
		}
	}
}

func TestSettingsBadValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		config string
		want   []string
	}{
		{"env int", map[string]string{"APP_TEST_CONF_INT": "many"}, "", []string{`APP_TEST_CONF_INT="many"`, "not an integer of 64 bits"}},
		{"env int8 overflow", map[string]string{"APP_TEST_CONF_INT8": "300"}, "", []string{"APP_TEST_CONF_INT8", "not an integer of 8 bits"}},
		{"env uint negative", map[string]string{"APP_TEST_CONF_UINT": "-1"}, "", []string{"APP_TEST_CONF_UINT", "not an unsigned integer"}},
		{"env bool", map[string]string{"APP_TEST_CONF_ENABLED": "yes please"}, "", []string{"APP_TEST_CONF_ENABLED", "not a boolean"}},
		{"env float", map[string]string{"APP_TEST_CONF_FLOAT64": "pi"}, "", []string{"APP_TEST_CONF_FLOAT64", "not a number"}},
		{"env duration", map[string]string{"APP_TEST_CONF_TIMEOUT": "90"}, "", []string{"APP_TEST_CONF_TIMEOUT", "not a duration"}},
		{"config string", nil, `{"name": 5}`, []string{"test.conf.name", "not a string"}},
		{"config int", nil, `{"int": "7"}`, []string{"test.conf.int", "not a int"}},
		{"config duration number", nil, `{"timeout": 30}`, []string{"test.conf.timeout", "not a duration string"}},
		{"config duration text", nil, `{"timeout": "soon"}`, []string{"test.conf.timeout", "not a duration"}},
		{"config not an object", nil, `[1, 2]`, []string{"settings: test.conf: config value is not a JSON object"}},
		{"config unknown key", nil, `{"nmae": "x"}`, []string{`test.conf: unknown setting "nmae" in config file`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var modules map[string]string
			if tc.config != "" {
				modules = map[string]string{"test.conf": tc.config}
			}
			_, err := loadSettings[allKinds](t, modules)
			wantModuleError(t, err, "test.conf", "Setup")
			wantErr(t, err, tc.want...)
		})
	}
}

type validated struct {
	Name    string        `json:"name" default:"x" validate:"required"`
	Count   int           `json:"count" default:"5" validate:"min=1,max=10"`
	Ratio   float64       `json:"ratio" default:"0.5" validate:"min=0, max=1"`
	Size    uint          `json:"size" default:"3" validate:"max=5"`
	Mode    string        `json:"mode" default:"fast" validate:"oneof=fast thorough"`
	Level   int           `json:"level" default:"2" validate:"oneof=1 2 3"`
	Code    string        `json:"code" default:"abc" validate:"min=2,max=4"`
	Hosts   []string      `json:"hosts" default:"a" validate:"min=1"`
	Timeout time.Duration `json:"timeout" default:"30s" validate:"min=1s,max=1m"`
	On      bool          `json:"on" default:"true" validate:"required"`
}

func TestSettingsValidation(t *testing.T) {
	if _, err := loadSettings[validated](t, nil); err != nil {
		t.Fatalf("valid defaults: %v", err)
	}
	for _, tc := range []struct {
		config string
		want   string
	}{
		{`{"name": ""}`, "test.conf.name: is required"},
		{`{"on": false}`, "test.conf.on: is required"},
		{`{"count": 0}`, "test.conf.count: value must be at least 1, got 0"},
		{`{"count": 11}`, "test.conf.count: value must be at most 10, got 11"},
		{`{"ratio": 1.5}`, "test.conf.ratio: value must be at most 1, got 1.5"},
		{`{"ratio": -0.1}`, "test.conf.ratio: value must be at least 0, got -0.1"},
		{`{"size": 6}`, "test.conf.size: value must be at most 5, got 6"},
		{`{"mode": "slow"}`, `test.conf.mode: must be one of fast, thorough, got "slow"`},
		{`{"level": 4}`, `test.conf.level: must be one of 1, 2, 3, got "4"`},
		{`{"code": "a"}`, "test.conf.code: length must be at least 2, got 1"},
		{`{"code": "abcde"}`, "test.conf.code: length must be at most 4, got 5"},
		{`{"hosts": []}`, "test.conf.hosts: length must be at least 1, got 0"},
		{`{"timeout": "500ms"}`, "test.conf.timeout: value must be at least 1s, got 500ms"},
		{`{"timeout": "2m"}`, "test.conf.timeout: value must be at most 1m, got 2m0s"},
	} {
		t.Run(tc.config, func(t *testing.T) {
			_, err := loadSettings[validated](t, map[string]string{"test.conf": tc.config})
			wantModuleError(t, err, "test.conf", "Setup")
			wantErr(t, err, "settings: "+tc.want)
		})
	}
}

func TestSettingsValidationAppliesToEnvironment(t *testing.T) {
	t.Setenv("APP_TEST_CONF_COUNT", "99")
	_, err := loadSettings[validated](t, nil)
	wantErr(t, err, "test.conf.count: value must be at most 10, got 99")
}

func TestSettingsBadDeclarations(t *testing.T) {
	t.Run("unknown constraint", func(t *testing.T) {
		type s struct {
			N int `json:"n" validate:"positive"`
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, `test.conf.n: unknown constraint "positive"`)
	})
	t.Run("bound not a number", func(t *testing.T) {
		type s struct {
			N int `json:"n" validate:"min=one"`
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, `test.conf.n: constraint min="one": bound is not a number`)
	})
	t.Run("bound on a bool", func(t *testing.T) {
		type s struct {
			B bool `json:"b" validate:"max=1"`
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, "test.conf.b: constraint max does not apply to bool")
	})
	t.Run("empty oneof", func(t *testing.T) {
		type s struct {
			M string `json:"m" validate:"oneof="`
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, "test.conf.m: constraint oneof lists no values")
	})
	t.Run("bad default", func(t *testing.T) {
		type s struct {
			N int `json:"n" default:"ten"`
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, `settings: test.conf.n: default "ten": not an integer`)
	})
	t.Run("unsupported type", func(t *testing.T) {
		type s struct {
			M map[string]int `json:"m" default:"a=1"`
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, "unsupported settings type map[string]int")
	})
	t.Run("unsupported list", func(t *testing.T) {
		type s struct {
			L []int `json:"l" default:"1,2"`
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, "unsupported settings type []int")
	})
	t.Run("no json tag", func(t *testing.T) {
		type s struct {
			N int
		}
		_, err := loadSettings[s](t, nil)
		wantErr(t, err, "settings: test.conf: field N has no json tag")
	})
	t.Run("not a struct", func(t *testing.T) {
		_, err := loadSettings[int](t, nil)
		wantErr(t, err, "test.conf: settings type int is not a struct")
	})
}

func TestSettingsTwiceIsRefused(t *testing.T) {
	var second error
	m := &mod{name: "test.twice", setup: func(s *framework.Setup) error {
		if _, err := framework.Settings[validated](s); err != nil {
			return err
		}
		_, second = framework.Settings[validated](s)
		return nil
	}}
	boot(t, testConfig(t), m)
	wantErr(t, second, "test.twice: settings are loaded twice")
}

func TestSettingsForUnknownModule(t *testing.T) {
	cfg := testConfig(t)
	cfg.Modules = map[string]json.RawMessage{"test.ghost": json.RawMessage(`{}`)}
	err := bootErr(t, cfg, &mod{name: "test.real"})
	wantErr(t, err, "config: settings given for test.ghost, which is not in the application")
}

func TestSettingsForModuleWithoutSettings(t *testing.T) {
	cfg := testConfig(t)
	cfg.Modules = map[string]json.RawMessage{"test.plain": json.RawMessage(`{"x": 1}`)}
	err := bootErr(t, cfg, &mod{name: "test.plain"})
	wantErr(t, err, "config: settings given for test.plain, which declares no settings")
}

func TestValidateSettingDirectly(t *testing.T) {
	n := 3
	v := reflect.ValueOf(&n).Elem()
	if err := framework.ValidateSetting(v, ""); err != nil {
		t.Errorf("empty tag: %v", err)
	}
	if err := framework.ValidateSetting(v, "min=1, max=5, oneof=1 2 3"); err != nil {
		t.Errorf("satisfied constraints: %v", err)
	}
	if err := framework.ValidateSetting(v, "required,"); err == nil {
		t.Error("a trailing comma passed; want an unknown-constraint error")
	}
}

func TestSetSettingString(t *testing.T) {
	var d time.Duration
	if err := framework.SetSettingString(reflect.ValueOf(&d).Elem(), "1h2m"); err != nil || d != time.Hour+2*time.Minute {
		t.Errorf("got %v, %v; want 1h2m0s, nil", d, err)
	}
	type names []string
	var ns names
	if err := framework.SetSettingString(reflect.ValueOf(&ns).Elem(), "a,b"); err != nil || len(ns) != 2 {
		t.Errorf("named list: got %q, %v; want [a b], nil", ns, err)
	}
}

func TestSettingsServiceReturnsEffectiveSettings(t *testing.T) {
	t.Setenv("APP_TEST_CONF_COUNT", "9")
	cfg := testConfig(t)
	var loaded *validated
	m := &mod{name: "test.conf", setup: func(s *framework.Setup) error {
		var err error
		loaded, err = framework.Settings[validated](s)
		return err
	}}
	rt := boot(t, cfg, m, &mod{name: "test.none"})
	svc, err := framework.Service[*framework.SettingsService](appOf(t, rt, "test.none"), "settings.service")
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.Of("test.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := v.(*validated); !ok || got != loaded || got.Count != 9 {
		t.Errorf("Of(test.conf) = %#v; want the loaded settings with count 9", v)
	}
	_, err = svc.Of("test.ghost")
	wantErr(t, err, "not_found: no module test.ghost")
	_, err = svc.Of("test.none")
	wantErr(t, err, "not_found: test.none declares no settings")
}

type level string

func TestSetSettingStringNamedStringList(t *testing.T) {
	var levels []level
	if err := framework.SetSettingString(reflect.ValueOf(&levels).Elem(), "debug, info"); err != nil {
		t.Fatal(err)
	}
	if len(levels) != 2 || levels[0] != "debug" || levels[1] != "info" {
		t.Errorf("levels = %q", levels)
	}
}
