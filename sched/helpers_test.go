package sched_test

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
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

func pidOf(t testing.TB, value []byte) (pid, pgid int) {
	t.Helper()
	f := strings.Fields(string(value))
	if len(f) != 2 {
		t.Fatalf("bad pid answer %q", value)
	}
	pid, _ = strconv.Atoi(f[0])
	pgid, _ = strconv.Atoi(f[1])
	return pid, pgid
}

// recorder keeps the events a scheduler tells its Options.OnEvent.
type recorder struct {
	mu     sync.Mutex
	events []sched.Event
}

// record is the scheduler's Options.OnEvent.
func (r *recorder) record(e sched.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// all returns the events so far.
func (r *recorder) all() []sched.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sched.Event(nil), r.events...)
}

// of returns the events of kind so far.
func (r *recorder) of(kind sched.EventKind) []sched.Event {
	var out []sched.Event
	for _, e := range r.all() {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// live returns the pids of the workers started and not exited so far.
func (r *recorder) live() []int {
	var pids []int
	for _, e := range r.all() {
		switch e.Kind {
		case sched.EventWorkerStarted:
			pids = append(pids, e.Pid)
		case sched.EventWorkerExited:
			pids = slices.DeleteFunc(pids, func(p int) bool { return p == e.Pid })
		}
	}
	return pids
}
