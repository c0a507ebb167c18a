package engine

import "time"

// defaultDuration is what a command never run before is assumed to take
// when no command of the build has a recorded duration either.
const defaultDuration = time.Millisecond

// prioritize gives each target in the plan its priority: the length of the
// longest chain of commands that must run one after another from it to the
// end of the build, each weighted by how long its last successful run took
// (rounded, see coarse; a target never run counts as the mean of those
// recorded; an alias as nothing). Of the targets ready at once, the one with the longest chain
// behind it starts first: the critical path is never kept waiting by work
// that could be done beside it, which is what makes a build of uneven
// targets end sooner than first-come, first-served would.
func (b *builder) prioritize() {
	if b.opts.FIFO {
		return // all 0: first ready, first started
	}
	// By position in the build (in topological order), so that a build
	// of watch mode, which looks at what a change affects, costs what it
	// looks at.
	durs := make([]time.Duration, len(b.cycle))
	known := make([]bool, len(b.cycle))
	var sum time.Duration
	var count int
	for k, id := range b.cycle {
		n := &b.nodes[id]
		if len(n.t.Cmds) == 0 || n.verdict == clean {
			continue
		}
		if d, ok := b.store.LastDuration(n.t.Name); ok {
			durs[k], known[k] = coarse(d), true
			sum += durs[k]
			count++
		}
	}
	guess := coarse(defaultDuration)
	if count > 0 {
		guess = coarse(sum / time.Duration(count))
	}
	for k := len(b.cycle) - 1; k >= 0; k-- { // reverse deps first
		n := &b.nodes[b.cycle[k]]
		t := n.t
		var rest int64
		for _, rd := range t.RDeps {
			if rn := &b.nodes[rd.ID]; rn.inCycle {
				rest = max(rest, rn.priority)
			}
		}
		own := durs[k]
		if !known[k] && len(t.Cmds) > 0 && n.verdict != clean {
			own = guess
		}
		n.priority = int64(own) + rest
		b.plan.SetPriority(t.ID, n.priority)
	}
}

// coarse rounds a duration up to a power of two of milliseconds, 16 ms at
// least: runs of the same command differ by noise, and an order that
// followed the noise would change from build to build for nothing (and
// make logs differ). Only real differences in length count.
func coarse(d time.Duration) time.Duration {
	q := 16 * time.Millisecond
	for q < d {
		q <<= 1
	}
	return q
}
