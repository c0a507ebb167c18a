// Package engine runs a graph on the scheduler: it decides which targets are
// up to date (through cache), hands the others to worker processes (through
// sched) as soon as their deps are done, records what they produced and
// reports everything to a Status.
package engine

import (
	"errors"
	"os"
	"runtime"
	"time"
)

// Errors a build ends with; the command line maps them to exit codes.
var (
	// ErrFailed means at least one target failed (exit code 1).
	ErrFailed = errors.New("build failed")
	// ErrInterrupted means the build was stopped by a signal (exit 130).
	ErrInterrupted = errors.New("build interrupted")
)

// Options control a build.
type Options struct {
	// Jobs is the number of commands run at once (default: CPUs).
	Jobs int
	// KeepGoing lets independent targets build after a failure (-k).
	KeepGoing bool
	// DryRun names what would run, and runs and records nothing (-n).
	DryRun bool
	// Force rebuilds every target (-B).
	Force bool
	// Verbose shows commands instead of descriptions (-v).
	Verbose bool
	// Explain says why each target runs (--explain).
	Explain bool
	// KillGrace is how long commands get after SIGTERM, on an interrupt
	// or a timeout without kill_timeout, before SIGKILL.
	KillGrace time.Duration
	// Jobserver is the form of the GNU make jobserver offered to commands
	// in MAKEFLAGS (default JobserverPipe).
	Jobserver JobserverMode
	// MakeJobserver, if not nil, is the jobserver of the make that runs
	// gobuildj (FindMakeJobserver): gobuildj is then its client, taking a
	// token for each command beyond its first, and its commands share it.
	// Jobs still caps gobuildj's own commands. Ignored with JobserverNone.
	MakeJobserver *MakeJobserver
	// Status receives the build's events (required).
	Status Status
	// Stdin, Stdout and Stderr are the terminal that the commands of the
	// console pool get (default: gobuildj's own).
	Stdin, Stdout, Stderr *os.File
	// Remote, if set, shares results through a remote cache or runs
	// targets on a build farm (ignored by dry runs).
	Remote *RemoteOptions
	// FIFO starts ready targets in the order they became ready instead of
	// longest critical path first: for comparisons.
	FIFO bool
}

// DefaultKillGrace is the default of Options.KillGrace.
const DefaultKillGrace = 3 * time.Second

func (o *Options) normalize() {
	if o.Jobs <= 0 {
		o.Jobs = runtime.NumCPU()
	}
	if o.KillGrace <= 0 {
		o.KillGrace = DefaultKillGrace
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
}
