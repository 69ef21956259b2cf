//go:build unix

// Package proctest ends what a test started: a program and everything it
// started in turn, which a program such as an editor does not always
// take down itself.
package proctest

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// EndGroup kills process group pgid and waits until no live process of
// it remains, so that none outlives the test or writes in its
// directories after they are removed.
func EndGroup(t testing.TB, pgid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		syscall.Kill(-pgid, syscall.SIGKILL)
		live := LiveInGroup(pgid)
		if len(live) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes of group %d still running: %v", pgid, live)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// LiveInGroup lists the processes of group pgid that have not exited.
func LiveInGroup(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 2 && f[0] != "Z" && f[2] == strconv.Itoa(pgid) {
			out = append(out, pid)
		}
	}
	return out
}
