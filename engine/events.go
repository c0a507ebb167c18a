package engine

import (
	"fmt"
	"time"

	"github.com/gobuildj/gobuildj/graph"
)

// The helpers below fill the events a build sends its Status with what
// reports need (why a target ran or did not, what it waited for, how busy
// the scheduler was), so that run.go and build.go only name the moment.

// skipped tells the Status that a target with commands does not run in this
// build, and why.
func (b *build) skipped(n *node, kind SkipKind, why string) {
	if len(n.t.Cmds) == 0 {
		return
	}
	if kind == SkipBlocked && b.interrupted.Load() {
		// its dep "failed" because the build was stopped: say that
		kind, why = SkipNotRun, b.notRunWhy()
	}
	b.st.Skipped(SkipEvent{Target: n.t.Name, Description: b.describe(n.t), Kind: kind, Why: why})
}

// blockedWhy says which failure kept t from running: "dep lib failed", or
// "dep all did not run: lib failed" when the failure is further down.
func (b *build) blockedWhy(t *graph.Target) string {
	for _, d := range t.Deps {
		switch b.nodes[d.ID].progress {
		case failed:
			return fmt.Sprintf("dep %s failed", d.Name)
		case blocked:
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
func (b *build) rootFailure(t *graph.Target) string {
	for _, d := range t.Deps {
		switch b.nodes[d.ID].progress {
		case failed:
			return d.Name
		case blocked:
			if root := b.rootFailure(d); root != "" {
				return root
			}
		}
	}
	return ""
}

// notRunWhy says why the build ended with targets still waiting.
func (b *build) notRunWhy() string {
	switch {
	case b.interrupted.Load():
		return "the build was interrupted"
	case b.stopping:
		return "the build stopped after a failure (-k keeps going)"
	}
	return "the build stopped"
}

// startEvent describes n as its commands reach worker pid (0: none).
func (b *build) startEvent(n *node, pid int) StartEvent {
	running, ready := b.load()
	ev := StartEvent{
		Target: n.t.Name, Description: b.describe(n.t), Reason: n.reason,
		Worker: pid, Time: n.started, Running: running, Ready: ready,
	}
	ev.ETA, _ = b.eta.estimate(time.Now())
	return ev
}

// fillFinish adds to ev what reports want beside the outcome.
func (b *build) fillFinish(ev *FinishEvent, n *node) {
	ev.Reason = n.reason
	ev.Dir = b.abs(n.t.Dir)
	ev.Deps = b.waitedFor(n.t)
	ev.Running, ev.Ready = b.load()
	ev.ETA, _ = b.eta.estimate(ev.End)
}

// waitedFor names the deps of t with commands, looking through aliases,
// that ran in this build: the targets whose end could have delayed t.
func (b *build) waitedFor(t *graph.Target) []string {
	var names []string
	var seen map[int]bool
	var walk func(deps []*graph.Target)
	walk = func(deps []*graph.Target) {
		for _, d := range deps {
			if !d.IsAlias() {
				if !b.nodes[d.ID].started.IsZero() {
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

// load counts the targets whose commands are in workers and those handed to
// the scheduler (or waiting for a jobserver token) that wait for a worker.
func (b *build) load() (running, ready int) {
	if b.sched == nil {
		return 0, 0
	}
	ready = b.sched.Queued()
	if b.js != nil {
		ready += b.js.pending()
	}
	ready += b.pools.queued()
	return b.sched.Running(), ready
}
