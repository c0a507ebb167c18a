package sched_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/sched"
)

func init() {
	sched.Register("test.stamp", stamp)
}

// stamp is a task for the pipelining tests. Its payload is "MS FLAGS
// PATH": it creates PATH (unless "-") when it starts, calls Hold if FLAGS
// has h, sleeps MS milliseconds, and fails if FLAGS has f. It returns
// "PID START END" (Unix nanoseconds, as the worker saw them).
func stamp(ctx *sched.WorkerContext, p []byte) ([]byte, error) {
	start := time.Now()
	f := strings.Fields(string(p))
	ms, _ := strconv.Atoi(f[0])
	if f[2] != "-" {
		if err := os.WriteFile(f[2], nil, 0o666); err != nil {
			return nil, err
		}
	}
	if strings.Contains(f[1], "h") {
		ctx.Hold()
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	out := fmt.Sprintf("%d %d %d", os.Getpid(), start.UnixNano(), time.Now().UnixNano())
	if strings.Contains(f[1], "f") {
		return nil, errors.New("failed " + out)
	}
	return []byte(out), nil
}

// stampOf parses stamp's answer (or the text of its error).
func stampOf(t *testing.T, res sched.Result) (pid int, start, end time.Time) {
	t.Helper()
	s := string(res.Value)
	if res.Err != nil {
		s = strings.TrimPrefix(res.Err.Error(), "failed ")
	}
	f := strings.Fields(s)
	if len(f) != 3 {
		t.Fatalf("bad stamp answer %q (%v)", s, res.Err)
	}
	pid, _ = strconv.Atoi(f[0])
	a, _ := strconv.ParseInt(f[1], 10, 64)
	b, _ := strconv.ParseInt(f[2], 10, 64)
	return pid, time.Unix(0, a), time.Unix(0, b)
}

// ended collects the results of tasks by name.
type ended struct {
	mu      sync.Mutex
	results map[string]sched.Result
	order   []string // OnStart and OnEnd calls, in order: "start A", "end A"
}

func (e *ended) task(name, payload string) *sched.Task {
	return &sched.Task{
		Func:    "test.stamp",
		Key:     name,
		Payload: []byte(payload),
		OnStart: func(*sched.SchedulerContext) { e.note("start " + name) },
		OnEnd: func(res sched.Result) {
			e.mu.Lock()
			if e.results == nil {
				e.results = map[string]sched.Result{}
			}
			e.results[name] = res
			e.mu.Unlock()
			e.note("end " + name)
		},
	}
}

func (e *ended) note(s string) {
	e.mu.Lock()
	e.order = append(e.order, s)
	e.mu.Unlock()
}

func (e *ended) get(name string) sched.Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.results[name]
}

// A busy worker is sent the next task ahead and starts it as soon as its
// task ends, before the scheduler handled that result: the result names it
// (Next), its OnStart follows the first task's OnEnd, and it ran in the
// same worker.
func TestAheadWorkerStartsItsNextTaskRightAfter(t *testing.T) {
	var e ended
	s := sched.New(sched.Options{Jobs: 1, Ahead: true})
	a := e.task("a", "150 - -")
	b := e.task("b", "0 - -")
	s.AddTask(a)
	s.AddTask(b)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	ra, rb := e.get("a"), e.get("b")
	if ra.State != sched.StateSucceeded || rb.State != sched.StateSucceeded {
		t.Fatalf("a: %v %v; b: %v %v", ra.State, ra.Err, rb.State, rb.Err)
	}
	if ra.Next != b {
		t.Errorf("a's result: Next = %v, want b", ra.Next)
	}
	pa, _, endA := stampOf(t, ra)
	pb, startB, _ := stampOf(t, rb)
	if pa != pb {
		t.Errorf("a ran in worker %d, b in %d: want the same", pa, pb)
	}
	if gap := startB.Sub(endA); gap < 0 || gap > 50*time.Millisecond {
		t.Errorf("b started %v after a ended", gap)
	}
	if got, want := strings.Join(e.order, ","), "start a,end a,start b,end b"; got != want {
		t.Errorf("handlers: %s, want %s", got, want)
	}
	if rb.Started.Before(ra.Finished) {
		t.Errorf("b's Started %v is before a's Finished %v", rb.Started, ra.Finished)
	}
}

// A task that holds (WorkerContext.Hold) and fails: its OnEnd clears the
// queue, which withdraws the task sent ahead to its worker; that task
// never starts, and ends dropped.
func TestAheadHeldFailureWithdrawsTheNextTask(t *testing.T) {
	dir := t.TempDir()
	var e ended
	var s *sched.Scheduler
	s = sched.New(sched.Options{Jobs: 1, Ahead: true})
	a := e.task("a", "100 hf -")
	inner := a.OnEnd
	a.OnEnd = func(res sched.Result) {
		inner(res)
		s.Clear()
	}
	marker := filepath.Join(dir, "b-ran")
	s.AddTask(a)
	s.AddTask(e.task("b", "0 - "+marker))
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if ra := e.get("a"); ra.State != sched.StateFailed || ra.Next != nil {
		t.Errorf("a: %v, Next %v; want failed, no next", ra.State, ra.Next)
	}
	rb := e.get("b")
	if rb.State != sched.StateDropped || !errors.Is(rb.Err, sched.ErrDropped) || !rb.Started.IsZero() {
		t.Errorf("b: %v %v started %v; want dropped, never started", rb.State, rb.Err, rb.Started)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("b ran after a's failure")
	}
}

// A task that holds and succeeds: the task sent ahead starts once the
// scheduler has handled the result, in the same worker.
func TestAheadHeldSuccessGoesOn(t *testing.T) {
	var e ended
	s := sched.New(sched.Options{Jobs: 1, Ahead: true})
	s.AddTask(e.task("a", "100 h -"))
	s.AddTask(e.task("b", "0 - -"))
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	ra, rb := e.get("a"), e.get("b")
	if ra.State != sched.StateSucceeded || rb.State != sched.StateSucceeded {
		t.Fatalf("a: %v %v; b: %v %v", ra.State, ra.Err, rb.State, rb.Err)
	}
	if ra.Next != nil {
		t.Error("a held, yet its worker went on at once")
	}
	pa, _, _ := stampOf(t, ra)
	pb, _, _ := stampOf(t, rb)
	if pa != pb {
		t.Errorf("a ran in worker %d, b in %d: want the same", pa, pb)
	}
}

// A failure on one worker clears the queue: the task sent ahead to
// another, still busy, worker is withdrawn and never starts.
func TestAheadClearWithdrawsFromOtherWorkers(t *testing.T) {
	dir := t.TempDir()
	var e ended
	var s *sched.Scheduler
	s = sched.New(sched.Options{Jobs: 2, Ahead: true})
	a := e.task("a", "400 hf -") // fails late, holding its worker
	c := e.task("c", "1500 - -")
	inner := a.OnEnd
	a.OnEnd = func(res sched.Result) {
		inner(res)
		s.Clear()
	}
	s.AddTask(a)
	s.AddTask(c)
	for i := range 2 { // one ahead per worker
		s.AddTask(e.task(fmt.Sprintf("d%d", i), "0 - "+filepath.Join(dir, strconv.Itoa(i))))
	}
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if rc := e.get("c"); rc.State != sched.StateSucceeded {
		t.Errorf("c: %v %v; want it to run to its end", rc.State, rc.Err)
	}
	for i := range 2 {
		name := fmt.Sprintf("d%d", i)
		if r := e.get(name); r.State != sched.StateDropped {
			t.Errorf("%s: %v %v; want dropped", name, r.State, r.Err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d tasks sent ahead ran after the failure", len(ents))
	}
}

// Cancel withdraws a task sent ahead: it ends canceled without running.
func TestAheadCancelWithdraws(t *testing.T) {
	dir := t.TempDir()
	var e ended
	s := sched.New(sched.Options{Jobs: 1, Ahead: true})
	marker := filepath.Join(dir, "b-ran")
	b := e.task("b", "0 - "+marker)
	a := e.task("a", "300 - -")
	a.OnStart = func(*sched.SchedulerContext) {
		go func() {
			eventually(5*time.Second, func() bool { return b.State() == sched.StateRunning })
			s.Cancel(b)
		}()
	}
	s.AddTask(a)
	s.AddTask(b)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	rb := e.get("b")
	if rb.State != sched.StateCanceled || !errors.Is(rb.Err, sched.ErrCanceled) {
		t.Errorf("b: %v %v; want canceled", rb.State, rb.Err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("b ran although canceled before it started")
	}
}

// A worker killed while it holds a task sent ahead: its task fails, and
// the one sent ahead, which never started, runs in another worker.
func TestAheadWorkerKilledRequeuesTheNextTask(t *testing.T) {
	var e ended
	s := sched.New(sched.Options{Jobs: 1, Ahead: true})
	b := e.task("b", "0 - -")
	a := e.task("a", "60000 - -")
	a.OnStart = func(ctx *sched.SchedulerContext) {
		pid := ctx.Pid()
		go func() {
			eventually(5*time.Second, func() bool { return b.State() == sched.StateRunning })
			unix.Kill(pid, unix.SIGKILL)
		}()
	}
	s.AddTask(a)
	s.AddTask(b)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	ra, rb := e.get("a"), e.get("b")
	var wx *sched.WorkerExitError
	if ra.State != sched.StateFailed || !errors.As(ra.Err, &wx) {
		t.Errorf("a: %v %v; want failed by its worker's death", ra.State, ra.Err)
	}
	if rb.State != sched.StateSucceeded {
		t.Fatalf("b: %v %v; want it run elsewhere", rb.State, rb.Err)
	}
	if pb, _, _ := stampOf(t, rb); pb == ra.Worker {
		t.Errorf("b ran in the killed worker %d", pb)
	}
}

// The timeout of a task sent ahead counts from when it starts, not from
// when it was sent: b waits 400 ms behind a, then runs 100 ms of its 250.
func TestAheadTimeoutCountsFromStart(t *testing.T) {
	var e ended
	s := sched.New(sched.Options{Jobs: 1, Ahead: true})
	s.AddTask(e.task("a", "400 - -"))
	b := e.task("b", "100 - -")
	b.TermTimeout = 250 * time.Millisecond
	s.AddTask(b)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	ra, rb := e.get("a"), e.get("b")
	if rb.State != sched.StateSucceeded || rb.TimedOut {
		t.Errorf("b: %v %v timed out %v; want succeeded", rb.State, rb.Err, rb.TimedOut)
	}
	if ra.Next != b {
		t.Errorf("b was not sent ahead (a's Next = %v)", ra.Next)
	}
}

// An AheadOnly task never starts on an idle worker: it waits for a busy
// one and starts in its task's place.
func TestAheadOnlyStartsInAnotherTasksPlace(t *testing.T) {
	var e ended
	s := sched.New(sched.Options{Jobs: 2, Ahead: true})
	a := e.task("a", "200 - -")
	b := e.task("b", "0 - -")
	b.AheadOnly = true
	s.AddTask(a)
	s.AddTask(b)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	ra, rb := e.get("a"), e.get("b")
	if rb.State != sched.StateSucceeded || ra.Next != b {
		t.Fatalf("b: %v %v, a's Next %v; want b in a's place", rb.State, rb.Err, ra.Next)
	}
	pa, _, _ := stampOf(t, ra)
	pb, _, _ := stampOf(t, rb)
	if pa != pb {
		t.Errorf("a ran in worker %d, b in %d", pa, pb)
	}
}

// Stop then Clear (what a build does on Ctrl-C): the task sent ahead is
// withdrawn and ends dropped, and Run returns.
func TestAheadStopAndClearDropTheNextTask(t *testing.T) {
	dir := t.TempDir()
	var e ended
	s := sched.New(sched.Options{Jobs: 1, Ahead: true})
	marker := filepath.Join(dir, "b-ran")
	b := e.task("b", "0 - "+marker)
	a := e.task("a", "300 - -")
	a.OnStart = func(*sched.SchedulerContext) {
		go func() {
			eventually(5*time.Second, func() bool { return b.State() == sched.StateRunning })
			s.Stop()
			s.Clear()
		}()
	}
	s.AddTask(a)
	s.AddTask(b)
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after Stop and Clear")
	}
	if rb := e.get("b"); rb.State != sched.StateDropped {
		t.Errorf("b: %v %v; want dropped", rb.State, rb.Err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("b ran after Stop and Clear")
	}
}
