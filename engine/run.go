package engine

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/worker"
)

// run releases the targets whose deps are done, hands those that must run
// to the scheduler and, from each command's OnFinish, releases its reverse
// deps, until nothing is left to do.
func (b *build) run() error {
	b.advance(b.readyInPlan())
	if b.interrupted.Load() {
		b.sched.Clear()
		return nil
	}
	if b.sched.Queued() == 0 && b.sched.Running() == 0 {
		return nil // nothing to run: no worker is started
	}
	if err := b.sched.Run(); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	return nil
}

// advance settles ready targets one after another: an alias or an up-to-date
// target is done at once and releases its reverse deps in turn; a target that
// must run becomes a task.
func (b *build) advance(ready []*graph.Target) {
	b.advancing++
	for len(ready) > 0 {
		t := ready[0]
		ready = ready[1:]
		n := &b.nodes[t.ID]
		if b.settle(n) {
			ready = b.release(t, ready)
		}
	}
	b.flushStarts()
	b.advancing--
	if b.advancing == 0 && b.inflight == 0 && b.onIdle != nil {
		b.onIdle()
	}
}

// readyInPlan lists the targets of the plan that wait for no dep, in
// topological order.
func (b *build) readyInPlan() []*graph.Target {
	var ready []*graph.Target
	for _, n := range b.plan {
		if n.pending == 0 && n.progress == waiting && !n.rerun {
			ready = append(ready, n.t)
		}
	}
	return ready
}

// flushStarts dispatches the tasks of the targets that start, highest
// priority first: the first one may take a free slot at once.
func (b *build) flushStarts() {
	subs := b.toSubmit
	b.toSubmit = subs[:0]
	slices.SortStableFunc(subs, func(x, y submission) int { return cmp.Compare(y.task.Priority, x.task.Priority) })
	for i, s := range subs {
		subs[i] = submission{}
		b.dispatch(s.n, s.task, s.remoteExec)
	}
}

// settle decides what happens to a target whose deps are all finished. It
// returns true when the target is finished now (done, skipped or failed
// because of a dep) and false when it was handed to the scheduler or left
// waiting because the build is stopping.
func (b *build) settle(n *node) bool {
	t := n.t
	for _, d := range t.Deps {
		if p := b.nodes[d.ID].progress; p == failed || p == blocked {
			n.progress = blocked
			b.eta.finished(n)
			b.skipped(n, SkipBlocked, b.blockedWhy(t))
			return true
		}
	}
	if b.stopping || b.interrupted.Load() {
		return false
	}
	if len(t.Cmds) == 0 {
		n.progress = succeeded // its outputs are gathered when asked for (depOutputs)
		return true
	}
	switch n.verdict {
	case clean:
		n.progress = succeeded
		b.skipped(n, SkipUpToDate, "inputs, commands and outputs unchanged since its last run")
		return true
	case maybe:
		if err := b.prepareAction(n); err != nil {
			b.fail(n, "", err.Error(), nil)
			return true
		}
		reason := ""
		switch {
		case b.opts.Force:
			reason = "-B was given"
		case t.Always:
			reason = "always = true"
		default:
			reason = b.store.Check(t.Name, n.action, n.key, b.absOutputs(t))
		}
		if reason == "" {
			n.outputs = b.recordedOutputs(t)
			n.progress = succeeded
			b.sum.UpToDate++
			b.total--
			b.eta.finished(n)
			b.skipped(n, SkipCutoff, "its deps were rebuilt with identical outputs")
			return true
		}
		n.reason = reason
	}
	if n.action == nil {
		if err := b.prepareAction(n); err != nil {
			b.fail(n, "", err.Error(), nil)
			return true
		}
	}
	b.start(n)
	return false
}

// release marks t finished for each of its reverse deps and appends those
// that became ready.
func (b *build) release(t *graph.Target, ready []*graph.Target) []*graph.Target {
	for _, rd := range t.RDeps {
		rn := &b.nodes[rd.ID]
		if !rn.inPlan {
			continue
		}
		rn.pending--
		if rn.pending == 0 {
			ready = append(ready, rd)
		}
	}
	return ready
}

// start hands a target's commands to the scheduler.
func (b *build) start(n *node) {
	t := n.t
	if b.opts.Explain {
		b.st.Explain(t.Name, n.reason)
	}
	if err := b.prepareDepfile(n); err != nil {
		n.started = time.Now()
		b.fail(n, b.describe(t), err.Error(), nil)
		b.advance(b.release(t, nil))
		return
	}
	if t.Pool == graph.ConsolePool {
		b.runConsole(n)
		return
	}
	job := b.newJob(t)
	job.Ports = t.Ports
	job.Remote = b.remoteRequest(n)
	remoteExec := job.Remote != nil && b.remote.opts.Exec
	if files, makeflags := b.js.commandSetup(b.opts.Jobs); makeflags != "" && !remoteExec {
		job.Files = files
		job.Env = append(append([]string(nil), t.Env...), "MAKEFLAGS="+makeflags)
	}
	// SIGKILL kill_timeout (else --kill-grace) after a timeout's SIGTERM.
	// Without a timeout the task has no KillTimeout: the scheduler would
	// count it from the start and kill a long command. Ctrl-C and a
	// cancel give it Options.StopKillTimeout, --kill-grace.
	var kill time.Duration
	if t.Timeout > 0 {
		kill = t.KillTimeout
		if kill <= 0 {
			kill = b.opts.KillGrace
		}
	}
	n.progress = running
	n.queued = time.Now()
	n.started = time.Time{}
	b.inflight++
	task := &sched.Task{
		Func:        b.taskName(job.Remote),
		Payload:     job.Encode(),
		TermTimeout: t.Timeout,
		KillTimeout: kill,
		Priority:    n.priority,
		OnStart: func(ctx *sched.SchedulerContext) {
			n.started = time.Now()
			b.eta.started(n)
			b.st.Started(b.startEvent(n, ctx.Pid()))
		},
		OnTermTimeout: func() { n.timedOut = t.Timeout },
		OnFinish: func(res sched.Result) {
			if n.started.IsZero() { // it never reached a worker
				n.started = time.Now()
				b.st.Started(b.startEvent(n, 0))
			}
			n.worker = res.Worker
			b.finish(n, res)
		},
	}
	if t.Ports > 0 {
		b.leasePorts(task, t.Ports)
	}
	n.task = task
	b.toSubmit = append(b.toSubmit, submission{n, task, remoteExec})
}

// submission is a task to hand to the scheduler, and how.
type submission struct {
	n          *node
	task       *sched.Task
	remoteExec bool // it runs on the build farm
}

// finish records the outcome of a target's commands and releases its
// reverse deps.
func (b *build) finish(n *node, res sched.Result) {
	t := n.t
	b.inflight--
	n.task = nil
	if n.rerun {
		b.eta.stopped(n)
		b.restarted(n, res)
		return
	}
	b.eta.finished(n)
	var out worker.Result
	if res.Err == nil {
		var err error
		out, err = worker.DecodeResult(res.Value)
		if err != nil {
			res.Err = fmt.Errorf("bad result from worker: %w", err)
		} else {
			b.remoteFinished(n, &out)
		}
	}
	switch {
	case res.Err != nil:
		// The worker died or the task could not run: the outputs may be
		// half written.
		for _, o := range b.absOutputs(t) {
			os.Remove(o)
		}
		why := res.Err.Error()
		if n.timedOut > 0 {
			why = fmt.Sprintf("timed out after %s; %s", n.timedOut, why)
		}
		b.fail(n, b.describe(t), why, nil)
	case !out.OK():
		cmd := ""
		if out.FailedCmd >= 0 && out.FailedCmd < len(t.Cmds) {
			cmd = t.Cmds[out.FailedCmd]
		}
		b.fail(n, cmd, b.failureReason(n, out), out.Output)
	default:
		if why := b.readDepfile(n); why != "" {
			for _, o := range b.absOutputs(t) {
				os.Remove(o)
			}
			b.fail(n, "", why, out.Output)
			break
		}
		b.succeed(n, out)
	}
	b.advance(b.release(t, nil))
}

func (b *build) failureReason(n *node, out worker.Result) string {
	var why string
	switch {
	case len(out.Missing) > 0:
		why = fmt.Sprintf("the command succeeded but did not create %v", out.Missing)
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
func (b *build) succeed(n *node, out worker.Result) {
	t := n.t
	if out.Cached {
		b.sum.Cached++
	} else {
		b.sum.Run++
	}
	if out.Remote && !out.Cached {
		b.sum.Remote++
	}
	rec := n.action.Record(t.Name, n.key)
	n.recordDepfile(&rec)
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
	n.progress = succeeded
	if b.ran != nil {
		b.ran(n)
	}
	ev := b.finishEvent(n, true, "", "", out.Output)
	ev.Cached, ev.Remote = out.Cached, out.Remote
	b.st.Finished(ev)
}

// fail marks a target failed, forgets its last good run and, without -k,
// stops the build from starting anything else.
func (b *build) fail(n *node, cmd, why string, output []byte) {
	t := n.t
	n.progress = failed
	b.eta.finished(n)
	b.sum.Failed++
	b.noteStoreErr(b.store.ForgetTarget(t.Name))
	b.st.Finished(b.finishEvent(n, false, cmd, why, output))
	if !b.opts.KeepGoing && !b.stopping {
		b.stop()
	}
}

// stop lets no other target start: the tasks waiting for a slot (of the
// scheduler, a pool, the jobserver or the remote gate) are dropped and
// their targets left waiting; running commands finish.
func (b *build) stop() {
	b.stopping = true
	clear(b.toSubmit) // collected by this advance, not dispatched yet
	b.toSubmit = b.toSubmit[:0]
	b.js.clear()
	b.remote.clear()
	b.pools.clear()
	b.sched.Clear()
	b.abandonQueued()
}

// abandonQueued puts back to waiting the targets whose tasks were dropped
// before they reached a worker (stop, or an interrupted build whose Run
// returned): no OnFinish will come for them.
func (b *build) abandonQueued() {
	for _, n := range b.plan {
		if n.progress == running && n.started.IsZero() && n.task != nil && !n.rerun {
			n.progress = waiting
			n.task = nil
			b.inflight--
		}
	}
}

func (b *build) finishEvent(n *node, ok bool, cmd, why string, output []byte) FinishEvent {
	end := time.Now()
	start := n.started
	if start.IsZero() {
		start = end
	}
	queued := n.queued
	if queued.IsZero() {
		queued = start
	}
	ev := FinishEvent{
		Target: n.t.Name, Description: b.describe(n.t), OK: ok, Cmd: cmd, Why: why,
		Output: output, Worker: n.worker, Queued: queued, Start: start, End: end,
		Interrupted: !ok && b.interrupted.Load(),
	}
	b.fillFinish(&ev, n)
	return ev
}

// newJob describes t's commands for a worker (or the console runner).
func (b *build) newJob(t *graph.Target) worker.Job {
	return worker.Job{
		Target:  t.Name,
		Cmds:    t.Cmds,
		Dir:     b.abs(t.Dir),
		Env:     t.Env,
		Outputs: b.absOutputs(t),
	}
}
