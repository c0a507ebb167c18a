package engine

import (
	"os"

	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/sched"
)

// In watch mode a file can change while the commands that read it run.
// Their result would be stale at once, so they are stopped (SIGTERM to
// their process group, SIGKILL after the kill timeout, as on Ctrl-C) and
// the target runs again once they are over and its deps are done. A target
// whose task has not reached a worker yet is simply taken back.

// cancel stops the commands of n, a target handed to the scheduler, because
// of why (a file they read changed). It returns true when n must wait for
// its canceled commands to end before it runs again (n.rerun is then set),
// false when its task was taken back before it started: n is waiting again
// at once.
func (b *build) cancel(n *node, why string) bool {
	if n.progress != running || n.task == nil || n.rerun {
		return n.rerun
	}
	if b.pools.remove(n.task) || b.js.remove(n.task) || b.remote.remove(n.task) {
		n.task = nil
		n.progress = waiting
		b.inflight--
		b.eta.finished(n)
		return false
	}
	if !b.sched.Cancel(n.task) {
		return false // cannot happen: its OnFinish would have run
	}
	n.rerun = true
	n.reason = why
	return true
}

// restarted ends a run that cancel stopped: its outputs may be half
// written, so they go, and the target runs again once its deps are done.
// A task taken out of the scheduler's queue before it started tells the
// Status nothing: it never started.
func (b *build) restarted(n *node, res sched.Result) {
	t := n.t
	for _, o := range b.absOutputs(t) {
		os.Remove(o)
	}
	n.rerun = false
	n.progress = waiting
	n.worker = res.Worker
	// What it reads changed: decide again, from scratch, when it is ready.
	n.verdict, n.action = maybe, nil
	if !n.started.IsZero() {
		b.sum.Restarted++
		ev := b.finishEvent(n, false, "", n.reason, nil)
		ev.Restarted = true
		b.st.Finished(ev)
	}
	n.pending--
	var ready []*graph.Target
	if n.pending == 0 {
		ready = append(ready, t)
	}
	b.advance(ready)
}
