package schedx

import (
	"sync"

	"github.com/gobuildj/gobuildj/sched"
)

// Unique is a way into a scheduler that runs each piece of work once at a
// time: a task whose Key names work already queued or running (through the
// same Unique) is not queued again. Its methods may be called from any
// goroutine.
type Unique struct {
	s *sched.Scheduler

	mu    sync.Mutex
	keyed map[string]*sched.Task // queued or running, by Key
}

// NewUnique returns an empty Unique that queues tasks in s.
func NewUnique(s *sched.Scheduler) *Unique {
	return &Unique{s: s, keyed: map[string]*sched.Task{}}
}

// Add queues t unless a task with the same Key, added through u, is queued
// or running: then t is not queued and that task is returned with false
// (the work is already under way; wait for that one). A task without a Key
// is always queued. The key is free again when the task ends, before its
// OnEnd is called (which may then add the same work again).
func (u *Unique) Add(t *sched.Task) (*sched.Task, bool) {
	if t.Key == "" {
		u.s.AddTask(t)
		return t, true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if old, ok := u.keyed[t.Key]; ok {
		return old, false
	}
	u.keyed[t.Key] = t
	end := t.OnEnd
	t.OnEnd = func(r sched.Result) {
		u.mu.Lock()
		if u.keyed[t.Key] == t {
			delete(u.keyed, t.Key)
		}
		u.mu.Unlock()
		if end != nil {
			end(r)
		}
	}
	// AddTask never calls the task's handlers, so u.mu is not taken
	// again.
	u.s.AddTask(t)
	return t, true
}
