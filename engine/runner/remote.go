package runner

import (
	"strings"
	"sync"

	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/sched"
)

// Remote runs jobs through a remote cache or build farm: each job goes to
// a worker process of gobuildj-remote (the Workers it shares, started with
// that Executable), which looks its action up in the remote cache, runs it
// on the farm with remote execution, or runs it there locally after a
// miss and shares the result. A job's Work.Remote holds its encoded
// remote.Request.
//
// Remote is also the circuit breaker's hand in the workers: a task that
// found the server failing says so at once (its Sink's RemoteDown), and
// GiveUp tells every running remote task, and every one started later,
// to stop waiting on the server.
type Remote struct {
	*Workers

	mu      sync.Mutex
	running map[*sched.Task]*sched.SchedulerContext
	gaveUp  bool
}

// NewRemote returns the runner of remote jobs over the given workers.
func NewRemote(w *Workers) *Remote {
	return &Remote{Workers: w, running: map[*sched.Task]*sched.SchedulerContext{}}
}

// Start implements Runner.
func (r *Remote) Start(j *Job) {
	task := r.task(j, remote.TaskName)
	id, sink := j.ID, r.sink
	onStart, onEnd := task.OnStart, task.OnEnd
	task.OnStart = func(ctx *sched.SchedulerContext) {
		r.mu.Lock()
		r.running[ctx.Task()] = ctx
		gaveUp := r.gaveUp
		r.mu.Unlock()
		if gaveUp {
			_ = ctx.Send([]byte(remote.GiveUp)) // fails only once it ended
		}
		onStart(ctx)
	}
	task.OnMessage = func(ctx *sched.SchedulerContext, msg []byte) {
		if why, ok := strings.CutPrefix(string(msg), remote.DownPrefix); ok {
			sink.RemoteDown(id, why)
		}
	}
	task.OnEnd = func(res sched.Result) {
		r.mu.Lock()
		delete(r.running, task)
		r.mu.Unlock()
		onEnd(res)
	}
	r.add(j, task)
}

// GiveUp tells every running remote task, and every one that starts
// from now on, to stop using the server: each then runs its commands
// locally, or fails if its request is strict.
func (r *Remote) GiveUp() {
	r.mu.Lock()
	if r.gaveUp {
		r.mu.Unlock()
		return
	}
	r.gaveUp = true
	running := make([]*sched.SchedulerContext, 0, len(r.running))
	for _, ctx := range r.running {
		running = append(running, ctx)
	}
	r.mu.Unlock()
	// Sent without the lock: a write to a worker's pipe must not hold up
	// the scheduler's OnStart and OnEnd.
	for _, ctx := range running {
		_ = ctx.Send([]byte(remote.GiveUp)) // fails only once it ended
	}
}
