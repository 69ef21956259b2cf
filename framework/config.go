package framework

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
)

// Config is the application's configuration, usually read from a JSON file
// by LoadConfig.
type Config struct {
	// Addr is the HTTP listen address; default ":8000".
	Addr string `json:"addr"`
	// Database is the SQLite file, or ":memory:"; default "app.db".
	Database string `json:"database"`
	// MaxBodyBytes limits request bodies; default 1 MiB.
	MaxBodyBytes int64 `json:"max_body_bytes"`
	// Modules holds each module's settings by module name.
	Modules map[string]json.RawMessage `json:"modules"`
	// Logger receives the framework's logs; default slog.Default().
	Logger *slog.Logger `json:"-"`
	// Ready, if set, is called by Run with the address it listens on.
	Ready func(addr net.Addr) `json:"-"`
}

// Defaults of Config's fields.
const (
	DefaultAddr         = ":8000"
	DefaultDatabase     = "app.db"
	DefaultMaxBodyBytes = 1 << 20
)

// LoadConfig reads a JSON config file. Unknown keys are refused and the
// error names the file and the position of the problem.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig decodes config data; name is used in error messages.
func ParseConfig(name string, data []byte) (Config, error) {
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return Config{}, fmt.Errorf("config %s: file is empty; want a JSON object", name)
		case errors.Is(err, io.ErrUnexpectedEOF):
			line, col := offsetPosition(data, int64(len(data)))
			return Config{}, fmt.Errorf("config %s:%d:%d: the file ends before the JSON object is complete", name, line, col)
		case errors.As(err, &syn):
			line, col := offsetPosition(data, syn.Offset)
			return Config{}, fmt.Errorf("config %s:%d:%d: invalid JSON: %v", name, line, col, err)
		case errors.As(err, &typ):
			line, col := offsetPosition(data, typ.Offset)
			return Config{}, fmt.Errorf("config %s:%d:%d: %q must be a %s, not a JSON %s", name, line, col, typ.Field, typ.Type, typ.Value)
		default:
			if key, ok := unknownField(err); ok {
				return Config{}, fmt.Errorf("config %s: unknown key %s", name, key)
			}
			return Config{}, fmt.Errorf("config %s: %v", name, err)
		}
	}
	if hasTrailingData(dec) {
		return Config{}, fmt.Errorf("config %s: unexpected data after the JSON object", name)
	}
	if cfg.MaxBodyBytes < 0 {
		return Config{}, fmt.Errorf("config %s: max_body_bytes must not be negative", name)
	}
	return cfg, nil
}

// unknownField returns the quoted key of a DisallowUnknownFields error.
func unknownField(err error) (string, bool) {
	return strings.CutPrefix(err.Error(), "json: unknown field ")
}

// hasTrailingData reports whether anything but white space follows the value
// dec has decoded. A stray closing bracket counts, unlike with dec.More.
func hasTrailingData(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err != io.EOF
}

func offsetPosition(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
