package runs

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// Recorder is an event.Listener that keeps what a build's targets did,
// for its run record. It is safe for use from several goroutines.
type Recorder struct {
	mu      sync.Mutex
	targets map[string]Target // the targets that ended, by name
	// skipped are the targets skipped, kept as their events: a build of
	// 10,000 up-to-date targets must not pay for records it does not
	// write (see Worth).
	skipped []event.Skip
	worth   bool // a target ran, was fetched, failed, was interrupted or not run
	sum     event.Summary
	done    bool
	first   time.Time // the first event's time, for a build without a summary
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{targets: map[string]Target{}} }

// Planned implements event.Listener.
func (r *Recorder) Planned(int) {}

// Explain implements event.Listener; the reason comes again with Finished.
func (r *Recorder) Explain(string, event.Reason) {}

// Started implements event.Listener. A target that started is recorded
// only once it ends: a record never claims more than happened.
func (r *Recorder) Started(ev event.Start) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first.IsZero() {
		r.first = ev.Time
	}
}

// Finished implements event.Listener.
func (r *Recorder) Finished(ev event.Finish) {
	if ev.Restarted { // it runs again (watch): its next end counts
		return
	}
	t := Target{
		Name: ev.Target, Key: ev.Key.String(), Reason: reasonOf(ev.Reason),
		Worker: ev.Worker, Remote: ev.Remote,
	}
	switch {
	case ev.OK && ev.Cached:
		t.Outcome = Cached
	case ev.OK:
		t.Outcome = Ran
	case ev.Interrupted:
		t.Outcome = Interrupted
	default:
		t.Outcome, t.Why = Failed, strings.TrimSpace(ev.Why)
	}
	if !ev.Start.IsZero() {
		start := ev.Start
		t.Start = &start
		t.DurationMS = ms(ev.End.Sub(ev.Start))
		if !ev.Queued.IsZero() && ev.Start.After(ev.Queued) {
			t.WaitMS = ms(ev.Start.Sub(ev.Queued))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.targets[t.Name] = t
	r.worth = true
}

// Skipped implements event.Listener.
func (r *Recorder) Skipped(ev event.Skip) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipped = append(r.skipped, ev)
	if ev.Kind != event.SkipCutoff && ev.Kind != event.SkipUpToDate {
		r.worth = true // blocked or not run
	}
}

// skippedTarget is the Target of a skip event.
func skippedTarget(ev event.Skip) Target {
	t := Target{Name: ev.Target, Key: ev.Key.String(), Why: ev.Why}
	switch ev.Kind {
	case event.SkipCutoff:
		t.Outcome, t.Cutoff = UpToDate, true
	case event.SkipUpToDate:
		// Its outcome says it all: the words are the same for every such
		// target, and a build of 10,000 would write them 10,000 times.
		t.Outcome, t.Why = UpToDate, ""
	case event.SkipBlocked:
		t.Outcome = Blocked
	default:
		t.Outcome = NotRun
	}
	return t
}

// Message implements event.Listener.
func (r *Recorder) Message(string) {}

// Worth reports whether the build told so far is worth a record (see
// Record.Worth), without building the record.
func (r *Recorder) Worth() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.worth || r.sum.Interrupted
}

// Done implements event.Listener.
func (r *Recorder) Done(sum event.Summary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sum, r.done = sum, true
}

// Meta is what the events do not say about a build: how it was asked for.
type Meta struct {
	Version   string
	Buildfile string   // relative to its folder
	Goals     []string // the targets named on the command line
	Flags     Flags
}

// Record returns the record of what was told so far. Worth says whether
// it is worth keeping.
func (r *Recorder) Record(meta Meta) *Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := &Record{
		Format: Format, Version: meta.Version, Buildfile: meta.Buildfile,
		Goals: meta.Goals, Flags: meta.Flags, Complete: r.done,
		Start: r.sum.Start, WallMS: ms(r.sum.Wall), Interrupted: r.sum.Interrupted,
		Targets: make([]Target, 0, len(r.targets)+len(r.skipped)),
	}
	if rec.Start.IsZero() {
		rec.Start = r.first
	}
	all := r.targets
	if len(r.skipped) > 0 {
		all = make(map[string]Target, len(r.targets)+len(r.skipped))
		for _, ev := range r.skipped {
			all[ev.Target] = skippedTarget(ev)
		}
		for name, t := range r.targets { // an end comes after a skip (watch)
			all[name] = t
		}
	}
	for _, t := range all {
		rec.Targets = append(rec.Targets, t)
		switch t.Outcome {
		case Ran:
			rec.Counts.Run++
		case Cached:
			rec.Counts.Cached++
		case UpToDate:
			rec.Counts.UpToDate++
		case Failed:
			rec.Counts.Failed++
		case Interrupted:
			rec.Counts.Interrupted++
		default:
			rec.Counts.NotRun++
		}
	}
	slices.SortFunc(rec.Targets, func(a, b Target) int { return strings.Compare(a.Name, b.Name) })
	return rec
}

// Worth reports whether a build is worth a record: it ran a command,
// fetched from a cache, failed or was interrupted. A build that found
// everything up to date is not recorded, so that builds run again and
// again (an editor's, a loop's) do not push the builds that did
// something out of the kept records; its keys are those of the last
// record that built each target.
func (rec *Record) Worth() bool {
	if rec.Start.IsZero() {
		return false // the build never began
	}
	c := rec.Counts
	return rec.Interrupted || c.Run+c.Cached+c.Failed+c.Interrupted+c.NotRun > 0
}
