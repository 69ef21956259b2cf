package figures

import (
	"fmt"
	"os/exec"
	"path/filepath"
)

// BuildModls builds cmd/modls of the repository at root into dir and
// returns the binary's path.
func BuildModls(root, dir string) (string, error) {
	bin := filepath.Join(dir, "modls")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/modls")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/modls: %v\n%s", err, out)
	}
	return bin, nil
}
