package confine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// statusFD is the descriptor on which the restricting stage tells the
// supervisor which layers it applied; it closes on exec.
const statusFD = 4

// status is one line on statusFD.
type status struct {
	Layer *Layer `json:"layer,omitempty"`
	Error string `json:"error,omitempty"`
}

// restrictAndExec is the last stage before the command: on this one
// thread it sets the rlimits, no_new_privs, Landlock and seccomp, reports
// each on statusFD, and execs the command, which inherits all of them.
func restrictAndExec(arg string) int {
	out := os.NewFile(statusFD, "status")
	enc := json.NewEncoder(out)
	fail := func(err error) int {
		enc.Encode(status{Error: err.Error()})
		return 126
	}
	var sp spec
	if err := json.Unmarshal([]byte(arg), &sp); err != nil {
		return fail(err)
	}
	p := sp.Policy
	report := func(name, st, detail string) {
		sp.set(name, st, detail)
		l := Layer{Name: name, Status: st, Detail: detail}
		enc.Encode(status{Layer: &l})
	}

	if err := setRlimits(p, &sp); err != nil {
		report(LayerRlimits, Unavailable, err.Error())
	} else {
		report(LayerRlimits, InForce, fmt.Sprintf("data %s per process, %d processes and threads, files of at most %s, no core dumps",
			FormatSize(p.Limits.Memory), p.Limits.Processes, FormatSize(p.Limits.Disk)))
	}

	uid := os.Getuid()
	switch {
	case uid == 0:
		report(LayerUser, Unavailable, "the command runs as root")
	default:
		report(LayerUser, InForce, fmt.Sprintf("uid %d", uid))
	}

	// The supervisor started this stage without ambient capabilities and,
	// for a caller running as root, as nobody: the exec below gives the
	// command none. Clear what might be left all the same.
	unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
	}
	if uid == 0 {
		report(LayerCapabilities, Unavailable, "the command runs as root")
	} else if amb, err := capAmbient(); err != nil || amb != 0 {
		report(LayerCapabilities, Unavailable, fmt.Sprintf("ambient capabilities left: %x %v", amb, err))
	} else {
		report(LayerCapabilities, InForce, "none: a user other than root, without ambient capabilities, gains none at exec")
	}

	if p.disabled(LayerNoNewPrivs) {
		report(LayerNoNewPrivs, Off, "disabled")
	} else if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		report(LayerNoNewPrivs, Unavailable, err.Error())
	} else {
		report(LayerNoNewPrivs, InForce, "no set-user-id programs or file capabilities")
	}

	landlockLayers(&sp, report)
	seccompLayer(&sp, report)

	if p.Strict {
		var missing []string
		for _, l := range sp.Layers {
			if l.Status == Unavailable {
				missing = append(missing, l.Name+" ("+l.Detail+")")
			}
		}
		if len(missing) > 0 {
			return fail(fmt.Errorf("strict isolation: unavailable: %s", strings.Join(missing, "; ")))
		}
	}
	syscall.CloseOnExec(statusFD)
	err := syscall.Exec(sp.Path, sp.Args, sp.Env)
	return fail(fmt.Errorf("exec %s: %w", sp.Path, err))
}

// capAmbient reads this thread's ambient capabilities.
func capAmbient() (uint64, error) {
	data, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapAmb:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapAmb")
}

// setRlimits bounds each process's memory, the user's processes and
// threads, the size of a file, and core dumps.
func setRlimits(p Policy, sp *spec) error {
	if p.disabled(LayerRlimits) {
		return errors.New("disabled")
	}
	procs := uint64(p.Limits.Processes)
	if !sp.holds(LayerUserNS) {
		// Without a user namespace the kernel counts every process of
		// the user on the host: leave room for those already running.
		procs += uint64(userTasks(os.Getuid()))
	}
	for _, l := range []struct {
		res int
		n   uint64
	}{
		{unix.RLIMIT_DATA, uint64(p.Limits.Memory)},
		{unix.RLIMIT_NPROC, procs},
		{unix.RLIMIT_FSIZE, uint64(p.Limits.Disk)},
		{unix.RLIMIT_CORE, 0},
	} {
		var cur unix.Rlimit
		unix.Getrlimit(l.res, &cur)
		n := l.n
		if cur.Max != unix.RLIM_INFINITY && cur.Max < n {
			n = cur.Max
		}
		if err := unix.Setrlimit(l.res, &unix.Rlimit{Cur: n, Max: n}); err != nil {
			return fmt.Errorf("setrlimit %d: %w", l.res, err)
		}
	}
	return nil
}

// userTasks counts the threads of a user's processes on the host.
func userTasks(uid int) int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		st, err := os.Stat("/proc/" + e.Name())
		if err != nil {
			continue
		}
		if s, ok := st.Sys().(*syscall.Stat_t); ok && int(s.Uid) == uid && e.Name() != strconv.Itoa(os.Getpid()) {
			if p, ok := readProc(atoi(e.Name())); ok {
				n += p.threads
			}
		}
	}
	return n
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// landlockLayers restricts, with Landlock, what the command may read and
// write, its TCP (where no network namespace isolates it), and the
// signals and abstract unix sockets that reach outside the run.
func landlockLayers(sp *spec, report func(name, status, detail string)) {
	p := sp.Policy
	abi, err := ll.LandlockGetABIVersion()
	if err != nil || abi < 1 {
		why := "the kernel has no Landlock (Linux 5.13 or later, with landlock in lsm=)"
		if err != nil {
			why += ": " + err.Error()
		}
		for _, l := range []string{LayerLandlockFS, LayerLandlockNet, LayerLandlockScope} {
			report(l, Unavailable, why)
		}
		return
	}
	presets := []landlock.Config{landlock.V1, landlock.V1, landlock.V2, landlock.V3, landlock.V4, landlock.V5, landlock.V6, landlock.V7, landlock.V8, landlock.V9, landlock.V10, landlock.V11}
	cfg := presets[min(abi, len(presets)-1)]
	var rules []landlock.Rule
	fs := !p.disabled(LayerLandlockFS)
	if fs {
		var dirs, files []string
		for _, path := range append(append([]string(nil), SystemPaths...), append(p.Read, "/proc")...) {
			if st, err := os.Stat(path); err == nil {
				if st.IsDir() {
					dirs = append(dirs, path)
				} else {
					files = append(files, path)
				}
			}
		}
		rules = append(rules,
			landlock.RODirs(dirs...).IgnoreIfMissing(),
			landlock.ROFiles(files...).IgnoreIfMissing(),
			landlock.ROFiles("/dev/zero", "/dev/random", "/dev/urandom").IgnoreIfMissing(),
			landlock.RWFiles("/dev/null", "/dev/full").IgnoreIfMissing(),
			landlock.RWDirs(p.Write).WithRefer().IgnoreIfMissing())
	} else {
		cfg.HandledAccessFS = 0
	}
	netns := sp.holds(LayerNetNS)
	net := abi >= 4 && !p.Network && !netns && !p.disabled(LayerLandlockNet)
	if !net {
		cfg.HandledAccessNet = 0
	}
	scope := abi >= 6 && !p.disabled(LayerLandlockScope)
	if !scope {
		cfg.Scoped = 0
	}
	fd, flags, err := cfg.NewRulesetFD(rules...)
	if err == nil && fd >= 0 {
		err = ll.LandlockRestrictSelf(fd, flags)
		unix.Close(fd)
	}
	abiNote := fmt.Sprintf("ABI %d", abi)
	switch {
	case !fs:
		report(LayerLandlockFS, Off, "disabled")
	case err != nil:
		report(LayerLandlockFS, Unavailable, err.Error())
	default:
		report(LayerLandlockFS, InForce, abiNote+": reads of the system's files, the copy and "+p.Write+"; writes only in "+p.Write)
	}
	switch {
	case p.Network:
		report(LayerLandlockNet, Off, "--network")
	case netns:
		report(LayerLandlockNet, NotNeeded, "the network namespace has only its own loopback")
	case p.disabled(LayerLandlockNet):
		report(LayerLandlockNet, Off, "disabled")
	case abi < 4:
		report(LayerLandlockNet, Unavailable, abiNote+": TCP rules need ABI 4 (Linux 6.7)")
	case err != nil:
		report(LayerLandlockNet, Unavailable, err.Error())
	default:
		report(LayerLandlockNet, InForce, abiNote+": no TCP bind or connect")
	}
	switch {
	case p.disabled(LayerLandlockScope):
		report(LayerLandlockScope, Off, "disabled")
	case abi < 6:
		report(LayerLandlockScope, Unavailable, abiNote+": signal and abstract unix socket scoping need ABI 6 (Linux 6.12)")
	case err != nil:
		report(LayerLandlockScope, Unavailable, err.Error())
	default:
		report(LayerLandlockScope, InForce, abiNote+": no signal or abstract unix socket reaches a process outside the run")
	}
}

// seccompLayer refuses the system calls module code has no use for and
// that reach the kernel's riskiest surfaces or outside the run: tracing,
// keyrings, mounts, new namespaces, BPF, io_uring, modules, and terminal
// input injection. Where no mount namespace makes the host read-only, it
// also refuses metadata changes (chmod, chown, xattrs, utimes), which
// Landlock does not cover; where no network namespace holds, it refuses
// sockets other than TCP over IPv4 and IPv6, UDP and Multipath TCP.
func seccompLayer(sp *spec, report func(name, status, detail string)) {
	p := sp.Policy
	if p.disabled(LayerSeccomp) {
		report(LayerSeccomp, Off, "disabled")
		return
	}
	if !seccomp.Supported() {
		report(LayerSeccomp, Unavailable, "the kernel has no seccomp filters")
		return
	}
	deny := []string{
		"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
		"keyctl", "add_key", "request_key",
		"mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
		"fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
		"bpf", "perf_event_open", "userfaultfd", "fanotify_init",
		"io_uring_setup", "io_uring_enter", "io_uring_register",
		"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
		"reboot", "swapon", "swapoff", "acct", "syslog", "quotactl", "vhangup",
		"open_by_handle_at", "name_to_handle_at", "iopl", "ioperm",
	}
	details := []string{"no tracing, keyrings, mounts, namespaces, BPF, io_uring or kernel modules"}
	nsFlags := uint64(unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWNET |
		unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWTIME)
	conditional := []seccomp.NameWithConditions{
		{Name: "clone", Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet, Value: nsFlags}}},
		{Name: "ioctl", Conditions: seccomp.ArgumentConditions{{Argument: 1, Operation: seccomp.Equal, Value: unix.TIOCSTI}}},
		{Name: "ioctl", Conditions: seccomp.ArgumentConditions{{Argument: 1, Operation: seccomp.Equal, Value: unix.TIOCLINUX}}},
	}
	if !sp.holds(LayerMountNS) {
		deny = append(deny, "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
			"setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
			"utime", "utimes", "utimensat", "futimesat")
		details = append(details, "no chmod, chown, xattrs or utimes (no mount namespace makes the host read-only)")
	}
	if !p.Network && !sp.holds(LayerNetNS) {
		conditional = append(conditional,
			seccomp.NameWithConditions{Name: "socket", Conditions: seccomp.ArgumentConditions{
				{Argument: 0, Operation: seccomp.NotEqual, Value: unix.AF_INET},
				{Argument: 0, Operation: seccomp.NotEqual, Value: unix.AF_INET6}}},
			seccomp.NameWithConditions{Name: "socket", Conditions: seccomp.ArgumentConditions{
				{Argument: 1, Operation: seccomp.BitsSet, Value: unix.SOCK_DGRAM}}},
			seccomp.NameWithConditions{Name: "socket", Conditions: seccomp.ArgumentConditions{
				{Argument: 2, Operation: seccomp.Equal, Value: unix.IPPROTO_MPTCP}}})
		details = append(details, "only TCP sockets (no network namespace)")
	}
	filter := seccomp.Filter{
		Policy: seccomp.Policy{
			DefaultAction: seccomp.ActionAllow,
			Syscalls: []seccomp.SyscallGroup{
				{Action: seccomp.ActionErrno, Names: known(deny), NamesWithCondtions: conditional},
				// clone3 takes its flags in memory, out of the filter's
				// reach: ENOSYS makes the C library and Go fall back to
				// clone, which the filter sees.
				{Action: seccomp.Action(unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)), Names: []string{"clone3"}},
			},
		},
	}
	if err := seccomp.LoadFilter(filter); err != nil {
		report(LayerSeccomp, Unavailable, err.Error())
		return
	}
	report(LayerSeccomp, InForce, strings.Join(details, "; "))
}

// known keeps the system calls this architecture has.
func known(names []string) []string {
	var out []string
	for _, n := range names {
		if _, ok := syscallNumbers[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// syscallNumbers are this architecture's system calls, by name.
var syscallNumbers = func() map[string]int {
	info, err := arch.GetInfo("")
	if err != nil {
		return nil
	}
	return info.SyscallNames
}()
