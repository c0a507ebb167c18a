package event

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The build doctor reads the timings of a build and says, in a few lines,
// why it took as long as it did: whether a limit (-j, a pool, the
// jobserver) kept ready targets waiting, how many commands ran at once
// against how many could, how much of the wall time the critical path
// explains, what the remote cache fetched against what ran, and which
// targets got slower than their last recorded run. It says nothing when
// none of that stands out.

// Doctor thresholds: a limit is named when ready targets waited on it, in
// all, at least limitShare of the wall time and minLimitWait; a target is
// slower when it took at least slowerFactor times its last run and
// minSlowdown more.
const (
	limitShare   = 0.1
	minLimitWait = 50 * time.Millisecond
	slowerFactor = 1.5
	minSlowdown  = 100 * time.Millisecond
	// maxSlower is how many slower targets the doctor names.
	maxSlower = 5
)

// Diagnosis is what the doctor found in a build.
type Diagnosis struct {
	// Jobs is -j; Parallelism the commands' time added up over the wall
	// time: how many ran at once on average.
	Jobs        int
	Parallelism float64
	// CommandTime is the commands' time added up; Wall the build's.
	CommandTime, Wall time.Duration
	// CriticalPath is the time of the critical path's commands, without
	// their waits for a slot: what the build would take with no limit.
	CriticalPath time.Duration
	// Limits are the limits that kept ready targets waiting, most first,
	// each with the waits added up.
	Limits []Wait
	// Fetched counts the targets the remote cache gave, in FetchTime
	// added up; Ran those whose commands ran, in RunTime.
	Fetched, Ran       int
	FetchTime, RunTime time.Duration
	// Slower are the targets that took markedly longer than their last
	// recorded run, most slowed down first.
	Slower []Slowdown
}

// Slowdown is a target that got slower: its last recorded run against
// this one.
type Slowdown struct {
	Target        string
	Before, After time.Duration
}

// Diagnose looks at the runs of a build that took wall with -j jobs.
func Diagnose(runs []Run, wall time.Duration, jobs int) Diagnosis {
	d := Diagnosis{Jobs: jobs, Wall: wall}
	waits := map[string]time.Duration{}
	for _, r := range runs {
		dur := r.Duration()
		d.CommandTime += dur
		if r.Cached {
			d.Fetched++
			d.FetchTime += dur
		} else {
			d.Ran++
			d.RunTime += dur
		}
		for _, w := range r.Waits {
			waits[w.On] += w.Time
		}
		if r.OK && !r.Cached && r.Before > 0 && float64(dur) >= slowerFactor*float64(r.Before) && dur-r.Before >= minSlowdown {
			d.Slower = append(d.Slower, Slowdown{Target: r.Target, Before: r.Before, After: dur})
		}
	}
	if wall > 0 {
		d.Parallelism = float64(d.CommandTime) / float64(wall)
	}
	for _, r := range CriticalPath(runs) {
		d.CriticalPath += r.Duration()
	}
	floor := max(minLimitWait, time.Duration(limitShare*float64(wall)))
	for on, t := range waits {
		if t >= floor {
			d.Limits = append(d.Limits, Wait{On: on, Time: t})
		}
	}
	slices.SortFunc(d.Limits, func(a, b Wait) int {
		if c := cmp.Compare(b.Time, a.Time); c != 0 {
			return c
		}
		return strings.Compare(a.On, b.On)
	})
	slices.SortFunc(d.Slower, func(a, b Slowdown) int {
		if c := cmp.Compare(b.After-b.Before, a.After-a.Before); c != 0 {
			return c
		}
		return strings.Compare(a.Target, b.Target)
	})
	if len(d.Slower) > maxSlower {
		d.Slower = d.Slower[:maxSlower]
	}
	return d
}

// Lines says what the doctor found, a line each without the "gobuildj:
// doctor: " prefix; none when nothing stands out.
func (d Diagnosis) Lines() []string {
	var lines []string
	if len(d.Limits) > 0 {
		lines = append(lines, fmt.Sprintf("%.1f commands ran at once on average, of -j %d (%s of commands in %s wall time); the critical path's commands take %s (%d%% of the wall time)",
			d.Parallelism, d.Jobs, RoundDuration(d.CommandTime), RoundDuration(d.Wall), RoundDuration(d.CriticalPath), percent(d.CriticalPath, d.Wall)))
		for _, l := range d.Limits {
			lines = append(lines, fmt.Sprintf("limited by %s: ready targets waited %s in all for %s", limitName(l.On), RoundDuration(l.Time), limitRoom(l.On)))
		}
	}
	if d.Fetched > 0 {
		lines = append(lines, fmt.Sprintf("remote cache: %d fetched in %s; %d ran in %s", d.Fetched, RoundDuration(d.FetchTime), d.Ran, RoundDuration(d.RunTime)))
	}
	if len(d.Slower) > 0 {
		parts := make([]string, len(d.Slower))
		for i, s := range d.Slower {
			parts[i] = fmt.Sprintf("%s %s -> %s", s.Target, RoundDuration(s.Before), RoundDuration(s.After))
		}
		lines = append(lines, "slower than their last run: "+strings.Join(parts, ", "))
	}
	return lines
}

// limitName names a limit in a sentence.
func limitName(on string) string {
	switch on {
	case "-j", "workers", "ports":
		return on
	case "jobserver":
		return "the jobserver"
	case "load":
		return "the load average (-l)"
	}
	return on // "pool NAME"
}

// limitRoom says what a target waits for from a limit.
func limitRoom(on string) string {
	switch on {
	case "-j":
		return "a slot"
	case "jobserver":
		return "a token"
	case "load":
		return "the load to drop"
	case "ports":
		return "free ports"
	case "workers":
		return "a worker"
	}
	return "room in the pool"
}

func percent(part, whole time.Duration) int {
	if whole <= 0 {
		return 0
	}
	return int(100 * float64(part) / float64(whole))
}
