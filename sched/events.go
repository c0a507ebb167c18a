package sched

import (
	"fmt"
	"time"
)

// EventKind says what an Event is about.
type EventKind uint8

// The kinds of events.
const (
	EventQueued        EventKind = iota // a task was queued
	EventStarted                        // a task was sent to a worker
	EventFinished                       // a task succeeded
	EventFailed                         // a task failed (Detail: the error)
	EventCanceled                       // a task was canceled
	EventDropped                        // a queued task was dropped (Clear, Replace)
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

// Event is something that happened in the scheduler, as Options.OnEvent
// receives it.
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

// eventLocked hands an event to Options.OnEvent; the caller holds s.mu.
func (s *Scheduler) eventLocked(at time.Time, kind EventKind, pid int, t *Task, detail string) {
	if s.opts.OnEvent != nil {
		s.opts.OnEvent(Event{Time: at, Kind: kind, Pid: pid, Task: t, Detail: detail})
	}
}

// event is eventLocked for a caller that does not hold s.mu.
func (s *Scheduler) event(kind EventKind, pid int, t *Task, detail string) {
	if s.opts.OnEvent == nil {
		return
	}
	s.mu.Lock()
	s.eventLocked(time.Now(), kind, pid, t, detail)
	s.mu.Unlock()
}
