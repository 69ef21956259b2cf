package confine

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkLauncher is the cost of starting a command confined: /bin/true
// run directly, through the launcher with every layer disabled (the two
// execs of the launcher), and confined with every layer the machine
// offers.
//
//	go test ./internal/confine -run '^$' -bench Launcher
func BenchmarkLauncher(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, tc := range []struct {
		name    string
		disable []string
	}{{"launcher", []string{"all"}}, {"confined", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			w := filepath.Join(b.TempDir(), "data")
			for b.Loop() {
				c := &Cmd{Path: "/bin/true", Dir: "/", Policy: Policy{Confine: true, Write: w, Disable: tc.disable}}
				if err := c.Start(); err != nil {
					b.Fatal(err)
				}
				ex, err := c.Wait()
				if err != nil || ex.Code != 0 || ex.Error != "" {
					b.Fatalf("%v %+v", err, ex)
				}
			}
		})
	}
}
