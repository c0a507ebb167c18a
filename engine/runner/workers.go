package runner

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/worker"
)

// firstExtraFd is the descriptor of sched.Options.ExtraFiles[0] in a worker.
const firstExtraFd = 5

// WorkersOptions configure Workers.
type WorkersOptions struct {
	// Jobs is how many worker processes run jobs at once.
	Jobs int
	// Executable, if set, is the worker program (gobuildj-remote, which
	// can also reach a remote cache); "" is gobuildj itself.
	Executable string
	// KillGrace is how long commands get after the SIGTERM of Stop or
	// Cancel before SIGKILL.
	KillGrace time.Duration
	// Jobserver, if set, is inherited by every worker so that commands
	// can be given it.
	Jobserver Jobserver
	// Ahead pipelines the workers one job ahead (sched.Options.Ahead).
	Ahead bool
	// WithdrawOnFailure (a build without -k) withdraws the jobs not
	// started yet as soon as one fails, before the failed job's worker
	// may go on (its job holds it, worker.Run): they end Dropped. The
	// builder sees the failure first.
	WithdrawOnFailure bool
}

// Workers runs jobs in long-lived worker processes, through a sched
// Scheduler whose Run goes on (held) from the first Start to Close, so
// that workers stay up between the builds of a watch session.
type Workers struct {
	s    *sched.Scheduler
	sink Sink
	js   Jobserver
	// withdraw: WithdrawOnFailure.
	withdraw bool
	release  func()
	runErr   chan error
	running  bool
	// prestarted is set once Prestart asked for a worker.
	prestarted bool
	closeOnce  sync.Once
}

// NewWorkers returns a runner of worker processes that reports to sink.
func NewWorkers(opts WorkersOptions, sink Sink) *Workers {
	so := sched.Options{
		Jobs:            opts.Jobs,
		Executable:      opts.Executable,
		StopKillTimeout: opts.KillGrace,
		Ahead:           opts.Ahead,
	}
	if opts.Jobserver != nil {
		so.ExtraFiles = opts.Jobserver.Files()
	}
	return &Workers{s: sched.New(so), sink: sink, js: opts.Jobserver, withdraw: opts.Ahead && opts.WithdrawOnFailure}
}

// Prestart starts a worker process now, in the background, for the first
// job to come: a build that found a target to run while it goes on
// checking the others has a worker ready by then.
func (w *Workers) Prestart() {
	if !w.prestarted && !w.running {
		w.prestarted = true
		w.s.Prestart(1)
	}
}

// Start implements Runner.
func (w *Workers) Start(j *Job) { w.start(j, worker.TaskName) }

// start hands j to the scheduler as a task of function name; a local job
// gets the jobserver as its descriptors 3 and 4 (the workers' 5 and 6).
func (w *Workers) start(j *Job, name string) { w.add(j, w.task(j, name)) }

// task returns the sched task of j, as function name.
func (w *Workers) task(j *Job, name string) *sched.Task {
	if j.Jobserver != nil {
		if files := j.Jobserver.Files(); files != nil {
			j.Work.Files = []int{firstExtraFd, firstExtraFd + 1}
		}
		j.Work.Env = append(j.Work.Env[:len(j.Work.Env):len(j.Work.Env)], "MAKEFLAGS="+j.Jobserver.MakeFlags())
	}
	id, sink, withdraw := j.ID, w.sink, w.withdraw
	task := &sched.Task{
		Func:        name,
		Key:         strconv.Itoa(id),
		Payload:     j.Work.Encode(),
		TermTimeout: j.Timeout,
		KillTimeout: j.KillAfter,
		Priority:    j.Priority,
		AheadOnly:   j.AheadOnly,
		OnStart: func(ctx *sched.SchedulerContext) {
			sink.Started(id, ctx.Pid(), time.Now())
		},
		OnEnd: func(res sched.Result) {
			r := resultOf(id, res)
			sink.Finished(r)
			if withdraw && !r.Dropped && (r.Err != nil || !r.Out.OK()) {
				// On the scheduler's goroutine, before the failed
				// job's worker is let go on (it holds on a failure).
				w.s.Clear()
			}
		},
	}
	return task
}

// Promote lets j, queued AheadOnly, start on any worker.
func (w *Workers) Promote(j *Job) bool {
	t, ok := j.task.(*sched.Task)
	return ok && w.s.Promote(t)
}

// Withdraw starts nothing more of what was handed to the workers: the
// jobs not started yet, queued or sent ahead to a busy worker, end
// Dropped; those a worker started already run on.
func (w *Workers) Withdraw() { w.s.Clear() }

// add queues task, j's, and starts the scheduler if it is not running.
func (w *Workers) add(j *Job, task *sched.Task) {
	j.task = task
	w.s.AddTask(task)
	if !w.running {
		w.running = true
		w.release = w.s.Hold()
		w.runErr = make(chan error, 1)
		go func() { w.runErr <- w.s.Run() }()
	}
}

// resultOf turns a task's outcome into a job's. A task that overran its
// timeout but whose worker still answered keeps that answer (what its
// commands did), with TimedOut set: the builder fails it either way.
func resultOf(id int, res sched.Result) Result {
	r := Result{ID: id, Worker: res.Worker, Started: res.Started, Finished: res.Finished, TimedOut: res.TimedOut}
	if res.Next != nil {
		if next, err := strconv.Atoi(res.Next.Key); err == nil {
			r.HasNext, r.Next = true, next
		}
	}
	switch res.State {
	case sched.StateDropped:
		r.Dropped = true
		return r
	case sched.StateCanceled:
		r.Canceled = true
	}
	if res.Err != nil && !(res.TimedOut && res.Value != nil) {
		r.Err = res.Err
		return r
	}
	out, err := worker.DecodeResult(res.Value)
	if err != nil {
		r.Err = fmt.Errorf("bad result from worker %d: %w", res.Worker, err)
		return r
	}
	r.Out = out
	return r
}

// Cancel implements Runner.
func (w *Workers) Cancel(j *Job) bool {
	t, ok := j.task.(*sched.Task)
	return ok && w.s.Cancel(t)
}

// Stop implements Runner: running jobs get SIGTERM, then SIGKILL after the
// grace; a job not started yet is dropped.
func (w *Workers) Stop() {
	w.s.Stop()
	w.s.Clear()
}

// Kill implements Runner.
func (w *Workers) Kill() {
	w.s.Kill()
	w.s.Clear()
}

// Close implements Runner: the scheduler's Run ends once nothing runs, and
// its workers exit. Workers prestarted for a Run that never came are
// ended too.
func (w *Workers) Close() error {
	var err error
	w.closeOnce.Do(func() {
		if !w.running {
			w.s.Discard()
			return
		}
		w.release()
		if e := <-w.runErr; e != nil {
			err = fmt.Errorf("scheduler: %w", e)
		}
	})
	return err
}
