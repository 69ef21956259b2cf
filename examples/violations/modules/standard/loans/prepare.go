package loans

import (
	"embed"
	"log/slog"
	"os"
	"regexp"
	"text/template"
)

//go:embed tmpl/a.txt
var tmplFS embed.FS

var memberRE *regexp.Regexp

// prepare compiles what the module needs from embedded files and
// constants: none of it is I/O, so Setup may call it.
func prepare() error {
	data, err := tmplFS.ReadFile("tmpl/a.txt")
	if err != nil {
		return err
	}
	if _, err := template.New("a").Parse(string(data)); err != nil {
		return err
	}
	memberRE = regexp.MustCompile(`^[a-z]+$`)
	slog.Info("loans prepared", "debug", os.Getenv("LOANS_DEBUG") != "")
	return nil
}
