package sched

import (
	"syscall"
	"time"
)

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
	s.eventLocked(time.Now(), EventSignal, 0, nil, SignalName(sig))
	return len(s.live)
}
