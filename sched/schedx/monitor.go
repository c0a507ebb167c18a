package schedx

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// DefaultBacklog is how many events a Monitor keeps by default.
const DefaultBacklog = 256

// Monitor looks inside a scheduler: it keeps the recent events (Backlog),
// the queue (Pending) and the live workers with their tasks (Workers),
// from the events the scheduler tells it. Give its Observe method as the
// scheduler's Options.OnEvent:
//
//	m := schedx.NewMonitor(0)
//	s := sched.New(sched.Options{Jobs: 4, OnEvent: m.Observe})
//
// Its methods may be called from any goroutine.
type Monitor struct {
	mu      sync.Mutex
	ring    []sched.Event
	next    int  // where the next event goes
	full    bool // the ring has wrapped
	seq     uint64
	pending map[*sched.Task]uint64 // queued tasks, by arrival
	pids    []int                  // live workers, in start order
	running map[int]*sched.Task    // the task of each live worker, nil if idle
}

// NewMonitor returns a monitor that keeps the last backlog events; 0 means
// DefaultBacklog, negative means none (Pending and Workers still work).
func NewMonitor(backlog int) *Monitor {
	if backlog == 0 {
		backlog = DefaultBacklog
	}
	m := &Monitor{pending: map[*sched.Task]uint64{}, running: map[int]*sched.Task{}}
	if backlog > 0 {
		m.ring = make([]sched.Event, backlog)
	}
	return m
}

// Observe takes in one event; it is meant to be the scheduler's
// Options.OnEvent, and is quick as that hook must be.
func (m *Monitor) Observe(e sched.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.ring) > 0 {
		m.ring[m.next] = e
		m.next++
		if m.next == len(m.ring) {
			m.next, m.full = 0, true
		}
	}
	switch e.Kind {
	case sched.EventQueued:
		m.seq++
		m.pending[e.Task] = m.seq
		for pid, t := range m.running {
			if t == e.Task {
				// Queued again: its worker died before it started it.
				m.running[pid] = nil
			}
		}
	case sched.EventStarted:
		delete(m.pending, e.Task)
		m.running[e.Pid] = e.Task
	case sched.EventFinished, sched.EventFailed, sched.EventCanceled, sched.EventDropped:
		delete(m.pending, e.Task)
		if e.Pid != 0 && m.running[e.Pid] == e.Task {
			m.running[e.Pid] = nil
		}
	case sched.EventWorkerStarted:
		m.pids = append(m.pids, e.Pid)
		m.running[e.Pid] = nil
	case sched.EventWorkerExited:
		m.pids = slices.DeleteFunc(m.pids, func(p int) bool { return p == e.Pid })
		delete(m.running, e.Pid)
	}
}

// Backlog returns the most recent events, oldest first.
func (m *Monitor) Backlog() []sched.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.full {
		return append([]sched.Event(nil), m.ring[:m.next]...)
	}
	out := make([]sched.Event, 0, len(m.ring))
	out = append(out, m.ring[m.next:]...)
	return append(out, m.ring[:m.next]...)
}

// PendingTask is a queued task with the time it was queued.
type PendingTask struct {
	Task   *sched.Task
	Queued time.Time
}

// Pending returns the queued tasks, next to start first (by Priority, then
// queue time), with their queue times.
func (m *Monitor) Pending() []PendingTask {
	type entry struct {
		PendingTask
		seq uint64
	}
	m.mu.Lock()
	var list []entry
	for t, seq := range m.pending {
		if t.State() != sched.StateQueued {
			// Started (its event follows) or ended without an
			// event (at the end of a Run).
			delete(m.pending, t)
			continue
		}
		q, _, _ := t.Times()
		list = append(list, entry{PendingTask{t, q}, seq})
	}
	m.mu.Unlock()
	slices.SortFunc(list, func(a, b entry) int {
		switch {
		case a.Task.Priority != b.Task.Priority:
			return cmp.Compare(b.Task.Priority, a.Task.Priority)
		case !a.Queued.Equal(b.Queued):
			return a.Queued.Compare(b.Queued)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]PendingTask, len(list))
	for i, e := range list {
		out[i] = e.PendingTask
	}
	return out
}

// WorkerStatus is a worker process and what it does.
type WorkerStatus struct {
	Pid int
	// Task is the task it runs, nil when idle; Queued and Started are
	// that task's queue and start times.
	Task            *sched.Task
	Queued, Started time.Time
}

// Workers returns the worker processes alive now (started and not yet
// reaped), in the order they started, each with its current task.
func (m *Monitor) Workers() []WorkerStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]WorkerStatus, len(m.pids))
	for i, pid := range m.pids {
		out[i].Pid = pid
		if t := m.running[pid]; t != nil {
			out[i].Task = t
			out[i].Queued, out[i].Started, _ = t.Times()
		}
	}
	return out
}
