package sched

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options configures a Scheduler.
type Options struct {
	// Jobs is the maximum number of tasks running at once, which is also
	// the maximum number of worker processes; <= 0 means 1.
	Jobs int
	// WorkerIdleTimeout, if positive, stops a worker that has had no task
	// for this long; it is replaced when needed.
	WorkerIdleTimeout time.Duration
	// WorkerKillTimeout is how long Run waits, once it is done, for its
	// workers to exit before it sends SIGKILL to their groups. 0 means 5s;
	// negative means never.
	WorkerKillTimeout time.Duration
	// OnWorkerKillTimeout is called when WorkerKillTimeout expired and
	// workers that were told to exit are sent SIGKILL.
	OnWorkerKillTimeout func()
	// StopKillTimeout is how long after Stop or Cancel the group of a
	// running task that has no KillTimeout is sent SIGKILL. 0 means 5s;
	// negative means never.
	StopKillTimeout time.Duration
	// OnEmptyQueue is called when the queue is empty and a worker slot is
	// free; it may add tasks. It is called again only after a task ends.
	OnEmptyQueue func()
	// OnMessage is called for a message that comes from a worker process
	// but not from a task (WorkerSend: a goroutine a task left behind, an
	// exit hook). Without it such messages are dropped.
	OnMessage func(pid int, msg []byte)
	// OnRequest answers the requests of tasks that have no OnRequest.
	OnRequest func(ctx *SchedulerContext, req *Request)
	// OnUnexpectedWorkerExit is called when a worker without a task exits
	// although it was not told to (a worker with a task fails the task
	// instead). status is as ProcessStatus gives it.
	OnUnexpectedWorkerExit func(pid int, status string)
	// OnEvent, if set, is told everything that happens in the scheduler
	// (a task queued, started, ended; a worker started, exited; Stop,
	// Kill...): the hook on which a backlog, a live view of the queue and
	// the workers, or a trace is built (schedx.Monitor). It is called with
	// the scheduler's lock held, on whatever goroutine the event happened:
	// it must return quickly and must not call the Scheduler (that would
	// deadlock); Task.State and Task.Times are safe.
	OnEvent func(Event)
	// Env is the workers' environment; nil means os.Environ() when each
	// worker starts.
	Env []string
	// ExtraFiles are open in every worker from fd 5 on: ExtraFiles[i] is
	// fd 5+i there. They are close-on-exec in the worker: pass them on to
	// a command explicitly (exec.Cmd.ExtraFiles, syscall.ProcAttr.Files).
	ExtraFiles []*os.File
	// Executable, if set, is the program workers run instead of this one:
	// another binary whose main hands control to WorkerMain, which may
	// register tasks this program does not link (a task it lacks fails
	// with an error from the worker).
	Executable string
	// Ahead pipelines the workers: a worker that runs a task is sent the
	// next queued one ahead, which it starts as soon as the current one
	// ends, without waiting for the scheduler to handle the result (a
	// round trip through Run's loop and OnEnd per task). At most one task
	// waits ahead per worker, and at most Jobs tasks run at once still.
	// A task sent ahead counts as queued until it starts: Clear, Stop,
	// Kill and Cancel withdraw it, and it ends (Clear, Cancel) or goes
	// back to the queue (Stop, Kill) unless its worker started it first,
	// in which case it is running. See WorkerContext.Hold for a task
	// whose failure must start nothing more on its worker.
	Ahead bool
}

const defaultKillTimeout = 5 * time.Second

// Scheduler runs tasks in a pool of worker processes, which are
// re-executions of the program itself (see WorkerMain). Tasks may be added
// at any time, from any goroutine, including from the handlers of other
// tasks; Run executes them, up to Options.Jobs at once.
//
// Invariants: a task is in exactly one of the queue, a worker or its final
// state; Queued() + Running() counts the tasks accepted and not finished;
// Run does not return while a task runs, an unstopped queue holds a task, a
// timer is active or Hold keeps it alive.
type Scheduler struct {
	opts Options
	jobs int
	wake chan struct{} // a token wakes Run's loop after AddTask, Stop, Kill...

	running atomic.Int64 // tasks in workers, written by Run's loop

	mu       sync.Mutex
	queue    []*taskRun
	withdraw bool        // Clear: the loop withdraws the tasks sent ahead, to drop them
	clears   uint64      // Clear calls: a task sent ahead before one and given back after is dropped
	stop     bool        // Stop or Kill: start nothing more until Run returns
	killGen  uint64      // incremented by Kill
	active   bool        // Run is running
	timers   int         // active timers
	holds    int         // producers that keep Run alive
	fired    []*Timer    // timers due, for the loop to call
	canceled []*taskRun  // canceled in the queue: the loop finishes them
	cancels  bool        // a running task was canceled: the loop looks
	live     []*worker   // worker processes not reaped yet
	pre      *prestarted // workers started by Prestart, for the next Run
}

// New returns a Scheduler configured by opts.
func New(opts Options) *Scheduler {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = 1
	}
	s := &Scheduler{opts: opts, jobs: jobs, wake: make(chan struct{}, 1)}
	return s
}

// AddTask queues t. It may be called from any goroutine at any time: before
// Run, during Run (typically from a handler) or after (the task then waits
// for the next Run). It never blocks.
func (s *Scheduler) AddTask(t *Task) {
	rt := &taskRun{t: t, queued: time.Now()}
	s.mu.Lock()
	s.enqueueLocked(rt)
	s.mu.Unlock()
	s.poke()
}

// enqueueLocked appends rt to the queue.
func (s *Scheduler) enqueueLocked(rt *taskRun) {
	rt.state.Store(int32(StateQueued))
	rt.aheadOnly.Store(rt.t.AheadOnly && s.opts.Ahead)
	rt.t.run = rt
	s.queue = insertByPriority(s.queue, rt)
	s.eventLocked(rt.queued, EventQueued, 0, rt.t, "")
}

// Stop makes the current Run (or the next one, if none is running) start no
// more tasks: queued tasks stay queued for a later Run. Every running task's
// group is sent its TermSignal now, and SIGKILL after its KillTimeout or,
// without one, after Options.StopKillTimeout. Run returns once no task is
// running and no timer is active. Stop does not cancel timers. It may be
// called from any goroutine.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	s.stop = true
	s.eventLocked(time.Now(), EventStop, 0, nil, "")
	s.mu.Unlock()
	s.poke()
}

// Kill is Stop without the grace: every running task's group is sent SIGKILL
// now (the tasks fail with "worker was killed by SIGKILL"). It may be called
// from any goroutine.
func (s *Scheduler) Kill() {
	s.mu.Lock()
	s.stop = true
	s.killGen++
	s.eventLocked(time.Now(), EventKill, 0, nil, "")
	s.mu.Unlock()
	s.poke()
}

// Clear drops every queued task: each ends with StateDropped and
// ErrDropped, and its OnEnd is called on this goroutine once the
// scheduler's lock is released. Running tasks are not affected. Tasks sent
// ahead to workers (Options.Ahead) are withdrawn: those not started yet end
// dropped too, their OnEnd called by Run's loop once their worker gave them
// back; those their worker started already run.
func (s *Scheduler) Clear() {
	s.mu.Lock()
	dropped := s.queue
	s.queue = nil
	now := time.Now()
	for _, rt := range dropped {
		s.unqueueLocked(rt, StateDropped)
		s.eventLocked(now, EventDropped, 0, rt.t, "cleared")
	}
	s.clears++
	if s.opts.Ahead && s.active {
		s.withdraw = true
		s.pokeLocked()
	}
	s.mu.Unlock()
	for _, rt := range dropped {
		rt.end(droppedResult(now))
	}
}

// Promote lets t, a task queued with AheadOnly, start on an idle worker
// as any task. It returns false if t is not waiting to start.
func (s *Scheduler) Promote(t *Task) bool {
	rt := t.run
	if rt == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !rt.aheadOnly.Swap(false) {
		return false
	}
	s.pokeLocked()
	return TaskState(rt.state.Load()) == StateQueued
}

// droppedResult is the outcome of a task dropped from the queue at now.
func droppedResult(now time.Time) Result {
	return Result{State: StateDropped, Err: ErrDropped, Finished: now}
}

// unqueueLocked forgets a task that leaves the queue without running.
func (s *Scheduler) unqueueLocked(rt *taskRun, state TaskState) {
	rt.state.Store(int32(state))
	rt.finishedNs.Store(time.Now().UnixNano())
}

// removeQueuedLocked takes rt out of the queue; false if it is not there.
func (s *Scheduler) removeQueuedLocked(rt *taskRun) bool {
	for i, q := range s.queue {
		if q == rt {
			copy(s.queue[i:], s.queue[i+1:])
			s.queue[len(s.queue)-1] = nil
			s.queue = s.queue[:len(s.queue)-1]
			return true
		}
	}
	return false
}

// Replace puts t in the place of queued, a task still waiting in the
// queue: t starts when queued would have, with its queue time, and queued
// is dropped (it ends with StateDropped and ErrDropped, and its OnEnd is
// called on this goroutine once the scheduler's lock is released). It
// returns false, and does not queue t, if queued is not in the queue (it
// started, ended or was never given to the scheduler). It may be called
// from any goroutine; it is the hook on which a dropbox that merges a burst
// of requests for the same work into one task is built (schedx.Dropbox).
func (s *Scheduler) Replace(queued, t *Task) bool {
	old := queued.run
	if old == nil || queued == t {
		return false
	}
	s.mu.Lock()
	i := slices.Index(s.queue, old)
	if i < 0 || TaskState(old.state.Load()) != StateQueued {
		s.mu.Unlock()
		return false
	}
	rt := &taskRun{t: t, queued: old.queued}
	rt.state.Store(int32(StateQueued))
	t.run = rt
	s.queue[i] = rt
	now := time.Now()
	s.unqueueLocked(old, StateDropped)
	s.eventLocked(now, EventDropped, 0, queued, "replaced")
	s.eventLocked(now, EventQueued, 0, t, "in the place of a dropped task")
	s.mu.Unlock()
	s.poke()
	old.end(droppedResult(now))
	return true
}

// Cancel cancels t: a queued task leaves the queue and ends with
// StateCanceled and ErrCanceled (its OnEnd is called by Run's loop); a running task's group is sent its TermSignal,
// then SIGKILL after its KillTimeout (or Options.StopKillTimeout), and its
// outcome wraps ErrCanceled. It returns false if t was not queued or
// running. It may be called from any goroutine.
func (s *Scheduler) Cancel(t *Task) bool {
	rt := t.run
	if rt == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch TaskState(rt.state.Load()) {
	case StateQueued:
		if !s.removeQueuedLocked(rt) {
			return false
		}
		s.unqueueLocked(rt, StateCanceled)
		s.canceled = append(s.canceled, rt)
		s.eventLocked(time.Now(), EventCanceled, 0, t, "in the queue")
	case StateRunning:
		if rt.canceled.Swap(true) {
			return true
		}
		s.cancels = true
		s.eventLocked(time.Now(), EventCanceled, 0, t, "running")
	default:
		return false
	}
	s.pokeLocked()
	return true
}

// Running returns the number of tasks currently in workers.
func (s *Scheduler) Running() int { return int(s.running.Load()) }

// Queued returns the number of tasks waiting to start.
func (s *Scheduler) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pokeLocked is poke for a caller that holds s.mu (poke never blocks).
func (s *Scheduler) pokeLocked() { s.poke() }

// requeue puts rt, which was taken from the queue but did not start, back at
// its front.
func (s *Scheduler) requeue(rt *taskRun) {
	s.mu.Lock()
	rt.startedNs.Store(0)
	rt.state.Store(int32(StateQueued))
	s.queue = slices.Insert(s.queue, 0, rt)
	s.eventLocked(time.Now(), EventQueued, 0, rt.t, "again: its worker died before starting it")
	s.mu.Unlock()
}

// pop takes the next queued task that may start on an idle worker (not
// AheadOnly) for Run's loop; empty says the queue is empty.
func (s *Scheduler) pop() (rt *taskRun, ok, empty bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rt := range s.queue {
		if rt.aheadOnly.Load() {
			continue
		}
		s.takeLocked(i)
		return rt, true, false
	}
	return nil, false, len(s.queue) == 0
}

// popAhead takes the next queued task to send ahead to a busy worker.
func (s *Scheduler) popAhead() (*taskRun, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return nil, false
	}
	rt := s.queue[0]
	s.takeLocked(0)
	return rt, true
}

// takeLocked takes the queue's task i out for Run's loop.
func (s *Scheduler) takeLocked(i int) {
	rt := s.queue[i]
	if i == 0 {
		s.queue[0] = nil
		s.queue = s.queue[1:]
	} else {
		s.queue = slices.Delete(s.queue, i, i+1)
	}
	// Running from now on: Cancel then marks it rather than looking for
	// it in the queue, even while its worker starts.
	rt.state.Store(int32(StateRunning))
}

// settled reports whether Run may return: nothing queued (or stopped), no
// timer active, no producer, and nothing left for the loop to deliver.
func (s *Scheduler) settled(stopped bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return (stopped || len(s.queue) == 0) && s.timers == 0 && s.holds == 0 &&
		len(s.fired) == 0 && len(s.canceled) == 0
}

// SchedulerContext is a running task as seen from the scheduler: handlers
// receive it to talk to the task's worker.
type SchedulerContext struct {
	task     *Task
	finished atomic.Bool

	// mu guards the worker and the task id, which change if the worker
	// dies before it starts the task and the task goes to another one.
	mu    sync.Mutex
	w     *worker
	id    uint64
	acked bool     // the worker started the task
	early [][]byte // messages sent before that, for another worker
}

// Send sends msg to the task; the task function receives it from
// WorkerContext.Receive. Send may be called from any goroutine; it fails
// once the task has finished. msg may be reused when Send returns.
func (c *SchedulerContext) Send(msg []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finished.Load() {
		return fmt.Errorf("sched: send to worker %d: task %d has finished", c.w.pid, c.id)
	}
	if !c.acked {
		// Kept until the worker starts the task: if it dies first,
		// the task and its messages go to another worker.
		c.early = append(c.early, bytes.Clone(msg))
	}
	if err := c.w.fw.writeMessage(c.id, msg); err != nil {
		if !c.acked && errors.Is(err, syscall.EPIPE) {
			return nil
		}
		return fmt.Errorf("sched: send to worker %d: %w", c.w.pid, err)
	}
	return nil
}

// Pid returns the process id of the task's worker, which is also the id of
// the process group of everything the task started.
func (c *SchedulerContext) Pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.pid
}

// Task returns the task this context belongs to.
func (c *SchedulerContext) Task() *Task { return c.task }

// insertByPriority inserts rt into queue (ordered by Priority, highest
// first, and by arrival among equals) after every task of its priority or
// higher. Without priorities it appends.
func insertByPriority(queue []*taskRun, rt *taskRun) []*taskRun {
	p := rt.t.Priority
	n := len(queue)
	if n == 0 || queue[n-1].t.Priority >= p {
		return append(queue, rt)
	}
	i := sort.Search(n, func(i int) bool { return queue[i].t.Priority < p })
	return slices.Insert(queue, i, rt)
}
