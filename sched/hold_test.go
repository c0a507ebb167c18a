package sched_test

import (
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

func TestHoldKeepsRunAndWorkers(t *testing.T) {
	// A held Run has nothing to do between two tasks added from another
	// goroutine: it must not return, and the second task must reuse the
	// first one's worker. Once released, Run returns.
	s := sched.New(sched.Options{Jobs: 1})
	release := s.Hold()
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	pids := make(chan int, 2)
	add := func() {
		s.AddTask(&sched.Task{Func: "test.echo", Payload: []byte("x"), OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("task: %v", r.Err)
			}
			pids <- r.Worker
		}})
	}
	add()
	first := <-pids
	// Run is idle now; a timer posted from here runs on Run's goroutine
	// and adds the next task.
	s.OnDelay(0, add)
	if second := <-pids; second != first {
		t.Errorf("second task ran in worker %d, want the first one's (%d): the worker did not stay up", second, first)
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned while held: %v", err)
	default:
	}
	release()
	release() // harmless
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Run did not return after release")
	}
}
