package framework

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Settings loads the calling module's settings into a new T. T is a struct
// whose fields carry a `json` tag (the key in the config file), an optional
// `default` tag and an optional `validate` tag:
//
//	type Settings struct {
//		RetentionDays int    `json:"retention_days" default:"30" validate:"min=1,max=3650"`
//		Mode          string `json:"mode" default:"fast" validate:"oneof=fast thorough"`
//	}
//
// Values come from the defaults, then the application's config file
// ("modules": {"standard.audit": {...}}), then environment variables
// APP_<MODULE>_<FIELD> (APP_STANDARD_AUDIT_RETENTION_DAYS). The result is
// validated; the error names the failing field.
func Settings[T any](s *Setup) (*T, error) {
	if err := s.active("Settings"); err != nil {
		return nil, err
	}
	m := s.m
	if m.settings != nil {
		return nil, fmt.Errorf("%s: settings are loaded twice", m.name)
	}
	v := new(T)
	rv := reflect.ValueOf(v).Elem()
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s: settings type %T is not a struct", m.name, *v)
	}
	raw := m.rt.cfg.Modules[m.name]
	if err := loadSettings(m.name, rv, raw, os.Getenv); err != nil {
		return nil, err
	}
	m.settings = v
	return v, nil
}

// SettingsField describes one field of a settings struct as the framework
// reads it.
type settingsField struct {
	index    int
	key      string
	def      string
	hasDef   bool
	validate string
}

func settingsFields(module string, t reflect.Type) ([]settingsField, error) {
	var out []settingsField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" || key == "-" {
			return nil, fmt.Errorf("settings: %s: field %s has no json tag", module, f.Name)
		}
		def, hasDef := f.Tag.Lookup("default")
		out = append(out, settingsField{index: i, key: key, def: def, hasDef: hasDef, validate: f.Tag.Get("validate")})
	}
	return out, nil
}

// EnvName is the environment variable that overrides a module's setting.
func EnvName(module, key string) string {
	r := strings.NewReplacer(".", "_", "-", "_")
	return "APP_" + strings.ToUpper(r.Replace(module)) + "_" + strings.ToUpper(r.Replace(key))
}

func loadSettings(module string, rv reflect.Value, raw json.RawMessage, getenv func(string) string) error {
	fields, err := settingsFields(module, rv.Type())
	if err != nil {
		return err
	}
	byKey := map[string]settingsField{}
	for _, f := range fields {
		byKey[f.key] = f
		if f.hasDef {
			if err := SetSettingString(rv.Field(f.index), f.def); err != nil {
				return fmt.Errorf("settings: %s.%s: default %q: %v", module, f.key, f.def, err)
			}
		}
	}
	if len(raw) > 0 && !isNull(raw) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("settings: %s: config value is not a JSON object", module)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f, ok := byKey[k]
			if !ok {
				return fmt.Errorf("settings: %s: unknown setting %q in config file", module, k)
			}
			if isNull(obj[k]) { // null leaves the default in place
				continue
			}
			if err := setSettingJSON(rv.Field(f.index), obj[k]); err != nil {
				return fmt.Errorf("settings: %s.%s: config file value %s: %v", module, k, obj[k], err)
			}
		}
	}
	for _, f := range fields {
		name := EnvName(module, f.key)
		if val := getenv(name); val != "" {
			if err := SetSettingString(rv.Field(f.index), val); err != nil {
				return fmt.Errorf("settings: %s=%q: %v", name, val, err)
			}
		}
	}
	for _, f := range fields {
		if err := ValidateSetting(rv.Field(f.index), f.validate); err != nil {
			return fmt.Errorf("settings: %s.%s: %v", module, f.key, err)
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

var durationType = reflect.TypeFor[time.Duration]()

// SetSettingString parses s into v the way default tags and environment
// variables are read: durations as "30s", lists as comma-separated values.
func SetSettingString(v reflect.Value, s string) error {
	if v.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("not a duration (like 30s or 5m)")
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("not a boolean")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("not an integer of %d bits", v.Type().Bits())
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("not an unsigned integer of %d bits", v.Type().Bits())
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("not a number")
		}
		v.SetFloat(n)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported settings type %s", v.Type())
		}
		if s == "" {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		parts := strings.Split(s, ",")
		list := reflect.MakeSlice(v.Type(), len(parts), len(parts))
		for i, p := range parts {
			list.Index(i).SetString(strings.TrimSpace(p))
		}
		v.Set(list)
	default:
		return fmt.Errorf("unsupported settings type %s", v.Type())
	}
	return nil
}

func setSettingJSON(v reflect.Value, raw json.RawMessage) error {
	if v.Type() == durationType {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("not a duration string (like \"30s\")")
		}
		return SetSettingString(v, s)
	}
	p := reflect.New(v.Type())
	if err := json.Unmarshal(raw, p.Interface()); err != nil {
		return fmt.Errorf("not a %s", v.Type())
	}
	v.Set(p.Elem())
	return nil
}

// ValidateSetting checks v against a validate tag: a comma-separated list of
// required, min=N, max=N (the value of a number, the length of a string or
// list) and oneof=a b c.
func ValidateSetting(v reflect.Value, tag string) error {
	if tag == "" {
		return nil
	}
	for _, c := range strings.Split(tag, ",") {
		name, arg, _ := strings.Cut(strings.TrimSpace(c), "=")
		switch name {
		case "required":
			if v.IsZero() {
				return fmt.Errorf("is required")
			}
		case "min", "max":
			bound, err := strconv.ParseFloat(arg, 64)
			if v.Type() == durationType {
				var d time.Duration
				d, err = time.ParseDuration(arg)
				bound = float64(d)
			}
			if err != nil {
				return fmt.Errorf("constraint %s=%q: bound is not a number", name, arg)
			}
			got, what := settingMagnitude(v)
			if what == "" {
				return fmt.Errorf("constraint %s does not apply to %s", name, v.Type())
			}
			if name == "min" && got < bound {
				return fmt.Errorf("%s must be at least %s, got %s", what, arg, formatMagnitude(v, got))
			}
			if name == "max" && got > bound {
				return fmt.Errorf("%s must be at most %s, got %s", what, arg, formatMagnitude(v, got))
			}
		case "oneof":
			opts := strings.Fields(arg)
			if len(opts) == 0 {
				return fmt.Errorf("constraint oneof lists no values")
			}
			got := fmt.Sprint(v.Interface())
			if !slices.Contains(opts, got) {
				return fmt.Errorf("must be one of %s, got %q", strings.Join(opts, ", "), got)
			}
		default:
			return fmt.Errorf("unknown constraint %q", name)
		}
	}
	return nil
}

func settingMagnitude(v reflect.Value) (float64, string) {
	if v.Type() == durationType {
		return float64(v.Int()), "value"
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), "value"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint()), "value"
	case reflect.Float32, reflect.Float64:
		return v.Float(), "value"
	case reflect.String, reflect.Slice:
		return float64(v.Len()), "length"
	}
	return 0, ""
}

func formatMagnitude(v reflect.Value, x float64) string {
	if v.Type() == durationType {
		return time.Duration(x).String()
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
