package engine

import (
	"os"

	"github.com/gobuildj/gobuildj/engine/admit"
	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/worker"
)

// setup makes, once and before the first command, what running commands
// takes: the jobserver, the admission queue with its chain of limits, and
// the runners.
func (b *builder) setup() error {
	if b.setupDone.Load() {
		return nil
	}
	opts := &b.opts
	js, err := admit.NewJobserver(opts.Jobserver, opts.Jobs, os.TempDir(), opts.MakeJobserver, b.wake)
	if err != nil {
		return err
	}
	b.js = js
	if opts.Remote != nil {
		b.remote = newRemoteState(opts.Remote)
	}
	// Worker processes are pipelined one job ahead, but not for a fake
	// runner (tests) nor beside a build farm, whose jobs share them.
	b.pipelined = b.newRunner == nil && b.runWith == nil && opts.Remote == nil && !opts.DryRun
	b.queue = b.newQueue()
	var shared runner.Jobserver
	if js != nil {
		shared = js
	}
	s := sink{&b.inbox}
	if b.newRunner != nil {
		b.runWith = b.newRunner(s)
	}
	if b.runWith != nil {
		b.workers, b.farm, b.console = b.runWith, b.runWith, b.runWith
		b.setupDone.Store(true)
		return nil
	}
	workers := runner.NewWorkers(runner.WorkersOptions{
		Jobs:       b.remote.workerJobs(opts.Jobs),
		Executable: b.remote.executable(),
		KillGrace:  opts.KillGrace,
		Jobserver:  shared,
		Ahead:      b.pipelined,
		// Without -k a failure starts nothing more.
		WithdrawOnFailure: !opts.KeepGoing,
	}, s)
	b.workers = workers
	b.farm = runner.NewRemote(workers)
	b.console = runner.NewForeground(worker.Stdio{Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr}, opts.KillGrace, s)
	b.setupDone.Store(true)
	return nil
}

// newQueue makes the admission queue of the builder's graph. A job must
// pass, in order: its pool's depth; with remote execution, a worker
// process of the pool that waits on the farm for remote jobs; -j for
// local commands; with -l, the load average; the jobserver's tokens (shared with sub-makes); and its
// TCP ports. With pipelined workers, a job that -j, the load or the
// jobserver refuse may be admitted ahead (admit.Ahead), to start in the
// place of a running one.
func (b *builder) newQueue() *admit.Queue {
	b.pools = admit.NewPools(b.g.Pools)
	limits := []admit.Limiter{b.pools}
	if b.remote != nil && b.remote.opts.Exec {
		limits = append(limits, admit.AllSlots(b.remote.workerJobs(b.opts.Jobs)))
	}
	local := []admit.Limiter{admit.LocalSlots(b.opts.Jobs)}
	if b.opts.MaxLoad > 0 {
		local = append(local, admit.NewLoadAverage(b.opts.MaxLoad, b.wake))
	}
	if b.js != nil {
		local = append(local, b.js)
	}
	if b.pipelined {
		// A job more per running one, queued on a busy worker.
		a := admit.NewAhead(local...)
		a.Allow = b.mayGoAhead
		local = []admit.Limiter{a}
	}
	limits = append(limits, local...)
	limits = append(limits, admit.NewPorts(&b.ports))
	return admit.NewQueue(limits...)
}

// closeRunners waits for the runners to let their workers go, and closes
// the jobserver (every token goes back).
func (b *builder) closeRunners() error {
	var err error
	if b.workers != nil {
		err = b.workers.Close()
	}
	b.js.Close()
	return err
}

// prestart starts a worker process while the check goes on, once it found
// a target that must run: the worker's start (a few milliseconds) then
// overlaps the rest of the check instead of delaying the first command.
// Not for dry runs, nor with a remote server (whose setup decides the
// workers).
func (b *builder) prestart() {
	if b.prestarted || b.opts.DryRun || b.opts.Remote != nil {
		return
	}
	b.prestarted = true
	if b.setup() != nil {
		return
	}
	if w, ok := b.workers.(*runner.Workers); ok {
		w.Prestart()
	}
}
