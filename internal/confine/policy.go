package confine

import (
	"fmt"
	"strconv"
	"strings"
)

// Policy says what a confined command may do.
type Policy struct {
	// Confine applies every layer. Without it only the command's lifetime
	// is bounded: it and everything it starts end with the run (a pid
	// namespace, or a supervisor that kills every descendant), and its
	// output is counted; nothing else is restricted. The unit-test lens
	// runs go test this way.
	Confine bool `json:"confine"`
	// Read lists files and directories the command may read and execute,
	// besides the system's (SystemPaths).
	Read []string `json:"read,omitempty"`
	// Write is the one directory the command may write. In a mount
	// namespace it is a fresh tmpfs of Limits.Disk bytes that starts with
	// the empty directories WriteDirs; otherwise it is the directory on
	// disk, and the supervisor measures it.
	Write     string   `json:"write,omitempty"`
	WriteDirs []string `json:"write_dirs,omitempty"`
	// Network leaves the host's network to the command (no network
	// namespace, no Landlock network rules).
	Network bool `json:"network,omitempty"`
	// Limits bound what the command uses; zero fields take the defaults.
	Limits Limits `json:"limits"`
	// Channel gives the command descriptor 3, a pipe whose lines reach
	// Cmd.OnLine through the supervisor; the launcher's own descriptor 3
	// never reaches the command.
	Channel bool `json:"channel,omitempty"`
	// Strict refuses to run the command when a layer is unavailable.
	Strict bool `json:"strict,omitempty"`
	// RunAs, for a caller running as root, confines the command exactly
	// as it would be if the caller ran as this user: the launcher starts
	// as that user and every decision follows from there. The tests use
	// it to prove the unprivileged path.
	RunAs *Credential `json:"run_as,omitempty"`
	// Remove lists paths the supervisor removes once every process of the
	// run has ended, even when the caller died.
	Remove []string `json:"remove,omitempty"`
	// Disable lists layers not to apply, by name (Layer* constants, or
	// "all"): for the tests of the fallbacks and the benchmark's figure
	// without confinement. A disabled layer is reported as off.
	Disable []string `json:"disable,omitempty"`
}

// Credential is a user and group.
type Credential struct {
	UID int `json:"uid"`
	GID int `json:"gid"`
}

// Limits bound what a confined run uses.
type Limits struct {
	// Memory is the bytes of memory of every process of the run together.
	Memory int64 `json:"memory"`
	// Processes is the processes and threads of the run at once.
	Processes int `json:"processes"`
	// Disk is the bytes the run may keep in its writable directory.
	Disk int64 `json:"disk"`
	// Output is the bytes of standard output and error together.
	Output int64 `json:"output"`
}

// The default limits.
const (
	DefaultMemory    = 1 << 30
	DefaultProcesses = 512
	DefaultDisk      = 512 << 20
	DefaultOutput    = 16 << 20
)

// WithDefaults fills the zero fields of l with the defaults.
func (l Limits) WithDefaults() Limits {
	if l.Memory == 0 {
		l.Memory = DefaultMemory
	}
	if l.Processes == 0 {
		l.Processes = DefaultProcesses
	}
	if l.Disk == 0 {
		l.Disk = DefaultDisk
	}
	if l.Output == 0 {
		l.Output = DefaultOutput
	}
	return l
}

// The limits, as Exit.Limits names them when they were hit.
const (
	LimitMemory    = "memory"
	LimitProcesses = "processes"
	LimitDisk      = "disk"
	LimitOutput    = "output"
)

// The layers, strongest first, as a Report names them.
const (
	LayerUserNS        = "user namespace"
	LayerMountNS       = "mount namespace"
	LayerPIDNS         = "pid namespace"
	LayerNetNS         = "network namespace"
	LayerIPCNS         = "ipc namespace"
	LayerLandlockFS    = "landlock filesystem"
	LayerLandlockNet   = "landlock network"
	LayerLandlockScope = "landlock scopes"
	LayerNoNewPrivs    = "no_new_privs"
	LayerCapabilities  = "capabilities"
	LayerUser          = "unprivileged user"
	LayerSeccomp       = "seccomp"
	LayerRlimits       = "rlimits"
	LayerCgroup        = "cgroup"
	LayerDiskLimit     = "size-limited data"
	LayerSupervisor    = "supervisor"
)

// Layers lists every layer of a confined run, in the order of a Report.
var Layers = []string{
	LayerUserNS, LayerMountNS, LayerPIDNS, LayerNetNS, LayerIPCNS,
	LayerLandlockFS, LayerLandlockNet, LayerLandlockScope,
	LayerNoNewPrivs, LayerCapabilities, LayerUser, LayerSeccomp,
	LayerRlimits, LayerCgroup, LayerDiskLimit, LayerSupervisor,
}

// The status of a layer.
const (
	// InForce: the layer holds for the command and all it starts.
	InForce = "in force"
	// Unavailable: the machine does not offer it; Detail says why.
	Unavailable = "unavailable"
	// NotNeeded: a stronger layer does its job (Detail names it).
	NotNeeded = "not needed"
	// Off: the caller chose so (--network, Policy.Disable).
	Off = "off"
)

// Layer is one layer of confinement and whether it holds.
type Layer struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Report says which layers held for a run.
type Report struct {
	Layers []Layer `json:"layers"`
	// UID and GID are the user and group the command ran as, as the host
	// sees them.
	UID int `json:"uid"`
	GID int `json:"gid"`
	// Network says the command had the host's network (Policy.Network).
	Network bool   `json:"network"`
	Limits  Limits `json:"limits"`
}

// Missing lists the layers that the machine does not offer.
func (r Report) Missing() []Layer {
	var out []Layer
	for _, l := range r.Layers {
		if l.Status == Unavailable {
			out = append(out, l)
		}
	}
	return out
}

// Layer returns the named layer's entry.
func (r Report) Layer(name string) Layer {
	for _, l := range r.Layers {
		if l.Name == name {
			return l
		}
	}
	return Layer{Name: name, Status: Unavailable, Detail: "not reported"}
}

// Holds tells whether the named layer is in force.
func (r Report) Holds(name string) bool { return r.Layer(name).Status == InForce }

// Summary is the report in one line: the layers in force, then the others
// with their reasons.
func (r Report) Summary() string {
	var in, other []string
	for _, l := range r.Layers {
		if l.Status == InForce {
			in = append(in, l.Name)
			continue
		}
		s := l.Name + " " + l.Status
		if l.Detail != "" {
			s += " (" + l.Detail + ")"
		}
		other = append(other, s)
	}
	s := fmt.Sprintf("%d of %d layers in force", len(in), len(r.Layers))
	if len(other) > 0 {
		s += "; " + strings.Join(other, "; ")
	}
	return s
}

// Proc is a process found still running when the command ended.
type Proc struct {
	PID int    `json:"pid"`
	Cmd string `json:"cmd"`
}

// Exit is how a confined run ended.
type Exit struct {
	// Code is the command's exit status, -1 when a signal ended it.
	Code int `json:"code"`
	// Signal is the signal that ended it, if one did.
	Signal string `json:"signal,omitempty"`
	// Strays are the processes the command left running when it ended;
	// the supervisor killed them. Pids are those of the run's pid
	// namespace where it had one.
	Strays []Proc `json:"strays,omitempty"`
	// Limits lists the limits the run hit (Limit* constants).
	Limits []string `json:"limits,omitempty"`
	// PeakTasks is the most processes and threads seen at once.
	PeakTasks int `json:"peak_tasks"`
	// PeakMemory is the most memory (bytes) seen in use at once.
	PeakMemory int64 `json:"peak_memory"`
	// DiskUsed is the bytes in the writable directory at the end.
	DiskUsed int64 `json:"disk_used"`
	// Error is set when the command did not run: confinement failed, or
	// Strict refused a missing layer.
	Error string `json:"error,omitempty"`
	// Killed says the caller ended the run (Cmd.Kill, or the caller went
	// away).
	Killed bool `json:"killed,omitempty"`
	// Report is the isolation report of the run.
	Report Report `json:"report"`
}

// Hit tells whether the run hit the named limit.
func (e *Exit) Hit(limit string) bool {
	for _, l := range e.Limits {
		if l == limit {
			return true
		}
	}
	return false
}

// FormatSize prints a byte count the way ParseSize reads it.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// ParseSize reads a byte count: a number with an optional unit, B, KiB,
// MiB, GiB, TiB (K, M, G, T and KB, MB, GB, TB mean the same, powers of
// 1024).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9') {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("size %q does not start with a number (e.g. 512MiB)", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %v", s, err)
	}
	unit := strings.ToUpper(strings.TrimSpace(t[i:]))
	unit = strings.TrimSuffix(strings.TrimSuffix(unit, "IB"), "B")
	shift := map[string]uint{"": 0, "K": 10, "M": 20, "G": 30, "T": 40}
	sh, ok := shift[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (B, KiB, MiB, GiB, TiB)", s, strings.TrimSpace(t[i:]))
	}
	if n > (1<<62)>>sh {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	if n <= 0 {
		return 0, fmt.Errorf("size %q must be positive", s)
	}
	return n << sh, nil
}
