package engine

import (
	"fmt"
	"os"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// Build brings targets (and everything they depend on) up to date. It
// returns nil when every target was built or up to date, an error wrapping
// ErrFailed or ErrInterrupted, a *graph.Error when an input is missing (found
// before anything runs), or another error when the state store fails.
// Interrupt, if not nil, delivers interrupts: the first stops the build
// (SIGTERM to running commands, SIGKILL after KillGrace), the second kills
// running commands at once.
func Build(g *graph.Graph, targets []*graph.Target, opts Options, interrupt <-chan os.Signal) (event.Summary, error) {
	return build(g, targets, opts, interrupt, nil)
}

// build is Build, with the runner of every job made by newRunner if set
// (tests).
func build(g *graph.Graph, targets []*graph.Target, opts Options, interrupt <-chan os.Signal, newRunner func(runner.Sink) runner.Runner) (event.Summary, error) {
	opts.normalize()
	start := time.Now()
	b := newBuilder(g, opts)
	b.newRunner = newRunner
	b.sum.DryRun = opts.DryRun
	b.sum.Start = start
	b.sum.Jobs = b.opts.Jobs
	defer b.closeRunners() // for the early returns: workers prestarted for nothing
	b.want(targets)
	// The state log is read while the files are stated: the two take
	// about as long on a large build, and neither waits for the other.
	preloaded := make(chan *cache.Preloaded, 1)
	if !opts.DryRun {
		go func() { preloaded <- cache.PreloadState(g.State()) }()
	} else {
		preloaded <- nil
	}
	planned := b.statPlanned()
	if err := b.checkCycleInputs(planned); err != nil {
		return b.sum, err
	}

	var err error
	if opts.DryRun {
		b.store, err = cache.OpenReadOnlyState(g.State())
	} else {
		b.store, err = cache.OpenPreloadedState(g.State(), <-preloaded)
	}
	if err != nil {
		return b.sum, fmt.Errorf("state: %w", err)
	}
	b.files = b.store.Files()
	defer b.store.Close() // for the early returns; closing twice is harmless
	b.removeStale()

	if err := b.checkPlanned(planned); err != nil {
		return b.sum, err
	}
	if opts.DryRun {
		return b.dryRun(start), nil
	}
	b.eta.plan(b)
	if interrupt != nil {
		done := make(chan struct{})
		defer close(done)
		// A signal that came before the loop (a build server's client
		// interrupted while the build loaded) stops it before it starts
		// anything.
		taken := 0
		select {
		case sig := <-interrupt:
			taken = 1
			b.onInterrupt(sig, taken, b.ls)
		default:
		}
		go b.watchInterruptsFrom(interrupt, done, b.ls, taken)
	}
	b.loop()
	runErr := b.closeRunners()
	if runErr == nil {
		runErr = b.dynErr
	}
	sum, err := b.endCycle(runErr, true)
	if opts.Programs != nil {
		var files, dirs []string
		if b.tools != nil {
			files, dirs = b.tools.used()
		}
		opts.Programs(files, dirs)
	}
	return sum, err
}

// want puts targets and everything they depend on in the plan, and makes
// them the targets this build looks at.
func (b *builder) want(targets []*graph.Target) {
	ids := make([]int, len(targets))
	b.goals = make(map[int]bool, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
		b.goals[t.ID] = true
	}
	b.plan.Want(ids...)
	b.cycle = b.cycle[:0]
	for id := range b.nodes { // in topological order
		if b.plan.State(id) != plan.Unwanted {
			b.cycle = append(b.cycle, id)
			b.nodes[id].inCycle = true
		}
	}
}

// endCycle ends a build whose commands are over: it counts what did not
// run, writes the file states (and closes the state store if closeStore is
// set), tells the Listener and returns the build's outcome.
func (b *builder) endCycle(runErr error, closeStore bool) (event.Summary, error) {
	b.sum.Wall = time.Since(b.sum.Start)
	b.sum.Interrupted = b.interrupted.Load()
	for _, id := range b.cycle {
		n := &b.nodes[id]
		if len(n.t.Cmds) == 0 {
			continue
		}
		switch b.plan.State(id) {
		case plan.Done, plan.Failed:
		case plan.Blocked:
			b.sum.NotRun++ // said when it was blocked
		default:
			b.sum.NotRun++
			b.skipped(n, event.SkipNotRun, b.notRunWhy())
		}
	}
	b.checkDeps()
	if closeStore {
		b.noteStoreErr(b.store.Close()) // flushes file states, may compact
	} else {
		b.noteStoreErr(b.files.Flush())
	}
	b.ls.Done(b.sum)
	if b.storeErr != nil {
		// As ninja does when it cannot write .ninja_log: the commands
		// and their outputs are what the exit code tells; the state that
		// could not be written only costs the next build a rerun. Said
		// again after the summary, where it is seen.
		b.ls.Message(fmt.Sprintf("gobuildj: warning: the state was not fully recorded: %v; the commands it does not record will run again next time", b.storeErr))
	}
	switch {
	case runErr != nil:
		return b.sum, runErr
	case b.sum.Interrupted:
		return b.sum, ErrInterrupted
	case b.sum.Failed > 0:
		return b.sum, fmt.Errorf("%d target(s) failed: %w", b.sum.Failed, ErrFailed)
	}
	return b.sum, nil
}

// dryRun names, in build order, every target that would run.
func (b *builder) dryRun(start time.Time) event.Summary {
	for _, id := range b.cycle {
		n := &b.nodes[id]
		t := n.t
		if n.absent != "" && n.verdict == clean && b.opts.Explain {
			b.ls.Message(fmt.Sprintf("gobuildj explain: %s: not rebuilt: %s", t.Name, b.absentWhy(n)))
		}
		if len(t.Cmds) == 0 || n.verdict == clean {
			continue
		}
		b.sum.Run++
		reason := n.reason
		if n.verdict == maybe {
			reason = event.Reason{Kind: event.DepMayChange}
		}
		if b.opts.Explain {
			b.ls.Explain(t.Name, reason)
		}
		b.ls.Message(b.describe(t))
	}
	b.sum.Wall = time.Since(start)
	b.ls.Done(b.sum)
	return b.sum
}
