package engine

import (
	"os"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/worker"
)

// runConsole runs the commands of a target of the console pool in gobuildj
// itself, in the foreground: they get the terminal (Options.Stdin, Stdout,
// Stderr) and gobuildj waits for them, so the console pool has depth 1 by
// construction and the status line has nothing to redraw meanwhile. Other
// targets' commands keep running in their workers; their ends are handled
// when the console command is done. The outcome goes through finish, as a
// worker's does.
func (b *build) runConsole(n *node) {
	t := n.t
	n.progress = running
	n.started = time.Now()
	n.worker = os.Getpid()
	n.queued = n.started
	ev := b.startEvent(n, n.worker)
	ev.Console = true
	b.st.Started(ev)
	job := b.newJob(t)
	var extra []*os.File
	if b.js != nil {
		_, makeflags := b.js.commandSetup(b.opts.Jobs)
		if b.js.mode == JobserverPipe {
			extra = []*os.File{b.js.r, b.js.w} // fds 3 and 4, as MAKEFLAGS says
		}
		job.Env = append(append([]string(nil), t.Env...), "MAKEFLAGS="+makeflags)
	}
	if t.Ports > 0 {
		ports, err := b.ports.Take(t.Ports)
		if err != nil {
			b.finish(n, sched.Result{Worker: n.worker, Started: n.started, Finished: time.Now(), Err: err})
			return
		}
		defer b.ports.Release(ports)
		job.Env = append(append([]string(nil), job.Env...), "GOBUILDJ_PORTS="+string(worker.PortsMessage(ports)))
	}
	kill := t.KillTimeout
	if kill <= 0 {
		kill = b.opts.KillGrace
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the interrupt flag, as a channel
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if b.interrupted.Load() {
					close(stop)
					return
				}
			}
		}
	}()
	out, err := worker.RunForeground(&job,
		worker.Stdio{Stdin: b.opts.Stdin, Stdout: b.opts.Stdout, Stderr: b.opts.Stderr},
		extra, worker.Limits{Timeout: t.Timeout, KillAfter: kill, Stop: stop})
	close(done)
	switch {
	case out.Signal == "SIGINT" && !b.interrupted.Load():
		// Ctrl-C on the terminal reached the command alone, which had
		// the terminal: it is meant for the whole build.
		b.interrupted.Store(true)
		b.js.clear()
		b.st.Message("gobuildj: interrupted in " + t.Name + "; stopping; running commands get SIGTERM, then SIGKILL after " + b.opts.KillGrace.String())
		b.sched.Stop()
	case out.Signal != "" && t.Timeout > 0 && time.Since(n.started) >= t.Timeout:
		n.timedOut = t.Timeout
	}
	res := sched.Result{Worker: n.worker, Started: n.started, Finished: time.Now(), Err: err}
	if err == nil {
		res.Value = out.Encode()
	}
	b.finish(n, res)
}
