package reapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/worker"
)

func init() {
	t := &task{local: worker.NewRunner(), clients: map[string]*Client{}}
	sched.Register(remote.TaskName, t.run)
}

// task is remote.TaskName in a gobuildj-remote worker process: it keeps one
// client per server for the process's life, and a Runner for local runs.
type task struct {
	mu      sync.Mutex
	local   *worker.Runner
	clients map[string]*Client
	sys     systemDigests
}

// run decodes a worker.Job that carries a remote.Request, carries it out
// and encodes its worker.Result.
func (t *task) run(wctx *sched.WorkerContext, payload []byte) ([]byte, error) {
	start := time.Now()
	job, err := worker.DecodeJob(payload)
	if err != nil {
		return nil, err
	}
	req, err := remote.DecodeRequest(job.Remote)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", job.Target, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	res, err := t.runRemote(wctx, &job, req)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", job.Target, err)
	}
	res.Duration = time.Since(start)
	return res.Encode(), nil
}

// runRemote looks the target's action up in the remote cache and, on a
// hit, writes the cached outputs instead of running anything; on a miss it
// runs the action remotely (Exec) or here, and shares a successful local
// run (Upload). A server that cannot be used only costs a note in the
// result (RemoteErr): the job then runs here, unless the request is Strict.
// A refused entry (RemoteNote) is not trusted and the job runs here too.
//
// The first failure is also sent to gobuildj at once (remote.DownPrefix),
// and gobuildj's remote.GiveUp ends every call to the server: the job then
// runs here without a word, since gobuildj already warned (or fails, if
// Strict).
func (t *task) runRemote(wctx *sched.WorkerContext, job *worker.Job, req *remote.Request) (worker.Result, error) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go func() {
		for {
			select {
			case <-wctx.Done():
				cancel(nil)
				return
			case msg := <-wctx.Receive():
				if string(msg) == remote.GiveUp {
					cancel(errGivenUp)
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	givenUp := func() bool { return errors.Is(context.Cause(ctx), errGivenUp) }
	down := func(why string) {
		if !givenUp() && !worker.Stopped(wctx) {
			_ = wctx.Send([]byte(remote.DownPrefix + why)) // fails only once the task ended
		}
	}
	var note string
	a, err := Build(req.Spec)
	if err != nil {
		// Not an action a server can hold: run it here, unshared.
		note = fmt.Sprintf("%s: not shared: %v", job.Target, err)
		res, err := t.local.Run(wctx, job)
		res.RemoteNote = note
		return res, err
	}
	cl, err := t.client(req.Config)
	if err == nil {
		err = cl.Check(ctx, req.Exec)
	}
	// A target with a depfile or traced commands is found through its
	// manifest: a is then the full action of the files it lists, or nil
	// without one.
	var man *manifested
	if err == nil && (req.Spec.Depfile != "" || req.Spec.Trace) {
		if man, err = findManifest(ctx, cl, req.Root, req.Spec, &t.sys); err == nil {
			a = man.full
		}
	}
	if err == nil && a != nil {
		res, done, lerr := lookup(ctx, cl, req, a, job)
		switch {
		case done && req.Spec.Trace:
			// What the shared run read and probed, for gobuildj to
			// record as if it had traced it.
			res.Trace = restoredTrace(req.Root, man)
			return res, nil
		case done:
			return res, nil
		case errors.As(lerr, new(*CorruptError)):
			note = fmt.Sprintf("%s: refused the remote cache's entry (%v); running it locally", job.Target, lerr)
		case lerr != nil && !errors.Is(lerr, ErrIncomplete):
			err = lerr
		}
	}
	// A traced target runs here: a remote run comes without a trace, and
	// what it read is the key of the next build.
	if err == nil && req.Exec && a != nil && !req.Spec.Trace {
		ectx, ecancel := ctx, context.CancelFunc(func() {})
		if req.ExecTimeout > 0 {
			ectx, ecancel = context.WithTimeoutCause(ctx, req.ExecTimeout, errExecTimeout)
		}
		res, done, xerr := execute(ectx, cl, req, a, job)
		if !done && errors.Is(context.Cause(ectx), errExecTimeout) {
			xerr = fmt.Errorf("no result within the remote execution timeout of %s", req.ExecTimeout)
		}
		ecancel()
		if done && man != nil && !res.OK() {
			// The manifest may be out of date (a header now includes
			// one it does not list, which the farm then lacks): the
			// local run says whether the commands really fail.
			done = false
		}
		if done {
			if res.OK() && req.Why != nil {
				_ = cl.storeWhy(ctx, req.Why) // best effort, as after a local run
			}
			res.RemoteNote = note
			return res, nil
		}
		if errors.As(xerr, new(*CorruptError)) {
			note = fmt.Sprintf("%s: refused the remote execution's result (%v); running it locally", job.Target, xerr)
		} else {
			err = xerr
		}
	}
	infra := ""
	// Without a manifest anywhere, a target with a depfile runs here once
	// and is shared, also with remote execution alone: the farm can run
	// it only once it knows the headers to send.
	share := req.Upload || man != nil && req.Exec
	switch {
	case err == nil:
	case worker.Stopped(wctx):
		// Interrupted while talking to the server: nothing ran.
		return worker.Result{FailedCmd: 0, ExitCode: -1, Signal: sched.SignalName(wctx.Signal())}, nil
	case givenUp() && req.Strict:
		return worker.Result{}, fmt.Errorf("remote %s: not used after it failed another target (no local fallback with --remote-strict)", req.Config.Endpoint)
	case givenUp():
		share = false
	default:
		infra = fmt.Sprintf("remote %s: %v", req.Config.Endpoint, err)
		down(infra)
		if req.Strict {
			return worker.Result{}, fmt.Errorf("remote %s: %w (no local fallback with --remote-strict)", req.Config.Endpoint, err)
		}
		share = false
	}
	started := time.Now()
	res, err := t.local.Run(wctx, job)
	if err != nil {
		return res, err
	}
	res.RemoteErr, res.RemoteNote = infra, note
	if res.OK() && share && !givenUp() && man != nil {
		full, manifest, why := afterRun(req.Root, filepath.Join(req.Root, req.Spec.Dir), req.Spec, started, res.Trace, &t.sys)
		a = full
		if why != "" {
			res.NotShared = why
			share = false
		} else if !bytes.Equal(manifest, man.manifest) {
			// The manifest goes first: it is small, and a result
			// that no manifest leads to is of no use.
			if serr := cl.storeManifest(ctx, man.first, manifest); serr != nil && !worker.Stopped(wctx) && !givenUp() {
				if !req.Upload {
					// Asked to execute only, the server may well
					// refuse uploads: not a failure of the server.
					res.NotShared = fmt.Sprintf("the server refused its manifest: %v", serr)
				} else {
					res.RemoteErr = fmt.Sprintf("remote %s: sharing %s: %v", req.Config.Endpoint, job.Target, serr)
					down(res.RemoteErr)
					if req.Strict {
						return worker.Result{}, fmt.Errorf("remote %s: sharing its manifest: %w (--remote-strict)", req.Config.Endpoint, serr)
					}
				}
				share = false
			}
		}
	}
	if res.OK() && share && !givenUp() {
		outs, oerr := ReadOutputs(req.Root, a)
		switch {
		case oerr != nil:
			res.RemoteNote = fmt.Sprintf("%s: not shared: %v", job.Target, oerr)
		default:
			res.SHA256 = sha256s(job, req, outs)
			if serr := cl.Store(ctx, req.Root, a, outs, res.Output); serr != nil && !worker.Stopped(wctx) && !givenUp() && !req.Upload {
				res.NotShared = fmt.Sprintf("the server refused its result: %v", serr)
			} else if serr != nil && !worker.Stopped(wctx) && !givenUp() {
				res.RemoteErr = fmt.Sprintf("remote %s: sharing %s: %v", req.Config.Endpoint, job.Target, serr)
				down(res.RemoteErr)
				if req.Strict {
					// Asked to share, it could not: a CI job that
					// should fill the cache fails rather than
					// leave it empty unnoticed.
					return worker.Result{}, fmt.Errorf("remote %s: sharing: %w (--remote-strict)", req.Config.Endpoint, serr)
				}
			} else if serr == nil && req.Why != nil {
				// Best effort: without it, only `why --remote` is
				// the poorer.
				_ = cl.storeWhy(ctx, req.Why)
			}
		}
	}
	return res, nil
}

// errGivenUp is the cause of the cancellation of a job's calls when
// gobuildj gave up on the server (remote.GiveUp).
var errGivenUp = errors.New("gobuildj gave up on the remote server")

// errExecTimeout is the cause of the cancellation of a remote execution
// that exceeded its request's ExecTimeout.
var errExecTimeout = errors.New("remote execution timeout")

// client returns the process's client of the server of cfg.
func (t *task) client(cfg remote.Config) (*Client, error) {
	key := fmt.Sprintf("%#v", cfg)
	if c, ok := t.clients[key]; ok {
		return c, nil
	}
	c, err := Dial(cfg)
	if err != nil {
		return nil, err
	}
	t.clients[key] = c
	return c, nil
}

// lookup asks the action cache; on a hit it writes the outputs and returns
// the result with done set.
func lookup(ctx context.Context, cl *Client, req *remote.Request, a *Action, job *worker.Job) (worker.Result, bool, error) {
	ar, found, err := cl.GetActionResult(ctx, a.Digest)
	if err != nil || !found || ar.ExitCode != 0 {
		return worker.Result{}, false, err
	}
	fetched, err := cl.Materialize(ctx, req.Root, a, ar)
	if err != nil {
		return worker.Result{}, false, err
	}
	res, err := fetchedResult(job, req, fetched.Output, fetched.Files)
	res.Cached = true
	return res, err == nil, err
}

// execute runs the action on the server. done is set when it ran there
// (well or not); otherwise err says why the server could not run it.
func execute(ctx context.Context, cl *Client, req *remote.Request, a *Action, job *worker.Job) (worker.Result, bool, error) {
	ex, err := cl.Execute(ctx, req.Root, a)
	failed := func(code int, output []byte) (worker.Result, bool, error) {
		res := worker.Result{FailedCmd: len(job.Cmds) - 1, ExitCode: code, Remote: true, Output: output}
		worker.DeleteOutputs(job, &res)
		return res, true, nil
	}
	if errors.Is(err, ErrRemoteTimeout) {
		return failed(-1, fmt.Appendf(nil, "gobuildj: %v\n", err))
	}
	if err != nil {
		return worker.Result{}, false, err
	}
	if code := ex.Result.ExitCode; code != 0 {
		// The commands failed: show their output, keep nothing.
		output, err := cl.Streams(ctx, ex.Result)
		if err != nil {
			output = fmt.Appendf(nil, "gobuildj: the remote output could not be read: %v\n", err)
		}
		return failed(int(code), output)
	}
	fetched, err := cl.Materialize(ctx, req.Root, a, ex.Result)
	if errors.Is(err, ErrIncomplete) {
		// The commands succeeded without making every output.
		output, _ := cl.Streams(ctx, ex.Result)
		res := worker.Result{FailedCmd: -1, Remote: true, Output: output}
		if ferr := worker.FingerprintOutputs(job, &res); ferr != nil || len(res.Missing) == 0 {
			res.Missing = job.Outputs
		}
		worker.DeleteOutputs(job, &res)
		return res, true, nil
	}
	if err != nil {
		return worker.Result{}, false, err
	}
	res, err := fetchedResult(job, req, fetched.Output, fetched.Files)
	res.Remote, res.Cached = true, ex.Cached
	return res, err == nil, err
}

// fetchedResult is the result of a job whose outputs were written from the
// server: fingerprinted like those of a local run, with their SHA-256s.
func fetchedResult(job *worker.Job, req *remote.Request, output []byte, files []OutputFile) (worker.Result, error) {
	res := worker.Result{FailedCmd: -1, Output: output}
	if err := worker.FingerprintOutputs(job, &res); err != nil {
		return worker.Result{}, err
	}
	if len(res.Missing) > 0 {
		return worker.Result{}, fmt.Errorf("%w: %v", ErrIncomplete, res.Missing)
	}
	res.SHA256 = sha256s(job, req, files)
	return res, nil
}

// sha256s lists the SHA-256 of each of job.Outputs that files gives.
func sha256s(job *worker.Job, req *remote.Request, files []OutputFile) [][32]byte {
	byPath := make(map[string][32]byte, len(files))
	for _, f := range files {
		if f.Symlink == "" {
			byPath[f.Path] = f.Digest.Hash
		}
	}
	out := make([][32]byte, len(job.Outputs))
	for i, o := range job.Outputs {
		if rel, err := filepath.Rel(req.Root, o); err == nil {
			out[i] = byPath[filepath.ToSlash(rel)]
		}
	}
	return out
}
