package fw

import "testing"

func TestNormalizeType(t *testing.T) {
	for in, want := range map[string]string{
		"(contract.Run, error)":             "Run,error",
		"( Run , error )":                   "Run,error",
		"error":                             "error",
		"[]contract.Run":                    "[]Run",
		"map[string]*audit.Run":             "map[string]*Run",
		"func(ctx context.Context) error":   "func(ctx Context)error",
		"(int, framework.ErrorBody, error)": "int,ErrorBody,error",
	} {
		if got := NormalizeType(in); got != want {
			t.Errorf("NormalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}
