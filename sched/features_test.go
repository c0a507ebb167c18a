package sched_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

func TestIdleWorkerMessageAndTimerCancel(t *testing.T) {
	// A task leaves a goroutine that writes after the task returned: the
	// message reaches Options.OnMessage. A long timer keeps Run alive until
	// then, and is canceled by the handler.
	var timer *sched.Timer
	var got []string
	var worker int
	s := sched.New(sched.Options{Jobs: 1, OnMessage: func(pid int, msg []byte) {
		got = append(got, string(msg))
		if pid != worker {
			t.Errorf("message from pid %d, the worker was %d", pid, worker)
		}
		if !timer.Cancel() {
			t.Error("Cancel of a pending timer returned false")
		}
	}})
	timer = s.OnDelay(time.Hour, func() { t.Error("a canceled timer fired") })
	s.AddTask(&sched.Task{Func: "test.later", Payload: []byte("200ms"), OnEnd: func(r sched.Result) {
		if r.Err != nil || string(r.Value) != "returned" {
			t.Errorf("result %q, %v", r.Value, r.Err)
		}
		worker = r.Worker
	}})
	run(t, s) // fails if the canceled hour-long timer kept Run alive
	if len(got) != 1 || got[0] != fmt.Sprintf("late from %d", worker) {
		t.Errorf("idle messages %q, want one from worker %d", got, worker)
	}
	if !timer.Cancel() {
		t.Error("a second Cancel returned false")
	}
}

func TestTimersKeepRunAlive(t *testing.T) {
	// A timer set before Run, with nothing queued, keeps Run alive; its
	// function adds a task, whose OnEnd sets another timer.
	s := sched.New(sched.Options{Jobs: 1})
	var steps []string
	var late *sched.Timer
	s.OnDelay(50*time.Millisecond, func() {
		steps = append(steps, "timer 1")
		s.AddTask(&sched.Task{Func: "test.echo", Payload: []byte("task"), OnEnd: func(r sched.Result) {
			steps = append(steps, string(r.Value))
			late = s.OnDelay(20*time.Millisecond, func() { steps = append(steps, "timer 2") })
		}})
	})
	run(t, s)
	if want := []string{"timer 1", "task", "timer 2"}; !slices.Equal(steps, want) {
		t.Errorf("steps %q, want %q", steps, want)
	}
	if late.Cancel() {
		t.Error("Cancel of a timer that fired returned true")
	}
	// Run returns at once when nothing is queued and no timer is active.
	run(t, s)
}

func TestTimerDueWithoutRun(t *testing.T) {
	s := sched.New(sched.Options{})
	called := 0
	s.OnDelay(0, func() { called++ })
	time.Sleep(50 * time.Millisecond) // due before Run
	if called != 0 {
		t.Fatal("a timer ran outside Run")
	}
	run(t, s)
	if called != 1 {
		t.Errorf("timer called %d times, want 1", called)
	}
}

func TestRequestRefusedAndAbandoned(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	var noHandler, failed, abandoned string
	s.AddTask(&sched.Task{Func: "test.rawrequest", Payload: []byte("x"), OnEnd: func(r sched.Result) { noHandler = string(r.Value) }})
	s.AddTask(&sched.Task{Func: "test.rawrequest", Payload: []byte("y"),
		OnRequest: func(_ *sched.SchedulerContext, req *sched.Request) {
			req.Fail(errors.New("no " + string(req.Body) + " here"))
			if err := req.Reply(nil); err == nil {
				t.Error("a second answer was accepted")
			}
		},
		OnEnd: func(r sched.Result) { failed = string(r.Value) }})
	// Never answered: TermTimeout closes Done, which ends the wait.
	s.AddTask(&sched.Task{Func: "test.rawrequest", Payload: []byte("z"), TermTimeout: 300 * time.Millisecond,
		OnRequest: func(*sched.SchedulerContext, *sched.Request) {},
		OnEnd:     func(r sched.Result) { abandoned = string(r.Value) }})
	run(t, s)
	if !strings.Contains(noHandler, "neither Task.OnRequest nor Options.OnRequest") {
		t.Errorf("without a handler: %q", noHandler)
	}
	if failed != "error: sched: request refused: no y here" {
		t.Errorf("failed request: %q", failed)
	}
	if abandoned != "error: sched: request abandoned: the task was sent SIGTERM" {
		t.Errorf("abandoned request: %q", abandoned)
	}
}

func TestCancelQueuedAndRunning(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	running := &sched.Task{Func: "test.waitdone"}
	queued := &sched.Task{Func: "test.echo"}
	var runErr, queuedErr error
	running.OnStart = func(*sched.SchedulerContext) {
		if !s.Cancel(queued) || !s.Cancel(running) {
			t.Error("Cancel returned false for a live task")
		}
	}
	running.OnEnd = func(r sched.Result) { runErr = r.Err }
	queued.OnEnd = func(r sched.Result) { queuedErr = r.Err }
	s.AddTask(running)
	s.AddTask(queued)
	run(t, s)
	if !errors.Is(queuedErr, sched.ErrCanceled) || queued.State() != sched.StateCanceled {
		t.Errorf("queued task: %v, %s", queuedErr, queued.State())
	}
	// The running task was sent SIGTERM: it returned normally, but the
	// outcome is a cancellation.
	if !errors.Is(runErr, sched.ErrCanceled) || running.State() != sched.StateCanceled {
		t.Errorf("running task: %v, %s", runErr, running.State())
	}
	if s.Cancel(running) {
		t.Error("Cancel of a finished task returned true")
	}
}

func TestHooksOrder(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	var calls []string
	hooks := func(name, fn string) *sched.Task {
		return &sched.Task{Func: fn, Payload: []byte(name),
			OnEnd: func(r sched.Result) { calls = append(calls, name+" "+r.State.String()) },
		}
	}
	s.AddTask(hooks("ok", "test.echo"))
	s.AddTask(hooks("bad", "test.fail"))
	run(t, s)
	dropped := hooks("dropped", "test.echo")
	s.AddTask(dropped)
	s.Clear()
	want := []string{"ok succeeded", "bad failed", "dropped dropped"}
	if !slices.Equal(calls, want) {
		t.Errorf("hooks %q, want %q", calls, want)
	}
	if dropped.State() != sched.StateDropped {
		t.Errorf("a cleared task is %s", dropped.State())
	}
}

func TestTaskStates(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	task := &sched.Task{Func: "test.echo"}
	fail := &sched.Task{Func: "test.fail"}
	if task.State() != sched.StateNew || task.State().String() != "new" {
		t.Errorf("before AddTask: %s", task.State())
	}
	var inStart sched.TaskState
	task.OnStart = func(*sched.SchedulerContext) { inStart = task.State() }
	s.AddTask(task)
	s.AddTask(fail)
	if task.State() != sched.StateQueued {
		t.Errorf("after AddTask: %s", task.State())
	}
	run(t, s)
	if inStart != sched.StateRunning || task.State() != sched.StateSucceeded || fail.State() != sched.StateFailed {
		t.Errorf("states: in OnStart %s, then %s and %s", inStart, task.State(), fail.State())
	}
	if !task.State().Final() || sched.StateRunning.Final() {
		t.Error("Final is wrong")
	}
}

func TestKillWorkersAndProcessCount(t *testing.T) {
	const jobs = 3
	var exits []string
	s := sched.New(sched.Options{Jobs: jobs, OnUnexpectedWorkerExit: func(pid int, status string) {
		exits = append(exits, status)
	}})
	var errs []error
	started := 0
	for range jobs {
		s.AddTask(&sched.Task{Func: "test.sh", Payload: []byte("sleep 300"),
			OnMessage: func(*sched.SchedulerContext, []byte) {
				started++
				if started == jobs {
					if n := s.ProcessCount(); n != jobs {
						t.Errorf("ProcessCount() = %d, want %d", n, jobs)
					}
					if n := s.KillWorkers(syscall.SIGKILL); n != jobs {
						t.Errorf("KillWorkers signalled %d workers, want %d", n, jobs)
					}
				}
			},
			OnEnd: func(r sched.Result) { errs = append(errs, r.Err) }})
	}
	run(t, s)
	if len(errs) != jobs {
		t.Fatalf("%d tasks finished", len(errs))
	}
	for _, err := range errs {
		if err == nil || err.Error() != "worker was killed by SIGKILL" {
			t.Errorf("task error %v", err)
		}
	}
	if s.ProcessCount() != 0 {
		t.Errorf("ProcessCount() = %d after Run", s.ProcessCount())
	}
	if len(exits) != 0 {
		t.Errorf("unexpected exits reported: %q", exits)
	}
}

func TestOnWorkerKillTimeout(t *testing.T) {
	// A stopped worker cannot see that it was told to exit: after
	// WorkerKillTimeout it gets SIGKILL, and the hook is called.
	called := 0
	s := sched.New(sched.Options{Jobs: 1, WorkerKillTimeout: 200 * time.Millisecond, OnWorkerKillTimeout: func() { called++ }})
	s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(r sched.Result) {
		if err := syscall.Kill(r.Worker, syscall.SIGSTOP); err != nil {
			t.Error(err)
		}
		// The signal is delivered asynchronously: wait until the worker
		// is stopped, or it may still read its EOF and exit on its own.
		waitStopped(t, r.Worker)
	}})
	run(t, s)
	if called != 1 {
		t.Errorf("OnWorkerKillTimeout called %d times, want 1", called)
	}
	if s.ProcessCount() != 0 {
		t.Errorf("ProcessCount() = %d", s.ProcessCount())
	}
}

// waitStopped waits until process pid is in the stopped state.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'T' {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d did not stop", pid)
}
