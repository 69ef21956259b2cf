package confine

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
)

// The launcher is this program itself, started again through
// /proc/self/exe under one of these names (its argv[0]): any program that
// imports the package is a launcher, and nothing has to be installed
// beside it. The names select the stage.
const (
	// argvSupervisor is the supervisor: it builds the namespaces' view,
	// starts the command through argvRestrict, relays its channel,
	// watches its limits, and ends every process of the run.
	argvSupervisor = "modls-confine"
	// argvRestrict applies the restrictions that a process can only apply
	// to itself (rlimits, no_new_privs, Landlock, seccomp), then execs the
	// command, which inherits them.
	argvRestrict = "modls-confine-exec"
	// argvRunAs starts the supervisor as Policy.RunAs.
	argvRunAs = "modls-confine-as"
)

// The stages run before main, from this package's initialisation, so that
// nothing else of the program runs in them.
func init() {
	if len(os.Args) != 2 {
		return
	}
	switch os.Args[0] {
	case argvSupervisor:
		os.Exit(supervise(os.Args[1]))
	case argvRestrict:
		// Everything is applied to this thread and inherited by the
		// exec from it: no other thread may take over.
		runtime.LockOSThread()
		os.Exit(restrictAndExec(os.Args[1]))
	case argvRunAs:
		os.Exit(runAs(os.Args[1]))
	}
}

// runAs is the launcher started as Policy.RunAs: it starts the supervisor
// as a program running as that user would, and waits for it.
func runAs(arg string) int {
	events, ctl := os.NewFile(3, "events"), os.NewFile(4, "control")
	var sp spec
	if err := json.Unmarshal([]byte(arg), &sp); err != nil {
		fmt.Fprintln(os.Stderr, "modls confine:", err)
		return 126
	}
	cmd, cg, err := startSupervisor(&sp, os.Stdout, os.Stderr, events, ctl)
	if err != nil {
		json.NewEncoder(events).Encode(message{Exit: &Exit{Code: -1, Error: err.Error()}})
		return 126
	}
	events.Close()
	ctl.Close()
	err = cmd.Wait()
	if cg != nil {
		cg.remove()
	}
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "modls confine:", err)
		return 126
	}
	return cmd.ProcessState.ExitCode()
}
