// Package runner runs the commands of the jobs a build admitted: in worker
// processes (Workers, through sched), in the foreground on the terminal
// (Foreground, for the console pool), or on a build farm (Remote). The
// builder hands a job to a Runner and hears back, through a Sink, when its
// commands reached a process and how they ended; it never waits on a
// runner. A fake Runner (package runnertest) makes the builder testable
// without processes.
package runner

import (
	"os"
	"time"

	"github.com/gobuildj/gobuildj/worker"
)

// Job is a target's commands handed to a runner.
type Job struct {
	// ID is the builder's name for the job (its target's number).
	ID int
	// Work is what the commands are: the target's name, commands, folder,
	// environment (with GOBUILDJ_PORTS when it has ports) and outputs.
	Work worker.Job
	// Timeout, if positive, sends SIGTERM to the commands' process group
	// when they have run this long; KillAfter then sends SIGKILL.
	Timeout, KillAfter time.Duration
	// Priority orders jobs that wait for a worker (they rarely do: the
	// builder admits no more than there are workers).
	Priority int64
	// Jobserver, if set, is offered to the commands (MAKEFLAGS, and its
	// descriptors as 3 and 4): local jobs share the build's -j with the
	// sub-makes they run.
	Jobserver Jobserver
	// AheadOnly is set for a job admitted ahead (admit.Ahead): the
	// workers start it only in the place of a job that ends, until
	// Promote.
	AheadOnly bool

	task any // the runner's handle, for Cancel
}

// Jobserver is a GNU make jobserver that commands share (admit.Jobserver).
type Jobserver interface {
	// Files are the descriptors a command must get as 3 and 4 (nil for
	// a fifo).
	Files() []*os.File
	// MakeFlags is the MAKEFLAGS value that names it.
	MakeFlags() string
}

// Result is how a job ended.
type Result struct {
	ID int
	// Worker is the pid of the process that ran the commands (0: none;
	// gobuildj's own for the foreground).
	Worker int
	// Started is when the commands reached a process (zero: they never
	// did); Finished when the outcome was known.
	Started, Finished time.Time
	// Out is what the commands did, when Err is nil: exit codes, output,
	// the outputs' fingerprints.
	Out worker.Result
	// Err says why the job could not be run properly: its worker died,
	// it could not start, the result could not be read.
	Err error
	// TimedOut is set when its Timeout fired.
	TimedOut bool
	// Canceled is set when the job was canceled (Cancel): its outcome is
	// not the commands' own.
	Canceled bool
	// Dropped is set for a job that never started: the runner dropped it
	// when it was stopped.
	Dropped bool
	// Interrupted is set when the user's Ctrl-C reached the commands
	// alone (a foreground job has the terminal): it was meant for the
	// whole build.
	Interrupted bool
	// HasNext is set when the job's worker started Next, a job queued
	// ahead on it, as this one ended: Next takes over its room.
	HasNext bool
	Next    int
}

// Sink hears what runners have to say about jobs. Its methods may be
// called from any goroutine; each job gets at most one Started, before its
// one Finished.
type Sink interface {
	Started(id, pid int, at time.Time)
	Finished(r Result)
	// RemoteDown says that job id found the remote server failing (why
	// says how), before the job ends: it goes on locally.
	RemoteDown(id int, why string)
}

// Runner runs jobs. Start, Cancel and Close are called by the builder's
// goroutine; Stop and Kill from any goroutine (an interrupt).
type Runner interface {
	// Start begins running j; its outcome reaches the Sink.
	Start(j *Job)
	// Cancel stops a job that was started: its group gets SIGTERM, then
	// SIGKILL after the grace. Its end still reaches the Sink, with
	// Canceled set. It returns false if the job already ended.
	Cancel(j *Job) bool
	// Stop stops every job: SIGTERM to each group, SIGKILL after the
	// grace; Kill sends SIGKILL at once. Their ends reach the Sink.
	Stop()
	Kill()
	// Close frees what the runner holds (worker processes) once every
	// job it started has ended.
	Close() error
}
