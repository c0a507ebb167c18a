package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/remote"
)

// whyManifest is what went into the remote action of t whose spec
// remoteRequest made: spec.Inputs holds its declared inputs (the first
// declared) then its deps' outputs; tools are its tools with their
// SHA-256s.
func (b *builder) whyManifest(t *graph.Target, spec *remote.Spec, declared int, tools []remote.Tool) *remote.WhyManifest {
	r := b.remote
	bf, err := filepath.Rel(b.g.Root, t.File)
	if err != nil || t.File == "" {
		bf = filepath.Base(b.g.File)
	}
	m := &remote.WhyManifest{
		Target:    t.Name,
		Buildfile: filepath.ToSlash(bf),
		Salt:      r.opts.Salt,
		Cmds:      spec.Cmds,
		Dir:       spec.Dir,
		// The Command's environment without the inherited values, which
		// go by digest below.
		Env:      remoteEnv(t, r.opts.Path, func(string) (string, bool) { return "", false }),
		Outputs:  spec.Outputs,
		Platform: spec.Platform,
		Depfile:  spec.Depfile,
		Traced:   spec.Trace,
		Tools:    tools,
	}
	for _, name := range t.EnvInputs {
		v, ok := b.opts.LookupEnv(name)
		h := "unset"
		if ok {
			sum := sha256.Sum256([]byte(v))
			h = hex.EncodeToString(sum[:])
		}
		m.EnvInputs = append(m.EnvInputs, remote.NamedValue{Name: name, Value: h})
	}
	for i, in := range spec.Inputs {
		pd := remote.PathDigest{Path: in.Path, Digest: in.Digest}
		if i < declared {
			m.Inputs = append(m.Inputs, pd)
		} else {
			m.DepOutputs = append(m.DepOutputs, pd)
		}
	}
	return m
}

// RemoteManifest returns the WhyManifest that a build with opts.Remote
// would send with target t now (as a dry run computes it: nothing runs and
// nothing is recorded; the outputs of deps that would run are taken as they
// are on disk), or, when t would not be shared, why not. A *graph.Error
// says the target cannot be built.
func RemoteManifest(g *graph.Graph, t *graph.Target, opts Options) (*remote.WhyManifest, string, error) {
	if opts.Remote == nil {
		return nil, "", fmt.Errorf("%s: no remote cache", t.Name)
	}
	ro := *opts.Remote
	ro.Upload = true // the manifest goes with uploads only
	opts = Options{Jobs: 1, DryRun: true, LookupEnv: opts.LookupEnv, Listener: event.Tee()}
	opts.normalize()
	b := newBuilder(g, opts)
	defer b.closeRunners()
	b.remote = newRemoteState(&ro)
	b.want([]*graph.Target{t})
	planned := b.statPlanned()
	if err := b.checkCycleInputs(planned); err != nil {
		return nil, "", err
	}
	var err error
	if b.store, err = cache.OpenReadOnlyState(g.State()); err != nil {
		return nil, "", fmt.Errorf("state: %w", err)
	}
	defer b.store.Close()
	b.files = b.store.Files()
	if err := b.checkPlanned(planned); err != nil {
		return nil, "", err
	}
	for _, id := range b.cycle { // topological order: deps first
		n := &b.nodes[id]
		if len(n.t.Cmds) == 0 {
			continue
		}
		if n.action == nil || n.verdict == maybe {
			if err := b.prepareAction(n); err != nil {
				return nil, "", err
			}
		}
		if n.t == t {
			enc, why := b.remoteRequest(n)
			if enc == nil {
				return nil, why, nil
			}
			req, err := remote.DecodeRequest(enc)
			if err != nil {
				return nil, "", err
			}
			return req.Why, "", nil
		}
		if n.verdict != clean {
			n.outputs = b.outputsOnDisk(n.t)
		}
	}
	return nil, "", fmt.Errorf("%s: not planned", t.Name)
}
