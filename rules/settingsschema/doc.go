// Package settingsschema defines MOD004 (settings-schema): a settings struct
// that the framework would refuse to load.
package settingsschema

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD004",
	Name:  "settings-schema",
	Title: "settings struct the framework would refuse to load",
	What: `Checks the struct T of every framework.Settings[T](s) call in a module,
field by field, with the framework's own parsing and validation, so that modls
and the running application never disagree:

- an exported field without a json tag (or with json:"-", or a json tag
  without a key): the framework has no key to read it from;
- a default tag that does not parse to the field's type ("ten" for an int,
  "a fortnight" for a time.Duration);
- a default that breaks the field's own validate tag (default:"500" with
  validate:"max=100");
- a validate tag with an unknown constraint, a min or max bound that is not a
  number (a duration for time.Duration fields) or that does not apply to the
  type, or a oneof without values;
- a field of a type the framework cannot load: it loads strings, booleans,
  integers, floats, time.Duration and []string.

Findings about a tag are on the tag (on its key:"value" pair when the tag is
a raw string), a type on the field's type; the related information points at
the Settings call. A required field, or one whose zero value breaks min,
without a default is not reported: the config file or the environment may
supply it.`,
	Why: `The framework checks the same things when the application starts, and
refuses to start with an error naming the field. modls reports them as the
module is written, before anyone has to start the application to find out; a
default that breaks its own constraint is only found at start-up on the day
nobody configures the setting.`,
	Bad: `type Settings struct {
	Timezone string        ` + "`" + `default:"UTC"` + "`" + `                                  // no json tag
	Window   time.Duration ` + "`" + `json:"window" default:"a fortnight"` + "`" + `             // not a duration
	PageSize int           ` + "`" + `json:"page_size" default:"500" validate:"max=100"` + "`" + ` // breaks max
	Currency string        ` + "`" + `json:"currency" validate:"iso4217"` + "`" + `               // unknown constraint
}`,
	Good: `type Settings struct {
	Timezone string        ` + "`" + `json:"timezone" default:"UTC"` + "`" + `
	Window   time.Duration ` + "`" + `json:"window" default:"336h"` + "`" + `
	PageSize int           ` + "`" + `json:"page_size" default:"50" validate:"min=1,max=100"` + "`" + `
	Currency string        ` + "`" + `json:"currency" default:"EUR" validate:"oneof=EUR USD"` + "`" + `
}`,
	Severity: ruledoc.Error,
	Fix: `"Add json tags" gives every exported field of the struct that has no json
key one made from its name in snake_case (MaxAttempts becomes max_attempts),
keeping the field's other tags. Safe: the framework cannot load the struct
without the keys, so no configuration can depend on their absence.

"Correct the default" replaces a default that does not parse or breaks the
validate tag with the first value that parses and satisfies the tag: the
zero value, the min bound, the max bound or the first oneof value. Unsafe: it
changes the value the module runs with; check that it is the one you want.`,
	Fixes: []ruledoc.Fix{
		{Title: "Add json tags", Safe: true},
		{Title: "Correct the default", Safe: false},
	},
	Since: "0.1.0",
}
