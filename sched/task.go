package sched

import (
	"errors"
	"sync/atomic"
	"syscall"
	"time"
)

// Task is a unit of work for a worker process: the registered function Func
// applied to Payload, with handlers that the scheduler calls as the task
// progresses, one at a time, on the goroutine that called Run. A Task is
// given to the scheduler once (AddTask or Replace) and must not be modified
// after that.
type Task struct {
	Func    string // name given to Register
	Payload []byte // passed to the function in the worker

	// Key names the task in events and for the extras built on the
	// scheduler (package schedx: tasks with the same key are the same
	// work). The scheduler itself does not use it. It is optional.
	Key string

	// Priority orders the queue: a task with a higher priority starts
	// before one with a lower priority; tasks of equal priority start in
	// the order they were queued (all 0: first in, first out). A build
	// engine gives each task the length of the longest chain of work that
	// waits for it, so that the critical path starts first.
	Priority int64

	// TermTimeout, if positive, sends TermSignal to the worker's process
	// group (the worker and everything its task started) when the task
	// has run this long. The task then fails with a *TimeoutError (and
	// Result.TimedOut), even if it returns a value within its KillTimeout.
	TermTimeout time.Duration
	// TermSignal is the signal of TermTimeout, Stop and Cancel; 0 means
	// SIGTERM. The worker itself catches SIGTERM, SIGINT, SIGHUP, SIGUSR1
	// and SIGUSR2 (they close WorkerContext.Done) and SIGQUIT (which also
	// makes the worker exit once the task has answered); another signal
	// acts on the worker as it would on any process.
	TermSignal syscall.Signal
	// KillTimeout, if positive, sends SIGKILL to the worker's process
	// group this long after TermSignal was sent, or, without TermTimeout,
	// this long after the task started. The task then fails with "worker
	// was killed by SIGKILL" and the worker is replaced.
	KillTimeout time.Duration

	// OnStart is called when the task has been sent to a worker; ctx can
	// send the task messages (data not known when it was queued, such as
	// a free port). If that worker dies before it starts the task (an
	// idle worker killed just then), the task is queued again with those
	// messages and OnStart is not called again.
	OnStart func(ctx *SchedulerContext)
	// OnMessage is called for each message the task sends; ctx can answer.
	OnMessage func(ctx *SchedulerContext, msg []byte)
	// OnRequest is called for each request the task makes
	// (WorkerContext.Request); the answer may be given later, from any
	// goroutine (a token that is not free yet). Without it,
	// Options.OnRequest is called; without either, the request fails.
	OnRequest func(ctx *SchedulerContext, req *Request)
	// OnEnd is called exactly once for every task the scheduler accepted,
	// however it ended: succeeded, failed (the worker died, a timeout, a
	// task that could not start), canceled (in the queue or running) or
	// dropped from the queue (Clear, Replace); Result.State says which. It
	// runs on the goroutine that called Run, except for a dropped task:
	// then it runs on the goroutine that called Clear or Replace, after the
	// scheduler's lock is released (it may call the scheduler). A task
	// still queued when Run returns (after Stop or Kill) has not ended: it
	// waits for the next Run, and OnEnd is called when it ends then.
	OnEnd func(Result)

	// AheadOnly, with Options.Ahead, lets the task start only in the
	// place of another: sent ahead to a busy worker, it starts when that
	// worker's task ends, never on an idle worker, until Promote. A
	// caller whose own limits count the tasks that run (a jobserver's
	// tokens) queues so the tasks beyond its limits, each to take over
	// the room of the task it follows (Result.Next).
	AheadOnly bool

	run *taskRun // set when the scheduler accepts the task
}

// Result is how a task ended, as OnEnd receives it.
type Result struct {
	// State is the task's final state: StateSucceeded, StateFailed,
	// StateCanceled or StateDropped.
	State TaskState
	// Value is what the task function returned, when it returned one.
	Value []byte
	// Err is nil if and only if State is StateSucceeded. Otherwise it is
	// the task function's error (its text), a *WorkerExitError when the
	// worker died ("worker was killed by SIGKILL", "worker exited with
	// code 3"), a *TimeoutError when the task ran past its TermTimeout, an
	// error wrapping ErrCanceled for a canceled task, ErrDropped for a
	// task dropped from the queue, or an error saying the task could not
	// be started (unknown function, no worker could be started).
	Err error
	// TimedOut is set when the task's TermTimeout expired while it ran.
	TimedOut bool
	// Worker is the process id of the worker that ran the task (0 if none).
	Worker int
	// Queued, Started and Finished are when the task was given to the
	// scheduler, sent to a worker (zero if never) and when its outcome was
	// known.
	Queued, Started, Finished time.Time
	// Next is the task sent ahead to the same worker (Options.Ahead) that
	// the worker started as this one ended, in its place; nil if none.
	// Its OnStart follows this OnEnd.
	Next *Task
}

// ErrCanceled is wrapped by Result.Err for a task canceled with Cancel,
// whatever the task function returned.
var ErrCanceled = errors.New("task canceled")

// ErrDropped is Result.Err for a task removed from the queue without
// running, by Clear or Replace.
var ErrDropped = errors.New("task dropped from the queue")

// TaskState is where a task is in its life, as Task.State reports it.
type TaskState int32

// The states of a task. A task moves forward only: New, Queued, Running,
// then one of the final states; a task canceled or dropped in the queue goes
// from Queued to Canceled or Dropped.
const (
	// StateNew: not given to a scheduler yet.
	StateNew TaskState = iota
	// StateQueued: waiting for a worker.
	StateQueued
	// StateRunning: sent to a worker.
	StateRunning
	// StateSucceeded: finished without error.
	StateSucceeded
	// StateFailed: finished with an error.
	StateFailed
	// StateCanceled: canceled (Cancel) before it finished.
	StateCanceled
	// StateDropped: removed from the queue by Clear or Replace; it never
	// ran.
	StateDropped
)

var stateNames = [...]string{"new", "queued", "running", "succeeded", "failed", "canceled", "dropped"}

// String returns the state's name: "queued", "running", ...
func (s TaskState) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Final reports whether the task is over.
func (s TaskState) Final() bool { return s >= StateSucceeded }

// State returns where the task is. It may be called from any goroutine.
func (t *Task) State() TaskState {
	if t.run == nil {
		return StateNew
	}
	return TaskState(t.run.state.Load())
}

// Times returns when the task was queued, started in a worker and finished;
// a time not reached yet is zero. It may be called from any goroutine.
func (t *Task) Times() (queued, started, finished time.Time) {
	if t.run == nil {
		return
	}
	return t.run.queued, unixTime(t.run.startedNs.Load()), unixTime(t.run.finishedNs.Load())
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// taskRun is the scheduler's record of an accepted task, from the queue to
// its end. One is allocated per task, when it is queued; the queue holds
// pointers to them and a worker holds the one it runs. Fields other than
// the atomics belong to Run's loop once the task left the queue.
type taskRun struct {
	t      *Task
	queued time.Time

	state      atomic.Int32 // TaskState
	startedNs  atomic.Int64 // Unix nanoseconds, 0 until started
	finishedNs atomic.Int64
	canceled   atomic.Bool // Cancel was called: the outcome is ErrCanceled
	endCalled  atomic.Bool // OnEnd was called (or is being called)
	aheadOnly  atomic.Bool // Task.AheadOnly until Promote

	ctx           SchedulerContext
	started       time.Time
	termed        bool // TermSignal was sent
	timedOut      bool // TermTimeout expired
	acked         bool // the worker said it runs the task (frameStarted)
	onStartCalled bool
	requeues      int    // times queued again because its worker died first
	withdrawing   bool   // sent ahead, and a withdrawal was sent after it
	drop          bool   // withdrawn by Clear: it ends dropped
	clearsAtSend  uint64 // Scheduler.clears when it was sent ahead
	termTimer     *time.Timer
	killTimer     *time.Timer
}

func (rt *taskRun) stopTimers() {
	if rt.termTimer != nil {
		rt.termTimer.Stop()
	}
	if rt.killTimer != nil {
		rt.killTimer.Stop()
	}
}

// end runs the end hook of a task that is over, once. res.State must be
// final; res.Queued is filled in.
func (rt *taskRun) end(res Result) {
	if rt.endCalled.Swap(true) {
		return
	}
	res.Queued = rt.queued
	if rt.t.OnEnd != nil {
		rt.t.OnEnd(res)
	}
}
