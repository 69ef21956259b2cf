package codeactions

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/modls/modls/workspace"
)

const multiLine = `{
  "name": "standard.audit",
  "features": [
    "api",
    "database"
  ],
  "services": ["audit.service"]
}
`

func TestAddToList(t *testing.T) {
	for _, tc := range []struct {
		name, in, key, value, want string
	}{{
		name: "one-line array", key: "dependencies", value: "standard.audit",
		in:   `{"name": "a.b", "dependencies": ["core.database", "standard.billing"]}`,
		want: `{"name": "a.b", "dependencies": ["core.database", "standard.billing", "standard.audit"]}`,
	}, {
		name: "one-line array keeps its separator", key: "dependencies", value: "x.y",
		in:   `{"dependencies": ["a.b","c.d"]}`,
		want: `{"dependencies": ["a.b","c.d","x.y"]}`,
	}, {
		name: "one element", key: "services", value: "audit.runs",
		in:   multiLine,
		want: "{\n  \"name\": \"standard.audit\",\n  \"features\": [\n    \"api\",\n    \"database\"\n  ],\n  \"services\": [\"audit.service\", \"audit.runs\"]\n}\n",
	}, {
		name: "multi-line array", key: "features", value: "settings",
		in:   multiLine,
		want: "{\n  \"name\": \"standard.audit\",\n  \"features\": [\n    \"api\",\n    \"database\",\n    \"settings\"\n  ],\n  \"services\": [\"audit.service\"]\n}\n",
	}, {
		name: "multi-line array with tabs", key: "features", value: "api",
		in:   "{\n\t\"features\": [\n\t\t\"database\"\n\t]\n}",
		want: "{\n\t\"features\": [\n\t\t\"database\",\n\t\t\"api\"\n\t]\n}",
	}, {
		name: "empty array", key: "dependencies", value: "standard.audit",
		in:   "{\n  \"dependencies\": [],\n  \"services\": []\n}\n",
		want: "{\n  \"dependencies\": [\"standard.audit\"],\n  \"services\": []\n}\n",
	}, {
		name: "empty array with blanks", key: "services", value: "a.b",
		in:   `{"services": [  ]}`,
		want: `{"services": ["a.b"]}`,
	}, {
		name: "null", key: "services", value: "a.b",
		in:   `{"services": null}`,
		want: `{"services": ["a.b"]}`,
	}, {
		name: "missing key in a multi-line object", key: "dependencies", value: "standard.audit",
		in:   "{\n  \"name\": \"standard.x\",\n  \"services\": []\n}\n",
		want: "{\n  \"name\": \"standard.x\",\n  \"services\": [],\n  \"dependencies\": [\"standard.audit\"]\n}\n",
	}, {
		name: "missing key without a final newline", key: "dependencies", value: "standard.audit",
		in:   "{\n    \"name\": \"standard.x\"\n}",
		want: "{\n    \"name\": \"standard.x\",\n    \"dependencies\": [\"standard.audit\"]\n}",
	}, {
		name: "missing key in a one-line object", key: "services", value: "x.y",
		in:   `{"name": "standard.x"}`,
		want: `{"name": "standard.x", "services": ["x.y"]}`,
	}, {
		name: "empty object", key: "services", value: "x.y",
		in:   `{}`,
		want: `{"services": ["x.y"]}`,
	}, {
		name: "empty multi-line object", key: "services", value: "x.y",
		in:   "{\n}\n",
		want: "{\n  \"services\": [\"x.y\"]\n}\n",
	}, {
		name: "already there", key: "features", value: "api",
		in:   multiLine,
		want: multiLine,
	}, {
		name: "escaping", key: "services", value: `a"<b>`,
		in:   `{"services": []}`,
		want: `{"services": ["a\"<b>"]}`,
	}, {
		name: "CRLF lines", key: "features", value: "api",
		in:   "{\r\n  \"features\": [\r\n    \"database\"\r\n  ]\r\n}\r\n",
		want: "{\r\n  \"features\": [\r\n    \"database\",\r\n    \"api\"\r\n  ]\r\n}\r\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			edits, err := AddToList("manifest.json", []byte(tc.in), tc.key, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			checkEdits(t, tc.in, edits, tc.want)
		})
	}
}

func TestAddToListErrors(t *testing.T) {
	for _, in := range []string{`{"services": "a.b"}`, `{"services": [}`, `[]`} {
		if edits, err := AddToList("manifest.json", []byte(in), "services", "x.y"); err == nil {
			t.Errorf("AddToList(%s) = %v, want an error", in, edits)
		}
	}
	if edits, err := AddToList("manifest.json", []byte(`{}`), "services", "\xec"); err == nil {
		t.Errorf("AddToList of invalid UTF-8 = %v, want an error", edits)
	}
}

func TestRemoveFromList(t *testing.T) {
	for _, tc := range []struct {
		name, in, key, value, want string
	}{{
		name: "first of a one-line array", key: "services", value: "a.x",
		in:   `{"services": ["a.x", "a.y", "a.z"]}`,
		want: `{"services": ["a.y", "a.z"]}`,
	}, {
		name: "middle", key: "services", value: "a.y",
		in:   `{"services": ["a.x", "a.y", "a.z"]}`,
		want: `{"services": ["a.x", "a.z"]}`,
	}, {
		name: "last", key: "services", value: "a.z",
		in:   `{"services": ["a.x", "a.y", "a.z"]}`,
		want: `{"services": ["a.x", "a.y"]}`,
	}, {
		name: "only element", key: "services", value: "audit.service",
		in:   multiLine,
		want: "{\n  \"name\": \"standard.audit\",\n  \"features\": [\n    \"api\",\n    \"database\"\n  ],\n  \"services\": []\n}\n",
	}, {
		name: "last of a multi-line array", key: "features", value: "database",
		in:   multiLine,
		want: "{\n  \"name\": \"standard.audit\",\n  \"features\": [\n    \"api\"\n  ],\n  \"services\": [\"audit.service\"]\n}\n",
	}, {
		name: "first of a multi-line array", key: "features", value: "api",
		in:   multiLine,
		want: "{\n  \"name\": \"standard.audit\",\n  \"features\": [\n    \"database\"\n  ],\n  \"services\": [\"audit.service\"]\n}\n",
	}, {
		name: "every occurrence", key: "d", value: "x",
		in:   `{"d": ["x", "x", "y", "x", "z", "x", "x"]}`,
		want: `{"d": ["y", "z"]}`,
	}, {
		name: "all of them", key: "d", value: "x",
		in:   "{\"d\": [\n  \"x\",\n  \"x\"\n]}\n",
		want: "{\"d\": []}\n",
	}, {
		name: "absent value", key: "d", value: "q",
		in:   `{"d": ["x"]}`,
		want: `{"d": ["x"]}`,
	}, {
		name: "missing key", key: "e", value: "x",
		in:   `{"d": ["x"]}`,
		want: `{"d": ["x"]}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			edits, err := RemoveFromList("manifest.json", []byte(tc.in), tc.key, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			checkEdits(t, tc.in, edits, tc.want)
		})
	}
}

func TestSetString(t *testing.T) {
	for _, tc := range []struct {
		name, in, key, value, want string
	}{{
		name: "replace", key: "name", value: "standard.catalog",
		in:   "{\n  \"name\": \"extra.catalog\",\n  \"version\": \"1.0.0\"\n}\n",
		want: "{\n  \"name\": \"standard.catalog\",\n  \"version\": \"1.0.0\"\n}\n",
	}, {
		name: "replace a value of another type", key: "version", value: "1.0.0",
		in:   `{"version": 1}`,
		want: `{"version": "1.0.0"}`,
	}, {
		name: "add", key: "version", value: "0.1.0",
		in:   "{\n  \"name\": \"standard.x\"\n}\n",
		want: "{\n  \"name\": \"standard.x\",\n  \"version\": \"0.1.0\"\n}\n",
	}, {
		name: "unchanged", key: "name", value: "a.b",
		in:   `{"name": "a.b"}`,
		want: `{"name": "a.b"}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			edits, err := SetString("manifest.json", []byte(tc.in), tc.key, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			checkEdits(t, tc.in, edits, tc.want)
		})
	}
}

func checkEdits(t *testing.T, in string, edits []Edit, want string) {
	t.Helper()
	for _, e := range edits {
		if e.File != "manifest.json" {
			t.Errorf("edit of %q, want manifest.json", e.File)
		}
	}
	got, err := ApplyEdits([]byte(in), edits)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := workspace.ParseObject(got); err != nil {
		t.Errorf("the result does not parse: %v", err)
	}
}

func FuzzAddToList(f *testing.F) {
	for _, s := range []string{multiLine, `{}`, "{\n}", `{"services": []}`, `{"services": null}`, `{"services": [1, {"a": []}]}`, `{"a": 1, "a": 2}`} {
		f.Add(s, "services", "x.y")
	}
	f.Fuzz(func(t *testing.T, in, key, value string) {
		if _, err := workspace.ParseObject([]byte(in)); err != nil {
			return
		}
		edits, err := AddToList("manifest.json", []byte(in), key, value)
		if err != nil {
			return // the key holds something other than an array
		}
		out, err := ApplyEdits([]byte(in), edits)
		if err != nil {
			t.Fatalf("edits do not apply: %v", err)
		}
		obj, err := workspace.ParseObject(out)
		if err != nil {
			t.Fatalf("the result does not parse: %v\n%s", err, out)
		}
		fld, ok := obj.Field(key)
		if !ok {
			t.Fatalf("the result has no key %q:\n%s", key, out)
		}
		var elems []any
		if err := json.Unmarshal(fld.Raw, &elems); err != nil {
			t.Fatalf("%q is not an array: %v\n%s", key, err, out)
		}
		if !slices.Contains(elems, any(value)) {
			t.Fatalf("%q does not hold %q:\n%s", key, value, out)
		}
	})
}
