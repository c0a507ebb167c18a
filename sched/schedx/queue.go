package schedx

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gobuildj/gobuildj/sched"
)

// Queue is a bounded way into a scheduler, for back-pressure on producers
// that run ahead of the workers: at most limit (see NewQueue) of the tasks
// pushed through it wait in the scheduler's queue at once. A task stops counting when it is
// sent to a worker (its OnStart) or ends without running (canceled,
// dropped). Tasks added to the scheduler by other means (s.AddTask from a
// handler) are not counted and never refused. Its methods may be called
// from any goroutine, but Push must not be called from a handler.
type Queue struct {
	s     *sched.Scheduler
	limit int

	mu     sync.Mutex
	queued int           // pushed and not started or ended
	room   chan struct{} // closed when room may have appeared, if anyone waits
}

// NewQueue returns a queue into s that holds at most limit waiting tasks;
// limit <= 0 means no bound.
func NewQueue(s *sched.Scheduler, limit int) *Queue {
	return &Queue{s: s, limit: limit}
}

// Len returns how many tasks pushed through q wait in the scheduler's
// queue.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// Push queues t once q has room, waiting for the scheduler to start queued
// tasks. It returns ctx's error, wrapped, if ctx ends first (t is then not
// queued). Without a bound it queues t at once.
//
// Push must not be called from a handler: the handlers run on Run's
// goroutine, which is the one that makes room. Use TryPush there.
func (q *Queue) Push(ctx context.Context, t *sched.Task) error {
	for {
		q.mu.Lock()
		if q.fitsLocked() {
			q.addLocked(t)
			q.mu.Unlock()
			return nil
		}
		if q.room == nil {
			q.room = make(chan struct{})
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return fmt.Errorf("schedx: push %s: %w", t.Func, context.Cause(ctx))
		}
	}
}

// TryPush queues t if q has room (see Push) and reports whether it did. It
// never blocks.
func (q *Queue) TryPush(t *sched.Task) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.fitsLocked() {
		return false
	}
	q.addLocked(t)
	return true
}

func (q *Queue) fitsLocked() bool { return q.limit <= 0 || q.queued < q.limit }

// addLocked counts t and gives it to the scheduler, with handlers that
// uncount it once, when it starts or ends.
func (q *Queue) addLocked(t *sched.Task) {
	var left atomic.Bool
	leave := func() {
		if left.Swap(true) {
			return
		}
		q.mu.Lock()
		q.queued--
		if q.room != nil {
			close(q.room)
			q.room = nil
		}
		q.mu.Unlock()
	}
	onLeave(t, leave)
	q.queued++
	// AddTask never calls the task's handlers, so q.mu is not taken
	// again.
	q.s.AddTask(t)
}
