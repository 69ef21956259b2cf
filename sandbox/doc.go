// Package sandbox proves that a framework module works inside a minimal
// copy of its application, without touching the real workspace (SPEC §5).
// It is what `modls sandbox` and the language server's "run integration"
// code lens call; it knows nothing of LSP.
//
// # What a run does
//
// Run takes a target module and:
//
//  1. computes the module set (ModuleSet): the target and its declared
//     dependencies, transitively, from the workspace model's manifests.
//     The core modules are the framework's own and always present; every
//     other module, heavy or not, is left out. A missing or cyclic
//     dependency is an error naming the chain.
//  2. copies into a fresh directory $TMPDIR/modls-sandbox-*/src the Go
//     module's go.mod (with the directories of replace directives inside
//     the Go module) and go.sum,
//     the directory tree of each module of the set, and every other package
//     of the Go module they import, directly or not (the framework, when it
//     lives in the same Go module; otherwise it comes from the module cache
//     through go.mod), with the files those packages embed. Paths mirror the
//     real layout so import paths do not change. Options.Overlay (an
//     editor's unsaved buffers) replaces or adds files in the copy.
//  3. writes a harness (package harness, embedded, which imports no
//     module code) and a generated main package that constructs the set
//     the way the application's main does (audit.New()) and hands it to
//     harness.Main, and builds it with go build -trimpath
//     -ldflags='-s -w' (no symbol table or DWARF: a stack trace needs
//     neither), in parallel with the test binaries of the target's
//     integration tests (go test -c -vet=off: vet is modls check's).
//     A binary whose inputs are those of one built before (the files of
//     the copy but the tests for the harness, and its package's tests
//     for a test binary; the same toolchain and arguments) is reused from
//     sandbox-bin beside the modls cache ($MODLS_CACHE; off keeps none).
//  4. runs the harness, confined (see Isolation). It boots the framework
//     with only the set on a SQLite file in the sandbox's data directory
//     and runs the checks: module loads,
//     services register, dependencies resolve, settings load with defaults,
//     GET <path> for every GET endpoint without path parameters (200, and
//     a body that decodes strictly as the route's response model), the
//     integrity session round-trip (the module's own sessions so far must
//     not have been rolled back for a broken foreign key or a panic; rows
//     synthesized for each of its tables are written, read back and rolled
//     back, an empty session commits, and the integrity log records both),
//     errors map to HTTP statuses (every error code the module's source
//     passes to framework.Errorf, and an unknown route under its mount),
//     and module stops (Stop, the database closed, no process left).
//  5. runs the target's integration tests.
//
// Each check is a Check with its status, duration, message and, for a
// failure, the file and line concerned (the route's declaration, the
// session's call, the os.Exit call, the frame where a Start hangs, the
// failing t.Error line). The harness reports checks as JSON lines on file
// descriptor 3 — not stdout, which module code may print to — so that
// progress sees each check as it finishes (see Results). A harness that dies (os.Exit in
// a handler, a panic in a goroutine) or passes the time limit still yields
// a failed check naming what was running ("the harness exited with status
// 3 while GET /api/v1/x/boom was running").
//
// # Integration tests
//
// A module's integration tests are the Test functions of its _test.go files
// (in its directory or a sub-package) whose build constraint needs the
// integration tag:
//
//	//go:build integration
//
// go test does not run them by default; the sandbox builds them with
// -tags integration and runs exactly those functions (-test.run), one check
// per test ("test TestX", "test TestX (sub)" for a sub-package), after the
// harness checks, each reported as the test binary reports its end. They
// run in the copy, with the same isolation as the harness. A failure points
// at the file and line of the real workspace: the test's first message
// (t.Error, t.Fatal), or, for a panic, the frame of module code where it
// happened; a test still running at the time limit points where it is
// blocked. Tests that a panic or the time limit kept from running are
// reported as skipped ("not run").
//
// # Threat model
//
// Module code, and everything it imports, is untrusted with respect to
// the host: the sandbox assumes it may be written to escape. From its
// first instruction (package initialisation included) module code, the
// harness that imports it and the module's test binaries:
//
//   - write only the sandbox's data directory (the database, $HOME and
//     $TMPDIR): not the copy, not the harness or the test binaries, not
//     the build cache, not the real workspace, nothing else modls relies
//     on;
//   - read only the copy, their data directory and the system's programs
//     and libraries (confine.SystemPaths: /usr, /lib, a few files of
//     /etc): not $HOME, other projects, /etc/shadow, nor /proc of any
//     process outside the run;
//   - reach no network but the loopback of their own network namespace,
//     unless Options.Network (modls sandbox --network) gives them the
//     host's; the result records it;
//   - signal, trace and change the metadata of nothing outside the run;
//   - do not outlive the run: the supervisor is the init of the run's pid
//     namespace, and when it ends the kernel ends every process in it,
//     one that left its session and changes pid every few milliseconds
//     included;
//   - stay within a memory, a process, a disk and an output limit
//     (Options.Limits, each with a default and a flag); a run that hits
//     one fails a check naming it ("memory stays within the limit", ...);
//   - cannot pass a check by writing its result: see "Results" below.
//
// # Isolation
//
// Confinement is applied by a launcher (internal/confine) before the
// harness or a test binary is exec'd, and inherited across exec, so no
// module code ever runs unconfined. The layers, strongest first: user,
// mount, pid, network and IPC namespaces (unprivileged where the kernel
// allows; as root, module code runs as nobody); a read-only view of the
// system with the copy and the binaries read-only and the data directory
// a tmpfs of Limits.Disk bytes; Landlock (reads, writes, TCP where no
// network namespace holds, signal and abstract unix socket scoping);
// no_new_privs; no capabilities; seccomp (no ptrace, keyrings, mounts,
// namespaces, BPF, io_uring; where no mount namespace holds, no chmod,
// chown, xattrs or utimes); rlimits; a cgroup v2 (memory.max, pids.max)
// where the caller's cgroup delegates the controllers. A layer the
// machine lacks is reported, with why, in Result.Isolation, and the
// others still hold; Options.Strict refuses to run module code then (the
// check "sandbox isolation" fails). Without a mount namespace or
// Landlock, which would stop every write outside the sandbox, the runner
// compares the real workspace before and after each run of module code
// and reports a change as "writes stay inside the sandbox".
//
// Module code sees only PATH, LANG, LC_ALL, LC_CTYPE and TZ of the user's
// environment, with HOME and TMPDIR in its data directory. The builds
// (which compile module code but run none) add the user's GOROOT,
// GOPATH, GOCACHE, GOMODCACHE and GOFLAGS, GOPROXY=off, GOTOOLCHAIN=local,
// GOWORK=off and CGO_ENABLED=0, and use the user's build cache, which
// module code cannot write. A file of module code that imports "C" (which
// CGO_ENABLED=0 would leave out without a word) and a replace directive
// of go.mod naming a directory outside the Go module (whose code would be
// compiled, and its package initialisation run, from outside the copy)
// fail "module builds" instead; a replace directory inside the Go module
// is copied with it.
//
// # Results
//
// The harness reports checks as JSON lines on descriptor 3, which the
// supervisor relays; the runner's own pipe stays with the supervisor,
// which module code cannot reach (it is not dumpable, not traceable,
// outside the run's Landlock domain, and the init of its pid namespace).
// The runner accepts each check once, only after the harness has begun
// it, and only a check the harness can make; anything else on the
// channel fails "results are genuine", and the same holds for each
// test's end in a test binary's output. What the supervisor reports
// itself (the isolation report, the exit status, the processes left, the
// limits hit) and what the runner checks itself (the build, the time
// limit, the output limit, the workspace comparison) cannot be forged.
//
// What remains possible: module code shares the harness's process (and a
// test's binary), so it can make the checks made in that process say
// what it wants: it can impersonate the harness from its package
// initialisation on (write the whole protocol on descriptor 3 and end
// the process before the harness's main runs), or patch the harness's
// state in memory. It cannot make a check pass twice, report a check the
// harness does not make, or change anything the supervisor or the runner
// decides. A module that does this is hostile on purpose; the sandbox
// keeps the host safe from it, not its own result honest.
//
// # Cleanup
//
// Every process of a run is in the run's pid namespace and ends with its
// supervisor: at the end of each run of module code, at the time limit
// (after SIGQUIT, so that the stack of a hanging Start is reported), when
// ctx is done (SIGINT in the command), and when modls itself dies (the
// supervisor hears its control pipe close). Processes a test leaves
// behind are reported ("integration tests leave no processes") and
// killed; those a module leaves after Stop fail "module stops".
//
// A sandbox directory is named $TMPDIR/modls-sandbox-* and holds a file
// "owner" with the pid and start time of the process that made it. The
// directory and every process whose environment carries its marker
// (MODLS_SANDBOX=<dir>) or whose working directory is inside it are removed
// when Run returns, on success, failure, time-out or cancellation. At the
// start of each run, sandboxes whose owner is gone (a run that was killed)
// are swept the same way. Options.Keep leaves the directory for debugging
// (Result.Dir): the copy and the binaries, not the data directory, which
// was a tmpfs of the run's mount namespace; the next run sweeps it.
package sandbox
