// Package worker is gobuildj's task for sched: it runs a target's commands
// in a worker process, captures their output, deletes the declared outputs
// of a failed job and fingerprints those of a successful one.
package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/clean"
	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/trace"
)

// TaskName is the sched.Register name of the command task: a sched.Task
// with this Func and an encoded Job as Payload answers an encoded Result.
const TaskName = "gobuildj.run"

func init() {
	sched.Register(TaskName, newRunner().run)
}

// keepBufferCap is the largest encoding buffer a runner keeps for its next
// job. (The output buffer never grows past outputKeep.)
const keepBufferCap = 1 << 20

// runner holds what a worker process reuses from job to job. There is one
// per process, created when the task is registered; the scheduler gives a
// worker one task at a time, and the mutex makes that an invariant.
type runner struct {
	mu      sync.Mutex
	baseEnv []string          // the worker's environment, read once
	paths   map[string]string // lookPath cache
	null    int               // /dev/null, or -1 until opened
	out     outputBuf         // command output buffer
	enc     []byte            // result encoding buffer
	files   []uintptr         // ForkExec descriptor list
	env     []string          // environment buffer
	traced  trace.Builder     // the traced commands' reports of a job with Trace
}

func newRunner() *runner {
	return &runner{paths: map[string]string{}, null: -1}
}

// Runner runs the commands of jobs in a worker process, one job at a time,
// as gobuildj.run does: another task of the process (gobuildj-remote's,
// after a cache miss) uses one to run a job locally.
type Runner struct{ r *runner }

// NewRunner returns a Runner.
func NewRunner() *Runner { return &Runner{newRunner()} }

// Run runs job's commands here: it creates the outputs' folders, captures
// the output, fingerprints the outputs after success and deletes them after
// a failure. The Result's Output is valid until the next Run. An error means
// the job could not be attempted properly.
func (r *Runner) Run(ctx *sched.WorkerContext, job *Job) (Result, error) {
	r.r.mu.Lock()
	defer r.r.mu.Unlock()
	start := time.Now()
	res, err := r.r.runJob(ctx, job)
	res.Duration = time.Since(start)
	return res, err
}

// FingerprintOutputs records in res the state of each of job's outputs as
// they are now (after commands succeeded, or outputs were fetched); the
// missing ones go to res.Missing.
func FingerprintOutputs(job *Job, res *Result) error { return fingerprint(job, res) }

// DeleteOutputs removes job's declared outputs (after a failure), noting in
// res.Output any that could not be removed. Without the outputs' states
// from before the failed attempt, an output that resolves outside
// job.Project is kept (see deleteOutputs).
func DeleteOutputs(job *Job, res *Result) { deleteOutputs(job, nil, res) }

// Stopped reports whether the task was told to stop.
func Stopped(ctx *sched.WorkerContext) bool { return stopped(ctx) }

// run is the TaskFunc: it decodes a Job, runs it and encodes its Result.
// An error means the job could not be attempted properly (bad payload, an
// output folder that cannot be created, an output that cannot be hashed);
// a failing command is a Result, not an error.
func (r *runner) run(ctx *sched.WorkerContext, payload []byte) ([]byte, error) {
	start := time.Now()
	job, err := DecodeJob(payload)
	if err != nil {
		return nil, err
	}
	if job.Remote != nil {
		return nil, fmt.Errorf("target %s: this worker cannot use a remote server (gobuildj-remote's workers do)", job.Target)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	res, err := r.runJob(ctx, &job)
	if err != nil || !res.OK() {
		// A failure may stop the build (no -k): this worker starts no
		// job sent ahead to it until the builder has seen this one.
		ctx.Hold()
	}
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", job.Target, err)
	}
	res.Duration = time.Since(start)
	// sched copies the value before the next task starts: the buffer can
	// be reused.
	r.enc = res.appendTo(r.enc[:0])
	enc := r.enc
	if cap(r.enc) > keepBufferCap {
		r.enc = nil
	}
	return enc, nil
}

func (r *runner) runJob(ctx *sched.WorkerContext, job *Job) (Result, error) {
	res := Result{FailedCmd: -1}
	before, err := prepare(job)
	if err != nil {
		return res, err
	}
	env := r.environ(job)
	job, env, cleanTemp, err := sandboxJob(job, env)
	if err != nil {
		return res, err
	}
	defer cleanTemp()
	out := &r.out
	out.reset(job)
	r.traced.Reset()
	for i, cmd := range job.Cmds {
		if stopped(ctx) {
			// Stop after the command that was running when the
			// TermSignal came (or before the first one).
			res.FailedCmd, res.ExitCode, res.Signal = max(i-1, 0), -1, sched.SignalName(ctx.Signal())
			break
		}
		var ws syscall.WaitStatus
		var err error
		ws, err = r.command(cmd, job, env, out)
		switch {
		case err != nil:
			res.FailedCmd, res.ExitCode, res.StartErr = i, 127, startError(cmd, err)
		case ws.Signaled():
			res.FailedCmd, res.ExitCode, res.Signal = i, -1, sched.SignalName(ws.Signal())
		case ws.ExitStatus() != 0:
			res.FailedCmd, res.ExitCode = i, ws.ExitStatus()
		}
		if res.FailedCmd >= 0 {
			break
		}
	}
	if res.FailedCmd < 0 && len(job.Cmds) > 0 && stopped(ctx) {
		// The last command finished, but the job was told to stop while
		// it ran: its outputs may be incomplete.
		res.FailedCmd, res.ExitCode, res.Signal = len(job.Cmds)-1, -1, sched.SignalName(ctx.Signal())
	}
	res.Output = out.finish()
	if why := r.explainDenied(ctx, job, env, &res); why != "" {
		res.Output = append(res.Output, why...)
	}
	if job.Trace {
		res.Trace = r.traced.Report()
	}
	if res.FailedCmd < 0 {
		if err := fingerprint(job, &res); err != nil {
			deleteOutputs(job, before, &res)
			return res, err
		}
	}
	if !res.OK() {
		deleteOutputs(job, before, &res)
	}
	return res, nil
}

func stopped(ctx *sched.WorkerContext) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// fingerprint records the state of every output after success; missing
// ones go to res.Missing.
func fingerprint(job *Job, res *Result) error {
	res.Outputs = make([]cache.FileState, 0, len(job.Outputs))
	for _, o := range job.Outputs {
		st, err := cache.Fingerprint(o)
		if errors.Is(err, fs.ErrNotExist) {
			res.Missing = append(res.Missing, o)
			continue
		}
		if err != nil {
			return err
		}
		res.Outputs = append(res.Outputs, st)
	}
	return nil
}

// preRun is what the outputs were just before a job's commands started:
// the stat fingerprint of each (nil for one that did not exist), in the
// order of Job.Outputs.
type preRun []*fileid.Fingerprint

// prepare readies job's files just before its commands start: it creates
// the folders of the outputs and of the depfile, removes the last depfile
// (so that a command that succeeds without writing one is caught, not a
// stale one read), and returns the outputs' fingerprints, which tell
// deleteOutputs what the commands wrote. The depfile is removed here, not
// when the job is queued: a target that a failure or Ctrl-C keeps from
// starting keeps the depfile of its last run, and with it the headers it
// depends on. A depfile that resolves outside job.Project (through a link
// planted in the checkout) is not removed: gobuildj removes nothing it did
// not make outside the project; the engine then checks that the commands
// wrote it anew.
func prepare(job *Job) (preRun, error) {
	for _, o := range job.Outputs {
		if err := os.MkdirAll(filepath.Dir(o), 0o777); err != nil {
			return nil, fmt.Errorf("create the folder of output %s: %w", o, err)
		}
	}
	if job.Depfile != "" {
		if err := os.MkdirAll(filepath.Dir(job.Depfile), 0o777); err != nil {
			return nil, fmt.Errorf("create the folder of depfile %s: %w", job.Depfile, err)
		}
		if _, refused := newPlace(job.Project).refuse(job.Depfile); !refused {
			if err := os.Remove(job.Depfile); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("remove the old depfile %s: %w", job.Depfile, err)
			}
		}
	}
	b := make(preRun, len(job.Outputs))
	for i, o := range job.Outputs {
		if fp, err := fileid.Stat(o); err == nil {
			b[i] = &fp
		}
	}
	return b, nil
}

// place checks paths against the Buildfile's folder as clean does.
type place struct {
	root, realRoot string
	err            error // the root could not be resolved: every path is refused
}

func newPlace(root string) place {
	if root == "" {
		return place{}
	}
	real, err := filepath.EvalSymlinks(root)
	return place{root: root, realRoot: real, err: err}
}

// refuse says why gobuildj must not remove path unless the commands wrote
// it, and true, when path is outside the Buildfile's folder (as written or
// with its links resolved) or in its state folder. A job without a root
// (from a caller that gives none) refuses nothing.
func (p place) refuse(path string) (string, bool) {
	switch {
	case p.root == "":
		return "", false
	case p.err != nil:
		return fmt.Sprintf("cannot resolve %s (%v)", p.root, p.err), true
	}
	r, bad := clean.Check(p.root, p.realRoot, path)
	if !bad {
		return "", false
	}
	return r.Why(), true
}

// deleteOutputs removes the declared outputs of a failed job, as make's
// .DELETE_ON_ERROR does: a half-written output must not pass for a good
// one. An output inside the Buildfile's folder (its symbolic links
// resolved) is removed whatever it holds. One outside it, which a folder
// linked out of the checkout can make of an output written inside, is
// removed only if the commands wrote it: it did not exist before them
// (before) or its fingerprint (size, mtime, ctime, inode) changed. A file
// the commands did not touch is not theirs to lose, and gobuildj removes
// nothing outside the project it did not make. Without before, such an
// output is kept. A removal that fails, or an output kept, is reported in
// the job's output.
func deleteOutputs(job *Job, before preRun, res *Result) {
	res.Outputs = nil
	var p place
	if len(job.Outputs) > 0 {
		p = newPlace(job.Project)
	}
	for i, o := range job.Outputs {
		if why, refused := p.refuse(o); refused && !written(o, before, i) {
			res.Output = fmt.Appendf(res.Output, "gobuildj: kept output %s of the failed target: %s, and its commands did not write it\n", o, why)
			continue
		}
		if err := os.Remove(o); err != nil && !errors.Is(err, fs.ErrNotExist) {
			res.Output = fmt.Appendf(res.Output, "gobuildj: could not delete output of failed target: %v\n", err)
		}
	}
}

// written reports whether output i, at path o, was written since before
// was taken: it is there now, and was not then or has another fingerprint.
func written(o string, before preRun, i int) bool {
	if i >= len(before) {
		return false
	}
	now, err := fileid.Stat(o)
	if err != nil {
		return false // gone: nothing to remove
	}
	return before[i] == nil || *before[i] != now
}

// PortsEnv is the variable that gives a job's commands the TCP ports
// reserved for them when the job was admitted: "GOBUILDJ_PORTS=" and the
// ports, space-separated. The worker passes it on from Job.Env, never from
// its own environment.
func PortsEnv(ports []int) string {
	b := []byte("GOBUILDJ_PORTS=")
	for i, p := range ports {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(p), 10)
	}
	return string(b)
}

// environ is the worker's environment with job.Env and GOBUILDJ_TARGET
// replacing variables of the same names.
func (r *runner) environ(job *Job) []string {
	if r.baseEnv == nil {
		r.baseEnv = os.Environ()
	}
	env := r.env[:0]
	for _, kv := range r.baseEnv {
		key, _, _ := strings.Cut(kv, "=")
		if key == "GOBUILDJ_TARGET" || key == "GOBUILDJ_PORTS" || overridden(job.Env, key) {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, job.Env...)
	env = append(env, "GOBUILDJ_TARGET="+job.Target)
	r.env = env
	return env
}

func overridden(env []string, key string) bool {
	for _, kv := range env {
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return true
		}
	}
	return false
}
