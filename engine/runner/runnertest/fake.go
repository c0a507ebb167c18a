// Package runnertest provides a fake runner.Runner: jobs end as a test
// script says, at once or when the test says, with no process started, so
// that a builder's logic is tested in microseconds.
package runnertest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/trace"
	"github.com/gobuildj/gobuildj/worker"
)

// Fake is a runner.Runner without processes. A job whose target Outcome
// names ends at once, with that outcome; other jobs wait until Finish (or
// Cancel, Stop) ends them. Every started job is listed in Started.
type Fake struct {
	// Sink hears of starts and ends; set it before the first Start.
	Sink runner.Sink
	// Outcome, if set, decides at Start how a job ends: ok, and whether
	// it ends at once (else the test ends it with Finish).
	Outcome func(j *runner.Job) (ok, now bool)
	// Content, if set, is what a job that succeeds writes in each of its
	// outputs; by default, the target's name.
	Content func(j *runner.Job, output string) []byte
	// Trace, if set, is what a job with Work.Trace that succeeds did to
	// files, as the tracer would report it.
	Trace func(j *runner.Job) *trace.Report

	mu      sync.Mutex
	started []string
	held    map[int]*runner.Job
	stopped bool
}

// Start implements runner.Runner.
func (f *Fake) Start(j *runner.Job) {
	f.mu.Lock()
	f.started = append(f.started, j.Work.Target)
	if f.held == nil {
		f.held = map[int]*runner.Job{}
	}
	stopped := f.stopped
	f.mu.Unlock()
	f.Sink.Started(j.ID, 1, time.Now())
	ok, now := true, true
	if f.Outcome != nil {
		ok, now = f.Outcome(j)
	}
	switch {
	case stopped:
		f.end(j, false, true)
	case now:
		f.end(j, ok, false)
	default:
		f.mu.Lock()
		f.held[j.ID] = j
		f.mu.Unlock()
	}
}

// end reports the end of j.
func (f *Fake) end(j *runner.Job, ok, canceled bool) {
	res := runner.Result{ID: j.ID, Worker: 1, Started: time.Now(), Canceled: canceled}
	res.Out = worker.Result{FailedCmd: -1}
	switch {
	case canceled:
		res.Out = worker.Result{FailedCmd: 0, ExitCode: -1, Signal: "SIGTERM"}
	case !ok:
		res.Out = worker.Result{FailedCmd: 0, ExitCode: 1}
	default:
		if err := f.write(j, &res.Out); err != nil {
			res.Err = err
		}
		if j.Work.Trace && f.Trace != nil {
			res.Out.Trace = f.Trace(j)
		}
	}
	res.Finished = time.Now()
	f.Sink.Finished(res)
}

// write writes the outputs of a job that succeeds and fingerprints them,
// as a worker does after real commands.
func (f *Fake) write(j *runner.Job, out *worker.Result) error {
	for _, o := range j.Work.Outputs {
		content := []byte(j.Work.Target)
		if f.Content != nil {
			content = f.Content(j, o)
		}
		if err := os.MkdirAll(filepath.Dir(o), 0o777); err != nil {
			return err
		}
		if err := os.WriteFile(o, content, 0o666); err != nil {
			return err
		}
		st, err := cache.Fingerprint(o)
		if err != nil {
			return err
		}
		out.Outputs = append(out.Outputs, st)
	}
	return nil
}

// Finish ends a waiting job of target name, ok or failed.
func (f *Fake) Finish(name string, ok bool) error {
	f.mu.Lock()
	var job *runner.Job
	for id, j := range f.held {
		if j.Work.Target == name {
			job = j
			delete(f.held, id)
			break
		}
	}
	f.mu.Unlock()
	if job == nil {
		return fmt.Errorf("runnertest: no waiting job of %s", name)
	}
	f.end(job, ok, false)
	return nil
}

// Waiting names the jobs that wait for Finish.
func (f *Fake) Waiting() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for _, j := range f.held {
		names = append(names, j.Work.Target)
	}
	return names
}

// Started names the targets of the jobs started so far, in order.
func (f *Fake) Started() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.started...)
}

// Cancel implements runner.Runner: a waiting job ends, canceled.
func (f *Fake) Cancel(j *runner.Job) bool {
	f.mu.Lock()
	_, ok := f.held[j.ID]
	delete(f.held, j.ID)
	f.mu.Unlock()
	if ok {
		f.end(j, false, true)
	}
	return ok
}

// Stop implements runner.Runner: every waiting job ends, canceled, and
// later ones too.
func (f *Fake) Stop() {
	f.mu.Lock()
	f.stopped = true
	held := f.held
	f.held = map[int]*runner.Job{}
	f.mu.Unlock()
	for _, j := range held {
		f.end(j, false, true)
	}
}

// Kill implements runner.Runner.
func (f *Fake) Kill() { f.Stop() }

// Close implements runner.Runner.
func (f *Fake) Close() error { return nil }
