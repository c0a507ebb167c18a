// Package proctest holds what the tests of sched and sched/schedx ask of
// processes: the live members of a process group, and waiting until a
// condition holds or a group is gone.
package proctest

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Eventually polls cond until it holds or timeout passes, and reports
// whether it held. Timeouts are meant to be generous: the test machine may
// be slow and busy.
func Eventually(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); ; {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// GroupMembers returns the live processes (zombies excluded: they hold no
// resources and wait for a reaper) of process group pgid, except those in
// except.
func GroupMembers(t testing.TB, pgid int, except ...int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) state ppid pgrp ...": comm may hold spaces and parens.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g != pgid {
			continue
		}
		skip := false
		for _, x := range except {
			skip = skip || x == pid
		}
		if !skip {
			pids = append(pids, pid)
		}
	}
	return pids
}

// GroupGone waits until group pgid has no live process besides except, and
// fails t if it still has some after 20 seconds.
func GroupGone(t testing.TB, pgid int, except ...int) {
	t.Helper()
	if !Eventually(20*time.Second, func() bool { return len(GroupMembers(t, pgid, except...)) == 0 }) {
		t.Errorf("process group %d still has processes %v", pgid, GroupMembers(t, pgid, except...))
	}
}
