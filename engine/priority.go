package engine

import (
	"slices"
	"sort"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

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
func (b *build) prioritize() {
	// By position in the plan (in topological order), so that a build of
	// watch mode, which plans what a change affects, costs what it plans.
	durs := make([]time.Duration, len(b.plan))
	known := make([]bool, len(b.plan))
	var sum time.Duration
	var count int
	for k, n := range b.plan {
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
	for k := len(b.plan) - 1; k >= 0; k-- { // reverse deps first
		n := b.plan[k]
		t := n.t
		var rest int64
		for _, rd := range t.RDeps {
			if rn := &b.nodes[rd.ID]; rn.inPlan {
				rest = max(rest, rn.priority)
			}
		}
		own := durs[k]
		if !known[k] && len(t.Cmds) > 0 && n.verdict != clean {
			own = guess
		}
		n.priority = int64(own) + rest
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

// insertTask inserts t into queue, ordered as the scheduler orders its own
// (sched.Task.Priority, highest first; in arrival order among equals).
func insertTask(queue []*sched.Task, t *sched.Task) []*sched.Task {
	n := len(queue)
	if n == 0 || queue[n-1].Priority >= t.Priority {
		return append(queue, t)
	}
	i := sort.Search(n, func(i int) bool { return queue[i].Priority < t.Priority })
	return slices.Insert(queue, i, t)
}

// insertPoolTask inserts t into a pool's queue in the same order.
func insertPoolTask(queue []poolTask, t poolTask) []poolTask {
	n := len(queue)
	if n == 0 || queue[n-1].task.Priority >= t.task.Priority {
		return append(queue, t)
	}
	i := sort.Search(n, func(i int) bool { return queue[i].task.Priority < t.task.Priority })
	return slices.Insert(queue, i, t)
}
