package runner

import (
	"os"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/worker"
)

// Foreground runs the commands of the console pool in gobuildj itself, in
// the foreground: they get the terminal (its stdin, stdout and stderr) and
// Start returns only when they are over, so the console pool has depth 1
// by construction and nothing else draws on the terminal meanwhile. Other
// jobs go on in their workers; their ends are heard once Start returns.
type Foreground struct {
	stdio     worker.Stdio
	killGrace time.Duration
	sink      Sink

	stopOnce sync.Once
	stop     chan struct{} // closed by Stop or Kill
}

// NewForeground returns the runner of console jobs on the terminal stdio.
func NewForeground(stdio worker.Stdio, killGrace time.Duration, sink Sink) *Foreground {
	return &Foreground{stdio: stdio, killGrace: killGrace, sink: sink, stop: make(chan struct{})}
}

// Start implements Runner: it runs j to its end.
func (f *Foreground) Start(j *Job) {
	started := time.Now()
	pid := os.Getpid()
	f.sink.Started(j.ID, pid, started)
	var extra []*os.File
	if j.Jobserver != nil {
		extra = j.Jobserver.Files() // descriptors 3 and 4, as MAKEFLAGS says
		j.Work.Env = append(j.Work.Env[:len(j.Work.Env):len(j.Work.Env)], "MAKEFLAGS="+j.Jobserver.MakeFlags())
	}
	kill := j.KillAfter
	if kill <= 0 {
		kill = f.killGrace
	}
	out, err := worker.RunForeground(&j.Work, f.stdio, extra, worker.Limits{Timeout: j.Timeout, KillAfter: kill, Stop: f.stop})
	res := Result{ID: j.ID, Worker: pid, Started: started, Finished: time.Now(), Out: out, Err: err}
	select {
	case <-f.stop:
	default:
		// Ctrl-C on the terminal reached the command alone, which had
		// the terminal: it is meant for the whole build.
		res.Interrupted = out.Signal == "SIGINT"
	}
	res.TimedOut = out.Signal != "" && j.Timeout > 0 && res.Finished.Sub(started) >= j.Timeout
	f.sink.Finished(res)
}

// Cancel implements Runner: a foreground job has ended when Start
// returned.
func (f *Foreground) Cancel(*Job) bool { return false }

// Stop implements Runner: the running command gets SIGTERM, then SIGKILL
// after its grace.
func (f *Foreground) Stop() { f.stopOnce.Do(func() { close(f.stop) }) }

// Kill implements Runner (as Stop: the grace of a console command is
// short and it has the terminal's Ctrl-C).
func (f *Foreground) Kill() { f.Stop() }

// Close implements Runner.
func (f *Foreground) Close() error { return nil }
