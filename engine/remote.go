package engine

import (
	"cmp"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/worker"
)

// RemoteOptions connect a build to a remote cache or build farm that speaks
// the Bazel Remote Execution API (Options.Remote; nil for none).
//
// In the terms of "Build Systems à la Carte", the local state store is a
// verifying trace: it answers "are the outputs on disk still what this
// action made?". A remote cache is a constructive trace: it answers "what
// did this action make, anywhere?", and hands the outputs over. Both are
// asked the same question, by action, before a target runs, and both are
// told after it succeeds. The local store is asked first, here, because it
// is free; the remote one is asked by the worker that would otherwise run
// the commands (a gobuildj-remote process, see Helper), so that lookups,
// downloads and uploads run in parallel and never hold up the scheduler.
// The engine's part is small: remoteRequest describes a target about to
// run, remoteFinished takes in what the worker found.
type RemoteOptions struct {
	// Config is the server: the cache, or with Exec the execution service
	// (which then also serves as the cache).
	Config remote.Config
	// Exec runs targets on the server instead of here.
	Exec bool
	// Upload shares the results of local runs; without it the cache is
	// only read.
	Upload bool
	// Strict fails a target when the server cannot be used, instead of
	// building it locally.
	Strict bool
	// ExecTimeout, if positive, is how long a target may take on the
	// farm, from upload to outputs, queueing included: past it the
	// server counts as failed (the circuit breaker trips) and the target
	// runs locally, or fails with Strict.
	ExecTimeout time.Duration
	// Jobs is how many targets run remotely at once with Exec (default
	// 4 x CPUs); local commands stay within Options.Jobs.
	Jobs int
	// Path is the PATH of the commands as the remote side sees it
	// (default DefaultRemotePath): a remote runner starts with an empty
	// environment, and PATH is part of every action's key.
	Path string
	// Platform lists NAME=value properties a remote worker must have.
	Platform []string
	// Salt is added to every action's salt: changing it shares nothing
	// with earlier results.
	Salt string
	// Helper is the gobuildj-remote binary: with a remote server, every
	// worker process runs it (it links the gRPC client, which gobuildj
	// itself does not, to keep its start-up fast).
	Helper string
}

// DefaultRemotePath is the default of RemoteOptions.Path.
const DefaultRemotePath = "/usr/local/bin:/usr/bin:/bin"

// remoteState is the remote side of one build.
type remoteState struct {
	opts RemoteOptions
	down string // why the server is not used any more ("" while it is)
}

func newRemoteState(opts *RemoteOptions) *remoteState {
	r := &remoteState{opts: *opts}
	if r.opts.Jobs <= 0 {
		r.opts.Jobs = 4 * runtime.NumCPU()
	}
	if r.opts.Path == "" {
		r.opts.Path = DefaultRemotePath
	}
	return r
}

// workerJobs is the number of worker processes a build needs: with remote
// execution, a worker waits on the server for each remote target, and local
// commands stay within jobs (admission's -j).
func (r *remoteState) workerJobs(jobs int) int {
	if r != nil && r.opts.Exec {
		return max(jobs, r.opts.Jobs)
	}
	return jobs
}

// executable is the program of the worker processes ("" for gobuildj
// itself).
func (r *remoteState) executable() string {
	if r == nil {
		return ""
	}
	return r.opts.Helper
}

// remoteRequest returns the encoded remote.Request of a target about to
// run, or nil when it runs locally, with why it is not shared then ("" when
// nothing is shared anyway: no server, or -B): the server is down, the
// target is marked remote = false or always = true, it reserves local
// ports, or it reads or writes outside the Buildfile's folder (which an
// input tree cannot hold). A target with a depfile, or a traced one, is
// found through a manifest of the files its depfile named or its commands
// read (see package reapi); the digests of those its last run named or
// read here are passed on, so that the worker need not hash them again.
func (b *builder) remoteRequest(n *node) ([]byte, string) {
	r := b.remote
	t := n.t
	switch {
	case !r.usable() || b.opts.Force:
		return nil, ""
	case t.LocalOnly:
		return nil, "remote = false"
	case t.Always:
		return nil, "always = true"
	case t.Ports > 0:
		return nil, "it reserves local ports"
	case escapes(t.Dir):
		return nil, "its dir is outside the project"
	case t.Depfile != "" && (filepath.IsAbs(t.Depfile) || escapes(t.Depfile)):
		return nil, "its depfile is outside the project"
	}
	spec := remote.Spec{
		Cmds:     t.Cmds,
		Dir:      t.Dir,
		Outputs:  t.Outputs,
		Platform: r.opts.Platform,
		Timeout:  t.Timeout,
		Salt:     r.opts.Salt,
		Env:      remoteEnv(t, r.opts.Path, b.opts.LookupEnv),
		Depfile:  filepath.ToSlash(t.Depfile),
		Trace:    b.tracing(t),
	}
	// A result was made with the tools of the machine that ran it (or, with
	// remote execution, is shared with checkouts that run the same tools):
	// another compiler must miss. Remote execution and a remote cache key
	// alike, so that a cache-only checkout finds what the farm built.
	salt, tools, ok := b.remoteToolSalt(n.action)
	if !ok {
		return nil, "a tool of its commands cannot be read"
	}
	spec.Salt += salt
	digest := func(p string) (remote.Input, string) {
		if filepath.IsAbs(p) || escapes(p) {
			return remote.Input{}, p + " is outside the project"
		}
		sum, size, exec, err := b.store.Digests().SHA256(b.abs(p))
		if err != nil {
			return remote.Input{}, fmt.Sprintf("%s cannot be hashed: %v", p, err)
		}
		return remote.Input{Path: filepath.ToSlash(p), Digest: remote.Digest{Hash: sum, Size: size}, Executable: exec}, ""
	}
	add := func(p string) string {
		in, why := digest(p)
		if why == "" {
			spec.Inputs = append(spec.Inputs, in)
		}
		return why
	}
	for _, in := range t.Inputs {
		if why := add(in); why != "" {
			return nil, "its input " + why
		}
	}
	declared := len(spec.Inputs)
	seen := make(map[string]bool, len(n.action.DepOutputs))
	for _, d := range n.action.DepOutputs {
		if !seen[d.Path] {
			seen[d.Path] = true
			if why := add(d.Path); why != "" {
				return nil, "its dep's output " + why
			}
		}
	}
	if rec, ok := b.store.Target(t.Name); ok && (t.Depfile != "" || spec.Trace) {
		for _, p := range slices.Concat(rec.Discovered, rec.Traced) {
			if in, why := digest(p); why == "" {
				spec.Known = append(spec.Known, in)
			}
		}
	}
	req := remote.Request{
		Config:      r.opts.Config,
		Exec:        r.opts.Exec,
		Upload:      r.opts.Upload,
		Strict:      r.opts.Strict,
		ExecTimeout: r.opts.ExecTimeout,
		Root:        b.g.Root,
		Spec:        spec,
	}
	if r.opts.Upload {
		req.Why = b.whyManifest(t, &spec, declared, tools)
	}
	return req.Encode(), ""
}

// remoteEnv is the whole environment of a target's commands as the remote
// side sees it: its env, the inherited variables of its env_inputs that
// are set (through lookup) and env does not set, GOBUILDJ_TARGET and PATH
// (unless env sets it). Being the Command's environment, it is in the
// action's key.
func remoteEnv(t *graph.Target, path string, lookup func(string) (string, bool)) []string {
	env := append([]string(nil), t.Env...)
	setByEnv := func(name string) bool {
		for _, kv := range t.Env {
			if strings.HasPrefix(kv, name+"=") {
				return true
			}
		}
		return false
	}
	for _, name := range t.EnvInputs {
		if v, ok := lookup(name); ok && !setByEnv(name) {
			env = append(env, name+"="+v)
		}
	}
	env = append(env, "GOBUILDJ_TARGET="+t.Name)
	if setByEnv("PATH") {
		return env
	}
	return append(env, "PATH="+path)
}

func escapes(p string) bool {
	return p == ".." || strings.HasPrefix(p, "../")
}

// remoteFinished takes in what the worker said about the server: it warns
// once and stops using a server that failed, reports a refused entry, and
// keeps the SHA-256s of the outputs for the targets that read them.
func (b *builder) remoteFinished(n *node, out *worker.Result) {
	r := b.remote
	if r == nil {
		return
	}
	if out.RemoteNote != "" {
		b.ls.Message("gobuildj: warning: " + out.RemoteNote)
	}
	if out.RemoteErr != "" {
		b.remoteDown(out.RemoteErr)
	}
	if !out.OK() {
		return
	}
	if why := cmp.Or(out.NotShared, n.notShared); why != "" && r.usable() {
		b.sum.NotShared++
		if b.opts.Explain || b.opts.Verbose {
			b.ls.Message(fmt.Sprintf("gobuildj: %s: not shared: %s", n.t.Name, why))
		}
	}
	for i, sum := range out.SHA256 {
		if sum != ([32]byte{}) && i < len(out.Outputs) && i < len(n.t.Outputs) {
			b.store.Digests().Remember(b.abs(n.t.Outputs[i]), out.Outputs[i], sum)
		}
	}
}

// usable reports whether targets should still go to the server: there is
// one, and it has not failed, or it has but --remote-strict wants the
// targets that need it to fail rather than build locally (the workers
// give up on it at once, see remoteDown).
func (r *remoteState) usable() bool {
	return r != nil && (r.down == "" || r.opts.Strict)
}

// remoteDown is the circuit breaker: the first time the server fails
// (a call timed out or was refused, why says how), it warns once, tells
// the running remote tasks to give up on the server, and sends the
// targets waiting for a remote slot to the local queue. No target then
// waits on the server again in this build: a dead or stalled server costs
// one remote timeout over the local build.
func (b *builder) remoteDown(why string) {
	r := b.remote
	if r == nil || r.down != "" {
		return
	}
	r.down = why
	if r.opts.Strict {
		b.ls.Message(fmt.Sprintf("gobuildj: warning: %s; the targets that would use it fail (--remote-strict)", why))
	} else {
		b.ls.Message(fmt.Sprintf("gobuildj: warning: %s; building locally from now on", why))
	}
	if g, ok := b.farm.(interface{ GiveUp() }); ok {
		g.GiveUp()
	}
	if r.opts.Strict || !r.opts.Exec {
		return
	}
	// Remote jobs wait for a worker slot, not for -j: requeue them as
	// local jobs.
	for i := range b.nodes {
		n := &b.nodes[i]
		if n.attempt != nil && n.run != nil && n.job.Remote && b.queue.Remove(&n.job) {
			n.job.Remote = false
			n.run.Work.Remote = nil
			b.queue.Add(&n.job)
		}
	}
}
