package engine

import "time"

// eta estimates how long the commands of a build have left to run, from the
// durations that the last runs of their targets recorded: the expected work
// of the planned targets not finished yet (less what running ones have
// done), spread over the jobs, and never less than what the longest running
// command should still take. A target never run before counts as the mean
// of those that were. It is kept up to date as targets start and end, so
// that an estimate costs a walk over the running targets only.
type eta struct {
	jobs    int
	work    time.Duration         // the expected work of left
	left    map[int]time.Duration // targets to run not finished, with their expected work
	running map[int]time.Time     // targets whose commands run, with when they started
	known   bool                  // some target has a recorded duration
	mean    time.Duration
}

// plan starts the estimate of the targets of b's build that may run.
func (e *eta) plan(b *builder) {
	*e = eta{jobs: b.opts.Jobs, left: map[int]time.Duration{}, running: map[int]time.Time{}}
	var unknown []int
	var sum time.Duration
	count := 0
	for _, id := range b.cycle {
		n := &b.nodes[id]
		if len(n.t.Cmds) == 0 || n.verdict == clean {
			continue
		}
		if rec, ok := b.store.Target(n.t.Name); ok && rec.Duration > 0 {
			e.left[id] = rec.Duration
			sum += rec.Duration
			count++
		} else {
			unknown = append(unknown, id)
		}
	}
	if count == 0 {
		return
	}
	e.known = true
	e.mean = sum / time.Duration(count)
	for _, id := range unknown {
		e.left[id] = e.mean
		sum += e.mean
	}
	e.work = sum
}

// add counts a target planned during the build (watch mode: it runs again).
func (e *eta) add(b *builder, n *node) {
	if e.left == nil || len(n.t.Cmds) == 0 {
		return
	}
	id := n.t.ID
	if _, ok := e.left[id]; ok {
		return
	}
	d := e.mean
	if rec, ok := b.store.Target(n.t.Name); ok && rec.Duration > 0 {
		d = rec.Duration
		if !e.known {
			e.known, e.mean = true, d
		}
	}
	e.left[id] = d
	e.work += d
}

// started notes that the commands of target id reached a process.
func (e *eta) started(id int) {
	if e.running != nil {
		e.running[id] = time.Now()
	}
}

// stopped notes that the commands of target id were stopped; it runs
// again.
func (e *eta) stopped(id int) {
	delete(e.running, id)
}

// finished notes that target id will not run (any more) in this build.
func (e *eta) finished(id int) {
	if e.left == nil {
		return
	}
	delete(e.running, id)
	if d, ok := e.left[id]; ok {
		e.work -= d
		delete(e.left, id)
	}
}

// estimate returns how long the build should still take, and false when it
// cannot say (nothing recorded, or commands already slower than recorded).
func (e *eta) estimate(now time.Time) (time.Duration, bool) {
	if !e.known || len(e.left) == 0 {
		return 0, false
	}
	work := e.work
	var longest time.Duration
	for id, start := range e.running {
		d := e.left[id]
		done := min(now.Sub(start), d)
		work -= done
		longest = max(longest, d-done)
	}
	par := min(max(e.jobs, 1), len(e.left))
	est := max(work/time.Duration(par), longest)
	if est <= 0 {
		return 0, false
	}
	return est, true
}
