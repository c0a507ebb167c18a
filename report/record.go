// Package report turns the events of a build into files that CI systems and
// people read afterwards: JUnit XML for test reporters, a Chrome trace for
// Perfetto, and a self-contained HTML page with the build's timeline. A
// Recorder is one more event.Listener; the files are written from what it
// kept once the build is done.
package report

import (
	"slices"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// Build is what a build told its Status, in the order it happened. It
// answers what ran (and on which worker, when, why and how it ended), what
// did not run and why, and how busy the scheduler was over time.
type Build struct {
	Summary  event.Summary
	Planned  int            // commands that may run, as first announced
	Commands []event.Finish // every target whose commands ran, in the order they ended
	Retried  []event.Finish // the failed attempts that ran again (retries), in the order they ended
	Skipped  []event.Skip   // every target with commands that did not run
	Load     []Sample       // the scheduler's load after each start and end
	Messages []string       // interruption notices and other messages
}

// Sample is the number of targets running in workers and of those ready
// but waiting for one, at a moment of the build.
type Sample struct {
	Time           time.Time
	Running, Ready int
}

// Meta describes the build as a whole, for the headers of reports.
type Meta struct {
	// Buildfile is the Buildfile's path as the reader knows it.
	Buildfile string
	// Folder is the Buildfile's folder relative to where gobuildj was
	// started ("." if there): the JUnit classname of every target.
	Folder string
	// Args is the command line, without the program's name.
	Args []string
	// Jobs is -j.
	Jobs int
}

// Recorder is an event.Listener that keeps every event of a build for the
// reports. It is safe for use from several goroutines.
type Recorder struct {
	mu sync.Mutex
	b  Build
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Planned implements event.Listener.
func (r *Recorder) Planned(total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.b.Planned == 0 {
		r.b.Planned = total
	}
}

// Explain implements event.Listener; the reason comes again with Started.
func (r *Recorder) Explain(string, event.Reason) {}

// Started implements event.Listener.
func (r *Recorder) Started(ev event.Start) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.b.Load = append(r.b.Load, Sample{Time: ev.Time, Running: ev.Running, Ready: ev.Ready})
}

// Finished implements event.Listener.
func (r *Recorder) Finished(ev event.Finish) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ev.Retried {
		r.b.Retried = append(r.b.Retried, ev)
	} else {
		r.b.Commands = append(r.b.Commands, ev)
	}
	r.b.Load = append(r.b.Load, Sample{Time: ev.End, Running: ev.Running, Ready: ev.Ready})
}

// Skipped implements event.Listener.
func (r *Recorder) Skipped(ev event.Skip) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.b.Skipped = append(r.b.Skipped, ev)
}

// Message implements event.Listener.
func (r *Recorder) Message(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.b.Messages = append(r.b.Messages, text)
}

// Done implements event.Listener.
func (r *Recorder) Done(sum event.Summary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.b.Summary = sum
}

// Build returns a copy of what was recorded so far.
func (r *Recorder) Build() *Build {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.b
	b.Commands = slices.Clone(b.Commands)
	b.Retried = slices.Clone(b.Retried)
	b.Skipped = slices.Clone(b.Skipped)
	b.Load = slices.Clone(b.Load)
	b.Messages = slices.Clone(b.Messages)
	return &b
}

// Runs returns the timing of every command, for event.CriticalPath and
// event.Slowest.
func (b *Build) Runs() []event.Run {
	runs := make([]event.Run, len(b.Commands))
	for i, c := range b.Commands {
		runs[i] = event.RunOf(c)
	}
	return runs
}

// RetriedOf returns the failed attempts of target that ran again, first
// first.
func (b *Build) RetriedOf(target string) []event.Finish {
	var out []event.Finish
	for _, f := range b.Retried {
		if f.Target == target {
			out = append(out, f)
		}
	}
	return out
}

// Lane is one worker process's track: the commands it ran, in order.
type Lane struct {
	Worker   int   // the worker's pid; 0 for commands that never reached one
	Commands []int // indexes in Build.Commands
}

// Lanes groups the commands by the worker that ran them, workers in the
// order they first started a command, commands by start time. Commands that
// never reached a worker (a target that could not be prepared, a worker
// that could not start) come last, on a lane with Worker 0.
func (b *Build) Lanes() []Lane {
	order := make([]int, len(b.Commands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return b.Commands[i].Start.Compare(b.Commands[j].Start) })
	var lanes []Lane
	index := map[int]int{}
	var orphans []int
	for _, i := range order {
		pid := b.Commands[i].Worker
		if pid == 0 {
			orphans = append(orphans, i)
			continue
		}
		k, ok := index[pid]
		if !ok {
			k = len(lanes)
			index[pid] = k
			lanes = append(lanes, Lane{Worker: pid})
		}
		lanes[k].Commands = append(lanes[k].Commands, i)
	}
	if len(orphans) > 0 {
		lanes = append(lanes, Lane{Commands: orphans})
	}
	return lanes
}

// End is when the build ended: its start plus its wall time, or the end of
// the last command if the summary never came.
func (b *Build) End() time.Time {
	end := b.Summary.Start.Add(b.Summary.Wall)
	for _, c := range b.Commands {
		if c.End.After(end) {
			end = c.End
		}
	}
	return end
}

// Start is when the build began (or its first command, without a summary).
func (b *Build) Start() time.Time {
	start := b.Summary.Start
	for _, c := range b.Commands {
		if start.IsZero() || c.Queued.Before(start) {
			start = c.Queued
		}
	}
	return start
}
