package sched

import (
	"fmt"
	"syscall"
	"time"
)

// PendingTask is a queued task with the time it was queued.
type PendingTask struct {
	Task   *Task
	Queued time.Time
}

// Pending returns the queued tasks, next to start first, with their queue
// times.
func (s *Scheduler) Pending() []PendingTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PendingTask, len(s.queue))
	for i, rt := range s.queue {
		out[i] = PendingTask{Task: rt.t, Queued: rt.queued}
	}
	return out
}

// WorkerStatus is a worker process and what it does.
type WorkerStatus struct {
	Pid int
	// Task is the task it runs, nil when idle; Queued and Started are
	// that task's queue and start times.
	Task            *Task
	Queued, Started time.Time
}

// Workers returns the worker processes alive now (started and not yet
// reaped), each with its current task.
func (s *Scheduler) Workers() []WorkerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WorkerStatus, len(s.live))
	for i, w := range s.live {
		out[i].Pid = w.pid
		if rt := w.cur; rt != nil {
			out[i].Task, out[i].Queued, out[i].Started = rt.t, rt.queued, rt.started
		}
	}
	return out
}

// ProcessCount returns the number of worker processes alive now: started
// and not yet reaped, busy, idle or exiting.
func (s *Scheduler) ProcessCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// KillWorkers sends sig to the process group of every live worker, busy or
// idle: what the workers' tasks started gets it too. The workers catch
// SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 (unlike TermTimeout and
// Stop, this does not close their tasks' Done). SIGQUIT stops them: a
// running task's Done closes (WorkerContext.Signal says SIGQUIT), and the
// worker exits with code 0 once the task has answered, at once if idle (no
// goroutine dump). Any other deadly signal kills them, and their tasks fail
// with the reason ("worker was killed by SIGKILL"). Their exits are not reported to OnUnexpectedWorkerExit. It
// returns how many workers were signalled, and may be called from any
// goroutine.
func (s *Scheduler) KillWorkers(sig syscall.Signal) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.live {
		w.signaled.Store(true)
		killGroup(w.pid, sig)
	}
	s.log.add(time.Now(), EventSignal, 0, nil, SignalName(sig))
	return len(s.live)
}

// EventKind says what an Event is about.
type EventKind uint8

// The kinds of events in the backlog.
const (
	EventQueued        EventKind = iota // a task was queued
	EventStarted                        // a task was sent to a worker
	EventFinished                       // a task succeeded
	EventFailed                         // a task failed (Detail: the error)
	EventCanceled                       // a task was canceled
	EventDropped                        // a queued task was dropped (Clear, Drop)
	EventTermTimeout                    // a task's TermTimeout expired
	EventKillTimeout                    // a task's group was sent SIGKILL by a kill timeout
	EventWorkerStarted                  // a worker process started
	EventWorkerExited                   // a worker process was reaped (Detail: how it ended)
	EventStop                           // Stop was called
	EventKill                           // Kill was called
	EventSignal                         // KillWorkers was called (Detail: the signal)
)

var eventNames = [...]string{"queued", "started", "finished", "failed", "canceled", "dropped",
	"term timeout", "kill timeout", "worker started", "worker exited", "stop", "kill", "signal"}

// String names the kind: "started", "worker exited", ...
func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// Event is something that happened in the scheduler, as the backlog keeps
// it.
type Event struct {
	Time   time.Time
	Kind   EventKind
	Pid    int    // the worker concerned, or 0
	Task   *Task  // the task concerned, or nil
	Detail string // more words, for some kinds
}

// String renders the event on one line.
func (e Event) String() string {
	s := e.Time.Format("15:04:05.000") + " " + e.Kind.String()
	if e.Task != nil {
		name := e.Task.Func
		if e.Task.Key != "" {
			name += " " + e.Task.Key
		}
		s += " " + name
	}
	if e.Pid != 0 {
		s += fmt.Sprintf(" [worker %d]", e.Pid)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// DefaultBacklog is how many events Backlog keeps by default.
const DefaultBacklog = 256

// Backlog returns the most recent events, oldest first (at most
// Options.Backlog of them).
func (s *Scheduler) Backlog() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.events()
}

// record adds an event to the backlog.
func (s *Scheduler) record(kind EventKind, pid int, t *Task, detail string) {
	s.mu.Lock()
	s.log.add(time.Now(), kind, pid, t, detail)
	s.mu.Unlock()
}

// backlog is a ring of recent events; it allocates only when created.
type backlog struct {
	ring []Event
	next int  // where the next event goes
	full bool // the ring has wrapped
}

func (b *backlog) init(size int) {
	if size == 0 {
		size = DefaultBacklog
	}
	if size > 0 {
		b.ring = make([]Event, size)
	}
}

// add records an event; the caller holds the scheduler's lock.
func (b *backlog) add(at time.Time, kind EventKind, pid int, t *Task, detail string) {
	if len(b.ring) == 0 {
		return
	}
	b.ring[b.next] = Event{Time: at, Kind: kind, Pid: pid, Task: t, Detail: detail}
	b.next++
	if b.next == len(b.ring) {
		b.next, b.full = 0, true
	}
}

func (b *backlog) events() []Event {
	if !b.full {
		return append([]Event(nil), b.ring[:b.next]...)
	}
	out := make([]Event, 0, len(b.ring))
	out = append(out, b.ring[b.next:]...)
	return append(out, b.ring[:b.next]...)
}
