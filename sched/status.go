package sched

import (
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ProcessStatus describes a wait status in words: "exited with code 0",
// "was killed by SIGKILL", "was killed by SIGSEGV (core dumped)", "was
// stopped by SIGSTOP", "was continued". It completes a sentence whose
// subject is the process ("worker was killed by SIGKILL").
func ProcessStatus(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exited with code %d", ws.ExitStatus())
	case ws.Signaled():
		s := "was killed by " + SignalName(ws.Signal())
		if ws.CoreDump() {
			s += " (core dumped)"
		}
		return s
	case ws.Stopped():
		return "was stopped by " + SignalName(ws.StopSignal())
	case ws.Continued():
		return "was continued"
	}
	return fmt.Sprintf("has unknown status %#x", uint32(ws))
}

// SignalName returns the conventional name of sig ("SIGTERM"), or
// "unknown signal (N)" for a number that has none.
func SignalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return fmt.Sprintf("unknown signal (%d)", int(sig))
}

// WorkerExitError is Result.Err when the worker running the task died before
// answering: killed by a signal (a kill timeout, Kill, the OOM killer, a
// task that crashed its worker) or exited.
type WorkerExitError struct {
	Pid        int                // the worker's process id
	WaitStatus syscall.WaitStatus // as reported by wait(2)
	// NeverReady is set when the worker died before it started serving
	// tasks: most likely the program does not call WorkerMain when
	// IsWorker reports true.
	NeverReady bool
}

// Error says how the worker ended: "worker was killed by SIGKILL".
func (e *WorkerExitError) Error() string {
	s := "worker " + ProcessStatus(e.WaitStatus)
	if e.NeverReady && e.WaitStatus.Exited() {
		s += " before serving tasks (does the program call sched.WorkerMain when sched.IsWorker reports true?)"
	}
	return s
}

// TimeoutError is Result.Err for a task that ran past its TermTimeout: it
// fails even if it then returned a value within its kill grace (Result.Value
// holds that value).
type TimeoutError struct {
	// After is the task's TermTimeout.
	After time.Duration
	// Err is how the task ended once signalled: nil if it returned a
	// value, else its error (a *WorkerExitError if its worker was killed).
	Err error
}

// Error says that the task timed out, and how it then ended: "timed out
// after 1s: worker was killed by SIGKILL".
func (e *TimeoutError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("timed out after %s", e.After)
	}
	return fmt.Sprintf("timed out after %s: %v", e.After, e.Err)
}

// Unwrap returns how the task ended once signalled.
func (e *TimeoutError) Unwrap() error { return e.Err }
