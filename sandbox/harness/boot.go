package harness

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/modls/modls/framework"
)

// classifyBootError names the check a failed boot belongs to. A module
// that tried something the sandbox refuses (a write or a read outside
// it, the network, another process) fails "module stays inside the
// sandbox", with what to do instead.
func classifyBootError(err error, p plan) (check, msg string) {
	msg = err.Error()
	if hints := refusals(err, p); len(hints) > 0 {
		return checkInside, msg + "; " + strings.Join(hints, "; ")
	}
	switch {
	case strings.Contains(msg, "settings"):
		return checkSettings, msg
	case strings.Contains(msg, "dependency") || strings.Contains(msg, "depends on") ||
		strings.Contains(msg, "no module provides service") || strings.Contains(msg, "(in Start)") && strings.Contains(msg, "service"):
		return checkDependencies, msg
	case strings.Contains(msg, "service") && strings.Contains(msg, "Setup"):
		return checkServices, msg
	}
	return checkLoads, msg
}

// The hints for what the sandbox refuses.
const (
	hintWrite   = "module code may write only in its data directory ($HOME, os.TempDir() and the working directory): take the path from settings or use os.TempDir()"
	hintRead    = "module code sees only the sandbox's copy, its data directory and the system's libraries"
	hintNetwork = "the sandbox has no network but its own loopback (modls sandbox --network gives module code the host's)"
	hintProcess = "module code may signal and trace only the processes it starts"
)

// writeOps are the operations of *fs.PathError that change a file.
var writeOps = map[string]bool{"mkdir": true, "mkdirat": true, "remove": true, "unlinkat": true, "rename": true, "symlink": true, "link": true,
	"chmod": true, "chown": true, "lchown": true, "chtimes": true, "truncate": true, "write": true, "setxattr": true, "removexattr": true}

// refusals names what, in err's tree, the sandbox refused.
func refusals(err error, p plan) []string {
	var out []string
	add := func(h string) {
		for _, x := range out {
			if x == h {
				return
			}
		}
		out = append(out, h)
	}
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		var op *net.OpError
		var pe *fs.PathError
		var le *os.LinkError
		var se *os.SyscallError
		switch {
		case errors.As(err, &op):
			if errors.Is(op, syscall.ECONNREFUSED) || errors.Is(op, syscall.ENETUNREACH) || errors.Is(op, syscall.EHOSTUNREACH) ||
				errors.Is(op, syscall.EACCES) || errors.Is(op, syscall.EPERM) || isDNSFailure(op) {
				add(hintNetwork)
			}
		case errors.As(err, &pe):
			switch {
			case errors.Is(pe.Err, syscall.EROFS), writeOps[pe.Op] && errors.Is(pe.Err, fs.ErrPermission):
				add(hintWrite)
			case errors.Is(pe.Err, fs.ErrPermission), errors.Is(pe.Err, fs.ErrNotExist) && !visible(pe.Path, p):
				add(hintRead)
			}
		case errors.As(err, &le):
			if errors.Is(le.Err, syscall.EROFS) || errors.Is(le.Err, fs.ErrPermission) || errors.Is(le.Err, fs.ErrNotExist) && (!visible(le.Old, p) || !visible(le.New, p)) {
				add(hintWrite)
			}
		case errors.As(err, &se) && (se.Syscall == "kill" || se.Syscall == "ptrace" || strings.HasPrefix(se.Syscall, "pidfd")):
			add(hintProcess)
		case errors.Is(err, syscall.ESRCH):
			add(hintProcess)
		}
		// errors.Join and fmt.Errorf with several %w: every branch.
		if u, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range u.Unwrap() {
				walk(e)
			}
		} else if u := errors.Unwrap(err); u != nil && len(out) == 0 {
			walk(u)
		}
	}
	walk(err)
	return out
}

func isDNSFailure(op *net.OpError) bool {
	var dns *net.DNSError
	return errors.As(op, &dns)
}

// visible tells whether module code sees path: the sandbox's directory
// and what the plan says of the host.
func visible(path string, p plan) bool {
	if !filepath.IsAbs(path) {
		return true
	}
	for _, v := range append([]string{p.Sandbox}, p.Visible...) {
		if path == v || strings.HasPrefix(path, strings.TrimSuffix(v, "/")+"/") {
			return true
		}
	}
	return false
}

// tracked wraps a module to report which phase of which module is running,
// and where a panic in it came from.
type tracked struct {
	framework.Module
	name string
}

type trackedStopper struct{ *tracked }

func (t trackedStopper) Stop(ctx context.Context) error {
	begin(checkStops, t.name+" Stop")
	return t.Module.(framework.Stopper).Stop(ctx)
}

func track(m framework.Module) framework.Module {
	man, err := framework.ParseManifest(m.Manifest())
	if err != nil {
		return m // Boot reports the manifest
	}
	t := &tracked{Module: m, name: man.Name}
	if _, ok := m.(framework.Stopper); ok {
		return trackedStopper{t}
	}
	return t
}

var (
	panicMu    sync.Mutex
	panicStack []byte
)

func recordPanic() {
	if r := recover(); r != nil {
		panicMu.Lock()
		panicStack = debug.Stack()
		panicMu.Unlock()
		panic(r)
	}
}

func (t *tracked) Setup(s *framework.Setup) error {
	begin(checkLoads, t.name+" Setup")
	defer recordPanic()
	return t.Module.Setup(s)
}

func (t *tracked) Start(ctx context.Context, app *framework.App) error {
	begin(checkLoads, t.name+" Start")
	defer recordPanic()
	return t.Module.Start(ctx, app)
}

type location struct {
	file string
	line int
}

// frameRE matches a stack frame's file line; with -trimpath the file is an
// import path.
var frameRE = regexp.MustCompile(`(?m)^\t(\S+\.go):(\d+)`)

// panicLocation is the first frame of a recorded panic outside the runtime,
// the framework and this harness.
func panicLocation(err error) location {
	if !strings.Contains(err.Error(), "panic") {
		return location{}
	}
	panicMu.Lock()
	defer panicMu.Unlock()
	return firstModuleFrame(string(panicStack))
}

func firstModuleFrame(stack string) location {
	for _, m := range frameRE.FindAllStringSubmatch(stack, -1) {
		f := m[1]
		if !strings.Contains(f, "/") || strings.HasPrefix(f, "runtime/") || strings.Contains(f, "/framework/") ||
			strings.Contains(f, "modls_sandbox_harness/") || strings.HasPrefix(filepath.Base(filepath.Dir(f)), "debug") {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		return location{file: f, line: n}
	}
	return location{}
}
