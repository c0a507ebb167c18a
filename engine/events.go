package engine

import (
	"fmt"
	"time"

	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// The helpers below fill the events a build sends its Listener with what
// reports need (why a target ran or did not, what it waited for, how busy
// the build was), so that builder.go only names the moment.

// skipped tells the Listener that a target with commands does not run in
// this build, and why.
func (b *builder) skipped(n *node, kind event.SkipKind, why string) {
	if len(n.t.Cmds) == 0 {
		return
	}
	if kind == event.SkipBlocked && b.interrupted.Load() {
		// its dep "failed" because the build was stopped: say that
		kind, why = event.SkipNotRun, b.notRunWhy()
	}
	b.ls.Skipped(event.Skip{Target: n.t.Name, Description: b.describe(n.t), Kind: kind, Why: why, Key: n.eventKey()})
}

// cutoff reports a target that was to run after its deps but need not
// (early cutoff), and with --explain says why it did not run, as the
// targets that run are explained.
func (b *builder) cutoff(n *node, why string) {
	b.skipped(n, event.SkipCutoff, why)
	if b.opts.Explain && len(n.t.Cmds) > 0 {
		b.ls.Message(fmt.Sprintf("gobuildj explain: %s: not run: %s", n.t.Name, why))
	}
}

// blockedWhy says which failure kept t from running: "dep lib failed", or
// "dep all did not run: lib failed" when the failure is further down.
func (b *builder) blockedWhy(t *graph.Target) string {
	for _, d := range t.Deps {
		switch b.plan.State(d.ID) {
		case plan.Failed:
			return fmt.Sprintf("dep %s failed", d.Name)
		case plan.Blocked:
			if root := b.rootFailure(d); root != "" {
				return fmt.Sprintf("dep %s did not run: %s failed", d.Name, root)
			}
			return fmt.Sprintf("dep %s did not run", d.Name)
		}
	}
	return "a dep did not build"
}

// rootFailure finds, through blocked deps, a failed target that kept t from
// running ("" if none is found).
func (b *builder) rootFailure(t *graph.Target) string {
	for _, d := range t.Deps {
		switch b.plan.State(d.ID) {
		case plan.Failed:
			return d.Name
		case plan.Blocked:
			if root := b.rootFailure(d); root != "" {
				return root
			}
		}
	}
	return ""
}

// notRunWhy says why the build ended with targets still waiting.
func (b *builder) notRunWhy() string {
	switch {
	case b.interrupted.Load():
		return "the build was interrupted"
	case b.stopping:
		return "the build stopped after a failure (-k keeps going)"
	}
	return "the build stopped"
}

// startEvent describes n as its commands reach process pid (0: none).
func (b *builder) startEvent(n *node, pid int) event.Start {
	running, ready := b.load()
	ev := event.Start{
		Target: n.t.Name, Description: b.describe(n.t), Reason: n.reason, Key: n.eventKey(),
		Worker: pid, Running: running, Ready: ready,
	}
	if n.attempt != nil {
		ev.Time = n.started
	}
	ev.ETA, _ = b.eta.estimate(time.Now())
	return ev
}

// finishEvent describes the end of n's commands.
func (b *builder) finishEvent(n *node, ok bool, cmd, why string, output []byte) event.Finish {
	end := time.Now()
	var a attempt
	if n.attempt != nil {
		a = *n.attempt
	}
	start := a.started
	if start.IsZero() {
		start = end
	}
	queued := a.queued
	if queued.IsZero() {
		queued = start
	}
	ev := event.Finish{
		Target: n.t.Name, Description: b.describe(n.t), OK: ok, Cmd: cmd, Why: why,
		Cmds: n.t.Cmds, Output: output, Worker: a.worker, Queued: queued, Start: start, End: end,
		Interrupted: !ok && b.interrupted.Load(),
		Reason:      n.reason,
		Key:         n.eventKey(),
		Dir:         b.abs(n.t.Dir),
		Deps:        b.waitedFor(n.t),
	}
	ev.Running, ev.Ready = b.load()
	ev.ETA, _ = b.eta.estimate(ev.End)
	ev.Failures = a.failures
	if b.queue != nil {
		for _, w := range b.queue.Waits(&a.job) {
			ev.Waits = append(ev.Waits, event.Wait{On: w.On, Time: w.Time})
		}
	}
	return ev
}

// waitedFor names the deps of t with commands, looking through aliases,
// that ran in this build: the targets whose end could have delayed t.
func (b *builder) waitedFor(t *graph.Target) []string {
	var names []string
	var seen map[int]bool
	var walk func(deps []*graph.Target)
	walk = func(deps []*graph.Target) {
		for _, d := range deps {
			if !d.IsAlias() {
				if b.nodes[d.ID].ran() {
					names = append(names, d.Name)
				}
				continue
			}
			if seen == nil {
				seen = map[int]bool{}
			}
			if !seen[d.ID] {
				seen[d.ID] = true
				walk(d.Deps)
			}
		}
	}
	walk(t.Deps)
	if seen != nil { // through aliases, a dep may come twice
		unique := names[:0]
		have := make(map[string]bool, len(names))
		for _, name := range names {
			if !have[name] {
				have[name] = true
				unique = append(unique, name)
			}
		}
		names = unique
	}
	return names
}

// load counts the targets whose commands run in a process, and those that
// wait to: for admission (a slot, a token) or for a process.
func (b *builder) load() (running, ready int) {
	ready = b.inRunner - b.inProcess
	if b.queue != nil {
		ready += b.queue.Len()
	}
	return b.inProcess, ready
}

// eventKey is n's action key for events, zero when its action was not
// computed in this build.
func (n *node) eventKey() event.Key {
	if n.action == nil {
		return event.Key{}
	}
	return event.Key(n.key)
}
