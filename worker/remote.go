package worker

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/sched"
)

// runRemote runs a job that carries a remote.Request: it looks the action
// up in the remote cache and, on a hit, writes the cached outputs instead of
// running anything; on a miss it runs the action remotely (Exec) or here,
// and shares a successful local run (Upload). A server that cannot be used
// only costs a note in the result (RemoteErr): the job then runs here,
// unless the request is Strict. A refused entry (RemoteNote) is not trusted
// and the job runs here too.
func (r *runner) runRemote(wctx *sched.WorkerContext, job *Job) (Result, error) {
	req, err := remote.DecodeRequest(job.Remote)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-wctx.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	cl, err := r.client(req.Config)
	if err == nil {
		err = cl.Check(ctx, req.Exec)
	}
	var note string
	if err == nil {
		res, done, lerr := r.lookup(ctx, cl, req, job)
		switch {
		case done:
			return res, nil
		case errors.As(lerr, new(*remote.CorruptError)):
			note = fmt.Sprintf("%s: refused the remote cache's entry (%v); running it locally", job.Target, lerr)
		case lerr != nil && !errors.Is(lerr, remote.ErrIncomplete):
			err = lerr
		}
	}
	if err == nil && req.Exec {
		res, done, xerr := r.execute(ctx, cl, req, job)
		if done {
			res.RemoteNote = note
			return res, nil
		}
		if errors.As(xerr, new(*remote.CorruptError)) {
			note = fmt.Sprintf("%s: refused the remote execution's result (%v); running it locally", job.Target, xerr)
		} else {
			err = xerr
		}
	}
	infra := ""
	if err != nil {
		if stopped(wctx) {
			// Interrupted while talking to the server: nothing ran.
			return Result{FailedCmd: 0, ExitCode: -1, Signal: sched.SignalName(wctx.Signal())}, nil
		}
		if req.Strict {
			return Result{}, fmt.Errorf("remote %s: %w (no local fallback with --remote-strict)", req.Config.Endpoint, err)
		}
		infra = fmt.Sprintf("remote %s: %v", req.Config.Endpoint, err)
	}
	res, err := r.runJob(wctx, job)
	if err != nil {
		return res, err
	}
	res.RemoteErr, res.RemoteNote = infra, note
	if res.OK() && req.Upload && infra == "" {
		outs, oerr := remote.ReadOutputs(req.Root, req.Action)
		switch {
		case oerr != nil:
			res.RemoteNote = fmt.Sprintf("%s: not shared: %v", job.Target, oerr)
		default:
			res.SHA256 = sha256s(job, req, outs)
			if serr := cl.Store(ctx, req.Root, req.Action, outs, res.Output); serr != nil && !stopped(wctx) {
				res.RemoteErr = fmt.Sprintf("remote %s: sharing %s: %v", req.Config.Endpoint, job.Target, serr)
			}
		}
	}
	return res, nil
}

// client returns the process's client of the server of cfg.
func (r *runner) client(cfg remote.Config) (*remote.Client, error) {
	key := fmt.Sprintf("%#v", cfg)
	if c, ok := r.clients[key]; ok {
		return c, nil
	}
	c, err := remote.Dial(cfg)
	if err != nil {
		return nil, err
	}
	if r.clients == nil {
		r.clients = map[string]*remote.Client{}
	}
	r.clients[key] = c
	return c, nil
}

// lookup asks the action cache; on a hit it writes the outputs and returns
// the result with done set.
func (r *runner) lookup(ctx context.Context, cl *remote.Client, req *remote.Request, job *Job) (Result, bool, error) {
	ar, found, err := cl.GetActionResult(ctx, req.Action.Digest)
	if err != nil || !found || ar.ExitCode != 0 {
		return Result{}, false, err
	}
	fetched, err := cl.Materialize(ctx, req.Root, req.Action, ar)
	if err != nil {
		return Result{}, false, err
	}
	res, err := fetchedResult(job, req, fetched.Output, fetched.Files)
	res.Cached = true
	return res, err == nil, err
}

// execute runs the action on the server. done is set when it ran there
// (well or not); otherwise err says why the server could not run it.
func (r *runner) execute(ctx context.Context, cl *remote.Client, req *remote.Request, job *Job) (Result, bool, error) {
	ex, err := cl.Execute(ctx, req.Root, req.Action)
	failed := func(code int, output []byte) (Result, bool, error) {
		res := Result{FailedCmd: len(job.Cmds) - 1, ExitCode: code, Remote: true, Output: output}
		deleteOutputs(job, &res)
		return res, true, nil
	}
	if errors.Is(err, remote.ErrRemoteTimeout) {
		return failed(-1, fmt.Appendf(nil, "gobuildj: %v\n", err))
	}
	if err != nil {
		return Result{}, false, err
	}
	if code := ex.Result.ExitCode; code != 0 {
		// The commands failed: show their output, keep nothing.
		output, err := cl.Streams(ctx, ex.Result)
		if err != nil {
			output = fmt.Appendf(nil, "gobuildj: the remote output could not be read: %v\n", err)
		}
		return failed(int(code), output)
	}
	fetched, err := cl.Materialize(ctx, req.Root, req.Action, ex.Result)
	if errors.Is(err, remote.ErrIncomplete) {
		// The commands succeeded without making every output.
		output, _ := cl.Streams(ctx, ex.Result)
		res := Result{FailedCmd: -1, Remote: true, Output: output}
		if ferr := fingerprint(job, &res); ferr != nil || len(res.Missing) == 0 {
			res.Missing = job.Outputs
		}
		deleteOutputs(job, &res)
		return res, true, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	res, err := fetchedResult(job, req, fetched.Output, fetched.Files)
	res.Remote, res.Cached = true, ex.Cached
	return res, err == nil, err
}

// fetchedResult is the result of a job whose outputs were written from the
// server: fingerprinted like those of a local run, with their SHA-256s.
func fetchedResult(job *Job, req *remote.Request, output []byte, files []remote.OutputFile) (Result, error) {
	res := Result{FailedCmd: -1, Output: output}
	if err := fingerprint(job, &res); err != nil {
		return Result{}, err
	}
	if len(res.Missing) > 0 {
		return Result{}, fmt.Errorf("%w: %v", remote.ErrIncomplete, res.Missing)
	}
	res.SHA256 = sha256s(job, req, files)
	return res, nil
}

// sha256s lists the SHA-256 of each of job.Outputs that files gives.
func sha256s(job *Job, req *remote.Request, files []remote.OutputFile) [][32]byte {
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
