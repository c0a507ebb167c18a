package sched

import (
	"context"
	"time"
)

// Push queues t once the queue has room (fewer than Options.MaxQueued
// tasks), waiting for the loop to start queued tasks: back-pressure for a
// producer that runs ahead of the workers. It returns ctx's error if ctx
// ends first (t is then not queued). Without MaxQueued it is AddTask.
//
// Push must not be called from a handler: the handlers run on Run's
// goroutine, which is the one that makes room. Use TryPush there.
func (s *Scheduler) Push(ctx context.Context, t *Task) error {
	limit := s.opts.MaxQueued
	if limit <= 0 {
		s.AddTask(t)
		return nil
	}
	rt := &taskRun{t: t}
	err := s.waitRoom(ctx, func() bool { return len(s.queue) < limit }, func() {
		rt.queued = time.Now()
		s.enqueueLocked(rt)
	})
	if err != nil {
		return err
	}
	s.poke()
	return nil
}

// TryPush queues t if the queue has room (see Push) and reports whether it
// did. It never blocks.
func (s *Scheduler) TryPush(t *Task) bool {
	s.mu.Lock()
	if limit := s.opts.MaxQueued; limit > 0 && len(s.queue) >= limit {
		s.mu.Unlock()
		return false
	}
	s.enqueueLocked(&taskRun{t: t, queued: time.Now()})
	s.mu.Unlock()
	s.poke()
	return true
}

// AddUnique queues t unless a task with the same Key is queued or running:
// then t is not queued and that task is returned with false (the work is
// already under way; wait for that one). A task without a Key is always
// queued.
func (s *Scheduler) AddUnique(t *Task) (*Task, bool) {
	s.mu.Lock()
	if t.Key != "" {
		if rt, ok := s.keyed[t.Key]; ok {
			s.mu.Unlock()
			return rt.t, false
		}
	}
	s.enqueueLocked(&taskRun{t: t, queued: time.Now()})
	s.mu.Unlock()
	s.poke()
	return t, true
}

// Drop puts t in the dropbox of its Key: if a task with that key waits in
// the queue, the two are merged into one that takes the queued task's place
// (and queue time), so that a burst of requests for the same work runs it
// once, with the latest data. merge(queued, t) returns the task to keep; nil
// merge means the latest wins (t), and a merge that returns nil keeps the
// queued task. The task that is not kept is dropped: it ends with
// StateDropped and its OnEnd is called on this goroutine, once the
// scheduler's lock is released. Without a queued task of that key, t is
// queued like AddTask. It reports whether t was merged into a queued task.
//
// merge runs on this goroutine without the scheduler's lock, so it may be
// called again if the queued task started meanwhile; it should not call the
// scheduler (it may, without deadlock, but what it sees may change before
// its answer is used). A panic in merge reaches the caller of Drop and t is
// not queued.
func (s *Scheduler) Drop(t *Task, merge func(queued, latest *Task) *Task) bool {
	if t.Key == "" {
		s.AddTask(t)
		return false
	}
	s.mu.Lock()
	var old *taskRun
	keep := t
	for {
		var ok bool
		old, ok = s.keyed[t.Key]
		if !ok || TaskState(old.state.Load()) != StateQueued {
			s.enqueueLocked(&taskRun{t: t, queued: time.Now()})
			s.mu.Unlock()
			s.poke()
			return false
		}
		if merge == nil {
			break
		}
		s.mu.Unlock()
		keep = merge(old.t, t)
		if keep == nil {
			keep = old.t
		}
		s.mu.Lock()
		if s.keyed[t.Key] == old && TaskState(old.state.Load()) == StateQueued {
			break
		}
		// The queued task started or was replaced while merge ran.
	}
	if keep == old.t {
		// The queued task absorbed t: t is dropped.
		now := time.Now()
		rt := &taskRun{t: t, queued: now}
		t.run = rt
		rt.state.Store(int32(StateDropped))
		rt.finishedNs.Store(now.UnixNano())
		s.log.add(now, EventDropped, 0, t, "merged into the queued task")
		s.mu.Unlock()
		rt.end(droppedResult(now))
		return true
	}
	// keep replaces the queued task, in its place.
	rt := &taskRun{t: keep, queued: old.queued}
	rt.state.Store(int32(StateQueued))
	keep.run = rt
	for i, q := range s.queue {
		if q == old {
			s.queue[i] = rt
			break
		}
	}
	s.keyed[t.Key] = rt
	now := time.Now()
	old.state.Store(int32(StateDropped))
	old.finishedNs.Store(now.UnixNano())
	s.log.add(now, EventDropped, 0, old.t, "replaced by a later task of the same key")
	var drt *taskRun
	if keep != t && t.run == nil {
		// merge built a third task: t itself is dropped too.
		drt = &taskRun{t: t, queued: now}
		t.run = drt
		drt.state.Store(int32(StateDropped))
		drt.finishedNs.Store(now.UnixNano())
	}
	s.mu.Unlock()
	old.end(droppedResult(now))
	if drt != nil {
		drt.end(droppedResult(now))
	}
	return true
}

// waitRoom waits until fits holds (evaluated with s.mu held), then calls
// then with s.mu still held. It returns ctx's error if ctx ends first.
func (s *Scheduler) waitRoom(ctx context.Context, fits func() bool, then func()) error {
	for {
		s.mu.Lock()
		if fits() {
			then()
			s.mu.Unlock()
			return nil
		}
		if s.room == nil {
			s.room = make(chan struct{})
		}
		room := s.room
		s.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// notifyRoomLocked wakes the goroutines in waitRoom: the queue shrank or a
// task ended. It costs a nil check when nobody waits.
func (s *Scheduler) notifyRoomLocked() {
	if s.room != nil {
		close(s.room)
		s.room = nil
	}
}
