package workspace

import (
	"errors"
	"testing"
)

func TestParseObjectPositions(t *testing.T) {
	data := []byte("{\n  \"name\": \"standard.audit\",\n  \"features\": [\"api\", \"db\"],\n  \"x\": {\"a\": [1]}\n}\n")
	obj, err := ParseObject(data)
	if err != nil {
		t.Fatal(err)
	}
	name, ok := obj.Field("name")
	if !ok {
		t.Fatal("no name field")
	}
	if name.KeyAt.Start.Line != 2 || name.KeyAt.Start.Col != 3 {
		t.Errorf("name key at %+v, want 2:3", name.KeyAt.Start)
	}
	if name.ValueAt.Start.Col != 11 || string(name.Raw) != `"standard.audit"` {
		t.Errorf("name value at %+v raw %s", name.ValueAt.Start, name.Raw)
	}
	feat, _ := obj.Field("features")
	if len(feat.Elems) != 2 || feat.Elems[1].Start.Line != 3 || feat.Elems[1].Start.Col != 23 {
		t.Errorf("features elems = %+v", feat.Elems)
	}
	if got := string(data[feat.Elems[1].Start.Offset:feat.Elems[1].End.Offset]); got != `"db"` {
		t.Errorf("second element text = %q", got)
	}
	x, _ := obj.Field("x")
	if string(x.Raw) != `{"a": [1]}` {
		t.Errorf("nested raw = %s", x.Raw)
	}
}

func TestParseObjectErrors(t *testing.T) {
	for _, tc := range []struct {
		in        string
		line, col int
	}{
		{"", 1, 1},
		{"[1]", 1, 1},
		{"{\n  \"name\": \"a\",\n  \"version\" \"1\"\n}", 3, 13},
		{"{\"a\": 1", 1, 8},
		{"{\"a\": tru}", 1, 7},
		{"{\"a\": 1} x", 1, 10},
		{"{\"a\": [1, }", 1, 11},
	} {
		_, err := ParseObject([]byte(tc.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a SyntaxError", tc.in, err)
			continue
		}
		if se.At.Line != tc.line || se.At.Col != tc.col {
			t.Errorf("%q: error at %d:%d (%s), want %d:%d", tc.in, se.At.Line, se.At.Col, se.Msg, tc.line, tc.col)
		}
	}
}

func TestParseObjectDuplicates(t *testing.T) {
	obj, err := ParseObject([]byte(`{"a": 1, "b": 2, "a": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(obj.Fields) != 2 || len(obj.Dups) != 1 || obj.Dups[0].Key != "a" || obj.Dups[0].KeyAt.Start.Col != 18 {
		t.Errorf("fields %d dups %+v", len(obj.Fields), obj.Dups)
	}
}

func FuzzParseObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"name": "a.b", "features": ["api"]}`, `{"a": [1, {"b": [2]}]}`, `{"a"`, `[`, "{\n\"x\": 1,\n}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := ParseObject(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a SyntaxError", err)
			}
			if se.At.Offset < 0 || se.At.Offset > len(data) || se.At.Line < 1 || se.At.Col < 1 {
				t.Fatalf("bad error position %+v for %d bytes", se.At, len(data))
			}
			return
		}
		for _, fl := range append(obj.Fields, obj.Dups...) {
			for _, s := range append([]Span{fl.KeyAt, fl.ValueAt}, fl.Elems...) {
				if s.Start.Offset < 0 || s.End.Offset > len(data) || s.Start.Offset > s.End.Offset {
					t.Fatalf("span %+v out of range", s)
				}
			}
		}
	})
}
