package engine

import (
	"os"
	"slices"
	"time"

	"github.com/gobuildj/gobuildj/depcheck"
	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/event"
)

// With Options.CheckDeps every command runs under the tracer, and at the
// end of the build what each traced command did to files is held against
// what its target declares (package depcheck): the findings go in the
// summary (event.Summary.DepCheck), for the command line to print and for
// the reports to keep.

// tracedRun is what a traced attempt of a target left: its report, whether
// it succeeded, how long it took and its last recorded run.
type tracedRun struct {
	id      int
	ran     depcheck.Ran
	ok      bool
	took    time.Duration
	before  time.Duration
	hasPrev bool
}

// noteTrace keeps what n's traced commands did, for the check at the end of
// the build (the last attempt of a retried target wins), with how long its
// last recorded run took (before, if hasPrev).
func (b *builder) noteTrace(n *node, res runner.Result, before time.Duration, hasPrev bool) {
	if res.Err != nil || res.Out.Trace == nil || res.Out.Cached || res.Out.Remote {
		// A remote worker's paths are those of its own folder: its
		// target counts as untraced.
		return
	}
	r := tracedRun{id: n.t.ID, ok: res.Out.OK(), took: res.Out.Duration, before: before, hasPrev: hasPrev}
	r.ran = depcheck.Ran{T: n.t, Discovered: n.discovered, Report: res.Out.Trace}
	if b.tracing(n.t) {
		// What a traced target read is recorded as its input (trace =
		// true): declared, as a depfile's inputs are.
		r.ran.Discovered = slices.Concat(n.discovered, n.traced)
	}
	if n.dyn != nil {
		r.ran.DynFiles, r.ran.DynDeps = n.dyn.files, n.dyn.deps
	}
	if b.traced == nil {
		b.traced = map[int]*tracedRun{}
	}
	b.traced[n.t.ID] = &r
}

// checkDeps classifies the traced runs of the build into the summary.
func (b *builder) checkDeps() {
	if !b.opts.CheckDeps || b.opts.DryRun {
		return
	}
	self, _ := os.Executable()
	c := depcheck.New(b.g, b.opts.LookupEnv, b.g.Check.Allow, self)
	dc := &event.DepCheck{}
	for _, id := range b.cycle { // in build order
		n := &b.nodes[id]
		if len(n.t.Cmds) == 0 {
			continue
		}
		r, ok := b.traced[id]
		switch {
		case !ok && n.ran():
			dc.Untraced++
			continue
		case !ok:
			dc.NotRun++
			continue
		}
		dc.Traced++
		dc.TracedTime += r.took
		if r.hasPrev {
			dc.BeforeCount++
			dc.Before += r.before
			dc.BeforeTraced += r.took
		}
		for _, f := range c.Check(r.ran) {
			if !r.ok && f.Kind == depcheck.UnwrittenOutput {
				continue // it failed: not writing its outputs is the failure
			}
			dc.Findings = append(dc.Findings, f)
		}
	}
	b.sum.DepCheck = dc
	b.traced = nil // a next build (watch mode) starts afresh
}
