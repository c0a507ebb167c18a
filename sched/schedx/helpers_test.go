package schedx_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// eventually polls cond until it holds or timeout passes. Timeouts are
// generous: the test machine may be slow and busy.
func eventually(timeout time.Duration, cond func() bool) bool {
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

// groupMembers returns the live processes (zombies excluded: they hold no
// resources and wait for a reaper) of process group pgid, except those in
// except.
func groupMembers(t testing.TB, pgid int, except ...int) []int {
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

// groupGone waits until group pgid has no live process besides except.
func groupGone(t testing.TB, pgid int, except ...int) {
	t.Helper()
	if !eventually(20*time.Second, func() bool { return len(groupMembers(t, pgid, except...)) == 0 }) {
		t.Errorf("process group %d still has processes %v", pgid, groupMembers(t, pgid, except...))
	}
}

// run runs s and fails the test if Run fails or does not return.
func run(t *testing.T, s *sched.Scheduler) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Run did not return")
	}
}
