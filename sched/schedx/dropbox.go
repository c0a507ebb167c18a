package schedx

import (
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// Dropbox merges a burst of requests for the same work into one task: a
// task dropped in while another of its Key waits in the scheduler's queue
// takes that task's place (sched.Scheduler.Replace), so that the work runs
// once, with the latest data. Only tasks dropped through the same Dropbox
// are merged. Its methods may be called from any goroutine.
type Dropbox struct {
	s *sched.Scheduler

	mu     sync.Mutex
	queued map[string]*sched.Task // waiting in the queue, by Key
}

// NewDropbox returns an empty dropbox that queues tasks in s.
func NewDropbox(s *sched.Scheduler) *Dropbox {
	return &Dropbox{s: s, queued: map[string]*sched.Task{}}
}

// Drop puts t in the dropbox of its Key: if a task with that key, dropped
// here, waits in the queue, the two are merged into one that takes the
// queued task's place (and queue time). merge(queued, t) returns the task
// to keep; a nil merge means the latest wins (t), and a merge that returns
// nil keeps the queued task. The task that is not kept is dropped: it ends
// with StateDropped and ErrDropped and its OnEnd is called on this
// goroutine (a t dropped so was never given to the scheduler: its State
// stays StateNew). Without a queued task of that key, or without a Key, t
// is queued like AddTask. Drop reports whether t was merged.
//
// merge runs on this goroutine and holds no lock, so it may call the
// scheduler and the dropbox; it may be called again if the queued task
// started meanwhile. A panic in merge reaches the caller of Drop, t is then
// not queued, and the dropbox and the scheduler go on working.
func (d *Dropbox) Drop(t *sched.Task, merge func(queued, latest *sched.Task) *sched.Task) bool {
	if t.Key == "" {
		d.s.AddTask(t)
		return false
	}
	for {
		d.mu.Lock()
		old := d.queued[t.Key]
		if old == nil || old.State() != sched.StateQueued {
			d.addLocked(t)
			d.mu.Unlock()
			return false
		}
		d.mu.Unlock()
		keep := t
		if merge != nil {
			keep = merge(old, t)
			if keep == nil {
				keep = old
			}
		}
		if keep == old {
			if old.State() != sched.StateQueued {
				continue // it started while merge ran: t is new work
			}
			dropUnqueued(t)
			return true
		}
		d.mu.Lock()
		if d.queued[t.Key] != old {
			d.mu.Unlock()
			continue // replaced while merge ran: merge with the new one
		}
		d.track(keep, t.Key)
		d.queued[t.Key] = keep
		d.mu.Unlock()
		// Outside d.mu: Replace calls old's OnEnd, which leaves the
		// dropbox.
		if !d.s.Replace(old, keep) {
			// old started while merge ran: t is new work.
			d.mu.Lock()
			if d.queued[t.Key] == keep {
				delete(d.queued, t.Key)
			}
			d.mu.Unlock()
			continue
		}
		if keep != t {
			// merge built a third task: t itself is dropped too.
			dropUnqueued(t)
		}
		return true
	}
}

// addLocked queues t as the waiting task of its key.
func (d *Dropbox) addLocked(t *sched.Task) {
	d.track(t, t.Key)
	d.queued[t.Key] = t
	// AddTask never calls the task's handlers, so d.mu is not taken
	// again.
	d.s.AddTask(t)
}

// track makes t leave the dropbox of key when it starts or ends.
func (d *Dropbox) track(t *sched.Task, key string) {
	leave := func() {
		d.mu.Lock()
		if d.queued[key] == t {
			delete(d.queued, key)
		}
		d.mu.Unlock()
	}
	onLeave(t, leave)
}

// dropUnqueued ends t, which never reached the scheduler, as dropped.
func dropUnqueued(t *sched.Task) {
	if t.OnEnd == nil {
		return
	}
	now := time.Now()
	t.OnEnd(sched.Result{State: sched.StateDropped, Err: sched.ErrDropped, Queued: now, Finished: now})
}
