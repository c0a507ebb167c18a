package sched_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/ports"
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

func TestTypedMessagesBothWays(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	task, err := sched.NewTask("test.typed", point{X: 1, Y: 2, Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	task.OnStart = func(ctx *sched.SchedulerContext) {
		if err := (sched.Typed[point]{}).ToWorker(ctx, point{X: 10, Y: 20, Name: "m"}); err != nil {
			t.Error(err)
		}
	}
	task.OnMessage = func(_ *sched.SchedulerContext, msg []byte) {
		m, err := sched.Typed[string]{}.Decode(msg)
		if err != nil {
			t.Error(err)
		}
		progress = append(progress, m)
	}
	var got point
	task.OnEnd = func(r sched.Result) {
		if r.Err != nil {
			t.Fatalf("task failed: %v", r.Err)
		}
		got, err = sched.Typed[point]{}.Decode(r.Value)
		if err != nil {
			t.Error(err)
		}
	}
	s.AddTask(task)
	run(t, s)
	if want := (point{X: 11, Y: 22, Name: "p+m"}); got != want {
		t.Errorf("result %+v, want %+v", got, want)
	}
	if !slices.Equal(progress, []string{"got m"}) {
		t.Errorf("messages %q", progress)
	}
}

func TestTypedBadPayload(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	var err error
	s.AddTask(&sched.Task{Func: "test.typed", Payload: []byte("not json"), OnEnd: func(r sched.Result) { err = r.Err }})
	run(t, s)
	if err == nil || !strings.Contains(err.Error(), "decode sched_test.point") {
		t.Errorf("error %v, want a decoding error", err)
	}
}

func TestRequestsAnsweredLater(t *testing.T) {
	// Three tasks ask for ports one at a time; the scheduler answers from
	// another goroutine, later, with ports from a ports.Pool it shares.
	var pool ports.Pool
	held := map[*sched.Task][]int{}
	var mu sync.Mutex
	s := sched.New(sched.Options{Jobs: 3, OnRequest: func(ctx *sched.SchedulerContext, req *sched.Request) {
		q, err := sched.Typed[string]{}.Decode(req.Body)
		if err != nil || !strings.HasPrefix(q, "port ") {
			req.Fail(fmt.Errorf("bad question %q", req.Body))
			return
		}
		go func() {
			time.Sleep(10 * time.Millisecond)
			p, err := pool.Take(1)
			if err != nil {
				req.Fail(err)
				return
			}
			mu.Lock()
			held[ctx.Task()] = append(held[ctx.Task()], p[0])
			mu.Unlock()
			if err := (sched.Typed[int]{}).Reply(req, p[0]); err != nil {
				t.Error(err)
			}
		}()
	}})
	results := map[string]bool{}
	for range 3 {
		s.AddTask(&sched.Task{Func: "test.request", Payload: []byte("2"), OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("task failed: %v", r.Err)
				return
			}
			for _, p := range strings.Fields(string(r.Value)) {
				if results[p] {
					t.Errorf("port %s given twice", p)
				}
				results[p] = true
			}
		}})
	}
	run(t, s)
	if len(results) != 6 {
		t.Errorf("ports %v, want 6 distinct", results)
	}
	if pool.Held() != 6 {
		t.Errorf("%d ports held, want 6", pool.Held())
	}
	for _, p := range held {
		pool.Release(p)
	}
	if pool.Held() != 0 {
		t.Errorf("%d ports held after Release", pool.Held())
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

func TestPushBackPressure(t *testing.T) {
	const limit, tasks = 2, 12
	s := sched.New(sched.Options{Jobs: 1, MaxQueued: limit})
	for range limit {
		if !s.TryPush(&sched.Task{Func: "test.echo"}) {
			t.Fatal("TryPush refused a task with room in the queue")
		}
	}
	if s.TryPush(&sched.Task{Func: "test.echo"}) {
		t.Fatal("TryPush accepted a task in a full queue")
	}
	// AddTask is never refused.
	s.AddTask(&sched.Task{Func: "test.echo"})
	s.Clear()

	var maxQueued atomic.Int64
	var finished atomic.Int64
	release := s.OnDelay(time.Hour, func() {})
	pushed := make(chan error, 1)
	go func() {
		defer release.Cancel()
		for range tasks {
			err := s.Push(t.Context(), &sched.Task{Func: "test.sleep", Payload: []byte("20ms"), OnEnd: func(sched.Result) { finished.Add(1) }})
			if err != nil {
				pushed <- err
				return
			}
			if q := int64(s.Queued()); q > maxQueued.Load() {
				maxQueued.Store(q)
			}
		}
		pushed <- nil
	}()
	run(t, s)
	if err := <-pushed; err != nil {
		t.Fatal(err)
	}
	if finished.Load() != tasks {
		t.Errorf("%d tasks finished, want %d", finished.Load(), tasks)
	}
	if m := maxQueued.Load(); m > limit {
		t.Errorf("the queue held %d tasks, the limit is %d", m, limit)
	}
}

func TestPushGivesUpWithContext(t *testing.T) {
	s := sched.New(sched.Options{MaxQueued: 1})
	s.AddTask(&sched.Task{Func: "test.echo"})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := s.Push(ctx, &sched.Task{Func: "test.echo"}); err == nil {
		t.Fatal("Push into a full queue without Run returned nil")
	}
	if s.Queued() != 1 {
		t.Errorf("Queued() = %d after a Push that gave up", s.Queued())
	}
}

func TestDropboxLatestWinsAndMerge(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	var ran []string
	cleaned := 0
	add := func(key, payload string, merge func(q, l *sched.Task) *sched.Task) bool {
		return s.Drop(&sched.Task{Func: "test.echo", Key: key, Payload: []byte(payload),
			OnEnd: func(r sched.Result) {
				cleaned++
				if r.State != sched.StateDropped {
					ran = append(ran, string(r.Value))
				}
			},
		}, merge)
	}
	if add("latest", "1", nil) {
		t.Error("the first Drop of a key reported a merge")
	}
	add("latest", "2", nil)
	add("latest", "3", nil)
	concat := func(q, l *sched.Task) *sched.Task {
		q2 := *q
		q2.Payload = []byte(string(q.Payload) + "+" + string(l.Payload))
		return &q2
	}
	add("merged", "a", concat)
	add("merged", "b", concat)
	add("merged", "c", concat)
	if s.Queued() != 2 {
		t.Fatalf("Queued() = %d, want 2 (one per key)", s.Queued())
	}
	pending := s.Pending()
	if string(pending[0].Task.Payload) != "3" || string(pending[1].Task.Payload) != "a+b+c" {
		t.Errorf("queued payloads %q and %q", pending[0].Task.Payload, pending[1].Task.Payload)
	}
	run(t, s)
	if !slices.Equal(ran, []string{"3", "a+b+c"}) {
		t.Errorf("ran %q, want [3 a+b+c]", ran)
	}
	// Every task ended once, dropped or run: the six given to Drop and
	// the two merges built ("a+b", then "a+b+c").
	if cleaned != 8 {
		t.Errorf("OnEnd called %d times, want 8", cleaned)
	}
}

func TestAddUnique(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	first := &sched.Task{Func: "test.sleep", Key: "k", Payload: []byte("100ms")}
	if got, added := s.AddUnique(first); !added || got != first {
		t.Fatal("AddUnique did not add the first task of a key")
	}
	var again *sched.Task
	first.OnStart = func(*sched.SchedulerContext) {
		// Running: still the same work.
		if got, added := s.AddUnique(&sched.Task{Func: "test.sleep", Key: "k", Payload: []byte("1ms")}); added || got != first {
			t.Error("AddUnique added a task whose key is running")
		}
	}
	first.OnEnd = func(sched.Result) {
		again = &sched.Task{Func: "test.echo", Key: "k"}
		if _, added := s.AddUnique(again); !added {
			t.Error("AddUnique refused a key whose task has finished")
		}
	}
	if got, added := s.AddUnique(&sched.Task{Func: "test.echo", Key: "k"}); added || got != first {
		t.Error("AddUnique added a task whose key is queued")
	}
	run(t, s)
	if again == nil || again.State() != sched.StateSucceeded {
		t.Errorf("the task added after the first finished did not run")
	}
}

func TestIntrospection(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	var tasks []*sched.Task
	for i := range 5 {
		task := &sched.Task{Func: "test.waitmsg", Key: strconv.Itoa(i), OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("task %d: %v", i, r.Err)
			}
		}}
		tasks = append(tasks, task)
		s.AddTask(task)
	}
	var ctxs sync.Map
	for _, task := range tasks {
		task.OnStart = func(ctx *sched.SchedulerContext) { ctxs.Store(task, ctx) }
	}
	done := make(chan error, 1)
	go func() { done <- s.Run() }()

	busy := func() []sched.WorkerStatus {
		var out []sched.WorkerStatus
		for _, w := range s.Workers() {
			if w.Task != nil {
				out = append(out, w)
			}
		}
		return out
	}
	if !eventually(time.Minute, func() bool { return len(busy()) == 2 }) {
		t.Fatalf("workers %+v, want 2 busy", s.Workers())
	}
	for _, w := range busy() {
		if w.Started.Before(w.Queued) || w.Pid == 0 || w.Task.State() != sched.StateRunning {
			t.Errorf("worker %+v: task %s", w, w.Task.State())
		}
	}
	pending := s.Pending()
	if len(pending) != 3 {
		t.Fatalf("%d pending tasks, want 3", len(pending))
	}
	for i, p := range pending {
		if p.Task != tasks[i+2] || p.Queued.IsZero() || p.Task.State() != sched.StateQueued {
			t.Errorf("pending %d: %+v (%s)", i, p, p.Task.State())
		}
	}
	if n := s.ProcessCount(); n != 2 {
		t.Errorf("ProcessCount() = %d, want 2", n)
	}
	// Release the tasks one by one as they start.
	for _, task := range tasks {
		var ctx any
		if !eventually(time.Minute, func() bool { var ok bool; ctx, ok = ctxs.Load(task); return ok }) {
			t.Fatalf("task %s never started", task.Key)
		}
		ctx.(*sched.SchedulerContext).Send([]byte("go"))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := s.ProcessCount(); n != 0 {
		t.Errorf("ProcessCount() = %d after Run", n)
	}
	// The backlog tells each task's story in order.
	var story []string
	for _, e := range s.Backlog() {
		if e.Task == tasks[4] {
			story = append(story, e.Kind.String())
		}
	}
	if want := []string{"queued", "started", "finished"}; !slices.Equal(story, want) {
		t.Errorf("backlog of task 4: %q, want %q", story, want)
	}
	workers := 0
	for _, e := range s.Backlog() {
		if e.Kind == sched.EventWorkerExited {
			workers++
		}
	}
	if workers != 2 {
		t.Errorf("%d worker exits in the backlog, want 2:\n%v", workers, s.Backlog())
	}
	q, st, f := tasks[4].Times()
	if q.IsZero() || st.Before(q) || f.Before(st) {
		t.Errorf("times of task 4: %v %v %v", q, st, f)
	}
}

func TestBacklogKeepsTheLatest(t *testing.T) {
	s := sched.New(sched.Options{Backlog: 3})
	for i := range 5 {
		s.AddTask(&sched.Task{Func: "test.echo", Key: strconv.Itoa(i)})
	}
	var keys []string
	for _, e := range s.Backlog() {
		keys = append(keys, e.Task.Key)
	}
	if !slices.Equal(keys, []string{"2", "3", "4"}) {
		t.Errorf("backlog %q, want the last 3 events", keys)
	}
	s.Clear()
	if none := sched.New(sched.Options{Backlog: -1}); len(none.Backlog()) != 0 {
		t.Error("a disabled backlog kept events")
	}
}

func TestGroupProgressAndWait(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	g := s.NewGroup("suite")
	for _, p := range []string{"a", "b", "c"} {
		if err := g.Add(&sched.Task{Func: "test.echo", Payload: []byte(p)}); err != nil {
			t.Fatal(err)
		}
	}
	g.Add(&sched.Task{Func: "test.fail", Payload: []byte("boom")})
	var hooks []sched.GroupStatus
	g.OnDone(func(st sched.GroupStatus) { hooks = append(hooks, st) })
	if st := g.Status(); st.Total != 4 || st.Complete != 0 || st.Progress != 0 {
		t.Errorf("status before Run: %+v", st)
	}
	g.Close()
	if err := g.Add(&sched.Task{Func: "test.echo"}); !errors.Is(err, sched.ErrGroupClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	waited := make(chan sched.GroupStatus, 1)
	go func() { waited <- g.Wait() }()
	run(t, s)
	st := <-waited
	if st.Name != "suite" || st.Total != 4 || st.Complete != 4 || st.Failed != 1 || st.Canceled != 0 || st.Progress != 100 || st.Runtime <= 0 {
		t.Errorf("final status %+v", st)
	}
	if len(hooks) != 1 || hooks[0].Complete != 4 {
		t.Errorf("OnDone hooks got %+v, want one call", hooks)
	}
	// OnDone on a done group runs at once.
	called := false
	g.OnDone(func(sched.GroupStatus) { called = true })
	if !called {
		t.Error("OnDone on a done group did not run")
	}
}

func TestGroupCancel(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 2})
	g := s.NewGroup("slow")
	var errs []error
	for range 4 {
		g.Add(&sched.Task{Func: "test.waitdone", OnEnd: func(r sched.Result) { errs = append(errs, r.Err) }})
	}
	other := &sched.Task{Func: "test.echo", Payload: []byte("unrelated")}
	s.AddTask(other)
	g.OnDone(func(st sched.GroupStatus) {
		if st.Canceled != 4 || st.Complete != 4 {
			t.Errorf("status at OnDone: %+v", st)
		}
	})
	// Cancel once both slots run a group task: two are canceled running,
	// two in the queue.
	go func() {
		eventually(time.Minute, func() bool { return s.Running() == 2 })
		g.Cancel()
	}()
	run(t, s)
	if len(errs) != 4 {
		t.Fatalf("%d group tasks finished, want 4", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, sched.ErrCanceled) {
			t.Errorf("group task error %v, want ErrCanceled", err)
		}
	}
	if other.State() != sched.StateSucceeded {
		t.Errorf("a task outside the group is %s", other.State())
	}
	select {
	case <-g.Done():
	default:
		t.Error("Done is open after Cancel and the end of every task")
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

func TestPortsDistinctAndBindable(t *testing.T) {
	// Eight tasks at once each get two ports in OnStart and bind them.
	const tasks = 8
	var pool ports.Pool
	s := sched.New(sched.Options{Jobs: tasks})
	served := map[string]bool{}
	for range tasks {
		var mine []int
		s.AddTask(&sched.Task{Func: "test.bind",
			OnStart: func(ctx *sched.SchedulerContext) {
				var err error
				if mine, err = pool.Take(2); err != nil {
					t.Error(err)
				}
				sched.Typed[[]int]{}.ToWorker(ctx, mine)
			},
			OnEnd: func(r sched.Result) {
				if r.Err != nil {
					t.Errorf("task: %v", r.Err)
				}
				for _, p := range strings.Fields(string(r.Value)) {
					if served[p] {
						t.Errorf("port %s served twice", p)
					}
					served[p] = true
				}
				pool.Release(mine)
			},
		})
	}
	run(t, s)
	if len(served) != 2*tasks {
		t.Errorf("%d ports served, want %d", len(served), 2*tasks)
	}
	if pool.Held() != 0 {
		t.Errorf("%d ports still held", pool.Held())
	}
}

func TestServeProducerConsumer(t *testing.T) {
	const jobs, tasks = 2, 20
	s := sched.New(sched.Options{Jobs: jobs})
	produced := 0
	var consumed []string
	err := s.Serve(t.Context(), func(context.Context) (*sched.Task, error) {
		if busy := s.Queued() + s.Running(); busy >= jobs {
			t.Errorf("produce called with %d tasks queued or running (jobs %d)", busy, jobs)
		}
		if produced == tasks {
			return nil, sched.ErrNoMoreTasks
		}
		produced++
		return &sched.Task{Func: "test.echo", Payload: []byte(strconv.Itoa(produced))}, nil
	}, func(task *sched.Task, r sched.Result) {
		if r.Err != nil || string(r.Value) != string(task.Payload) {
			t.Errorf("result %q, %v for %q", r.Value, r.Err, task.Payload)
		}
		consumed = append(consumed, string(r.Value))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(consumed) != tasks {
		t.Errorf("consumed %d results, want %d", len(consumed), tasks)
	}
}

func TestServeProducerError(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	n := 0
	err := s.Serve(t.Context(), func(context.Context) (*sched.Task, error) {
		n++
		if n == 3 {
			return nil, errors.New("the source broke")
		}
		return &sched.Task{Func: "test.echo"}, nil
	}, nil)
	if err == nil || err.Error() != "the source broke" {
		t.Errorf("Serve returned %v", err)
	}
}

func TestServeShutsDownOnSIGINT(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SCHED_TEST_HELPER=serve")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	var workers []int
	for len(workers) < 2 && lines.Scan() {
		var pid int
		if _, err := fmt.Sscanf(lines.Text(), "ready %d", &pid); err == nil {
			workers = append(workers, pid)
		}
	}
	if len(workers) < 2 {
		t.Fatalf("the server did not start two tasks; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var last string
	for lines.Scan() {
		last = lines.Text()
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("server: %v; stderr:\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(last, "consumed 2: ") {
		t.Errorf("last line %q, want the two running tasks consumed", last)
	}
	for _, pid := range workers {
		groupGone(t, pid)
	}
}
