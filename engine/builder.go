package engine

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine/admit"
	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/ports"
	"github.com/gobuildj/gobuildj/worker"
)

// The builder drives a build, as ninja's Builder does: it asks the plan
// which targets are ready, decides for each whether it must run (check.go:
// up to date, cut off, or why it runs), queues those that must for
// admission (package admit), hands the admitted ones to a runner (package
// runner), and, when the runner says a job ended, records the outcome and
// tells the plan, which releases what waited for it. It tells a
// Listener what happened. All of it happens on one goroutine, the loop's;
// runners and the jobserver talk to it through its inbox.

// node is what the builder knows of one target beside its place in the
// plan.
type node struct {
	t       *graph.Target
	verdict verdict
	reason  event.Reason
	action  *cache.Action
	key     cache.Hash
	// outputs are, once it is done, its outputs with their content
	// hashes; for an alias, those of its deps (aliasKnown).
	outputs    []cache.PathHash
	aliasKnown bool
	// late is set for a target wanted while the build ran (a dyndep file
	// named it): it was not looked at before the build.
	late bool
	// dyn is what its dyndep file named in this build (nil until read).
	dyn *dynState
	// discovered are the inputs its depfile named after it ran.
	discovered []string
	// traced and probed are what its traced run read undeclared and
	// looked for in vain inside the project (tracedeps.go).
	traced, probed []string
	// absent, for a secondary or intermediate target that is up to date
	// with outputs missing, is the first missing one ("" otherwise).
	absent string
	// notShared says why its run does not go to the remote server ("" if
	// it does, or there is none).
	notShared string
	// inCycle is set for the targets the current build looks at (watch
	// mode plans what a change reaches; the others are done already).
	inCycle bool
	// priority is the length of the longest chain of work behind it.
	priority int64
	// releases is, while its job is in a pipelined runner, the highest
	// priority of what its end may make ready (releaseBound).
	releases int64

	// attempt is nil until its commands are first queued for admission.
	*attempt
}

// attempt is what a target holds from the moment its commands are queued
// for admission. It is allocated then, not with the node, so a build that
// runs a few of many targets (a no-op, one change) pays for those few.
type attempt struct {
	// job is its admission, and run its commands as handed to a runner
	// (nil while it waits for admission).
	job admit.Job
	run *runner.Job
	// rerun is set when a file it reads changed while its commands ran:
	// they were canceled and it runs again once they are over.
	rerun bool

	queued   time.Time     // when it was queued for admission
	started  time.Time     // when its commands reached a process
	worker   int           // the pid that ran them
	timedOut time.Duration // the timeout that fired, if one did
	// failures counts the attempts of this build that failed and were
	// run again (retries).
	failures int
	// ended is set when its commands ended with an outcome of their own:
	// not dropped, not stopped to run again, not refused admission.
	ended bool
}

// attempted gives n its attempt, if it has none yet.
func (n *node) attempted() *attempt {
	if n.attempt == nil {
		n.attempt = &attempt{job: admit.Job{ID: n.t.ID}}
	}
	return n.attempt
}

// ran reports whether n's commands reached a process (in this build, or
// in this cycle of watch mode).
func (n *node) ran() bool { return n.attempt != nil && !n.started.IsZero() }

// builder is the state of an engine: one build, or the builds of a watch
// session. Apart from the interrupted flag and the inbox, it is touched
// only by the goroutine of its loop.
type builder struct {
	// toolchains are the toolchain folders sandboxed commands may use,
	// found on the first sandboxed target.
	toolchains *toolchainFolders
	g          *graph.Graph
	shape      *shape
	opts       Options
	ls         event.Listener
	store      *cache.Store
	files      *cache.Files
	nodes      []node
	plan       *plan.Plan
	depOf      func(path string) string

	// cycle lists, in topological order, the targets this build looks
	// at: the whole plan in a one-shot build, what a change reaches in
	// watch mode.
	cycle []int

	// Admission and the runners, made at the first command (setup).
	queue   *admit.Queue
	js      *admit.Jobserver
	workers runner.Runner // worker processes
	farm    runner.Runner // the build farm (through workers of gobuildj-remote)
	console runner.Runner // the terminal, for the console pool
	// runWith, if set, is the one runner of every job (tests: a fake made
	// by newRunner).
	runWith   runner.Runner
	newRunner func(runner.Sink) runner.Runner
	remote    *remoteState
	ports     ports.Pool
	pools     *admit.Pools
	// setupDone is set once the runners exist: the interrupt watcher may
	// then stop them.
	setupDone atomic.Bool
	// pipelined: worker processes are sent a job ahead (admit.Ahead);
	// aheadJobs are the targets of the jobs admitted ahead that hold no
	// room yet, first admitted first.
	pipelined bool
	aheadJobs []int
	// inRunnerIDs are the targets whose jobs are in a runner.
	inRunnerIDs []int
	// inRunner counts the jobs handed to a runner and not ended;
	// inProcess those of them whose commands reached a process.
	inRunner, inProcess int

	inbox       inbox
	stopping    bool // no new target may start
	interrupted atomic.Bool
	storeErr    error
	// dynErr is the first cycle a dyndep file made: the build's error.
	dynErr error
	sum    event.Summary
	// total is what the Listener was last told by Planned, less the
	// early cutoffs since: the commands it expects.
	total int
	eta   eta

	// The check before a build.
	// tools finds and hashes the programs of commands, once per build.
	tools      *toolResolver
	planned    *plannedFiles
	planFiles  [][]int32
	statBuf    []cache.StatResult
	prestarted bool
	// absentHashes are the recorded hashes of the outputs of the absent
	// targets (secondary or intermediate, up to date, outputs missing),
	// by path as the graph spells it: their readers' keys use them.
	absentHashes map[string]cache.Hash
	// goals are the targets asked for: an intermediate one is kept.
	goals map[int]bool

	// ran, if set, is told of each target that succeeded by running its
	// commands (watch mode indexes what its depfile named).
	ran func(n *node)
	// traced are the traced runs of this build, by target ID
	// (CheckDeps).
	traced map[int]*tracedRun
	// msgs is scratch for drain.
	msgs []message
}

// newBuilder returns the engine's state for building g.
func newBuilder(g *graph.Graph, opts Options) *builder {
	b := &builder{opts: opts, ls: opts.Listener}
	b.inbox.init()
	b.depOf = func(path string) string {
		if t, ok := b.g.Lookup(path); ok {
			return t.Name
		}
		return ""
	}
	b.setGraph(g)
	return b
}

// setGraph makes g the graph of the builder, with an empty plan.
func (b *builder) setGraph(g *graph.Graph) {
	b.g = g
	b.shape = newShape(g)
	b.nodes = make([]node, len(g.Targets))
	for i, t := range g.Targets {
		b.nodes[i].t = t
	}
	b.plan = plan.New(b.shape)
	b.cycle = b.cycle[:0] // the IDs of the old graph: a shrunk graph has fewer
	b.pools = nil
	b.planFiles = nil
	if b.queue != nil {
		b.queue = b.newQueue()
	}
}

// shape is the graph's edges as the plan wants them: target numbers.
type shape struct {
	deps, rdeps [][]int32
}

func newShape(g *graph.Graph) *shape {
	s := &shape{deps: make([][]int32, len(g.Targets)), rdeps: make([][]int32, len(g.Targets))}
	edges := 0
	for _, t := range g.Targets {
		edges += len(t.Deps)
	}
	arena := make([]int32, 0, 2*edges)
	for i, t := range g.Targets {
		start := len(arena)
		for _, d := range t.Deps {
			arena = append(arena, int32(d.ID))
		}
		s.deps[i] = arena[start:len(arena):len(arena)]
	}
	for i, t := range g.Targets {
		start := len(arena)
		for _, rd := range t.RDeps {
			arena = append(arena, int32(rd.ID))
		}
		s.rdeps[i] = arena[start:len(arena):len(arena)]
	}
	return s
}

func (s *shape) Len() int             { return len(s.deps) }
func (s *shape) Deps(id int) []int32  { return s.deps[id] }
func (s *shape) RDeps(id int) []int32 { return s.rdeps[id] }

// loop builds until nothing runs, waits for admission or is ready, taking
// in what runners report. extra, if not nil, is called for each wake-up
// with nothing in the inbox (watch mode gets its own events there).
func (b *builder) loop() {
	for {
		b.pump()
		if b.idle() {
			return
		}
		<-b.inbox.wake
		b.drain()
	}
}

// idle reports whether the build has nothing left to do: nothing runs and
// nothing can start.
func (b *builder) idle() bool {
	return b.inRunner == 0 && (b.queue == nil || b.queue.Len() == 0)
}

// pump settles the ready targets (an alias or an up-to-date target is done
// at once and releases others in turn; a target that must run is queued
// for admission), reports the targets a failure blocked, and starts what
// the limits admit.
func (b *builder) pump() {
	for {
		for {
			id, ok := b.plan.Next()
			if !ok {
				break
			}
			b.settle(&b.nodes[id])
		}
		for _, id := range b.plan.TakeBlocked() {
			n := &b.nodes[id]
			b.eta.finished(id)
			b.skipped(n, event.SkipBlocked, b.blockedWhy(n.t))
		}
		if b.queue == nil || b.queue.Len() == 0 {
			b.upgradeAhead()
			return
		}
		admitted := b.queue.Admit()
		if len(admitted) == 0 {
			b.upgradeAhead()
			return
		}
		for _, j := range admitted {
			n := &b.nodes[j.ID]
			if j.Err != nil {
				b.fail(n, b.describe(n.t), j.Err.Error(), nil)
				continue
			}
			b.launch(n)
		}
		// A failure above, or a console command that ran to its end,
		// may have changed what is ready: look again.
		b.drain()
	}
}

// settle decides what happens to a target whose deps are all done: it is
// done at once (an alias; up to date; cut off), fails (its action cannot be
// computed), or is queued to run.
func (b *builder) settle(n *node) {
	t := n.t
	if b.stopping || b.interrupted.Load() {
		b.plan.Return(t.ID) // the build stops: it does not run
		b.plan.Stop()
		return
	}
	if len(t.Cmds) == 0 {
		b.plan.Finish(t.ID, true) // its outputs are gathered when asked for (depOutputs)
		return
	}
	if t.Dyndep != "" && !b.loadDyndep(n) {
		return // failed, or waits for the deps its dyndep file named
	}
	switch n.verdict {
	case clean:
		if n.absent != "" {
			b.keptMissing(n)
		} else {
			b.skipped(n, event.SkipUpToDate, "inputs, commands and outputs unchanged since its last run")
		}
		b.plan.Finish(t.ID, true)
		b.released(n)
		return
	case maybe:
		if err := b.prepareAction(n); err != nil {
			b.failNow(n, "", err.Error())
			return
		}
		reason := b.decide(n)
		if reason.IsZero() {
			n.outputs = b.recordedOutputs(t)
			b.sum.UpToDate++
			b.total--
			b.eta.finished(t.ID)
			switch {
			case n.late || t.Dyndep != "":
				b.skipped(n, event.SkipUpToDate, "inputs, commands and outputs unchanged since its last run")
			case t.Consumes != nil:
				b.cutoff(n, "the outputs of its deps that it reads are unchanged")
			default:
				b.cutoff(n, "its deps were rebuilt with identical outputs")
			}
			b.plan.Finish(t.ID, true)
			b.released(n)
			return
		}
		n.reason = reason
	}
	if n.action == nil {
		if err := b.prepareAction(n); err != nil {
			b.failNow(n, "", err.Error())
			return
		}
	}
	b.enqueue(n)
}

// enqueue queues n's commands for admission.
func (b *builder) enqueue(n *node) {
	t := n.t
	if b.opts.Explain {
		b.ls.Explain(t.Name, n.reason)
	}
	if err := b.setup(); err != nil {
		b.failNow(n, b.describe(t), err.Error())
		return
	}
	a := n.attempted()
	a.queued = time.Now()
	a.started = time.Time{}
	a.worker = 0
	a.timedOut = 0
	a.ended = false
	n.job.Priority = n.priority
	n.job.Pool = t.Pool
	n.job.Ports = t.Ports
	n.run = b.newRun(n)
	n.job.Remote = n.run.Work.Remote != nil && b.remote.opts.Exec
	n.job.Pipelined = b.pipelined && t.Pool != graph.ConsolePool && !n.job.Remote
	b.queue.Add(&n.job)
}

// failNow fails a taken target that never reached a runner.
func (b *builder) failNow(n *node, cmd, why string) {
	now := time.Now()
	a := n.attempted()
	a.queued, a.started = now, now
	b.fail(n, cmd, why, nil)
}

// newRun describes n's commands for a runner.
func (b *builder) newRun(n *node) *runner.Job {
	t := n.t
	j := &runner.Job{
		ID: t.ID,
		Work: worker.Job{
			Target:  t.Name,
			Cmds:    t.Cmds,
			Dir:     b.abs(t.Dir),
			Env:     t.Env,
			Outputs: b.absOutputs(t),
			Project: b.g.Root,
		},
		Timeout:  t.Timeout,
		Priority: n.priority,
	}
	// SIGKILL kill_timeout (else --kill-grace) after a timeout's SIGTERM.
	// Without a timeout the task has no kill timeout: it would count
	// from the start and kill a long command. Ctrl-C and a cancel give it
	// --kill-grace.
	if t.Timeout > 0 {
		j.KillAfter = t.KillTimeout
		if j.KillAfter <= 0 {
			j.KillAfter = b.opts.KillGrace
		}
	}
	if t.Depfile != "" {
		// Removed by the runner just before the commands start.
		j.Work.Depfile = b.abs(t.Depfile)
	}
	j.Work.Trace = b.tracing(t)
	j.Work.Remote, n.notShared = b.remoteRequest(n)
	if b.sandboxed(t) {
		j.Work.Sandbox = b.policy(n)
	}
	if b.opts.CheckDeps {
		j.Work.Trace = true // whatever else asks for tracing: check sees every command that runs
	}
	return j
}

// launch hands an admitted target's commands to its runner.
func (b *builder) launch(n *node) {
	j := n.run
	t := n.t
	if len(n.job.PortList) > 0 {
		j.Work.Env = append(j.Work.Env[:len(j.Work.Env):len(j.Work.Env)], worker.PortsEnv(n.job.PortList))
	}
	if !n.job.Remote && b.js != nil {
		j.Jobserver = b.js
	}
	if b.pipelined {
		if b.queue.IsAhead(&n.job) {
			j.AheadOnly = true
			b.aheadJobs = append(b.aheadJobs, t.ID)
		}
		n.releases = b.releaseBound(n)
		b.inRunnerIDs = append(b.inRunnerIDs, t.ID)
	}
	b.inRunner++
	switch {
	case t.Pool == graph.ConsolePool:
		// Its commands get the terminal as soon as Start is called: its
		// status line goes first (the runner's own start report comes
		// too late and is ignored).
		b.started(n, os.Getpid(), time.Now())
		b.console.Start(j)
	case j.Work.Remote != nil && b.remote.usable():
		b.farm.Start(j)
	case j.Work.Remote != nil:
		// The server failed since the job was queued.
		j.Work.Remote = nil
		b.workers.Start(j)
	default:
		b.workers.Start(j)
	}
}

// runnerOf is the runner n's commands were handed to.
func (b *builder) runnerOf(n *node) runner.Runner {
	switch {
	case n.t.Pool == graph.ConsolePool:
		return b.console
	case n.attempt != nil && n.run != nil && n.run.Work.Remote != nil:
		return b.farm
	}
	return b.workers
}

// drain handles what runners reported.
func (b *builder) drain() {
	b.msgs = b.inbox.take(b.msgs[:0])
	for i := range b.msgs {
		m := &b.msgs[i]
		switch m.kind {
		case msgStarted:
			b.started(&b.nodes[m.id], m.pid, m.at)
		case msgFinished:
			b.finished(&b.nodes[m.res.ID], m.res)
		case msgInterrupt:
			b.stop()
		case msgRemoteDown:
			b.remoteDown(m.why)
		}
		b.msgs[i] = message{}
	}
}

// started notes that n's commands reached process pid.
func (b *builder) started(n *node, pid int, at time.Time) {
	if n.attempt == nil || n.run == nil || !n.started.IsZero() {
		return
	}
	n.started, n.worker = at, pid
	b.inProcess++
	b.eta.started(n.t.ID)
	ev := b.startEvent(n, pid)
	ev.Console = n.t.Pool == graph.ConsolePool
	b.ls.Started(ev)
}

// finished records the outcome of n's commands and releases what waited
// for it. Whatever the outcome, it gives back what the job held: this is
// the one place where an admitted job leaves its limits.
func (b *builder) finished(n *node, res runner.Result) {
	t := n.t
	if b.pipelined {
		b.handOff(n, res)
	}
	b.queue.Release(&n.job)
	b.inRunner--
	if !n.started.IsZero() {
		b.inProcess--
	}
	n.run = nil
	if res.Dropped && !n.rerun {
		// It never started: the runner dropped it when the build
		// stopped. It did not run.
		n.queued = time.Time{}
		b.plan.Return(t.ID)
		return
	}
	if res.TimedOut && t.Timeout > 0 {
		n.timedOut = t.Timeout
	}
	if res.Interrupted && !b.interrupted.Load() {
		b.interruptedBy("gobuildj: interrupted in " + t.Name + "; stopping; running commands get SIGTERM, then SIGKILL after " + b.opts.KillGrace.String())
	}
	if n.rerun {
		b.eta.stopped(t.ID)
		b.restarted(n, res)
		return
	}
	if n.started.IsZero() { // it never reached a process
		n.started = time.Now()
		b.ls.Started(b.startEvent(n, 0))
	}
	n.worker = res.Worker
	n.ended = true
	b.eta.finished(t.ID)
	if b.opts.CheckDeps {
		// After the depfile is read, with the last run recorded before
		// this one.
		before, ok := b.store.LastDuration(t.Name)
		defer b.noteTrace(n, res, before, ok)
	}
	switch {
	case res.Err != nil:
		// The worker died or the job could not run: the outputs may
		// be half written.
		for _, o := range b.absOutputs(t) {
			os.Remove(o)
		}
		why := res.Err.Error()
		if n.timedOut > 0 {
			why = fmt.Sprintf("timed out after %s; %s", n.timedOut, why)
		}
		if b.retry(n, b.describe(t), why, nil) {
			return
		}
		b.fail(n, b.describe(t), why, nil)
	case !res.Out.OK():
		b.remoteFinished(n, &res.Out)
		cmd := ""
		switch {
		case res.Out.FailedCmd >= 0 && res.Out.FailedCmd < len(t.Cmds):
			cmd = t.Cmds[res.Out.FailedCmd]
			if res.Out.StartErr != "" {
				cmd = abridged(cmd)
			}
		case len(res.Out.Missing) > 0:
			cmd = strings.Join(t.Cmds, "\n")
		}
		why := b.failureReason(n, res.Out)
		if b.retry(n, cmd, why, res.Out.Output) {
			return
		}
		b.fail(n, cmd, why, res.Out.Output)
	case n.timedOut > 0:
		// Its commands ended well, but only after the timeout's signal.
		why := fmt.Sprintf("timed out after %s; it ended after SIGTERM", n.timedOut)
		if b.retry(n, "", why, res.Out.Output) {
			return
		}
		b.fail(n, "", why, res.Out.Output)
	default:
		b.remoteFinished(n, &res.Out)
		pre := n.action // before the depfile adds to it
		if why := b.readDepfile(n); why != "" {
			for _, o := range b.absOutputs(t) {
				os.Remove(o)
			}
			b.fail(n, "", why, res.Out.Output)
			break
		}
		b.readTrace(n, pre, res.Out.Trace)
		b.succeed(n, res.Out)
	}
}

func (b *builder) failureReason(n *node, out worker.Result) string {
	var why string
	switch {
	case len(out.Missing) > 0:
		why = missingReason(n.t, b.absOutputs(n.t), out.Missing)
	case out.StartErr != "":
		why = "could not start the command: " + out.StartErr
	case out.Signal != "":
		why = "killed by " + out.Signal
	default:
		why = fmt.Sprintf("exit code %d", out.ExitCode)
	}
	if n.timedOut > 0 {
		why = fmt.Sprintf("timed out after %s; %s", n.timedOut, why)
	}
	return why
}

// succeed records a target's run in the state store.
func (b *builder) succeed(n *node, out worker.Result) {
	t := n.t
	if out.Cached {
		b.sum.Cached++
	} else {
		b.sum.Run++
	}
	if out.Remote && !out.Cached {
		b.sum.Remote++
	}
	before, _ := b.store.LastDuration(t.Name)
	failed, flaky := b.failedBefore(n)
	rec := n.action.Record(t.Name, n.key)
	n.recordDepfile(&rec)
	n.recordTrace(&rec)
	rec.Duration = out.Duration
	rec.Finished = time.Now()
	abs := b.absOutputs(t)
	n.outputs = make([]cache.PathHash, len(t.Outputs))
	for i, st := range out.Outputs {
		rec.Outputs = append(rec.Outputs, cache.PathState{Path: abs[i], State: st})
		n.outputs[i] = cache.PathHash{Path: t.Outputs[i], Hash: st.Hash}
		b.files.Remember(abs[i], st)
	}
	b.noteStoreErr(b.store.RecordTarget(rec))
	if b.ran != nil {
		b.ran(n)
	}
	ev := b.finishEvent(n, true, "", "", out.Output)
	ev.Cached, ev.Remote = out.Cached, out.Remote
	ev.Before = before
	ev.FlakyEarlier, ev.EarlierEnd = flaky, failed
	b.ls.Finished(ev)
	b.passed(n, flaky)
	b.plan.Finish(t.ID, true)
	b.released(n)
}

// fail marks a taken target failed, forgets its last good run and, without
// -k, stops the build from starting anything else.
func (b *builder) fail(n *node, cmd, why string, output []byte) {
	t := n.t
	b.eta.finished(t.ID)
	b.sum.Failed++
	passed, flaky := b.forgetFailed(n)
	ev := b.finishEvent(n, false, cmd, why, output)
	ev.FlakyEarlier, ev.EarlierEnd = flaky, passed
	b.ls.Finished(ev)
	if flaky {
		b.sum.Flaky++
		b.ls.Message(fmt.Sprintf("gobuildj: flaky: %s passed with the same inputs in an earlier build, failed now", t.Name))
	}
	if n.attempt != nil {
		n.failures = 0 // a next build (watch mode) retries afresh
	}
	b.plan.Finish(t.ID, false)
	if !b.opts.KeepGoing && !b.stopping {
		b.stop()
	}
}

// stop lets no other target start: the plan hands out nothing more, and
// the targets waiting for admission go back to it (they held nothing);
// running commands finish. Jobs handed to pipelined workers and not
// started yet are withdrawn: they end dropped and go back to the plan too.
func (b *builder) stop() {
	b.stopping = true
	b.plan.Stop()
	if b.queue == nil {
		return
	}
	if w, ok := b.workers.(*runner.Workers); ok && b.pipelined {
		w.Withdraw()
	}
	for _, j := range b.queue.Clear() {
		n := &b.nodes[j.ID]
		n.run = nil
		n.queued = time.Time{}
		b.plan.Return(j.ID)
	}
}

// interruptedBy stops the build because of an interrupt: running commands
// get SIGTERM, then SIGKILL after the grace.
func (b *builder) interruptedBy(notice string) {
	b.interrupted.Store(true)
	b.ls.Message(notice)
	b.stopRunners()
	b.stop()
}

// stopRunners sends every running command SIGTERM (SIGKILL after the
// grace). It may be called from any goroutine.
func (b *builder) stopRunners() {
	for _, r := range b.runners() {
		r.Stop()
	}
}

// killRunners sends every running command SIGKILL. It may be called from
// any goroutine.
func (b *builder) killRunners() {
	for _, r := range b.runners() {
		r.Kill()
	}
}

// runners are the runners made so far. They are made before any command
// starts and never replaced, so another goroutine may read them once
// setup has run (setupDone).
func (b *builder) runners() []runner.Runner {
	switch {
	case !b.setupDone.Load():
		return nil
	case b.runWith != nil:
		return []runner.Runner{b.runWith}
	}
	// The farm's jobs run in the workers' processes.
	return []runner.Runner{b.workers, b.console}
}

// watchInterrupts stops the build on the first interrupt and kills its
// commands on the second, saying so on ls (the goroutine's own); the loop
// learns of it through its inbox.
func (b *builder) watchInterrupts(interrupt <-chan os.Signal, done <-chan struct{}, ls event.Listener) {
	b.watchInterruptsFrom(interrupt, done, ls, 0)
}

// watchInterruptsFrom is watchInterrupts after count signals were taken.
func (b *builder) watchInterruptsFrom(interrupt <-chan os.Signal, done <-chan struct{}, ls event.Listener, count int) {
	for {
		select {
		case <-done:
			return
		case sig := <-interrupt:
			count++
			b.onInterrupt(sig, count, ls)
		}
	}
}

// onInterrupt acts on the count-th signal: the first stops the build, the
// next kill its commands.
func (b *builder) onInterrupt(sig os.Signal, count int, ls event.Listener) {
	b.interrupted.Store(true)
	if count == 1 {
		ls.Message(fmt.Sprintf("gobuildj: %v: stopping; running commands get SIGTERM, then SIGKILL after %s (again to kill now)", sig, b.opts.KillGrace))
		b.stopRunners()
	} else {
		ls.Message("gobuildj: killing running commands")
		b.killRunners()
	}
	b.inbox.post(message{kind: msgInterrupt})
}

// noteStoreErr remembers the first failure to write the state and warns at
// once: the build goes on (its outputs are good), and what was not recorded
// reruns next time. The build's outcome (its exit code) stays that of its
// commands; endCycle warns again after the summary.
func (b *builder) noteStoreErr(err error) {
	if err == nil || b.storeErr != nil {
		return
	}
	b.storeErr = err
	b.ls.Message(fmt.Sprintf("gobuildj: warning: cannot write the state in %s: %v; the build goes on, and what it cannot record will run again next time", statedir.Name, err))
}

// The inbox is how runners and the jobserver reach the loop: they post
// messages from their goroutines, and a token in wake says there are some.
type inbox struct {
	mu    sync.Mutex
	items []message
	wake  chan struct{}
}

type msgKind uint8

const (
	msgWake       msgKind = iota // room may have appeared (a jobserver token)
	msgStarted                   // a job's commands reached a process
	msgFinished                  // a job ended
	msgInterrupt                 // an interrupt stopped the build
	msgRemoteDown                // a job found the remote server failing
)

// message is one thing the loop is told.
type message struct {
	kind msgKind
	id   int
	pid  int
	at   time.Time
	res  runner.Result
	why  string // msgRemoteDown: how the server failed
}

func (in *inbox) init() { in.wake = make(chan struct{}, 1) }

// post hands m to the loop. It never blocks.
func (in *inbox) post(m message) {
	in.mu.Lock()
	in.items = append(in.items, m)
	in.mu.Unlock()
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// take moves the messages posted so far to buf.
func (in *inbox) take(buf []message) []message {
	in.mu.Lock()
	buf = append(buf, in.items...)
	clear(in.items)
	in.items = in.items[:0]
	in.mu.Unlock()
	return buf
}

// sink is the runner.Sink of a builder: it posts to the inbox.
type sink struct{ in *inbox }

func (s sink) Started(id, pid int, at time.Time) {
	s.in.post(message{kind: msgStarted, id: id, pid: pid, at: at})
}

func (s sink) Finished(r runner.Result) { s.in.post(message{kind: msgFinished, res: r}) }

func (s sink) RemoteDown(id int, why string) {
	s.in.post(message{kind: msgRemoteDown, id: id, why: why})
}

// wake tells the loop that room may have appeared.
func (b *builder) wake() { b.inbox.post(message{kind: msgWake}) }
