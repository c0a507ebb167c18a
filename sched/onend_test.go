package sched_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// endRecorder counts the OnEnd calls of tasks and keeps their results.
type endRecorder struct {
	mu      sync.Mutex
	calls   map[*sched.Task]int
	results map[*sched.Task]sched.Result
}

func newEndRecorder() *endRecorder {
	return &endRecorder{calls: map[*sched.Task]int{}, results: map[*sched.Task]sched.Result{}}
}

// task returns a task whose OnEnd is recorded.
func (e *endRecorder) task(fn, payload string) *sched.Task {
	t := &sched.Task{Func: fn, Payload: []byte(payload)}
	t.OnEnd = func(r sched.Result) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.calls[t]++
		e.results[t] = r
	}
	return t
}

// check fails the test unless t ended exactly once, in state want.
func (e *endRecorder) check(t *testing.T, name string, task *sched.Task, want sched.TaskState) sched.Result {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.results[task]
	if n := e.calls[task]; n != 1 {
		t.Errorf("%s: OnEnd called %d times, want once", name, n)
		return r
	}
	if r.State != want || task.State() != want {
		t.Errorf("%s: ended %s (task says %s), want %s; Err = %v", name, r.State, task.State(), want, r.Err)
	}
	if (r.Err == nil) != (want == sched.StateSucceeded) {
		t.Errorf("%s: state %s with Err = %v", name, r.State, r.Err)
	}
	if r.Queued.IsZero() || r.Finished.IsZero() {
		t.Errorf("%s: times %v, %v", name, r.Queued, r.Finished)
	}
	return r
}

func TestOnEndOnceForEveryOutcome(t *testing.T) {
	e := newEndRecorder()
	s := sched.New(sched.Options{Jobs: 1, StopKillTimeout: 10 * time.Second})
	ok := e.task("test.echo", "x")
	failed := e.task("test.fail", "boom")
	crash := e.task("test.suicide", "")
	running := e.task("test.waitdone", "")
	queuedCanceled := e.task("test.echo", "never")
	running.OnStart = func(*sched.SchedulerContext) {
		s.AddTask(queuedCanceled)
		if !s.Cancel(queuedCanceled) {
			t.Error("Cancel of a queued task returned false")
		}
		if !s.Cancel(running) {
			t.Error("Cancel of a running task returned false")
		}
	}
	for _, task := range []*sched.Task{ok, failed, crash, running} {
		s.AddTask(task)
	}
	run(t, s)
	if r := e.check(t, "success", ok, sched.StateSucceeded); string(r.Value) != "x" || r.Started.IsZero() {
		t.Errorf("success: value %q, started %v", r.Value, r.Started)
	}
	e.check(t, "failure", failed, sched.StateFailed)
	if r := e.check(t, "worker crash", crash, sched.StateFailed); r.Err != nil {
		var we *sched.WorkerExitError
		if !errors.As(r.Err, &we) {
			t.Errorf("worker crash: Err = %v, want a *WorkerExitError", r.Err)
		}
	}
	for name, task := range map[string]*sched.Task{"cancel running": running, "cancel queued": queuedCanceled} {
		if r := e.check(t, name, task, sched.StateCanceled); !errors.Is(r.Err, sched.ErrCanceled) {
			t.Errorf("%s: Err = %v, want ErrCanceled", name, r.Err)
		}
	}
}

func TestOnEndOnceOnClearAndStop(t *testing.T) {
	e := newEndRecorder()
	s := sched.New(sched.Options{Jobs: 1, StopKillTimeout: 10 * time.Second})
	running := e.task("test.waitdone", "")
	waiting := e.task("test.echo", "later")
	cleared := e.task("test.echo", "cleared")
	s.AddTask(running)
	s.AddTask(cleared)
	running.OnStart = func(*sched.SchedulerContext) {
		// OnEnd of a dropped task runs on the caller's goroutine, once
		// the lock is released: it may call the scheduler.
		cleared.OnEnd = func(r sched.Result) {
			_ = s.Queued()
			e.mu.Lock()
			e.calls[cleared]++
			e.results[cleared] = r
			e.mu.Unlock()
		}
		s.Clear()
		s.AddTask(waiting)
		s.Stop()
	}
	run(t, s)
	if r := e.check(t, "clear", cleared, sched.StateDropped); !errors.Is(r.Err, sched.ErrDropped) {
		t.Errorf("clear: Err = %v, want ErrDropped", r.Err)
	}
	// Stop closed the running task's Done: it returned a value.
	if r := e.check(t, "stop", running, sched.StateSucceeded); string(r.Value) != "stopped by SIGTERM" {
		t.Errorf("stop: value %q", r.Value)
	}
	e.mu.Lock()
	n := e.calls[waiting]
	e.mu.Unlock()
	if n != 0 || waiting.State() != sched.StateQueued {
		t.Errorf("a task queued when Run stopped: OnEnd called %d times, state %s; want 0 and queued", n, waiting.State())
	}
	run(t, s)
	e.check(t, "queued through Stop, next Run", waiting, sched.StateSucceeded)
}
