// Package confine runs a command that modls does not trust (a module's
// code, the harness that boots it, its test binaries) so that it cannot
// harm the host, and reports which layers of confinement held.
//
// A Cmd is started through a launcher, which is the calling program
// itself, run again through /proc/self/exe (this package's init
// recognises the launcher's argv[0]; nothing else of the program runs in
// it). The launcher confines first and execs the command last, so the
// command's first instruction, its package initialisation included, runs
// confined. It has two stages:
//
//  1. The supervisor is started in new user, mount, pid, network, IPC and
//     UTS namespaces (the strongest set the machine allows: the runner
//     falls back one step at a time, as root without a user namespace,
//     then without namespaces, and records why). In its mount namespace
//     it builds the command's view of the filesystem and pivots into it:
//     a read-only skeleton holding read-only bind mounts of the system's
//     programs and libraries (SystemPaths) and of Policy.Read, a few
//     devices, a /proc of the run's pid namespace, and Policy.Write as a
//     tmpfs of Limits.Disk bytes. It brings up the network namespace's
//     loopback, the only network the command has. It stays the parent of
//     the command and the init of the pid namespace: when it ends, the
//     kernel ends every process of the run. It never runs module code,
//     is not dumpable (nothing of the run can read its memory or
//     descriptors through /proc), and alone holds the runner's pipes.
//  2. The restricting stage, started by the supervisor as the command's
//     user (nobody when the caller is root) without capabilities, sets
//     the rlimits, no_new_privs, Landlock (reads of the system and
//     Policy.Read, writes only in Policy.Write, no TCP where no network
//     namespace holds, no signal or abstract unix socket out of the run)
//     and a seccomp filter, on its one thread, then execs the command,
//     which inherits all of it.
//
// Where a layer is missing the others still hold, and the Report says
// so: without namespaces, Landlock restricts reads and writes, seccomp
// refuses metadata changes and sockets other than TCP, the supervisor is
// a child subreaper that kills every descendant, and it measures the
// writable directory itself. Policy.Strict refuses to run the command
// when a layer is unavailable.
//
// Limits: memory (RLIMIT_DATA per process, the supervisor's measure of
// the whole run, memory.max where a cgroup v2 subtree is delegated),
// processes and threads (RLIMIT_NPROC, counted per user namespace;
// pids.max), disk (the tmpfs's size; RLIMIT_FSIZE per file) and output
// (counted by Cmd, which stops the run at the limit). Exit.Limits names
// the limits a run hit.
//
// The runner and the supervisor talk over two pipes: the supervisor
// writes JSON lines on its descriptor 3 (the isolation report, each line
// of the command's own channel when Policy.Channel gives it one, and how
// the run ended: exit status, the processes it left, the limits it hit)
// and reads "quit" (SIGQUIT to the command, for a Go stack dump) and
// "kill" on its descriptor 4. When the runner goes away its end of the
// control pipe closes, and the supervisor ends the run.
package confine
