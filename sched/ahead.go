package sched

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Pipelining (Options.Ahead): a busy worker is sent the next queued task
// ahead of time. The worker keeps it and, when its current task ends,
// decides under its lock whether it starts it at once: yes, unless the
// task asked to hold (WorkerContext.Hold) or the scheduler withdrew it
// first. The result frame says which (resultNext), so the scheduler hands
// the worker's slot from the task that ended to the one that started
// without a round trip through its loop. A withdrawal (frameWithdraw)
// either finds the task waiting, and the worker gives it back
// (frameWithdrawn), or finds it started, and it is a running task like
// any other.

// occupied is how many workers run a task or are about to start one (the
// task they were sent ahead, after a result that did not hand over to it).
func (r *run) occupied() int {
	n := r.running
	if r.ahead > 0 {
		for _, w := range r.workers {
			if w.task == nil && w.next != nil {
				n++
			}
		}
	}
	return n
}

// sendAhead sends queued tasks ahead to busy workers, one each.
func (r *run) sendAhead() {
	if !r.s.opts.Ahead || r.stopped || r.ahead >= len(r.workers) {
		return
	}
	for _, w := range r.workers {
		rt := w.task
		if rt == nil || w.next != nil || !w.ready || w.exiting || rt.termed || rt.canceled.Load() {
			continue
		}
		next, ok := r.s.popAhead()
		if !ok {
			return
		}
		r.sendAheadTo(w, next)
	}
}

// sendAheadTo sends rt to w, which runs another task, to start after it.
func (r *run) sendAheadTo(w *worker, rt *taskRun) {
	r.nextID++
	t := rt.t
	c := &rt.ctx
	c.mu.Lock()
	c.w, c.id, c.task = w, r.nextID, t
	err := w.fw.writeTask(c.id, t.Func, t.Payload)
	for _, msg := range c.early {
		if err != nil {
			break
		}
		err = w.fw.writeMessage(c.id, msg)
	}
	c.mu.Unlock()
	if err != nil {
		if errors.Is(err, syscall.EPIPE) {
			r.s.requeue(rt) // the worker died: its exit is on the way
			return
		}
		r.fail(rt, fmt.Errorf("sched: send task to worker %d: %w", w.pid, err))
		return
	}
	rt.withdrawing, rt.drop = false, false
	r.s.mu.Lock()
	rt.clearsAtSend = r.s.clears
	r.s.mu.Unlock()
	w.next = rt
	r.ahead++
}

// takeNext detaches w's task sent ahead and returns it.
func (r *run) takeNext(w *worker) *taskRun {
	rt := w.next
	w.next = nil
	r.ahead--
	return rt
}

// withdraw asks w to give back its task sent ahead; drop makes it end
// dropped rather than go back to the queue.
func (r *run) withdraw(w *worker, drop bool) {
	rt := w.next
	if drop {
		rt.drop = true
	}
	if rt.withdrawing {
		return
	}
	rt.withdrawing = true
	_ = w.fw.writeID(frameWithdraw, rt.ctx.id) // an error means the worker died: its exit gives the task back
}

// withdrawAll withdraws every task sent ahead.
func (r *run) withdrawAll(drop bool) {
	if r.ahead == 0 {
		return
	}
	for _, w := range r.workers {
		if w.next != nil {
			r.withdraw(w, drop)
		}
	}
}

// giveBack ends a task sent ahead that never started, or queues it again:
// canceled, it ends canceled; withdrawn by Clear (or given back after a
// Clear since it was sent), dropped; otherwise it goes back to the front
// of the queue.
func (r *run) giveBack(rt *taskRun) {
	now := time.Now()
	r.s.mu.Lock()
	if r.s.clears != rt.clearsAtSend {
		// A Clear since it was sent, which may have emptied the queue
		// before a withdrawal for another reason (Stop) gave it back.
		rt.drop = true
	}
	r.s.mu.Unlock()
	switch {
	case rt.canceled.Load():
		rt.finishedNs.Store(now.UnixNano())
		rt.state.Store(int32(StateCanceled))
		r.s.event(EventCanceled, 0, rt.t, "withdrawn from its worker")
		rt.end(Result{State: StateCanceled, Err: ErrCanceled, Finished: now})
	case rt.drop:
		rt.finishedNs.Store(now.UnixNano())
		rt.state.Store(int32(StateDropped))
		r.s.event(EventDropped, 0, rt.t, "withdrawn from its worker")
		rt.end(droppedResult(now))
	default:
		r.s.requeue(rt)
	}
}

// rebalance withdraws tasks sent ahead to busy workers while a slot is
// free and nothing in the queue may take it (the end of a build, a narrow
// layer): back in the queue, they start on a free worker rather than wait
// behind another task. AheadOnly ones stay (see Promote).
func (r *run) rebalance() {
	free := r.s.jobs - r.occupied()
	for _, w := range r.workers {
		if free <= 0 {
			return
		}
		rt := w.next
		if rt == nil || w.task == nil || rt.withdrawing || rt.aheadOnly.Load() {
			continue
		}
		r.withdraw(w, false)
		free--
	}
}
