package sched_test

import (
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// workerExits returns the details of the worker exits rec saw.
func workerExits(rec *recorder) []string {
	var out []string
	for _, e := range rec.of(sched.EventWorkerExited) {
		out = append(out, e.Detail)
	}
	return out
}

// A worker that the scheduler ends (idle timeout, end of Run) exits with
// code 0, and its task's leftovers die with it.
func TestNormalWorkerExitIsNotAKill(t *testing.T) {
	var rec recorder
	s := sched.New(sched.Options{Jobs: 1, WorkerIdleTimeout: 100 * time.Millisecond, OnEvent: rec.record})
	release := s.Hold()
	var leftover int
	s.AddTask(&sched.Task{
		Func:    "test.sh",
		Payload: []byte("sleep 300 & echo started"),
		OnEnd: func(r sched.Result) {
			leftover = r.Worker
			if r.Err != nil {
				t.Errorf("task: %v", r.Err)
			}
		},
	})
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	if !eventually(20*time.Second, func() bool { return len(workerExits(&rec)) == 1 }) {
		t.Fatalf("the idle worker did not exit; events %v", rec.all())
	}
	groupGone(t, leftover)
	// A second worker, ended by the end of Run.
	s.AddTask(&sched.Task{Func: "test.echo"})
	time.Sleep(20 * time.Millisecond)
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	exits := workerExits(&rec)
	if len(exits) != 2 {
		t.Fatalf("worker exits %q, want 2", exits)
	}
	for _, e := range exits {
		if e != "exited with code 0" {
			t.Errorf("a worker the scheduler ended %s, want exited with code 0", e)
		}
	}
}
