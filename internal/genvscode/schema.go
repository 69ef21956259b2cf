package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/modls/modls/rules"
	"github.com/modls/modls/rules/ruledoc"
)

// rulesKey is the setting the generator owns.
const rulesKey = "modls.rules"

// Update returns package.json with contributes.configuration.properties
// ["modls.rules"] generated from rules.All().
func Update(data []byte) ([]byte, error) {
	root, err := decode(data)
	if err != nil {
		return nil, err
	}
	top, ok := root.(*object)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	contributes := top.child("contributes")
	configuration := contributes.child("configuration")
	if _, ok := configuration.get("title"); !ok {
		configuration.set("title", "modls")
	}
	props := configuration.child("properties")
	props.set(rulesKey, rulesSchema())
	var buf bytes.Buffer
	encode(&buf, top, "")
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

var severityNames = []any{"error", "warning", "info"}

// rulesSchema is the JSON schema of modls.rules: an object with one
// property per rule, each "off", a severity or {"enabled", "severity"},
// the forms of modls.json (checker.RuleConfig).
func rulesSchema() *object {
	ruleProps := &object{}
	for _, r := range rules.All() {
		d := r.Doc
		ruleProps.set(d.ID, ruleSchema(d))
	}
	s := &object{}
	s.set("type", "object")
	s.set("default", &object{})
	s.set("markdownDescription", "Enable, disable or grade rules, as in `modls.json`'s `\"rules\"`: a rule ID maps to `\"off\"`, a severity (`\"error\"`, `\"warning\"`, `\"info\"`) or `{\"enabled\": true, \"severity\": \"warning\"}`. Rules not named keep the workspace's `modls.json` setting, then their default. Sent to the server when it starts and again on every change.")
	s.set("properties", ruleProps)
	s.set("additionalProperties", false)
	s.set("scope", "resource")
	return s
}

func ruleSchema(d ruledoc.Doc) *object {
	str := &object{}
	str.set("type", "string")
	str.set("enum", append([]any{"off"}, severityNames...))
	str.set("enumDescriptions", []any{
		"Disable " + d.ID + ".",
		"Report " + d.ID + " as an error.",
		"Report " + d.ID + " as a warning.",
		"Report " + d.ID + " as information.",
	})
	sev := &object{}
	sev.set("type", "string")
	sev.set("enum", severityNames)
	en := &object{}
	en.set("type", "boolean")
	en.set("description", "Whether "+d.ID+" runs.")
	objProps := &object{}
	objProps.set("enabled", en)
	objProps.set("severity", sev)
	obj := &object{}
	obj.set("type", "object")
	obj.set("properties", objProps)
	obj.set("additionalProperties", false)

	what := strings.TrimSpace(d.What)
	s := &object{}
	s.set("markdownDescription", fmt.Sprintf("**%s %s**: %s.\n\n%s\n\nDefault severity: `%s`. [Rule page](%s)", d.ID, d.Name, d.Title, what, d.Severity, d.URL()))
	s.set("anyOf", []any{str, obj})
	return s
}

// object is a JSON object that keeps its keys in order.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) set(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// child is the object under k, created (or replacing a non-object) if need be.
func (o *object) child(k string) *object {
	if v, ok := o.vals[k].(*object); ok {
		return v
	}
	c := &object{}
	o.set(k, c)
	return c
}

func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(kt.(string), v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// encode writes v as npm formats package.json: two-space indentation,
// empty objects and arrays as {} and [].
func encode(w *bytes.Buffer, v any, indent string) {
	inner := indent + "  "
	switch t := v.(type) {
	case *object:
		if len(t.keys) == 0 {
			w.WriteString("{}")
			return
		}
		w.WriteString("{\n")
		for i, k := range t.keys {
			w.WriteString(inner)
			writeScalar(w, k)
			w.WriteString(": ")
			encode(w, t.vals[k], inner)
			if i < len(t.keys)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "}")
	case []any:
		if len(t) == 0 {
			w.WriteString("[]")
			return
		}
		w.WriteString("[\n")
		for i, e := range t {
			w.WriteString(inner)
			encode(w, e, inner)
			if i < len(t)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "]")
	default:
		writeScalar(w, t)
	}
}

func writeScalar(w *bytes.Buffer, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // scalars from the decoder always encode
	}
	w.Write(bytes.TrimRight(b.Bytes(), "\n"))
}
