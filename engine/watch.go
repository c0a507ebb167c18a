package engine

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/watch"
)

// Watcher is the file watcher of a watch session: watch.Watcher, or a fake.
type Watcher interface {
	// Set replaces what is watched; its error says what cannot be.
	Set(spec watch.Spec) error
	// Batches delivers what changed, a burst of events at a time.
	Batches() <-chan watch.Batch
}

// WatchOptions configure Watch beside the Options of its builds.
type WatchOptions struct {
	// Targets are the targets as named on the command line (none: the
	// Buildfile's default), selected again whenever the Buildfile is read
	// again.
	Targets []string
	// Watcher tells what changes; Watch tells it what to watch.
	Watcher Watcher
	// OnCycle, if set, is called when a build starts, or when a change
	// joins the build in progress, before anything else is printed for
	// it: the command line prints a header there.
	OnCycle func(Cycle)
}

// Cycle is a build of a watch session about to start, or a change that
// joins the build in progress.
type Cycle struct {
	Time time.Time
	// Changed are the files whose change matters, relative to the
	// Buildfile's folder (absolute outside it), sorted; empty for the
	// first build.
	Changed []string
	// First is set for the build that starts the session.
	First bool
	// Joined is set when the change joins the build in progress: the
	// commands it affects are stopped and run again.
	Joined bool
	// Overflow says the kernel dropped events: everything is checked.
	Overflow bool
	// Targets names the targets built.
	Targets []string
}

// Watch builds the targets once, then keeps everything a build knows in
// memory (the graph, the state store with its lock, the file states and
// hashes, each target's outputs) and, whenever the watcher reports
// changed files, builds again what they affect: the targets that read
// them, and what depends on those. The cost of a build grows with the
// change, not with the graph: nothing else is stated or hashed. Skip rules
// and the state on disk are those of a plain build, so a plain build after
// watch agrees with it.
//
// A changed Buildfile (or an included one), or a file created or removed
// where an input glob or a rule's foreach looks, makes Watch read the
// Buildfile again; targets whose definition did not change keep what is
// known of them. A Buildfile that no longer loads is reported and the last
// good one kept. A change during a build joins it: the commands of the
// targets it affects are stopped (SIGTERM to their group, SIGKILL after
// their kill timeout) and run again, and other running commands finish.
// When the Buildfile was read again during a build, that build starts
// nothing more and the next one begins when its running commands are over.
//
// Watch returns when interrupt delivers a signal (the first stops a build
// in progress as Build does, the second kills its commands): ErrInterrupted
// if a build was stopped, else nil. It returns an error at once if the
// targets cannot be selected or the state cannot be opened.
func Watch(g *graph.Graph, opts Options, wopts WatchOptions, interrupt <-chan os.Signal) error {
	return watchWith(g, opts, wopts, interrupt, nil)
}

// watchWith is Watch, with the runner of every job made by newRunner if
// set (tests).
func watchWith(g *graph.Graph, opts Options, wopts WatchOptions, interrupt <-chan os.Signal, newRunner func(runner.Sink) runner.Runner) error {
	opts.normalize()
	targets, err := g.Select(wopts.Targets)
	if err != nil {
		return err
	}
	s := &session{w: wopts, names: wopts.Targets, warned: make(map[string]bool, len(g.Warnings))}
	for _, w := range g.Warnings { // printed with the load
		s.warned[w] = true
	}
	b := newBuilder(g, opts)
	b.newRunner = newRunner
	s.b = b
	if b.store, err = cache.OpenState(g.State()); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	b.files = b.store.Files()
	defer b.store.Close()
	if err := b.setup(); err != nil {
		return err
	}
	b.prestarted = true // the workers stay up between builds: no prestart
	for _, w := range b.store.Warnings() {
		b.ls.Message("gobuildj: warning: " + w)
	}
	b.ran = s.noteFound
	s.adopt(g, targets)

	done := make(chan struct{})
	go b.watchInterrupts(interrupt, done, opts.Listener)
	s.startCycle(Cycle{Time: time.Now(), First: true}, true)
	s.loop()
	close(done)
	runErr := b.closeRunners()
	if s.active { // interrupted: its commands are over
		s.active = false
		b.sum.UpToDate = s.upToDate()
		_, err = b.endCycle(nil, false)
		s.unplan()
	}
	if runErr != nil {
		return runErr
	}
	if err := b.store.Close(); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if s.interrupted {
		return ErrInterrupted
	}
	return err
}

// session is the state of Watch between and during its builds. Like the
// builder's, it is touched only by the goroutine of the loop, which takes
// in both what runners report and what the watcher sees.
type session struct {
	b     *builder
	w     WatchOptions
	names []string // Targets as given

	targets    []*graph.Target // selected from the current graph
	wanted     []bool          // by target ID: the targets need it
	wantedCmds int             // wanted targets with commands
	// stale holds the wanted targets whose outputs are not known to be
	// up to date: they failed or did not run, or a file they read changed
	// since. The next build plans them and what depends on them.
	stale map[int]bool
	index *inputIndex

	active bool // a build is in progress
	// interrupted is set when an interrupt stopped a build.
	interrupted bool
	// waiting are the changes that arrived while a build was stopping:
	// they start the next one. reload holds a Buildfile read while a
	// build ran: it replaces the graph when that build is over.
	waiting       []string
	overflowed    bool
	reload        *graph.Graph
	reloadTargets []*graph.Target
	// newGraph is set when a graph was adopted: the next build removes
	// the outputs of targets that left it.
	newGraph bool
	// warned are the Buildfile's warnings printed so far: a reload
	// prints only new ones.
	warned map[string]bool
}

// loop runs the session until an interrupt ends it and its commands are
// over: builds go on, and changes start or join them.
func (s *session) loop() {
	b := s.b
	batches := s.w.Watcher.Batches()
	for {
		b.pump()
		if b.idle() {
			if s.active {
				s.cycleOver()
				continue
			}
			if b.interrupted.Load() {
				return
			}
		}
		select {
		case <-b.inbox.wake:
			b.drain()
		case batch, ok := <-batches:
			if !ok {
				batches = nil // no more changes: wait for the interrupt
				continue
			}
			s.changed(batch)
		}
	}
}

// changed acts on a batch of changed paths.
func (s *session) changed(batch watch.Batch) {
	if s.b.interrupted.Load() {
		return
	}
	for _, p := range batch.Problems {
		s.b.ls.Message("gobuildj watch: warning: " + p)
	}
	s.update(batch.Paths, batch.Overflow)
}

// update builds what changed paths affect: it reads the Buildfile again
// if they call for it, then starts a build, or makes them join the build
// in progress.
func (s *session) update(paths []string, overflow bool) {
	b := s.b
	if s.active && (b.stopping || s.reload != nil) {
		// This build starts nothing more: the change waits for the next.
		s.waiting = append(s.waiting, paths...)
		s.overflowed = s.overflowed || overflow
		return
	}
	c := s.classify(paths, overflow)
	cycle := Cycle{Time: time.Now(), Changed: c.changed, Overflow: overflow, Targets: s.targetNames()}
	replaced, announced := false, false
	if c.reload {
		if !s.active && s.w.OnCycle != nil {
			// Announced before the read, which may fail and say why.
			s.w.OnCycle(cycle)
			announced = true
		}
		switch {
		case !s.readBuildfile():
			if len(c.seeds) == 0 {
				return // reported; nothing else changed
			}
		case s.active:
			// The graph is replaced once the running commands are over:
			// start nothing more until then.
			s.waiting = append(s.waiting, paths...)
			s.overflowed = s.overflowed || overflow
			b.ls.Message("gobuildj watch: " + summarize(c.changed, 3) + " changed during the build: running commands finish, then the build starts again")
			b.stop()
			return
		default:
			s.adopt(s.reload, s.reloadTargets)
			s.reload, s.reloadTargets = nil, nil
			c.seeds = s.classify(paths, overflow).seeds // against the new graph
			replaced = true
		}
	}
	if len(c.seeds) == 0 && !replaced {
		return // nothing that matters changed
	}
	if s.active {
		cycle.Joined = true
		if s.w.OnCycle != nil {
			s.w.OnCycle(cycle)
		}
		s.join(c.seeds, c.changed)
		return
	}
	for id := range c.seeds {
		s.stale[id] = true
	}
	s.startCycle(cycle, !announced)
}

// readBuildfile reads the Buildfile again into s.reload, or reports why it
// cannot and returns false.
func (s *session) readBuildfile() bool {
	b := s.b
	g, err := b.g.Reload()
	var targets []*graph.Target
	if err == nil {
		targets, err = g.Select(s.names)
	}
	if err != nil {
		b.ls.Message(fmt.Sprintf("gobuildj: error: %v\ngobuildj watch: the Buildfile does not load: still watching with the last good one", err))
		return false
	}
	for _, w := range g.Warnings {
		if !s.warned[w] {
			s.warned[w] = true
			b.ls.Message("gobuildj: warning: " + w)
		}
	}
	s.reload, s.reloadTargets = g, targets
	return true
}

// targetNames names the selected targets.
func (s *session) targetNames() []string {
	names := make([]string, len(s.targets))
	for i, t := range s.targets {
		names[i] = t.Name
	}
	return names
}

// startCycle starts a build of the stale targets and of what depends on
// them (the first build: of every selected target), announcing it first
// unless that was done.
func (s *session) startCycle(c Cycle, announce bool) {
	b := s.b
	if b.interrupted.Load() {
		return
	}
	c.Targets = s.targetNames()
	if announce && s.w.OnCycle != nil {
		s.w.OnCycle(c)
	}
	b.sum = event.Summary{Start: c.Time}
	b.stopping = false
	if s.newGraph { // the first build, or the Buildfile was read again
		s.newGraph = false
		b.removeStale()
	}
	s.planStale()
	planned := b.statPlanned()
	err := b.checkCycleInputs(planned)
	if err == nil {
		err = b.checkPlanned(planned)
	}
	if err != nil {
		b.ls.Message(fmt.Sprintf("gobuildj: error: %v\ngobuildj watch: nothing was built; still watching", err))
		s.unplan()
		return
	}
	if c.First {
		b.opts.Force = false // -B rebuilds everything once
	}
	s.active = true
	b.eta.plan(b)
	b.plan.Resume()
}

// planStale makes the stale targets, and the wanted targets that depend on
// them, wait in the plan again, and makes them the targets of this build.
func (s *session) planStale() {
	b := s.b
	ids := make([]int, 0, len(s.stale))
	for id := range s.stale {
		ids = append(ids, id)
	}
	ids = b.withMissingDeps(ids)
	for _, id := range b.cycle {
		b.nodes[id].inCycle = false
	}
	b.cycle = b.cycle[:0]
	for _, r := range b.plan.Redo(ids...) {
		n := &b.nodes[r.ID]
		s.resetNode(n)
		b.cycle = append(b.cycle, r.ID)
	}
}

// resetNode forgets what a build found of n: it is looked at again.
func (s *session) resetNode(n *node) {
	*n = node{t: n.t, inCycle: true, verdict: maybe, priority: n.priority}
}

// join makes a change part of the build in progress: the targets that
// read the changed files (and those of the build that failed or were
// blocked) are planned again with what depends on them; those running are
// stopped and run again.
func (s *session) join(seeds map[int]bool, changed []string) {
	b := s.b
	why := event.Reason{Kind: event.Restarted, Subject: summarize(changed, 3)}
	var ids []int
	for id := range seeds {
		if s.wanted[id] {
			ids = append(ids, id)
		}
	}
	for _, id := range b.cycle {
		if st := b.plan.State(id); st == plan.Failed || st == plan.Blocked {
			ids = append(ids, id)
		}
	}
	more := 0 // commands the Listener now expects beside those it did
	for _, r := range b.plan.Redo(ids...) {
		n := &b.nodes[r.ID]
		cmds := len(n.t.Cmds) > 0
		switch {
		case n.attempt != nil && n.rerun:
			continue // already stopped: it runs again anyway
		case r.Was == plan.Taken && n.attempt != nil && b.queue.Remove(&n.job):
			// It waited for admission, holding nothing: it simply waits
			// for its deps again.
			b.plan.Return(r.ID)
			b.eta.finished(r.ID)
		case r.Was == plan.Taken && n.attempt != nil:
			// Its commands run: stop them; it runs again once they
			// are over (restarted).
			if n.ran() {
				more++
			}
			n.rerun = true
			n.reason = why
			b.runnerOf(n).Cancel(n.run)
			continue
		case !n.inCycle:
			b.cycle = append(b.cycle, r.ID)
			if cmds {
				more++
			}
		case r.Was == plan.Waiting || r.Was == plan.Ready:
			if cmds && n.verdict == clean {
				more++ // it was not expected to run
			}
		case r.Was == plan.Blocked:
			// Expected and never finished: it still is.
		case r.Was == plan.Failed:
			b.sum.Failed--
			more++
		case cmds:
			more++ // it ran, was up to date or was cut off: it may run again
		}
		s.resetNode(n)
		b.eta.add(b, n)
	}
	slices.Sort(b.cycle)
	b.total += more
	b.ls.Planned(b.total)
}

// cycleOver ends the build in progress once nothing runs or can start:
// the summary is printed, what did not succeed stays stale, and changes
// that waited start the next build (the Buildfile is read again then, if
// they call for it).
func (s *session) cycleOver() {
	if !s.active {
		return
	}
	b := s.b
	s.active = false
	b.sum.UpToDate = s.upToDate()
	if _, err := b.endCycle(nil, false); errors.Is(err, ErrInterrupted) {
		s.interrupted = true
	}
	s.unplan()
	s.reload, s.reloadTargets = nil, nil
	if b.interrupted.Load() || (len(s.waiting) == 0 && !s.overflowed) {
		return
	}
	paths, overflow := s.waiting, s.overflowed
	s.waiting, s.overflowed = nil, false
	s.update(paths, overflow)
}

// upToDate counts the wanted targets with commands that did not run and
// needed not: a plain build would say the same.
func (s *session) upToDate() int {
	n := s.wantedCmds
	for _, id := range s.b.cycle {
		pn := &s.b.nodes[id]
		if len(pn.t.Cmds) > 0 && !(s.b.plan.State(id) == plan.Done && !pn.ran()) {
			n--
		}
	}
	return n
}

// unplan ends a build: what succeeded is up to date (clean, for the builds
// to come), the rest stays stale, and the plan starts nothing until the
// next build.
func (s *session) unplan() {
	b := s.b
	for _, id := range b.cycle {
		n := &b.nodes[id]
		if b.plan.State(id) == plan.Done {
			n.verdict = clean
			delete(s.stale, id)
		} else {
			s.stale[id] = true
		}
	}
	b.plan.Stop()
}

// summarize names up to max paths, and how many more.
func summarize(paths []string, max int) string {
	if len(paths) <= max {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s (+%d more)", strings.Join(paths[:max], ", "), len(paths)-max)
}
