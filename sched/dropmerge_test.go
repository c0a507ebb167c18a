package sched_test

import (
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// within fails the test if fn does not return within a generous delay: a
// scheduler method that blocks forever on its lock.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return: the scheduler is deadlocked", what)
	}
}

// A dropbox merge that returns nil keeps the queued task; one that panics
// leaves the scheduler usable; one that calls the scheduler does not
// deadlock.
func TestDropMergeNilPanicAndReentry(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	task := func(p string) *sched.Task {
		return &sched.Task{Func: "test.echo", Key: "k", Payload: []byte(p)}
	}
	first := task("first")
	s.Drop(first, nil)

	second := task("second")
	within(t, "Drop with a merge returning nil", func() {
		if !s.Drop(second, func(q, l *sched.Task) *sched.Task { return nil }) {
			t.Error("Drop into a queued task of the same key reported no merge")
		}
	})
	within(t, "Queued after a merge returned nil", func() {
		if n := s.Queued(); n != 1 {
			t.Errorf("Queued() = %d, want 1", n)
		}
	})
	if second.State() != sched.StateDropped || first.State() != sched.StateQueued {
		t.Errorf("after a nil merge: first %s, second %s; want queued and dropped", first.State(), second.State())
	}

	within(t, "Drop with a panicking merge", func() {
		defer func() {
			if recover() == nil {
				t.Error("the merge's panic did not reach the caller of Drop")
			}
		}()
		s.Drop(task("third"), func(q, l *sched.Task) *sched.Task { panic("merge failed") })
	})
	within(t, "Queued after a merge panicked", func() { _ = s.Queued() })

	within(t, "Drop with a merge that calls the scheduler", func() {
		s.Drop(task("fourth"), func(q, l *sched.Task) *sched.Task {
			_ = s.Queued()
			return l
		})
	})
	within(t, "Run", func() { run(t, s) })
	if first.State() != sched.StateDropped {
		t.Errorf("the queued task replaced by a merge is %s, want dropped", first.State())
	}
}
