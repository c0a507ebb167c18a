package sched_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// TestPrestart: the workers started before Run serve its tasks (no other
// worker is started), and Discard ends workers no Run adopted, their
// process groups included.
func TestPrestart(t *testing.T) {
	var rec recorder
	s := sched.New(sched.Options{Jobs: 2, OnEvent: rec.record})
	s.Prestart(2)
	if !eventually(20*time.Second, func() bool { return s.ProcessCount() == 0 }) {
		t.Fatal("prestarted workers count as live before Run")
	}
	pids := map[int]bool{}
	for range 6 {
		s.AddTask(&sched.Task{Func: "test.pid", OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("task: %v", r.Err)
			}
			pids[r.Worker] = true
		}})
	}
	run(t, s)
	started := len(rec.of(sched.EventWorkerStarted))
	if started != 2 || len(pids) > 2 {
		t.Errorf("%d workers started and %d served tasks, want the 2 prestarted ones", started, len(pids))
	}

	d := sched.New(sched.Options{Jobs: 1})
	d.Prestart(1)
	d.Discard()
	d.Discard() // harmless twice
	// A discarded scheduler still runs tasks, in workers of its own.
	d.AddTask(&sched.Task{Func: "test.pid", OnEnd: func(r sched.Result) {
		if r.Err != nil {
			t.Errorf("task after Discard: %v", r.Err)
		}
	}})
	run(t, d)
}

// TestPrestartDiscardLeavesNothing: a discarded worker process is gone
// (and reaped) when Discard returns.
func TestPrestartDiscardLeavesNothing(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	s.Prestart(2)
	if !eventually(20*time.Second, func() bool { return len(workerChildren(t)) == 2 }) {
		t.Fatalf("prestarted workers: %v, want 2", workerChildren(t))
	}
	s.Discard()
	if left := workerChildren(t); len(left) != 0 {
		t.Errorf("worker processes left after Discard: %v", left)
	}
}

// workerChildren lists the worker processes this test process started and
// has not reaped (zombies included).
func workerChildren(t *testing.T) []int {
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
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !strings.Contains(string(cmd), "-gobuildj.sched.worker") {
			continue
		}
		f := strings.Fields(string(stat)[strings.LastIndexByte(string(stat), ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			pids = append(pids, pid)
		}
	}
	return pids
}
