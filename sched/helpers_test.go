package sched_test

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/internal/proctest"
)

// eventually, groupMembers and groupGone are proctest's, named as the
// tests use them.
func eventually(timeout time.Duration, cond func() bool) bool {
	return proctest.Eventually(timeout, cond)
}

func groupMembers(t testing.TB, pgid int, except ...int) []int {
	t.Helper()
	return proctest.GroupMembers(t, pgid, except...)
}

func groupGone(t testing.TB, pgid int, except ...int) {
	t.Helper()
	proctest.GroupGone(t, pgid, except...)
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
