package sched_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

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

func TestParallelUpToJobs(t *testing.T) {
	const jobs, tasks = 3, 8
	dir := t.TempDir()
	s := sched.New(sched.Options{Jobs: jobs})
	type span struct{ start, end int64 }
	var spans []span
	pids := map[int]bool{}
	maxRunning := 0
	for range tasks {
		s.AddTask(&sched.Task{
			Func:    "test.span",
			Payload: []byte(dir + " " + strconv.Itoa(jobs)),
			OnStart: func(*sched.SchedulerContext) { maxRunning = max(maxRunning, s.Running()) },
			OnEnd: func(r sched.Result) {
				if r.Err != nil {
					t.Errorf("task failed: %v", r.Err)
					return
				}
				var sp span
				fmt.Sscan(string(r.Value), &sp.start, &sp.end)
				spans = append(spans, sp)
				pids[r.Worker] = true
			},
		})
	}
	if got := s.Queued(); got != tasks {
		t.Errorf("Queued() = %d before Run, want %d", got, tasks)
	}
	run(t, s)
	if len(spans) != tasks {
		t.Fatalf("%d tasks finished, want %d", len(spans), tasks)
	}
	// The spans were measured in the workers: at most jobs may overlap,
	// and the barrier makes the first jobs ones overlap.
	overlap := 0
	for _, a := range spans {
		n := 0
		for _, b := range spans {
			if b.start <= a.start && a.start < b.end {
				n++
			}
		}
		overlap = max(overlap, n)
	}
	if overlap != jobs {
		t.Errorf("at most %d tasks ran at once, want %d", overlap, jobs)
	}
	if maxRunning != jobs {
		t.Errorf("Running() reached %d, want %d", maxRunning, jobs)
	}
	if len(pids) > jobs {
		t.Errorf("%d workers ran tasks, want at most %d", len(pids), jobs)
	}
	if s.Running() != 0 || s.Queued() != 0 {
		t.Errorf("after Run: Running() = %d, Queued() = %d", s.Running(), s.Queued())
	}
}

func TestAddTaskFromOnEnd(t *testing.T) {
	const n = 20
	s := sched.New(sched.Options{Jobs: 2})
	var got []string
	var add func(i int)
	add = func(i int) {
		s.AddTask(&sched.Task{
			Func:    "test.echo",
			Payload: []byte(strconv.Itoa(i)),
			OnEnd: func(r sched.Result) {
				if r.Err != nil {
					t.Errorf("task %d: %v", i, r.Err)
				}
				got = append(got, string(r.Value))
				if i+1 < n {
					add(i + 1)
				}
			},
		})
	}
	add(0)
	run(t, s)
	want := make([]string, n)
	for i := range want {
		want[i] = strconv.Itoa(i)
	}
	if !slices.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
}

func TestAddTaskFromAnotherGoroutine(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	var finished atomic.Int64
	var gate *sched.SchedulerContext
	s.AddTask(&sched.Task{
		Func:    "test.waitmsg",
		OnStart: func(ctx *sched.SchedulerContext) { gate = ctx },
		OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("gate task: %v", r.Err)
			}
		},
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 10 {
			s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(sched.Result) {
				if finished.Add(1) == 10 {
					// Run is still running (the gate task is): let it end.
					if err := gate.Send([]byte("go")); err != nil {
						t.Errorf("Send: %v", err)
					}
				}
			}})
		}
	}()
	run(t, s)
	wg.Wait()
	if finished.Load() != 10 {
		t.Errorf("%d tasks finished, want 10", finished.Load())
	}
}

func TestMessagesBothWays(t *testing.T) {
	const n = 200 // more than the worker's receive buffer
	s := sched.New(sched.Options{Jobs: 1})
	var value string
	s.AddTask(&sched.Task{
		Func:    "test.ask",
		Payload: []byte(strconv.Itoa(n)),
		OnStart: func(ctx *sched.SchedulerContext) {
			if err := ctx.Send([]byte("hello")); err != nil {
				t.Errorf("Send in OnStart: %v", err)
			}
		},
		OnMessage: func(ctx *sched.SchedulerContext, msg []byte) {
			if err := ctx.Send([]byte("a" + strings.TrimPrefix(string(msg), "q"))); err != nil {
				t.Errorf("Send in OnMessage: %v", err)
			}
		},
		OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("task: %v", r.Err)
			}
			value = string(r.Value)
		},
	})
	run(t, s)
	want := []string{"hello"}
	for i := range n {
		want = append(want, "a"+strconv.Itoa(i))
	}
	if value != strings.Join(want, ",") {
		t.Errorf("answers %q, want %q", value, strings.Join(want, ","))
	}
}

func TestTaskErrors(t *testing.T) {
	tests := []struct {
		name, fn, payload string
		check             func(error) bool
		want              string
	}{
		{"error text", "test.fail", "boom: disk full", nil, "boom: disk full"},
		{"panic", "test.panic", "oops", func(err error) bool {
			return strings.HasPrefix(err.Error(), "task test.panic panicked: oops\n")
		}, "task test.panic panicked: oops\n<stack>"},
		{"unknown function", "test.nope", "", nil, `sched: unknown task function "test.nope" (not registered with sched.Register)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sched.New(sched.Options{})
			var res sched.Result
			s.AddTask(&sched.Task{Func: tt.fn, Payload: []byte(tt.payload), OnEnd: func(r sched.Result) { res = r }})
			run(t, s)
			if res.Err == nil {
				t.Fatalf("no error, value %q", res.Value)
			}
			ok := res.Err.Error() == tt.want
			if tt.check != nil {
				ok = tt.check(res.Err)
			}
			if !ok {
				t.Errorf("Err = %q, want %q", res.Err, tt.want)
			}
			if res.Finished.Before(res.Queued) {
				t.Errorf("Finished %v before Queued %v", res.Finished, res.Queued)
			}
		})
	}
}

func TestWorkerKilledMidTask(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	var first, second sched.Result
	var sleeper int
	unexpected := 0
	s = sched.New(sched.Options{Jobs: 1, OnUnexpectedWorkerExit: func(int, string) { unexpected++ }})
	s.AddTask(&sched.Task{
		Func:      "test.suicide",
		OnMessage: func(_ *sched.SchedulerContext, msg []byte) { sleeper, _ = strconv.Atoi(string(msg)) },
		OnEnd:     func(r sched.Result) { first = r },
	})
	s.AddTask(&sched.Task{Func: "test.pid", OnEnd: func(r sched.Result) { second = r }})
	run(t, s)
	if first.Err == nil || first.Err.Error() != "worker was killed by SIGKILL" {
		t.Errorf("Err = %v, want worker was killed by SIGKILL", first.Err)
	}
	var we *sched.WorkerExitError
	if !errors.As(first.Err, &we) || we.Pid != first.Worker || we.WaitStatus.Signal() != syscall.SIGKILL {
		t.Errorf("Err = %#v, want a *WorkerExitError for worker %d", first.Err, first.Worker)
	}
	if second.Err != nil {
		t.Fatalf("next task: %v", second.Err)
	}
	if pid, _ := pidOf(t, second.Value); pid == first.Worker || pid != second.Worker {
		t.Errorf("next task ran in worker %d (Result.Worker %d), the dead one was %d", pid, second.Worker, first.Worker)
	}
	if sleeper == 0 {
		t.Fatal("the task did not report its command")
	}
	groupGone(t, first.Worker)
	if unexpected != 0 {
		t.Errorf("OnUnexpectedWorkerExit called %d times for a worker that had a task", unexpected)
	}
}

func TestTermTimeout(t *testing.T) {
	s := sched.New(sched.Options{})
	var res sched.Result
	started := false
	s.AddTask(&sched.Task{
		Func:        "test.sh",
		Payload:     []byte("sleep 300 & sleep 300; wait"),
		TermTimeout: 300 * time.Millisecond,
		OnMessage:   func(*sched.SchedulerContext, []byte) { started = true },
		OnEnd: func(r sched.Result) {
			res = r
			// The worker survives (it catches SIGTERM); nothing else
			// of its group does.
			groupGone(t, r.Worker, r.Worker)
		},
	})
	run(t, s)
	if !started || !res.TimedOut {
		t.Errorf("started %v, TimedOut %v", started, res.TimedOut)
	}
	if res.Err == nil || res.Err.Error() != "timed out after 300ms: signal: terminated (Done closed by SIGTERM)" {
		t.Errorf("Err = %v, want the shell killed by SIGTERM and Done closed", res.Err)
	}
	groupGone(t, res.Worker)
}

func TestKillTimeout(t *testing.T) {
	tests := []struct {
		name         string
		fn, payload  string
		term, kill   time.Duration
		wantTimedOut bool
	}{
		// The shell sets its trap well within the TermTimeout.
		{"after TermTimeout", "test.sh", `trap "" TERM; sleep 300`, time.Second, 300 * time.Millisecond, true},
		{"without TermTimeout", "test.block", "", 0, 300 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sched.New(sched.Options{})
			var res sched.Result
			s.AddTask(&sched.Task{
				Func:        tt.fn,
				Payload:     []byte(tt.payload),
				TermTimeout: tt.term,
				KillTimeout: tt.kill,
				OnEnd:       func(r sched.Result) { res = r },
			})
			run(t, s)
			var exit *sched.WorkerExitError
			if !errors.As(res.Err, &exit) || exit.Error() != "worker was killed by SIGKILL" {
				t.Errorf("Err = %v, want worker was killed by SIGKILL", res.Err)
			}
			if res.TimedOut != tt.wantTimedOut {
				t.Errorf("TimedOut = %v, want %v", res.TimedOut, tt.wantTimedOut)
			}
			if d := res.Finished.Sub(res.Started); d < tt.term+tt.kill {
				t.Errorf("task ended after %v, before its timeouts (%v + %v)", d, tt.term, tt.kill)
			}
			groupGone(t, res.Worker)
		})
	}
}

func TestStop(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2, StopKillTimeout: 300 * time.Millisecond})
	results := map[string]sched.Result{}
	ready := 0
	onReady := func(*sched.SchedulerContext) {
		if ready++; ready == 2 {
			s.Stop()
		}
	}
	s.AddTask(&sched.Task{Func: "test.waitdone", OnStart: onReady, OnEnd: func(r sched.Result) { results["polite"] = r }})
	// This one ignores SIGTERM: StopKillTimeout ends it. It is ready once
	// the shell has set its trap.
	s.AddTask(&sched.Task{
		Func:      "test.sh",
		Payload:   []byte(`trap "" TERM; sleep 300`),
		OnMessage: func(ctx *sched.SchedulerContext, _ []byte) { onReady(ctx) },
		OnEnd:     func(r sched.Result) { results["stubborn"] = r },
	})
	s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(r sched.Result) { results["queued"] = r }})
	run(t, s)
	if r := results["polite"]; r.Err != nil || string(r.Value) != "stopped by SIGTERM" {
		t.Errorf("polite task: %q, %v; want stopped by SIGTERM", r.Value, r.Err)
	}
	if r := results["stubborn"]; r.Err == nil || r.Err.Error() != "worker was killed by SIGKILL" {
		t.Errorf("stubborn task: %v; want worker was killed by SIGKILL", r.Err)
	}
	if _, ok := results["queued"]; ok || s.Queued() != 1 {
		t.Errorf("queued task ran (%v) or is not queued any more (Queued() = %d)", ok, s.Queued())
	}
	// Stop ends one Run: the next one runs what was left.
	run(t, s)
	if r, ok := results["queued"]; !ok || r.Err != nil {
		t.Errorf("queued task after a second Run: %v, %v", ok, r.Err)
	}
}

// TestStopFreshWorker stops a task whose worker has just been started and
// may not catch SIGTERM yet: the signal waits until it does, so the task
// ends gracefully instead of its worker dying of SIGTERM.
func TestStopFreshWorker(t *testing.T) {
	for range 3 {
		s := sched.New(sched.Options{})
		var res sched.Result
		s.AddTask(&sched.Task{
			Func:    "test.waitdone",
			OnStart: func(*sched.SchedulerContext) { s.Stop() },
			OnEnd:   func(r sched.Result) { res = r },
		})
		run(t, s)
		if res.Err != nil || string(res.Value) != "stopped by SIGTERM" {
			t.Errorf("task: %q, %v; want stopped by SIGTERM", res.Value, res.Err)
		}
	}
}

func TestKill(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	var errs []string
	started := 0
	for range 2 {
		s.AddTask(&sched.Task{
			Func: "test.block",
			OnStart: func(*sched.SchedulerContext) {
				if started++; started == 2 {
					go s.Kill() // from another goroutine
				}
			},
			OnEnd: func(r sched.Result) { errs = append(errs, fmt.Sprint(r.Err)) },
		})
	}
	s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(sched.Result) { t.Error("queued task ran after Kill") }})
	run(t, s)
	if want := []string{"worker was killed by SIGKILL", "worker was killed by SIGKILL"}; !slices.Equal(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}
}

// TestStopFromOnStart checks that a Stop from a handler takes effect before
// the next queued task starts, even with free slots.
func TestStopFromOnStart(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 3})
	started := 0
	for range 3 {
		s.AddTask(&sched.Task{
			Func: "test.echo",
			OnStart: func(*sched.SchedulerContext) {
				started++
				s.Stop()
			},
		})
	}
	run(t, s)
	if started != 1 || s.Queued() != 2 {
		t.Errorf("%d tasks started, %d queued; want 1 and 2", started, s.Queued())
	}
}

func TestClear(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	ran, dropped := 0, 0
	for range 3 {
		s.AddTask(&sched.Task{
			Func:    "test.echo",
			OnStart: func(*sched.SchedulerContext) { s.Clear() },
			OnEnd: func(r sched.Result) {
				if r.State == sched.StateDropped {
					dropped++
				} else {
					ran++
				}
			},
		})
	}
	run(t, s)
	if ran != 1 || dropped != 2 || s.Queued() != 0 {
		t.Errorf("%d tasks ran, %d dropped, %d queued; want 1, 2 and 0", ran, dropped, s.Queued())
	}
}

func TestOnEmptyQueue(t *testing.T) {
	calls, ran := 0, 0
	var s *sched.Scheduler
	s = sched.New(sched.Options{Jobs: 2, OnEmptyQueue: func() {
		if calls++; calls <= 5 {
			s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(sched.Result) { ran++ }})
		}
	}})
	run(t, s)
	if ran != 5 {
		t.Errorf("%d tasks ran, want 5 (OnEmptyQueue called %d times)", ran, calls)
	}
}

func TestIdleTimeout(t *testing.T) {
	var gate *sched.SchedulerContext
	unexpected := 0
	s := sched.New(sched.Options{
		Jobs:                   2,
		WorkerIdleTimeout:      100 * time.Millisecond,
		OnUnexpectedWorkerExit: func(int, string) { unexpected++ },
	})
	idleGone := false
	s.AddTask(&sched.Task{
		Func: "test.pid",
		OnEnd: func(r sched.Result) {
			// Its worker is idle now; the other task keeps Run going
			// until this worker has been stopped and reaped.
			go func() {
				idleGone = eventually(30*time.Second, func() bool {
					_, err := os.Stat("/proc/" + strconv.Itoa(r.Worker))
					return err != nil
				})
				gate.Send([]byte("go"))
			}()
		},
	})
	s.AddTask(&sched.Task{
		Func:    "test.waitmsg",
		OnStart: func(ctx *sched.SchedulerContext) { gate = ctx },
	})
	run(t, s)
	if !idleGone {
		t.Error("the idle worker did not exit")
	}
	if unexpected != 0 {
		t.Errorf("OnUnexpectedWorkerExit called %d times for an idle timeout", unexpected)
	}
}

func TestUnexpectedWorkerExit(t *testing.T) {
	var gate *sched.SchedulerContext
	var exits []string
	var victim int
	s := sched.New(sched.Options{Jobs: 2, OnUnexpectedWorkerExit: func(pid int, status string) {
		exits = append(exits, fmt.Sprintf("%d %s", pid, status))
		gate.Send([]byte("go"))
	}})
	s.AddTask(&sched.Task{Func: "test.pid", OnEnd: func(r sched.Result) {
		victim = r.Worker
		syscall.Kill(victim, syscall.SIGKILL) // idle now
	}})
	s.AddTask(&sched.Task{Func: "test.waitmsg", OnStart: func(ctx *sched.SchedulerContext) { gate = ctx }})
	run(t, s)
	if want := []string{fmt.Sprintf("%d was killed by SIGKILL", victim)}; !slices.Equal(exits, want) {
		t.Errorf("unexpected exits %q, want %q", exits, want)
	}
}

func TestWorkerEnvironment(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := sched.New(sched.Options{Env: []string{"SCHED_TEST_VAR=42"}, ExtraFiles: []*os.File{w}})
	values := map[string]string{}
	add := func(fn, payload string) {
		s.AddTask(&sched.Task{Func: fn, Payload: []byte(payload), OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("%s: %v", fn, r.Err)
			}
			values[fn] = string(r.Value)
		}})
	}
	add("test.env", "SCHED_TEST_VAR")
	add("test.fds", "")
	add("test.current", "")
	add("test.pid", "")
	run(t, s)
	w.Close()
	if v := values["test.env"]; v != "42" {
		t.Errorf("SCHED_TEST_VAR = %q in the worker, want 42", v)
	}
	if v, want := values["test.fds"], "3:true 4:true 5:true"; v != want {
		t.Errorf("close-on-exec flags %q, want %q", v, want)
	}
	buf := make([]byte, 2)
	if _, err := r.Read(buf); err != nil || string(buf) != "hi" {
		t.Errorf("read %q, %v from ExtraFiles[0]; want hi", buf, err)
	}
	if v := values["test.current"]; v != "true" {
		t.Errorf("CurrentWorker() in a task: %s", v)
	}
	if pid, pgid := pidOf(t, []byte(values["test.pid"])); pid != pgid {
		t.Errorf("worker %d is in group %d, want its own", pid, pgid)
	}
	if _, ok := sched.CurrentWorker(); ok {
		t.Error("CurrentWorker() reports a task outside workers")
	}
}

func TestWorkerNeverReady(t *testing.T) {
	s := sched.New(sched.Options{Env: append(os.Environ(), "SCHED_TEST_NO_WORKERMAIN=1")})
	var res sched.Result
	s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(r sched.Result) { res = r }})
	run(t, s)
	var we *sched.WorkerExitError
	if !errors.As(res.Err, &we) || !we.NeverReady || !strings.Contains(res.Err.Error(), "worker exited with code 3 before serving tasks") {
		t.Errorf("Err = %v, want a worker that exited with code 3 before serving tasks", res.Err)
	}
}

func TestWorkerStartFailure(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2, Env: []string{"BAD=\x00"}})
	var errs []string
	for range 3 {
		s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(r sched.Result) { errs = append(errs, fmt.Sprint(r.Err)) }})
	}
	err := s.Run()
	if err == nil || !strings.HasPrefix(err.Error(), "sched: start worker process: ") {
		t.Errorf("Run: %v, want an error saying no worker could be started", err)
	}
	if len(errs) != 3 || !strings.HasPrefix(errs[0], "start worker process: ") {
		t.Errorf("task errors %q, want 3 worker start failures", errs)
	}
}

func TestHandlerPanicKillsWorkers(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	var pids []int
	s.AddTask(&sched.Task{Func: "test.block", OnStart: func(ctx *sched.SchedulerContext) { pids = append(pids, ctx.Pid()) }})
	s.AddTask(&sched.Task{Func: "test.pid", OnEnd: func(r sched.Result) {
		pids = append(pids, r.Worker)
		panic("handler bug")
	}})
	func() {
		defer func() {
			if p := recover(); p != "handler bug" {
				t.Errorf("recovered %v, want the handler's panic", p)
			}
		}()
		s.Run()
		t.Error("Run returned")
	}()
	for _, pid := range pids {
		groupGone(t, pid)
	}
	// The Scheduler is usable again.
	s.Clear()
	ok := false
	s.AddTask(&sched.Task{Func: "test.echo", OnEnd: func(r sched.Result) { ok = r.Err == nil }})
	run(t, s)
	if !ok {
		t.Error("task after a handler panic failed")
	}
}

func TestRunTwiceAtOnce(t *testing.T) {
	s := sched.New(sched.Options{})
	s.AddTask(&sched.Task{Func: "test.echo", OnStart: func(*sched.SchedulerContext) {
		if err := s.Run(); err == nil {
			t.Error("a nested Run returned no error")
		}
	}})
	run(t, s)
}

func TestRunWithoutTasks(t *testing.T) {
	run(t, sched.New(sched.Options{}))
}

// TestSchedulerDeathKillsWorkers SIGKILLs a scheduler process and checks that
// its workers and the commands they run disappear.
func TestSchedulerDeathKillsWorkers(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SCHED_TEST_HELPER=scheduler")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var workers []int
	for len(workers) < 2 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("helper ended early: %v", cmd.Wait())
			}
			pid, err := strconv.Atoi(strings.TrimPrefix(l, "ready "))
			if err != nil {
				t.Fatalf("helper said %q", l)
			}
			workers = append(workers, pid)
		case <-time.After(time.Minute):
			t.Fatal("helper's tasks did not start")
		}
	}
	for _, w := range workers {
		// Worker, shell, two sleeps (the shell may not have forked both
		// sleeps yet: at least the worker and the shell).
		if m := groupMembers(t, w); len(m) < 2 {
			t.Fatalf("worker group %d has only %v", w, m)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	for _, w := range workers {
		groupGone(t, w)
	}
}

func TestProcessStatus(t *testing.T) {
	tests := []struct {
		ws   syscall.WaitStatus
		want string
	}{
		{0, "exited with code 0"},
		{3 << 8, "exited with code 3"},
		{9, "was killed by SIGKILL"},
		{15, "was killed by SIGTERM"},
		{11 | 0x80, "was killed by SIGSEGV (core dumped)"},
		{0x7f | 19<<8, "was stopped by SIGSTOP"},
		{0x7f | 100<<8, "was stopped by unknown signal (100)"},
		{0xffff, "was continued"},
	}
	for _, tt := range tests {
		if got := sched.ProcessStatus(tt.ws); got != tt.want {
			t.Errorf("ProcessStatus(%#x) = %q, want %q", uint32(tt.ws), got, tt.want)
		}
	}
}

func TestWorkersOfAnotherExecutable(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other-worker")
	if err := os.WriteFile(other, data, 0o755); err != nil {
		t.Fatal(err)
	}
	s := sched.New(sched.Options{Executable: other})
	var exe, unknown sched.Result
	s.AddTask(&sched.Task{Func: "test.exe", OnEnd: func(r sched.Result) { exe = r }})
	s.AddTask(&sched.Task{Func: "test.only-elsewhere", OnEnd: func(r sched.Result) { unknown = r }})
	run(t, s)
	if exe.Err != nil || string(exe.Value) != other {
		t.Errorf("the worker ran %q (%v), want %q", exe.Value, exe.Err, other)
	}
	// The scheduler cannot know the other program's tasks: the worker
	// answers for them.
	if unknown.Err == nil || !strings.Contains(unknown.Err.Error(), `unknown task function "test.only-elsewhere"`) || unknown.Worker == 0 {
		t.Errorf("unknown task: %v from worker %d", unknown.Err, unknown.Worker)
	}
}

// TestPriority queues tasks before Run with one worker: they start highest
// priority first, and in queue order among equal priorities.
func TestPriority(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	var got []string
	for i, p := range []int64{0, 5, 1, 5, 0, 9, 1} {
		name := fmt.Sprintf("%d:p%d", i, p)
		s.AddTask(&sched.Task{
			Func:     "test.echo",
			Payload:  []byte(name),
			Priority: p,
			OnStart:  func(*sched.SchedulerContext) { got = append(got, name) },
		})
	}
	run(t, s)
	want := []string{"5:p9", "1:p5", "3:p5", "2:p1", "6:p1", "0:p0", "4:p0"}
	if !slices.Equal(got, want) {
		t.Errorf("started %v, want %v", got, want)
	}
}
