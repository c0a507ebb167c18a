package schedx

import (
	"errors"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// Group is a set of tasks followed together: a test suite, the targets of
// one request. It counts them as they end (GroupStatus), cancels them
// together, and tells when all have ended: Wait and Done, once Close says
// that no task will be added. Its methods may be called from any goroutine,
// except Wait from a handler (the handlers run on the goroutine that ends
// tasks).
type Group struct {
	s       *sched.Scheduler
	name    string
	created time.Time

	mu       sync.Mutex
	tasks    []*sched.Task
	total    int
	complete int // ended, whatever the outcome
	failed   int
	canceled int // canceled or dropped
	closed   bool
	ended    time.Time
	done     chan struct{}
	onDone   []func(GroupStatus)
}

// GroupStatus is the progress of a group.
type GroupStatus struct {
	Name string
	// Complete counts the tasks that ended, including Failed and Canceled.
	Complete, Failed, Canceled, Total int
	// Progress is Complete/Total in percent (100 for an empty group).
	Progress float64
	// Runtime is how long the group has lived: from NewGroup until its
	// last task ended once closed, or until now.
	Runtime time.Duration
}

// ErrGroupClosed is returned by Group.Add after Close or Cancel.
var ErrGroupClosed = errors.New("schedx: task added to a closed group")

// NewGroup returns an empty group of tasks run by s.
func NewGroup(s *sched.Scheduler, name string) *Group {
	return &Group{s: s, name: name, created: time.Now(), done: make(chan struct{})}
}

// Add queues t (with s.AddTask) as a member of the group; the group counts
// it once t's own OnEnd has returned. It fails with ErrGroupClosed after
// Close or Cancel, and t is then not queued. An Add that races Cancel either
// fails so or queues t before Cancel looks at the group's tasks, which
// cancels it: no task escapes a canceled group.
func (g *Group) Add(t *sched.Task) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrGroupClosed
	}
	end := t.OnEnd
	t.OnEnd = func(r sched.Result) {
		if end != nil {
			end(r)
		}
		g.taskEnded(r.State)
	}
	g.tasks = append(g.tasks, t)
	g.total++
	// Queued under g.mu (the scheduler never ends a task inside AddTask,
	// so g.mu is not taken again), so that Cancel, which lists g.tasks
	// under g.mu, finds t queued and cancels it.
	g.s.AddTask(t)
	return nil
}

// Close says that no task will be added: once every task has ended, Done
// closes and the OnDone hooks run.
func (g *Group) Close() {
	g.mu.Lock()
	g.closed = true
	hooks := g.checkDoneLocked()
	g.mu.Unlock()
	g.runHooks(hooks)
}

// Cancel closes the group and cancels every task of it that has not ended
// (see sched.Scheduler.Cancel).
func (g *Group) Cancel() {
	g.mu.Lock()
	g.closed = true
	tasks := append([]*sched.Task(nil), g.tasks...)
	hooks := g.checkDoneLocked()
	g.mu.Unlock()
	g.runHooks(hooks)
	for _, t := range tasks {
		g.s.Cancel(t)
	}
}

// OnDone adds a hook called with the final status once the group is done:
// a cleanup for what its tasks shared. It runs on the goroutine that ended
// the last task (Run's, as a handler), or at once if the group is done.
func (g *Group) OnDone(fn func(GroupStatus)) {
	g.mu.Lock()
	select {
	case <-g.done:
		st := g.statusLocked()
		g.mu.Unlock()
		fn(st)
		return
	default:
	}
	g.onDone = append(g.onDone, fn)
	g.mu.Unlock()
}

// Done returns a channel closed when the group is closed and all its tasks
// have ended.
func (g *Group) Done() <-chan struct{} { return g.done }

// Wait waits until the group is done and returns its final status. It must
// not be called from a handler.
func (g *Group) Wait() GroupStatus {
	<-g.done
	return g.Status()
}

// Status returns the group's progress now.
func (g *Group) Status() GroupStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.statusLocked()
}

func (g *Group) statusLocked() GroupStatus {
	st := GroupStatus{Name: g.name, Complete: g.complete, Failed: g.failed, Canceled: g.canceled, Total: g.total, Progress: 100}
	if g.total > 0 {
		st.Progress = 100 * float64(g.complete) / float64(g.total)
	}
	end := g.ended
	if end.IsZero() {
		end = time.Now()
	}
	st.Runtime = end.Sub(g.created)
	return st
}

// taskEnded counts a member task that reached a final state.
func (g *Group) taskEnded(state sched.TaskState) {
	g.mu.Lock()
	g.complete++
	switch state {
	case sched.StateFailed:
		g.failed++
	case sched.StateCanceled, sched.StateDropped:
		g.canceled++
	}
	hooks := g.checkDoneLocked()
	g.mu.Unlock()
	g.runHooks(hooks)
}

// checkDoneLocked closes done when the group is complete and returns the
// hooks to run (outside the lock).
func (g *Group) checkDoneLocked() []func(GroupStatus) {
	if !g.closed || g.complete < g.total || !g.ended.IsZero() {
		return nil
	}
	g.ended = time.Now()
	close(g.done)
	hooks := g.onDone
	g.onDone = nil
	return hooks
}

func (g *Group) runHooks(hooks []func(GroupStatus)) {
	if len(hooks) == 0 {
		return
	}
	st := g.Status()
	for _, h := range hooks {
		h(st)
	}
}
