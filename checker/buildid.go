package checker

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
)

// The results of a check depend on the modls build that made them: its
// rules, its go/types, the architecture it was built for. A build is
// named by what it says of itself (its main module's version, the VCS
// revision it was built from and whether that tree was modified) and by
// a digest of the executable's contents: a locally rebuilt modls with the
// same revision differs by contents. The contents are read once per
// executable file: the digest is kept in the cache under the file's
// state (size, times, inode), which the next run compares with one stat.
// That record is of this machine and is never exported.

// exeDigests counts the executables read whole, for tests.
var exeDigests atomic.Int64

var buildID struct {
	sync.Mutex
	state, id string // the executable's state, and the identity computed for it
}

// buildIdentity names the running modls build, portably.
func buildIdentity(c *Cache) string {
	var b strings.Builder
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(&b, "%s %s %s", bi.Main.Path, bi.Main.Version, bi.GoVersion)
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision", "vcs.modified", "GOARCH", "GOOS", "-tags":
				fmt.Fprintf(&b, " %s=%s", s.Key, s.Value)
			}
		}
	}
	// On Linux the running file itself, even if its name now holds a
	// rebuilt one.
	exe := "/proc/self/exe"
	if _, err := os.Stat(exe); err != nil {
		if exe, err = os.Executable(); err != nil {
			return b.String() + " exe=unknown"
		}
	}
	return b.String() + " exe=" + exeDigest(c, exe)
}

// exeDigest is the digest of an executable's contents, read once per
// state of the file (in this process, then in the cache). An executable
// that cannot be read is "unreadable:" and its state, which is safe but
// holds only on this machine.
func exeDigest(c *Cache, exe string) string {
	st, err := statOf(exe)
	if err != nil {
		return "unknown"
	}
	state := fmt.Sprintf("%s\x00%d\x00%d\x00%d\x00%d\x00%d", exe, st.Size, st.Mtime, st.Ctime, st.Ino, st.Dev)
	buildID.Lock()
	defer buildID.Unlock()
	if buildID.state == state {
		return buildID.id
	}
	var id string
	if c == nil || !c.getGob("executables", state, &id) || id == "" {
		id = hashExecutable(exe, st.Size)
		if c != nil && !strings.HasPrefix(id, "unreadable:") {
			c.putGob("executables", state, id)
		}
	}
	buildID.state, buildID.id = state, id
	return id
}

func hashExecutable(exe string, size int64) string {
	exeDigests.Add(1)
	f, err := os.Open(exe)
	if err != nil {
		return fmt.Sprintf("unreadable:%s:%d", exe, size)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Sprintf("unreadable:%s:%d", exe, size)
	}
	return hex.EncodeToString(h.Sum(nil))
}
