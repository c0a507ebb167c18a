package engine

import (
	"math"
	"slices"

	"github.com/gobuildj/gobuildj/engine/admit"

	"github.com/gobuildj/gobuildj/engine/runner"
)

// handOff passes the room (-j, the load, a jobserver token) of n, whose
// job ended, to a job admitted ahead: to the one its worker started in its
// place (res.Next), or else to the first one admitted ahead, which may
// then start on any worker (Promote), so that none waits for a busy
// worker while one is idle. A job admitted ahead that ended without
// starting (withdrawn) just leaves the list.
func (b *builder) handOff(n *node, res runner.Result) {
	if i := slices.Index(b.inRunnerIDs, n.t.ID); i >= 0 {
		b.inRunnerIDs = slices.Delete(b.inRunnerIDs, i, i+1)
	}
	if res.HasNext && res.Next >= 0 && res.Next < len(b.nodes) {
		m := &b.nodes[res.Next]
		if b.queue.Handoff(&n.job, &m.job) {
			b.forgetAhead(res.Next)
		}
	}
	for len(b.aheadJobs) > 0 && b.queue.HoldsRoom(&n.job) && !b.stopping {
		m := &b.nodes[b.aheadJobs[0]]
		b.aheadJobs = b.aheadJobs[1:]
		if m.run != nil && b.queue.Handoff(&n.job, &m.job) {
			if w, ok := b.workers.(*runner.Workers); ok {
				w.Promote(m.run)
			}
		}
	}
	if b.queue.IsAhead(&n.job) {
		b.forgetAhead(n.t.ID)
	}
}

// forgetAhead takes target id off the list of jobs admitted ahead.
func (b *builder) forgetAhead(id int) {
	if i := slices.Index(b.aheadJobs, id); i >= 0 {
		b.aheadJobs = slices.Delete(b.aheadJobs, i, i+1)
	}
}

// upgradeAhead gives the jobs admitted ahead, first admitted first, the
// room that -j, the load or the jobserver have now (a token came back to
// the jobserver): each may then start on any worker. It comes after
// admission, whose end may give back the tokens the jobserver's reader
// fetched for nobody: a job refused here leaves it waiting for one.
func (b *builder) upgradeAhead() {
	for len(b.aheadJobs) > 0 && !b.stopping {
		m := &b.nodes[b.aheadJobs[0]]
		if m.run == nil || !b.queue.IsAhead(&m.job) {
			b.aheadJobs = b.aheadJobs[1:]
			continue
		}
		if !b.queue.Upgrade(&m.job) {
			return
		}
		b.aheadJobs = b.aheadJobs[1:]
		if w, ok := b.workers.(*runner.Workers); ok {
			w.Promote(m.run)
		}
	}
}

// releaseBound is the highest priority of the targets that the end of n
// may make ready (its reverse deps in this build): the critical-path
// order of what a worker runs next.
func (b *builder) releaseBound(n *node) int64 {
	bound := int64(math.MinInt64)
	for _, rd := range n.t.RDeps {
		if rn := &b.nodes[rd.ID]; rn.inCycle {
			bound = max(bound, rn.priority)
		}
	}
	return bound
}

// mayGoAhead says whether j may be admitted ahead, to start in the place
// of a running job: not if the end of a job in a runner may make ready a
// target of a higher priority, which would then wait behind j (the
// critical path first, as without pipelining).
func (b *builder) mayGoAhead(j *admit.Job) bool {
	for _, id := range b.inRunnerIDs {
		if b.nodes[id].releases > j.Priority {
			return false
		}
	}
	// Those admitted just before it, not launched yet.
	for _, a := range b.queue.Admitting() {
		if a.Err == nil && b.releaseBound(&b.nodes[a.ID]) > j.Priority {
			return false
		}
	}
	return true
}
