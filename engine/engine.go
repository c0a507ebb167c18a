// Package engine builds the targets of a graph. Its parts, each in a file or
// a package of its own:
//
//   - the plan (package plan): what is wanted, what waits for what, what is
//     ready, in which order; pure, no I/O;
//   - the check (check.go, files.go, depfile.go): is a target up to date, and
//     if not, why; from the state store, the file states and its deps'
//     outputs (package cache);
//   - admission (package admit): the one queue of commands waiting to start,
//     and the chain of limits they pass (-j, pools, the jobserver, ports);
//   - the runners (package runner): worker processes (package sched), the
//     terminal for the console pool, a build farm;
//   - the builder (builder.go): drives the four and tells an
//     event.Listener what happened (package event); presentation (package
//     console, package report) listens and never calls back.
//
// Build runs one build; Watch keeps the builder alive between the builds of
// a watch session.
package engine

import (
	"errors"
	"os"
	"runtime"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine/admit"
	"github.com/gobuildj/gobuildj/event"
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
	// MaxLoad, if above 0, holds back new local commands while the load
	// average is above it and a command runs (-l).
	MaxLoad float64
	// KeepGoing lets independent targets build after a failure (-k).
	KeepGoing bool
	// Sandbox says which targets' commands run in the Landlock sandbox:
	// those that ask (the zero value), all, or none.
	Sandbox SandboxMode
	// Retries is how many times a failed target runs again before its
	// failure counts (--retries); a target's own `retries` wins when
	// larger.
	Retries int
	// DryRun names what would run, and runs and records nothing (-n).
	DryRun bool
	// Force rebuilds every target (-B).
	Force bool
	// Verbose shows commands instead of descriptions (-v).
	Verbose bool
	// Explain says why each target runs (--explain).
	Explain bool
	// Trace runs the commands of every target traced, as trace = true
	// does for one (--trace-deps): what they read inside the project
	// becomes inputs of their next build.
	Trace bool
	// KillGrace is how long commands get after SIGTERM, on an interrupt
	// or a timeout without kill_timeout, before SIGKILL.
	KillGrace time.Duration
	// Jobserver is the form of the GNU make jobserver offered to commands
	// in MAKEFLAGS (default admit.JobserverPipe).
	Jobserver admit.JobserverMode
	// MakeJobserver, if not nil, is the jobserver of the make that runs
	// gobuildj (admit.FindMakeJobserver): gobuildj is then its client, taking a
	// token for each command beyond its first, and its commands share it.
	// Jobs still caps gobuildj's own commands. Ignored with JobserverNone.
	MakeJobserver *admit.MakeJobserver
	// Listener receives the build's events (required).
	Listener event.Listener
	// Stdin, Stdout and Stderr are the terminal that the commands of the
	// console pool get (default: gobuildj's own).
	Stdin, Stdout, Stderr *os.File
	// Remote, if set, shares results through a remote cache or runs
	// targets on a build farm (ignored by dry runs).
	Remote *RemoteOptions
	// FIFO starts ready targets in the order they became ready instead of
	// longest critical path first: for comparisons.
	FIFO bool
	// KeepStale leaves on disk the outputs recorded for targets that
	// left the graph (--keep-stale); see removeStale.
	KeepStale bool
	// CheckDeps runs every command under the tracer and holds what it
	// did to files against its target's declaration: the findings go in
	// the summary's DepCheck (--check-deps, gobuildj check).
	CheckDeps bool
	// LookupEnv reads the environment the commands inherit, for the PATH
	// that finds their programs and for env_inputs (default: os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Stat stats the files a build plans, as cache.StatAll does (the
	// default): the build server answers from memory for files that no
	// file-system event touched since their last stat.
	Stat func(dir string, paths []string, workers int) []cache.StatResult
	// Programs, if set, is told at the end of a build what its targets'
	// programs were read from outside Stat: the files hashed (absolute)
	// and the folders their names were looked up in (absolute). A build
	// server keeps a build's outcome only while those stay the same.
	Programs func(files, dirs []string)
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
	if o.Stat == nil {
		o.Stat = cache.StatAll
	}
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
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
