package event

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Run is the timing of one target's commands in a build: what the critical
// path and the list of slowest targets are made of. It answers how long the
// target took, how long it waited for a worker once its deps were done, and
// which of the targets that ran it waited for.
type Run struct {
	Target string
	Deps   []string // the targets with commands it waited for that ran (Finish.Deps)
	OK     bool
	// Queued is when its deps were done; Start when a worker took it; End
	// when it ended.
	Queued, Start, End time.Time
	// Waits, Cached, Failures and Before are Finish's: what held it back,
	// whether its outputs came from a remote cache, its failed attempts
	// and how long its last recorded run took.
	Waits    []Wait
	Cached   bool
	Failures int
	Before   time.Duration
}

// RunOf keeps the timing of a finished target (and drops its output).
func RunOf(ev Finish) Run {
	return Run{
		Target: ev.Target, Deps: ev.Deps, OK: ev.OK, Queued: ev.Queued, Start: ev.Start, End: ev.End,
		Waits: ev.Waits, Cached: ev.Cached, Failures: ev.Failures, Before: ev.Before,
	}
}

// Duration is how long the target's commands ran.
func (r Run) Duration() time.Duration { return r.End.Sub(r.Start) }

// Wait is how long the target waited for a worker (or a jobserver token)
// after its deps were done.
func (r Run) Wait() time.Duration {
	if r.Queued.IsZero() || r.Start.Before(r.Queued) {
		return 0
	}
	return r.Start.Sub(r.Queued)
}

// CriticalPath returns the chain of runs that bounded the build's wall time,
// first run first: it starts from the run that ended last and goes back,
// each time, to the dep that ended last, until it reaches a run that waited
// for none. Shortening any run of the chain shortens the build (unless
// another chain is nearly as long); shortening anything else does not.
func CriticalPath(runs []Run) []Run {
	if len(runs) == 0 {
		return nil
	}
	byName := make(map[string]int, len(runs))
	last := 0
	for i, r := range runs {
		byName[r.Target] = i
		if r.End.After(runs[last].End) {
			last = i
		}
	}
	var path []Run
	seen := map[int]bool{}
	for i := last; i >= 0 && !seen[i]; {
		seen[i] = true
		path = append(path, runs[i])
		next := -1
		for _, d := range runs[i].Deps {
			j, ok := byName[d]
			if ok && (next < 0 || runs[j].End.After(runs[next].End)) {
				next = j
			}
		}
		i = next
	}
	slices.Reverse(path)
	return path
}

// Slowest returns the n runs that took longest, longest first (equal ones
// by target name).
func Slowest(runs []Run, n int) []Run {
	s := slices.Clone(runs)
	slices.SortStableFunc(s, func(a, b Run) int {
		if c := cmp.Compare(b.Duration(), a.Duration()); c != 0 {
			return c
		}
		return strings.Compare(a.Target, b.Target)
	})
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// SlowestCount is how many targets the summary lists as the slowest.
const SlowestCount = 5
