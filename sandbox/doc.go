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
//     module's go.mod (local replace directories made absolute) and go.sum,
//     the directory tree of each module of the set, and every other package
//     of the Go module they import, directly or not (the framework, when it
//     lives in the same Go module; otherwise it comes from the module cache
//     through go.mod), with the files those packages embed. Paths mirror the
//     real layout so import paths do not change. Options.Overlay (an
//     editor's unsaved buffers) replaces or adds files in the copy.
//  3. writes a harness (package harness, embedded) and a generated
//     modules.go that constructs the set the way the application's main
//     does (audit.New()), and builds it with go build -trimpath, in
//     parallel with the test binaries of the target's integration tests.
//  4. runs the harness. It boots the framework with only the set on a
//     SQLite file in the sandbox and runs the checks: module loads,
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
// progress sees each check as it finishes. A harness that dies (os.Exit in
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
// # Isolation
//
//   - Process: every process the sandbox starts is in a process group of
//     its own, killed as a group at the time limit (after SIGQUIT, so that
//     the stack of a hanging Start is reported), when ctx is done (SIGINT
//     in the command), and at the end in any case. The harness is a child
//     subreaper: processes a module or a test starts and leaves behind are
//     reparented to it, reported as a failed check and killed, even if they
//     left the process group.
//   - Environment: module code sees only PATH, LANG, LC_ALL, LC_CTYPE and
//     TZ of the user's environment, with HOME and TMPDIR inside the
//     sandbox. The builds add the user's GOROOT, GOPATH, GOCACHE,
//     GOMODCACHE and GOFLAGS (asked of go env once, so builds are warm
//     although HOME changed), GOPROXY=off (nothing is fetched),
//     GOTOOLCHAIN=local, GOWORK=off and CGO_ENABLED=0.
//   - Writes: where the kernel offers Landlock (Linux 5.13+), the harness
//     restricts itself and everything it starts, before any module code
//     runs, to writing inside the sandbox directory (and /dev/null); an
//     escaping write fails with EACCES and is reported as the check "writes
//     stay inside the sandbox". Landlock needs no privileges, applies to
//     every thread (syscall.AllThreadsSyscall, hence CGO_ENABLED=0) and is
//     inherited by child processes, where a mount namespace would need root
//     and still leave /tmp writable. Without Landlock the runner records the
//     size and time of every file of the real workspace before each run of
//     module code (the harness, each test binary) and reports any change
//     after it as a failed check. Options.NoLandlock forces that path, for
//     the sandbox's own tests.
//   - The real workspace is only read: the copy is the only thing built
//     and run.
//
// # Cleanup
//
// A sandbox directory is named $TMPDIR/modls-sandbox-* and holds a file
// "owner" with the pid and start time of the process that made it. The
// directory and every process whose environment carries its marker
// (MODLS_SANDBOX=<dir>) or whose working directory is inside it are removed
// when Run returns, on success, failure, time-out or cancellation. At the
// start of each run, sandboxes whose owner is gone (a run that was killed)
// are swept the same way. Options.Keep leaves the directory for debugging
// (Result.Dir); the next run sweeps it.
package sandbox
