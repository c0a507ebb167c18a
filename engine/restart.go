package engine

import (
	"os"

	"github.com/gobuildj/gobuildj/engine/runner"
)

// In watch mode a file can change while the commands that read it run.
// Their result would be stale at once, so they are stopped (SIGTERM to
// their process group, SIGKILL after the kill timeout, as on Ctrl-C) and
// the target runs again once they are over and its deps are done (the
// session's join cancels them; the plan's Redo makes the target wait for
// the end of its canceled run).

// restarted ends a run that a change canceled: its outputs may be half
// written, so they go, and the target waits in the plan to run again. A
// job that never reached a process tells the Listener nothing: it never
// started.
func (b *builder) restarted(n *node, res runner.Result) {
	for _, o := range b.absOutputs(n.t) {
		os.Remove(o)
	}
	n.rerun = false
	n.worker = res.Worker
	// What it reads changed: decide again, from scratch, when it is ready.
	n.verdict, n.action = maybe, nil
	if !n.started.IsZero() {
		b.sum.Restarted++
		ev := b.finishEvent(n, false, "", n.reason.String(), nil)
		ev.Restarted = true
		b.ls.Finished(ev)
	}
	b.plan.Finish(n.t.ID, false) // it was redone: it waits again
}
