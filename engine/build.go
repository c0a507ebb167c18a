package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/sched"
)

// firstExtraFd is the descriptor of sched.Options.ExtraFiles[0] in a worker.
const firstExtraFd = 5

// verdict is what the check before the build concluded about a target.
type verdict uint8

const (
	// clean: up to date, and so are all its deps.
	clean verdict = iota
	// dirty: must run (its own inputs, command or outputs changed).
	dirty
	// maybe: a dep may change; decided when the deps are done.
	maybe
)

// progress is where a target is in the build.
type progress uint8

const (
	waiting progress = iota
	running
	succeeded // built or found up to date: its outputs are known
	failed    // its command failed
	blocked   // a dep failed, so it never ran
)

// node is the engine's view of one target during a build.
type node struct {
	t          *graph.Target
	inPlan     bool
	pending    int // deps in the plan not finished yet
	verdict    verdict
	reason     string
	progress   progress
	action     *cache.Action
	key        cache.Hash
	outputs    []cache.PathHash // after success: every output with its content hash
	timedOut   time.Duration    // the timeout that fired, if one did
	priority   int64            // ns of work on the longest chain from it to the end (prioritize)
	aliasKnown bool             // an alias's outputs were gathered (depOutputs)
	started    time.Time        // when its commands reached a worker
	worker     int              // pid of the worker that ran them
	queued     time.Time        // when it was handed to the scheduler
	// discovered are the inputs its depfile named after it ran.
	discovered []string
	// task is its task while it is handed to the scheduler (nil for the
	// console pool), so that a change in watch mode can cancel it.
	task *sched.Task
	// rerun is set when its task was canceled because a file it reads
	// changed: it runs again once the canceled commands are over.
	rerun bool
}

// build is the state of one Build call. Apart from the interrupted flag,
// it is touched only by the goroutine that called Build (the scheduler runs
// its handlers there).
type build struct {
	g          *graph.Graph
	opts       Options
	st         Status
	store      *cache.Store
	files      *cache.Files
	nodes      []node
	sched      *sched.Scheduler
	js         *jobserver   // nil without a jobserver
	remote     *remoteState // nil without a remote server
	ports      sched.Ports  // TCP ports held by running targets (ports.go)
	pools      *pools       // nil until a target of a pool runs
	depOf      func(path string) string
	stopping   bool               // no new target may start
	toSubmit   []submission       // tasks of targets that start, for flushStarts
	planned    *plannedFiles      // during the check before the build
	prestarted bool               // a worker was started during the check
	statBuf    []cache.StatResult // scratch for the check
	planFiles  [][]int32          // plannedFiles.files, kept between the builds of watch mode
	storeErr   error
	sum        Summary

	// plan lists the nodes with inPlan set: the targets of this build.
	plan []*node
	// inflight counts the targets of the plan handed to the scheduler
	// (or to a pool, the jobserver or the remote gate) whose outcome is
	// not known yet; advancing is the depth of advance calls. The build is
	// over when both are 0.
	inflight, advancing int
	// onIdle, if set, is called when the build is over (watch mode ends
	// its cycle there); a one-shot build ends when the scheduler's Run
	// returns.
	onIdle func()
	// total is what the Status was last told by Planned, less the early
	// cutoffs since: the commands it expects.
	total int
	eta   eta
	// ran, if set, is told of each target that succeeded by running its
	// commands (watch mode indexes what its depfile named).
	ran func(n *node)

	interrupted atomic.Bool
}

// Build brings targets (and everything they depend on) up to date. It
// returns nil when every target was built or up to date, an error wrapping
// ErrFailed or ErrInterrupted, a *graph.Error when an input is missing (found
// before anything runs), or another error when the state store fails.
// Interrupt, if not nil, delivers interrupts: the first stops the build
// (SIGTERM to running commands, SIGKILL after KillGrace), the second kills
// running commands at once.
func Build(g *graph.Graph, targets []*graph.Target, opts Options, interrupt <-chan os.Signal) (Summary, error) {
	opts.normalize()
	start := time.Now()
	b := newBuild(g, opts)
	b.sum.DryRun = opts.DryRun
	b.sum.Start = start
	defer func() {
		b.js.close()
		if b.sched != nil {
			b.sched.Discard() // workers prestarted for a Run that did not come
		}
	}()
	b.markPlan(targets)
	// The state log is read while the files are stated: the two take
	// about as long on a large build, and neither waits for the other.
	preloaded := make(chan *cache.Preloaded, 1)
	if !opts.DryRun {
		go func() { preloaded <- cache.Preload(g.Root) }()
	} else {
		preloaded <- nil
	}
	planned := b.statPlanned()
	if err := b.checkPlanInputs(planned); err != nil {
		return b.sum, err
	}

	var err error
	if opts.DryRun {
		b.store, err = cache.OpenReadOnly(g.Root)
	} else {
		b.store, err = cache.OpenPreloaded(g.Root, <-preloaded)
	}
	if err != nil {
		return b.sum, fmt.Errorf("state: %w", err)
	}
	b.files = b.store.Files()
	defer b.store.Close() // for the early returns; closing twice is harmless

	if err := b.checkPlanned(planned); err != nil {
		return b.sum, err
	}
	if opts.DryRun {
		return b.dryRun(start), nil
	}

	log := b.beginCycle(start)
	defer log.close() // Done closed it, unless Build failed before
	if err := b.setupScheduler(); err != nil {
		return b.sum, err
	}
	if interrupt != nil {
		done := make(chan struct{})
		defer close(done)
		go b.watchInterrupts(interrupt, done, b.st, nil)
	}
	return b.endCycle(b.run(), true)
}

// newBuild returns the engine's state for building g.
func newBuild(g *graph.Graph, opts Options) *build {
	b := &build{g: g, opts: opts, st: opts.Status, nodes: make([]node, len(g.Targets))}
	for i, t := range g.Targets {
		b.nodes[i].t = t
	}
	b.depOf = func(path string) string {
		if t, ok := b.g.Lookup(path); ok {
			return t.Name
		}
		return ""
	}
	return b
}

// checkPlanned runs the check of the plan over the files statPlanned
// stated, then orders the targets to run by their critical path.
func (b *build) checkPlanned(planned *plannedFiles) error {
	planned.resolve(b.files)
	b.planned = planned
	err := b.check()
	b.planned = nil // from now on commands change files
	if err == nil && !b.opts.FIFO && !b.opts.DryRun {
		b.prioritize()
	}
	return err
}

// beginCycle starts telling the story of a build that runs its plan: in
// .gobuildj/log/last.log besides the Status, with an ETA for the status
// line. It returns the log, which Done closes.
func (b *build) beginCycle(start time.Time) *buildLog {
	log := newBuildLog(b.g, b.opts.Status, start)
	b.st = log
	b.eta.plan(b)
	return log
}

// endCycle ends a build whose commands are over: it counts what did not
// run, writes the file states (and closes the state store if closeStore is
// set), tells the Status and returns the build's outcome.
func (b *build) endCycle(runErr error, closeStore bool) (Summary, error) {
	b.abandonQueued()
	b.sum.Wall = time.Since(b.sum.Start)
	b.sum.Interrupted = b.interrupted.Load()
	for _, n := range b.plan {
		if len(n.t.Cmds) > 0 && (n.progress == waiting || n.progress == running || n.progress == blocked) {
			b.sum.NotRun++
			if n.progress != blocked {
				b.skipped(n, SkipNotRun, b.notRunWhy())
			}
		}
	}
	if closeStore {
		b.noteStoreErr(b.store.Close()) // flushes file states, may compact
	} else {
		b.noteStoreErr(b.files.Flush())
	}
	b.st.Done(b.sum)
	switch {
	case runErr != nil:
		return b.sum, runErr
	case b.sum.Interrupted:
		return b.sum, ErrInterrupted
	case b.sum.Failed > 0:
		return b.sum, fmt.Errorf("%d target(s) failed: %w", b.sum.Failed, ErrFailed)
	case b.storeErr != nil:
		return b.sum, fmt.Errorf("state: %w", b.storeErr)
	}
	return b.sum, nil
}

// noteStoreErr remembers the first failure to write the state and warns at
// once: the build goes on (its outputs are good), but what was not recorded
// reruns next time, and the build ends with an error.
func (b *build) noteStoreErr(err error) {
	if err == nil || b.storeErr != nil {
		return
	}
	b.storeErr = err
	b.st.Message(fmt.Sprintf("gobuildj: warning: cannot write the state in %s: %v; the build goes on, and what it cannot record will run again next time", cache.DirName, err))
}

// markPlan puts the targets and their transitive deps in the plan and counts,
// for each, the deps it waits for.
func (b *build) markPlan(targets []*graph.Target) {
	stack := append([]*graph.Target(nil), targets...)
	count := 0
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &b.nodes[t.ID]
		if n.inPlan {
			continue
		}
		n.inPlan = true
		n.pending = len(t.Deps)
		count++
		stack = append(stack, t.Deps...)
	}
	b.plan = make([]*node, 0, count)
	for i := range b.nodes { // in topological order
		if b.nodes[i].inPlan {
			b.plan = append(b.plan, &b.nodes[i])
		}
	}
}

// checkPlanInputs fails with a *graph.Error if a target of the plan reads a
// file that does not exist and that no dep produces.
func (b *build) checkPlanInputs(planned *plannedFiles) error {
	for _, n := range b.plan {
		if err := b.checkInputsExist(n.t, planned); err != nil {
			return err
		}
	}
	return nil
}

// check decides, before anything runs, which targets of the plan (b.plan,
// in topological order) are up to date (clean),
// which must run (dirty) and which depend on the outcome of others (maybe),
// and fails with a *graph.Error if a needed input file does not exist.
func (b *build) check() error {
	total := 0
	for _, n := range b.plan { // topological order
		t := n.t
		n.verdict = clean
		for _, d := range t.Deps {
			if b.nodes[d.ID].verdict != clean {
				n.verdict = maybe
			}
		}
		if len(t.Cmds) == 0 {
			continue
		}
		total++
		switch {
		case b.opts.Force:
			n.verdict, n.reason = dirty, "-B was given"
		case t.Always:
			n.verdict, n.reason = dirty, "always = true"
		}
		if n.verdict == dirty {
			b.prestart()
		}
		if n.verdict != clean {
			continue
		}
		if err := b.prepareAction(n); err != nil {
			return err
		}
		b.statBuf = b.planned.outputStats(t.ID, len(t.Inputs), b.statBuf[:0])
		if reason := b.store.CheckStats(t.Name, n.action, n.key, t.Outputs, b.statBuf); reason != "" {
			n.verdict, n.reason = dirty, reason
			b.prestart()
			continue
		}
		n.outputs = b.recordedOutputs(t)
	}
	planned := 0
	for _, n := range b.plan {
		if len(n.t.Cmds) > 0 && n.verdict != clean {
			planned++
		}
	}
	b.sum.UpToDate = total - planned
	b.total = planned
	b.st.Planned(planned)
	return nil
}

// checkInputsExist reports an input that does not exist and that no dep of
// the target declares as an output.
func (b *build) checkInputsExist(t *graph.Target, planned *plannedFiles) error {
	for _, in := range t.Inputs {
		if planned.exists(in) || b.producedByDep(t, in) {
			continue
		}
		if _, err := os.Lstat(b.abs(in)); err != nil {
			msg := fmt.Sprintf("%q does not exist and no target declares it as an output", in)
			if !errors.Is(err, os.ErrNotExist) {
				msg = fmt.Sprintf("%q: %v", in, err)
			}
			return b.g.TargetError(t, "inputs", msg)
		}
	}
	return nil
}

func (b *build) producedByDep(t *graph.Target, path string) bool {
	for _, d := range t.Deps {
		for _, o := range d.Outputs {
			if o == path {
				return true
			}
		}
		if len(d.Cmds) == 0 && b.producedByDep(d, path) {
			return true
		}
	}
	return false
}

// prepareAction hashes the target's inputs and gathers its deps' outputs
// into the action whose key decides whether it runs.
func (b *build) prepareAction(n *node) error {
	t := n.t
	a := &cache.Action{Cmds: t.Cmds, Env: t.Env, Dir: t.Dir}
	if t.Ports > 0 {
		// The number of ports is part of the command's environment.
		a.Env = append(append([]string(nil), t.Env...), fmt.Sprintf("GOBUILDJ_PORTS=<%d ports>", t.Ports))
	}
	a.Inputs = make([]cache.PathHash, 0, len(t.Inputs))
	for j, in := range t.Inputs {
		var st cache.FileState
		var err error
		if b.planned != nil {
			st, err = b.planned.inputState(t.ID, j)
		} else {
			st, err = b.files.State(b.abs(in))
		}
		if err != nil {
			return b.g.TargetError(t, "inputs", fmt.Sprintf("%q: %v", in, err))
		}
		a.Inputs = append(a.Inputs, cache.PathHash{Path: in, Hash: st.Hash})
	}
	a.Inputs = b.withDiscovered(t, a.Inputs)
	for _, d := range t.Deps {
		a.DepOutputs = append(a.DepOutputs, b.depOutputs(d)...)
	}
	a.DepOf = b.depOf
	n.action = a
	n.key = a.Key()
	return nil
}

// depOutputs returns the outputs that dep d stands for, once it is done:
// its own, or for an alias those of its deps, computed on first use (most
// aliases, like "all", are the dep of no command, and in watch mode "all"
// is done again at every change).
func (b *build) depOutputs(d *graph.Target) []cache.PathHash {
	n := &b.nodes[d.ID]
	if len(d.Cmds) == 0 && !n.aliasKnown {
		n.outputs, n.aliasKnown = b.aliasOutputs(d), true
	}
	return n.outputs
}

// aliasOutputs is what an alias stands for: the outputs of its deps.
func (b *build) aliasOutputs(t *graph.Target) []cache.PathHash {
	if len(t.Deps) == 1 {
		return b.depOutputs(t.Deps[0])
	}
	var out []cache.PathHash
	seen := map[string]bool{}
	for _, d := range t.Deps {
		for _, o := range b.depOutputs(d) {
			if !seen[o.Path] {
				seen[o.Path] = true
				out = append(out, o)
			}
		}
	}
	return out
}

func (b *build) recordedOutputs(t *graph.Target) []cache.PathHash {
	rec, _ := b.store.Target(t.Name)
	out := make([]cache.PathHash, len(rec.Outputs))
	for i, o := range rec.Outputs {
		out[i] = cache.PathHash{Path: t.Outputs[i], Hash: o.State.Hash}
	}
	return out
}

func (b *build) abs(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(b.g.Root, rel)
}

func (b *build) absOutputs(t *graph.Target) []string {
	out := make([]string, len(t.Outputs))
	for i, o := range t.Outputs {
		out[i] = b.abs(o)
	}
	return out
}

// dryRun names, in build order, every target that would run.
func (b *build) dryRun(start time.Time) Summary {
	for _, t := range b.g.Targets {
		n := &b.nodes[t.ID]
		if !n.inPlan || len(t.Cmds) == 0 || n.verdict == clean {
			continue
		}
		b.sum.Run++
		reason := n.reason
		if n.verdict == maybe {
			reason = "a dep may change"
		}
		if b.opts.Explain {
			b.st.Explain(t.Name, reason)
		}
		b.st.Message(b.describe(t))
	}
	b.sum.Wall = time.Since(start)
	b.st.Done(b.sum)
	return b.sum
}

// describe is the status text of a target: its description, or with -v its
// commands.
func (b *build) describe(t *graph.Target) string {
	if b.opts.Verbose {
		return strings.Join(t.Cmds, " && ")
	}
	return t.Description
}

// watchInterrupts stops the build on the first interrupt and kills its
// commands on the second, saying so on st (the goroutine's own: b.st
// belongs to the scheduler's); then, if set, calls stopped (watch mode
// lets the scheduler's Run return there).
func (b *build) watchInterrupts(interrupt <-chan os.Signal, done <-chan struct{}, st Status, stopped func()) {
	count := 0
	for {
		select {
		case <-done:
			return
		case sig := <-interrupt:
			count++
			b.interrupted.Store(true)
			b.js.clear()
			if stopped != nil {
				stopped()
			}
			if count == 1 {
				st.Message(fmt.Sprintf("gobuildj: %v: stopping; running commands get SIGTERM, then SIGKILL after %s (again to kill now)", sig, b.opts.KillGrace))
				b.sched.Stop()
			} else {
				st.Message("gobuildj: killing running commands")
				b.sched.Kill()
			}
		}
	}
}

// setupScheduler makes the jobserver and the scheduler of the build, once.
func (b *build) setupScheduler() error {
	if b.sched != nil {
		return nil
	}
	opts := &b.opts
	var err error
	b.js, err = newJobserver(opts.Jobserver, opts.Jobs, os.TempDir(), opts.MakeJobserver)
	if err != nil {
		return err
	}
	if opts.Remote != nil {
		b.remote = newRemoteState(opts.Remote)
	}
	b.sched = sched.New(sched.Options{
		Jobs:            b.remote.schedJobs(opts.Jobs),
		Executable:      b.remote.executable(),
		StopKillTimeout: opts.KillGrace,
		ExtraFiles:      b.js.workerFiles(),
	})
	if b.js != nil {
		b.js.attach(b.sched, firstExtraFd)
	}
	return nil
}

// prestart starts a worker process while the check goes on, once it found
// a target that must run: the worker's start (a few milliseconds) then
// overlaps the rest of the check instead of delaying the first command.
// Not for dry runs, nor with a remote server (whose setup decides the
// workers).
func (b *build) prestart() {
	if b.prestarted || b.opts.DryRun || b.opts.Remote != nil {
		return
	}
	b.prestarted = true
	if b.setupScheduler() == nil {
		b.sched.Prestart(1)
	}
}
